/**
 * The typed error of the signing feature, a member of the service's one error hierarchy
 * (server-extension/src/errors.ts): its `code` is a stable code of shared/errors.ts, so the SOAP
 * layer turns it into a Fault with the translated text like any other service error.
 */
import { EsanteError, type FaultSide } from '../errors.ts';

export type SignErrorCode =
  | 'sign.card_required'
  | 'sign.no_certificate'
  | 'sign.certificate_invalid'
  | 'sign.sender_mismatch'
  | 'sign.message_invalid'
  | 'sign.unavailable';

const STATUS: Record<SignErrorCode, [number, FaultSide]> = {
  'sign.card_required': [403, 'Client'],
  'sign.no_certificate': [403, 'Client'],
  'sign.certificate_invalid': [403, 'Client'],
  'sign.sender_mismatch': [400, 'Client'],
  'sign.message_invalid': [400, 'Client'],
  'sign.unavailable': [503, 'Server'],
};

export class SigningError extends EsanteError {
  readonly code: SignErrorCode;
  readonly httpStatus: number;
  readonly side: FaultSide;
  constructor(
    code: SignErrorCode,
    /** Arguments of the translated text (`{0}`, `{1}`), never secrets. */
    args: readonly string[] = [],
    options: { cause?: unknown; detail?: string } = {},
  ) {
    super({ args, message: options.detail ? `${code}: ${options.detail}` : code, ...(options.cause !== undefined ? { cause: options.cause } : {}) });
    this.code = code;
    [this.httpStatus, this.side] = STATUS[code];
  }
}
