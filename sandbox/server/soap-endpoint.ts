/**
 * The SOAP-JSON endpoints `/service/soap/<Name>Request` and `/service/admin/soap/<Name>Request`.
 * Dispatch order follows zm-mailbox `store/src/java/com/zimbra/soap/SoapEngine.java`: find the handler
 * from the Body element, read the token (context header, else the cookie: ZimbraSoapContext), run the
 * CSRF check for CSRF-secured tokens (not for AuthRequest), then AUTH_REQUIRED when the handler needs
 * auth and there is no valid token. Faults answer HTTP 500 as SoapServlet does.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SandboxDeps, SoapCall, SoapHandler } from './context.ts';
import { CSRF_HEADER } from '../../shared/paths.ts';
import { Faults, SoapFault, faultEnvelope, readContextHeader, responseEnvelope } from './soap.ts';
import { HttpError, cookies, readBody, sendJson } from './http-util.ts';
import type { Session } from './sessions.ts';

/** Largest SOAP body accepted (zimbraSoapRequestMaxSize default is 15 MB). */
const MAX_SOAP_BODY = 15 * 1024 * 1024;
/** Admin console cookie (ZimbraCookie.COOKIE_ZM_ADMIN_AUTH_TOKEN). */
const ADMIN_COOKIE = 'ZM_ADMIN_AUTH_TOKEN';

export async function handleSoap(
  deps: SandboxDeps,
  handlers: Readonly<Record<string, SoapHandler>>,
  admin: boolean,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const call: SoapCall = { req, res, session: null, headers: {} };
  let requestName = '?';
  try {
    if (req.method !== 'POST') throw new HttpError(405, 'SOAP requests must be POSTed');
    let envelope: unknown;
    try {
      envelope = JSON.parse((await readBody(req, MAX_SOAP_BODY)).toString('utf8'));
    } catch (e) {
      if (e instanceof HttpError) throw e;
      throw Faults.invalidRequest('unable to parse JSON SOAP envelope');
    }
    const body = (envelope as { Body?: Record<string, unknown> })?.Body;
    if (!body || typeof body !== 'object') throw Faults.invalidRequest('No SOAP body');
    requestName = Object.keys(body).find((k) => k.endsWith('Request')) ?? '?';
    const handler = Object.prototype.hasOwnProperty.call(handlers, requestName) ? handlers[requestName] : undefined;
    if (!handler) throw Faults.unknownDocument(requestName);
    const ctx = readContextHeader(envelope);
    const token = ctx.authToken ?? cookies(req)[admin ? ADMIN_COOKIE : 'ZM_AUTH_TOKEN'];

    let session: Session | null = null;
    if (handler.auth === 'none') {
      // AuthRequest and other public handlers ignore a stale token instead of failing on it.
      try {
        session = token ? deps.sessions.resolve(token) : null;
      } catch {
        session = null;
      }
    } else {
      session = deps.sessions.resolve(token);
      if (session.csrfSecured) {
        const header = req.headers[CSRF_HEADER.toLowerCase()];
        const csrf = (Array.isArray(header) ? header[0] : header) || ctx.csrfToken;
        if (!deps.sessions.checkCsrf(session, csrf)) throw Faults.authRequired();
      }
      if (handler.auth === 'admin' && !session.admin) throw Faults.permDenied('need adequate admin token');
    }
    call.session = session;
    const payload = (body[requestName] ?? {}) as Record<string, unknown>;
    const result = await handler.handle(typeof payload === 'object' && payload !== null ? payload : {}, call);
    sendJson(res, 200, responseEnvelope(requestName.replace(/Request$/, 'Response'), result, handler.jsns), call.headers);
  } catch (e) {
    if (e instanceof HttpError) {
      // Transport-level refusals (wrong method, body too large) keep their HTTP status.
      sendJson(res, e.status, faultEnvelope(Faults.invalidRequest(e.message)));
      return;
    }
    const fault = e instanceof SoapFault ? e : Faults.failure('unexpected error');
    if (!(e instanceof SoapFault)) deps.log('SOAP handler failed', { request: requestName, error: (e as Error)?.stack ?? String(e) });
    // No handler headers on a fault: a half-done AuthRequest must not set a cookie.
    sendJson(res, 500, faultEnvelope(fault));
  }
}
