/**
 * The directory's typed failure. `code` is a stable error code of shared/errors.ts (public API, carried
 * in the SOAP Fault); `args` fill its `{0}`… placeholders. The service's error hierarchy
 * (server-extension/src/errors.ts, written with the service core) maps this to a Fault by its code.
 * Messages never carry credentials or the searched values.
 */
import type { ErrorCode } from '../../../shared/errors.ts';

export class DirectoryError extends Error {
  override readonly name = 'DirectoryError';
  readonly code: ErrorCode;
  readonly args: string[];
  constructor(code: ErrorCode, args: string[] = [], options?: { cause?: unknown }) {
    super(args.length ? `${code}: ${args.join(', ')}` : code, options);
    this.code = code;
    this.args = args;
  }
}
