/**
 * The one error type of the container code. Its `code` is a stable code of shared/errors.ts, so the
 * zimlet and the portal show it with `errorText(err.code, lang, ...err.args)` and the service maps it
 * to a SOAP Fault unchanged. `detail` is for logs and tests only (English, never shown, never secret).
 */
import type { ErrorCode } from '../errors.ts';

export type ContainerErrorCode = Extract<
  ErrorCode,
  'container.malformed' | 'container.unsupported_version' | 'container.tampered' | 'container.wrong_key' | 'request.invalid'
>;

export class ContainerError extends Error {
  override readonly name = 'ContainerError';
  readonly code: ContainerErrorCode;
  /** Arguments of the translated text (`{0}`…), e.g. the unsupported version number. */
  readonly args: ReadonlyArray<string | number>;
  readonly detail: string;

  constructor(code: ContainerErrorCode, detail: string, args: ReadonlyArray<string | number> = [], options?: { cause?: unknown }) {
    super(`${code}: ${detail}`, options);
    this.code = code;
    this.detail = detail;
    this.args = args;
  }
}
