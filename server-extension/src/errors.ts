/**
 * The service's ONE error hierarchy. Each class carries a stable public `code` (shared/errors.ts),
 * the arguments of its translated text, the HTTP status of the Fault, and whether the caller
 * (soap:Client) or the service (soap:Server) is at fault. Adapters map transport failures to these
 * at their edge (e.g. zimbra/client.ts); soap/fault.ts turns any thrown value into a SOAP Fault.
 * (pattern: opentdf/web-sdk `src/errors.ts`)
 * Messages of these errors are for logs; users only see the translated text of `code`.
 */
import { isErrorCode, type ErrorCode } from '../../shared/errors.ts';

export type FaultSide = 'Client' | 'Server';

export interface EsanteErrorOptions {
  /** Arguments of the translated text (`{0}`…). Never put secrets or patient data here. */
  args?: ReadonlyArray<string | number>;
  cause?: unknown;
  /** Log-only detail; defaults to the code. */
  message?: string;
}

export abstract class EsanteError extends Error {
  abstract readonly code: ErrorCode;
  abstract readonly httpStatus: number;
  abstract readonly side: FaultSide;
  readonly args: ReadonlyArray<string | number>;
  constructor(opts: EsanteErrorOptions = {}) {
    super(opts.message ?? new.target.name, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.args = opts.args ?? [];
  }
}

/** No Zimbra session, an expired one, or a CSRF token that does not belong to it. */
export class AuthRequiredError extends EsanteError {
  readonly code = 'auth.required';
  readonly httpStatus = 401;
  readonly side = 'Client';
}

/** Well-formed request whose values break the schema or a rule; args[0] says what (translated by the caller of the ctor). */
export class InvalidRequestError extends EsanteError {
  readonly code = 'request.invalid';
  readonly httpStatus = 400;
  readonly side = 'Client';
  constructor(what: string, opts: Omit<EsanteErrorOptions, 'args'> = {}) {
    super({ ...opts, args: [what], message: opts.message ?? `invalid request: ${what}` });
  }
}

/** Not XML, not a SOAP envelope, or a DTD (refused: XXE / entity expansion). */
export class MalformedRequestError extends EsanteError {
  readonly code = 'request.malformed';
  readonly httpStatus = 400;
  readonly side = 'Client';
}

export class RequestTooLargeError extends EsanteError {
  readonly code = 'request.too_large';
  readonly httpStatus = 413;
  readonly side = 'Client';
  constructor(maxBytes: number, opts: Omit<EsanteErrorOptions, 'args'> = {}) {
    super({ ...opts, args: [maxBytes] });
  }
}

export class UnknownOperationError extends EsanteError {
  readonly code = 'request.unknown_operation';
  readonly httpStatus = 400;
  readonly side = 'Client';
  constructor(operation: string, opts: Omit<EsanteErrorOptions, 'args'> = {}) {
    // The name comes from the request: bounded so a hostile caller cannot inflate the Fault.
    super({ ...opts, args: [operation.slice(0, 100)], message: `unknown operation ${operation.slice(0, 100)}` });
  }
}

/** A dependency (Zimbra, the store, the directory…) is down or too slow. */
export class ServiceUnavailableError extends EsanteError {
  readonly code = 'service.unavailable';
  readonly httpStatus = 503;
  readonly side = 'Server';
}

/**
 * A bug or an unexpected answer from a dependency. The Fault shows only a random reference
 * (args[0], set by soap/fault.ts), logged together with the stack.
 */
export class InternalError extends EsanteError {
  readonly code = 'service.internal';
  readonly httpStatus = 500;
  readonly side = 'Server';
}

export function isEsanteError(e: unknown): e is EsanteError {
  return e instanceof EsanteError;
}

/**
 * Any other public code of shared/errors.ts (feature codes such as `directory.not_found`), for the
 * features and ports that need no class of their own. Side and status follow the code's name:
 * `service.*` and `*.unavailable` are the service's fault (503 for unavailability), the rest the caller's
 * (404 for `*.not_found`, else 400).
 */
export class CodedError extends EsanteError {
  readonly code: ErrorCode;
  readonly httpStatus: number;
  readonly side: FaultSide;
  constructor(code: ErrorCode, opts: EsanteErrorOptions = {}) {
    super({ message: code, ...opts });
    this.code = code;
    const unavailable = code.endsWith('.unavailable');
    this.side = unavailable || code.startsWith('service.') ? 'Server' : 'Client';
    // `*.not_found` (e.g. directory.not_found) is the caller asking for something that is not there: 404.
    const notFound = code.endsWith('.not_found');
    this.httpStatus =
      code === 'auth.required' ? 401 : code === 'request.too_large' ? 413 : unavailable ? 503 : this.side === 'Server' ? 500 : notFound ? 404 : 400;
  }
}

/**
 * Ports written as separate modules (the store, the directory…) carry a public `code` of
 * shared/errors.ts on their own error classes rather than importing this hierarchy; this maps such
 * an error into it, so the Fault converter still has exactly one hierarchy to deal with.
 * Returns undefined for anything else, and for `service.internal` (both become service.internal
 * with a logged reference).
 */
export function fromCodedError(e: unknown): EsanteError | undefined {
  if (!(e instanceof Error) || e instanceof EsanteError) return undefined;
  const { code, args } = e as Error & { code?: unknown; args?: unknown };
  if (typeof code !== 'string' || !isErrorCode(code) || code === 'service.internal') return undefined;
  const a = Array.isArray(args) ? (args as unknown[]).filter((x): x is string | number => typeof x === 'string' || typeof x === 'number') : [];
  return new CodedError(code, { args: a, message: e.message, cause: e });
}
