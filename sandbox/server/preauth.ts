/**
 * `/service/preauth` (zm-mailbox `store/docs/preauth.md`, `store/src/java/com/zimbra/cs/service/PreAuthServlet.java`):
 * `?account=&by=name&timestamp=<ms>&expires=0&preauth=<hex HMAC-SHA1(key, "account|by|expires|timestamp")>`,
 * timestamp within 5 minutes of the server clock; on success the ZM_AUTH_TOKEN cookie is set and the
 * browser is redirected (to `redirectURL` when it is a same-origin path, else `/`).
 * Sandbox addition: `esanteAuthMethod=card|fallback` records how the portal authenticated the user;
 * when present it is appended to the signed data ("account|by|expires|timestamp|method") so it cannot
 * be changed in transit.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SandboxDeps } from './context.ts';
import { hmacHex, safeEqual } from './secrets.ts';
import { authCookie, redirect, sendText } from './http-util.ts';
import { isAuthMethod } from './sessions.ts';

export const PREAUTH_WINDOW_MS = 5 * 60 * 1000;

/** The preauth value for the given fields (what the portal/service computes). */
export function computePreauth(key: string, account: string, by: string, expires: string, timestamp: string, authMethod?: string): string {
  const data = [account, by, expires, timestamp, ...(authMethod ? [authMethod] : [])].join('|');
  return hmacHex(key, 'sha1', data);
}

export function handlePreauth(deps: SandboxDeps, url: URL, req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== 'GET') return sendText(res, 405, 'method not allowed', 'text/plain; charset=utf-8');
  const p = url.searchParams;
  const account = p.get('account') ?? '';
  const by = p.get('by') ?? 'name';
  const timestamp = p.get('timestamp') ?? '';
  const expires = p.get('expires') ?? '0';
  const preauth = (p.get('preauth') ?? '').toLowerCase();
  const method = p.get('esanteAuthMethod') ?? undefined;
  const fail = (status: number, why: string): void => {
    deps.log('preauth refused', { why });
    sendText(res, status, `${status} ${why}`, 'text/plain; charset=utf-8');
  };
  if (!account || !timestamp || !preauth || !/^\d+$/.test(timestamp) || !/^\d+$/.test(expires)) return fail(400, 'invalid request: missing or malformed preauth parameters');
  if (by !== 'name') return fail(400, 'invalid request: only by=name is supported by the sandbox');
  if (method !== undefined && !isAuthMethod(method)) return fail(400, 'invalid request: esanteAuthMethod must be card or fallback');
  const expected = computePreauth(deps.preauthKey, account, by, expires, timestamp, method);
  if (!safeEqual(preauth, expected)) return fail(403, 'authentication failed: preauth mismatch');
  const ts = Number(timestamp);
  if (Math.abs(Date.now() - ts) > PREAUTH_WINDOW_MS) return fail(403, 'authentication failed: preauth timestamp is too old');
  const exp = Number(expires);
  if (exp !== 0 && ts + exp < Date.now()) return fail(403, 'authentication failed: preauth expired');
  const acct = deps.store.accountByName(account);
  if (!acct) return fail(403, `authentication failed: no such account`);
  const session = deps.sessions.issue(acct, { authMethod: method ?? null, csrfSecured: true, ...(exp > 0 ? { lifetimeMs: exp } : {}) });
  const target = p.get('redirectURL') ?? '/';
  // Only same-origin paths: an open redirect after login would help phishing.
  const safeTarget = /^\/(?![/\\])/.test(target) ? target : '/';
  redirect(res, safeTarget, { 'Set-Cookie': authCookie(session.token, session.expiresAt) });
}
