/**
 * The directory's typed failure, a member of the service's one hierarchy (../errors.ts). `code` is a
 * stable error code of shared/errors.ts (public API, carried in the SOAP Fault); `args` fill its
 * `{0}`… parameters; status and side follow the code (CodedError).
 * Messages never carry credentials or the searched values.
 */
import type { ErrorCode } from '../../../shared/errors.ts';
import { CodedError } from '../errors.ts';

export class DirectoryError extends CodedError {
  override readonly name = 'DirectoryError';
  constructor(code: ErrorCode, args: string[] = [], options?: { cause?: unknown }) {
    super(code, { args, message: args.length ? `${code}: ${args.join(', ')}` : code, ...(options?.cause !== undefined ? { cause: options.cause } : {}) });
  }
}
