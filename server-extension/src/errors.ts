/**
 * The service's ONE error hierarchy. Every error class of the service extends EsanteError and carries
 * a stable public `code` (shared/errors.ts), the arguments of its translated text, the HTTP status, and
 * whether the caller (soap:Client) or the service (soap:Server) is at fault. Adapters map transport
 * failures to these at their edge (e.g. zimbra/client.ts, store/sqlite.ts, directory/ldap.ts).
 * (pattern: opentdf/web-sdk `src/errors.ts`)
 *
 * ONE wire mapper, `toPublicError` below, turns anything thrown into what a caller may see: the SOAP
 * layer writes it as a Fault (soap/fault.ts), the JSON routes as `{error:{code,message}}`
 * (messages/http.ts sendError), the first-login route as a page (provisioning/routes.ts). Anything that
 * is not an EsanteError, and any error whose code is `service.internal`, is shown only as a random
 * reference, logged with the stack.
 *
 * To add a failure: pick (or add, with its fr/de/en texts, in shared/<feature>/errors.ts) a code, then
 * either throw `new CodedError(code, { args })` or declare `class XError extends CodedError` (status
 * and side follow the code's name) or extends EsanteError with its own status and side.
 * Messages of these errors are for logs; users only see the translated text of `code`.
 */
import { randomBytes } from 'node:crypto';
import { errorText, type ErrorCode } from '../../shared/errors.ts';
import type { Lang } from '../../shared/i18n/lang.ts';
import type { Logger } from './log.ts';

export type FaultSide = 'Client' | 'Server';

export interface EsanteErrorOptions {
  /** Arguments of the translated text (`{0}`…). Never put secrets or patient data here. */
  args?: ReadonlyArray<string | number>;
  cause?: unknown;
  /** Log-only detail; defaults to the code. */
  message?: string;
}

export interface CodedErrorOptions extends EsanteErrorOptions {
  /** For the service's own HTTP routes (401, 403, 404, 405, 429…); SOAP Faults follow the code's name. */
  httpStatus?: number;
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
  constructor(code: ErrorCode, opts: CodedErrorOptions = {}) {
    super({ message: code, ...opts });
    this.code = code;
    const unavailable = code.endsWith('.unavailable');
    this.side = unavailable || code.startsWith('service.') ? 'Server' : 'Client';
    // `*.not_found` (e.g. directory.not_found) is the caller asking for something that is not there: 404.
    const notFound = code.endsWith('.not_found');
    this.httpStatus =
      opts.httpStatus ??
      (code === 'auth.required' ? 401 : code === 'request.too_large' ? 413 : unavailable ? 503 : this.side === 'Server' ? 500 : notFound ? 404 : 400);
  }
}

/** What a caller may see of a failure, in its language: the one shape every wire format is written from. */
export interface PublicError {
  httpStatus: number;
  side: FaultSide;
  code: ErrorCode;
  args: ReadonlyArray<string | number>;
  /** The translated text of `code`. */
  message: string;
  /** Set for service.internal: the reference shown to the user and logged with the stack. */
  reference?: string;
}

/**
 * THE wire mapper: any thrown value → the public error, logging what must be logged. Client
 * mistakes are routine (debug); a dependency failure is worth a warning; anything else is a bug or
 * an unexpected answer (error, with the stack and the reference the user is shown).
 */
export function toPublicError(err: unknown, lang: Lang, log: Logger): PublicError {
  let e: EsanteError;
  let reference: string | undefined;
  if (err instanceof EsanteError && err.code !== 'service.internal') {
    e = err;
    if (e.side === 'Server') log.warn({ err: e, errorCode: e.code }, 'request failed: dependency unavailable');
    else log.debug({ errorCode: e.code, reason: e.message }, 'request refused');
  } else {
    reference = randomBytes(6).toString('hex').toUpperCase();
    e = new InternalError({ args: [reference], cause: err });
    log.error({ err, reference }, 'internal error');
  }
  return {
    httpStatus: e.httpStatus,
    side: e.side,
    code: e.code,
    args: e.args,
    message: errorText(e.code, lang, ...e.args),
    ...(reference ? { reference } : {}),
  };
}
