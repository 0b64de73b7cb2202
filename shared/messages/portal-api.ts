/**
 * The recipients' portal API (architecture flow 4): JSON over HTTP under
 * `${SERVICE_BASE_PATH}/portal/api/`, shared by the page (portal/src/main.ts) and the service
 * (server-extension/src/messages/portal.ts).
 *
 * Why not SOAP operations like the rest of shared/messages/operations.ts: portal users have no Zimbra
 * session; they hold a portal session in an HttpOnly, SameSite=Strict cookie, which the page cannot
 * (and must not be able to) read, and SOAP handlers do not see cookies. Keeping the portal on its own
 * small JSON API keeps that session entirely server-side.
 *
 * Every POST must carry `Content-Type: application/json` and `X-Esante-Portal: 1` (a cross-site form
 * or fetch cannot, without a CORS preflight the service never grants). Errors: HTTP 4xx/5xx with
 * `{ error: { code, message } }`, `code` from shared/errors.ts, `message` translated.
 */
import { SERVICE_BASE_PATH } from '../paths.ts';

export const PORTAL_PATH = `${SERVICE_BASE_PATH}/portal`;
export const PORTAL_API_PATH = `${PORTAL_PATH}/api`;
export const PORTAL_COOKIE = 'ESANTE_PORTAL';
export const PORTAL_CSRF_HEADER = 'X-Esante-Portal';

/** Paths under PORTAL_API_PATH, with their bodies and answers. */
export interface PortalApi {
  /** Mails a 6-digit code proving the address (or a "log in instead" mail). 202. */
  'POST /register/code': { request: { email: string; lang?: string }; response: { sent: true } };
  /** Creates the level-0 account and opens a session (Set-Cookie). */
  'POST /register': {
    request: { email: string; code: string; fullName: string; password: string; confirmation: string };
    response: { email: string };
  };
  'POST /login': { request: { email: string; password: string }; response: { email: string } };
  'POST /logout': { request: Record<string, never>; response: { ok: true } };
  /** 401 portal.session_required without a valid session. */
  'GET /session': { request: undefined; response: { email: string } };
  /** Same rules and answer as the SOAP ReleaseMessageKey, for the session's address. */
  'POST /release': { request: { messageId: string }; response: PortalRelease };
}

export interface PortalRelease {
  messageId: string;
  /** base64 of the 32-byte data key. */
  dataKey: string;
  containerDigest?: string;
  sentAt?: string;
  sender: { mail: string; displayName?: string; level: number; levelBanner: boolean };
}

export interface PortalErrorBody {
  error: { code: string; message: string };
}
