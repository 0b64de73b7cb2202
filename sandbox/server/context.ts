/**
 * What every sandbox handler may use: the store, sessions, zimlets, the mail transport.
 * Built once in index.ts (the composition root) and passed to each handler factory.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Store } from './store.ts';
import type { Session, Sessions } from './sessions.ts';
import type { ZimletRegistry } from './zimlets.ts';
import type { MailSystem } from './mail.ts';

export interface SandboxDeps {
  store: Store;
  sessions: Sessions;
  zimlets: ZimletRegistry;
  mail: MailSystem;
  /** Preauth key (zimbraPreAuthKey of the domain), hex; shared with the service through the data dir. */
  preauthKey: string;
  /** Default zimbraPrefAutoSaveDraftInterval (an LDAP duration such as "30s"). */
  autoSaveDraftInterval: string;
  /** Public base URL of this sandbox, e.g. http://127.0.0.1:8080 */
  baseUrl(): string;
  log(msg: string, extra?: Record<string, unknown>): void;
}

/** One SOAP call being handled. */
export interface SoapCall {
  req: IncomingMessage;
  res: ServerResponse;
  /** Set when the request carried a valid token (even for handlers that do not need one). */
  session: Session | null;
  /** Extra response headers a handler wants to set (AuthRequest sets the cookie and CSRF header). */
  headers: Record<string, string | string[]>;
}

/** A SOAP handler: needsAuth like zm-mailbox DocumentHandler.needsAuth / needsAdminAuth. */
export interface SoapHandler {
  auth: 'none' | 'user' | 'admin';
  /** Namespace of the response (`_jsns`). */
  jsns: string;
  handle(body: Record<string, unknown>, call: SoapCall): Promise<Record<string, unknown>> | Record<string, unknown>;
}

/**
 * A handler for a signed-in user (auth 'user', zm-mailbox DocumentHandler.needsAuth): `handle` gets
 * the session, which dispatch guarantees.
 */
export function userHandler(
  jsns: string,
  handle: (body: Record<string, unknown>, session: Session, call: SoapCall) => Promise<Record<string, unknown>> | Record<string, unknown>,
): SoapHandler {
  return { auth: 'user', jsns, handle: (body, call) => handle(body, need(call), call) };
}

export function need(call: SoapCall): Session {
  // Dispatch guarantees a session for auth: 'user'/'admin' handlers; this narrows the type.
  if (!call.session) throw new Error('handler needs a session');
  return call.session;
}
