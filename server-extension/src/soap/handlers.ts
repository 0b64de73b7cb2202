/**
 * How operations are implemented: one small factory per operation, `(deps) => handler`, registered
 * in the composition root (root.ts). A handler receives the validated, typed request and the call's
 * context, and returns the typed response; anything it throws becomes a Fault in soap/fault.ts.
 * (pattern: nodemailer/wildduck `lib/api/*.js`)
 */
import type { Lang } from '../../../shared/i18n/lang.ts';
import type { OperationName, Operations, RequestOf, ResponseOf } from '../../../shared/soap/operations.ts';
import type { Caller } from '../auth/index.ts';
import type { Logger } from '../log.ts';

interface BaseContext {
  /** Language of the caller: Zimbra locale when authenticated, else Accept-Language, else fr. */
  lang: Lang;
  /** A child logger carrying the request id and operation. */
  log: Logger;
  requestId: string;
  /** Aborted when the client goes away or the service shuts down. */
  signal: AbortSignal;
}
export interface UserContext extends BaseContext {
  caller: Caller;
}
export interface PublicContext extends BaseContext {
  caller?: undefined;
}
/** `auth: 'user'` operations always get a proved caller. */
export type HandlerContext<N extends OperationName> = Operations[N]['auth'] extends 'user' ? UserContext : PublicContext;

export type Handler<N extends OperationName> = (req: RequestOf<N>, ctx: HandlerContext<N>) => Promise<ResponseOf<N>>;

/**
 * The handlers of the running service. Partial on purpose: an operation declared in operations.ts
 * whose feature is not wired (yet, or disabled in this deployment) answers `request.unknown_operation`.
 */
export type HandlerRegistry = { [N in OperationName]?: Handler<N> };
