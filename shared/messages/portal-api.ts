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
  /**
   * Issue 12: prepares a secure answer to `messageId` (a message the session's address received).
   * The service decides the one recipient, the original's sender, from its record; refused when the
   * original was withdrawn from the caller (`message.revoked`), their access ended
   * (`message.access_ended`), they are not among its recipients (`message.not_recipient`) or it was
   * never sent (`message.not_sent`).
   */
  'POST /reply/register': { request: { messageId: string }; response: PortalReplyRegistration };
  /**
   * The sealed answer itself: NOT JSON but the container's bytes, `Content-Type:
   * application/vnd.esante.secure-message`, with the CSRF header and the registration's ticket in
   * PORTAL_REPLY_TICKET_HEADER. The service checks it, records it as sent and mails it to the
   * original's sender. At most `maxBytes` (413 `portal.reply_too_large`).
   */
  'POST /reply/send': { request: Uint8Array; response: PortalReplySent };
}

/** Header of `POST /reply/send` carrying the registration's ticket. */
export const PORTAL_REPLY_TICKET_HEADER = 'X-Esante-Reply-Ticket';

/**
 * Largest sealed answer (container bytes) the portal accepts, whatever ESANTE_PORTAL_MAX_CONTAINER_BYTES
 * says (the smaller wins): the answer is mailed base64-encoded (×4/3, plus line ends ×78/76), and
 * Zimbra's MTA refuses messages above zimbraMtaMaxMessageSize, 10,240,000 bytes by default
 * (zm-mta `zimbraMtaMaxMessageSize`, postfix `message_size_limit`): 7 MiB sealed is about 9.6 MB mailed.
 */
export const PORTAL_REPLY_MAX_BYTES = 7 * 1024 * 1024;

export interface PortalReplyRegistration {
  /** The answer's own secure message id (its container header names it). */
  messageId: string;
  /** base64 of the answer's 32-byte data key. */
  dataKey: string;
  keyService: string;
  /** The answer's sender: the session's address, with their account's name. */
  sender: { mail: string; displayName?: string };
  /** The one recipient, the original message's sender, as the key service knows them. */
  to: { mail: string; displayName?: string };
  /** "Re: " + the original's subject. */
  subject: string;
  /** Opaque; sent back with the container (binds the answer to the original and to this session). */
  ticket: string;
  /** Largest container `POST /reply/send` accepts. */
  maxBytes: number;
}

export interface PortalReplySent {
  messageId: string;
  sentAt: string;
  to: string;
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
