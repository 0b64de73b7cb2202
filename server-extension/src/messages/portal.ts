/**
 * The recipients' portal (architecture flow 4, guide p.13 "Cas n°2"): an outside recipient, who has
 * no Zimbra account, proves their address with a mailed code, creates an encryption account of
 * level 0 (password policy of shared/password/policy.ts, through the accounts service), logs in,
 * and opens a container IN THE BROWSER: the page asks this API for the key of the message named in
 * the container's header, exactly as the regify zimlet asks the SOAP key service.
 *
 * Routes under `${SERVICE_BASE_PATH}/portal` (API contract: shared/messages/portal-api.ts):
 *   GET  /                 the page (fr/de/en: ?lang=, else Accept-Language, else fr)
 *   GET  /portal.js, /portal.css
 *   POST /api/register/code {email, lang}            mails a 6-digit code (15 min, 5 tries)
 *   POST /api/register {email, code, fullName, password, confirmation}   → account level 0 + session
 *   POST /api/login {email, password}                → session (accounts lockout applies)
 *   POST /api/logout, GET /api/session
 *   POST /api/release {messageId}                    → {dataKey, containerDigest?, sender…}
 *
 * Sessions: a random 256-bit token in an HttpOnly, SameSite=Strict cookie scoped to the portal path,
 * short-lived; only its SHA-256 is stored. CSRF: every POST must be `application/json` with the
 * `X-Esante-Portal: 1` header (neither can be sent cross-site without a CORS preflight, which we
 * never grant) and, when the browser sends an Origin, it must be the public origin.
 */
import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PORTAL_COOKIE, PORTAL_CSRF_HEADER, PORTAL_PATH } from '../../../shared/messages/portal-api.ts';
import type { Lang } from '../../../shared/i18n/lang.ts';
import type { AccountsService } from '../accounts/index.ts';
import { checkNewPassword } from '../accounts/index.ts';
import { CodedError, ServiceUnavailableError } from '../errors.ts';
import type { Clock, HttpRoute } from '../feature.ts';
import { openSecretText, sealSecret, type MasterKeyring } from '../keys/index.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/index.ts';
import { HttpError, header, readJson, requestLang, sendError, sendJson } from './http.ts';
import { isValidAddress, type KeyService } from './key-service.ts';
import type { Mailer } from './mailer.ts';
import { portalCodeMail, portalPage } from './portal-page.ts';

export { PORTAL_COOKIE, PORTAL_CSRF_HEADER, PORTAL_PATH };
const CODE_PURPOSE = 'portal-code';
const CODE_MAX_ATTEMPTS = 5;
const CODE_RESEND_MS = 60_000;
const BODY_MAX = 16 * 1024;

export interface PortalDeps {
  store: () => Store;
  keyring: () => MasterKeyring;
  accounts: () => AccountsService;
  keys: KeyService;
  mailer: Mailer;
  clock: Clock;
  log: Logger;
  publicUrl: string;
  sessionMs: number;
  codeMs: number;
  maxContainerBytes: number;
  /** The bundled page script (portal/src/main.ts), built at start. */
  script: () => Promise<string>;
  style: string;
}

const hashToken = (token: string): string => createHash('sha256').update(token).digest('base64url');
const lower = (s: string): string => s.trim().normalize('NFC').toLowerCase();

function str(body: Record<string, unknown>, name: string, max: number): string {
  const v = body[name];
  if (typeof v !== 'string' || v.length > max) throw new HttpError(400, 'request.invalid', [name]);
  return v;
}

function email(body: Record<string, unknown>): string {
  const v = str(body, 'email', 254).trim().normalize('NFC');
  if (!isValidAddress(v)) throw new CodedError('message.invalid_address', { args: [v.slice(0, 100)] });
  return v;
}

function cookieOf(req: IncomingMessage): string | undefined {
  for (const part of (header(req, 'cookie') ?? '').split(';')) {
    const [k, ...rest] = part.trim().split('=');
    if (k === PORTAL_COOKIE) return rest.join('=');
  }
  return undefined;
}

export function createPortalRoute(d: PortalDeps): HttpRoute {
  const secure = d.publicUrl.startsWith('https:');
  const publicOrigin = new URL(d.publicUrl).origin;

  const sessionCookie = (token: string, maxAgeS: number): string =>
    `${PORTAL_COOKIE}=${token}; Path=${PORTAL_PATH}; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}${secure ? '; Secure' : ''}`;

  async function openSession(res: ServerResponse, address: string): Promise<Record<string, string | string[]>> {
    const token = randomBytes(32).toString('base64url');
    const now = d.clock.now().getTime();
    await d.store().portal.createSession(hashToken(token), address, now, now + d.sessionMs);
    void res;
    return { 'Set-Cookie': sessionCookie(token, Math.floor(d.sessionMs / 1000)) };
  }

  async function sessionAddress(req: IncomingMessage): Promise<string> {
    const token = cookieOf(req);
    const address = token ? await d.store().portal.getSession(hashToken(token), d.clock.now().getTime()) : null;
    if (!address) throw new HttpError(401, 'portal.session_required');
    return address;
  }

  function checkCsrf(req: IncomingMessage): void {
    const type = (header(req, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    const origin = header(req, 'origin');
    if (type !== 'application/json' || header(req, PORTAL_CSRF_HEADER) !== '1' || (origin !== undefined && origin !== publicOrigin)) {
      throw new HttpError(403, 'portal.forbidden');
    }
  }

  async function requestCode(body: Record<string, unknown>, lang: Lang): Promise<void> {
    const address = email(body);
    const store = d.store();
    const now = d.clock.now().getTime();
    const previous = await store.portal.getCode(address);
    if (previous && now - Date.parse(previous.createdAt) < CODE_RESEND_MS) throw new HttpError(429, 'portal.code_too_soon');
    const exists = (await store.accounts.get(address)) !== null;
    let code: string | null = null;
    if (!exists) {
      code = String(randomInt(0, 1_000_000)).padStart(6, '0');
      await store.portal.putCode(address, sealSecret(d.keyring(), CODE_PURPOSE, lower(address), code), now, now + d.codeMs);
    }
    // The same answer either way: the page never tells who already has an account; the mail does.
    try {
      await d.mailer.send({
        ...portalCodeMail(address, code, lang, `${d.publicUrl}${PORTAL_PATH}/`, d.codeMs / 60_000),
        messageId: `<portal-${randomBytes(12).toString('hex')}@${new URL(d.publicUrl).hostname}>`,
      });
    } catch (cause) {
      // The code stays stored; the user may ask again after a minute.
      throw new ServiceUnavailableError({ message: 'portal code mail not accepted by SMTP', cause });
    }
    await store.audit.append({ at: new Date(now), actor: address, action: 'portal.code', subject: address, outcome: 'allowed', detail: { existing: exists } });
  }

  async function register(body: Record<string, unknown>, res: ServerResponse): Promise<Record<string, string | string[]>> {
    const address = email(body);
    const code = str(body, 'code', 12).replace(/\s+/g, '');
    const fullName = str(body, 'fullName', 256);
    const password = str(body, 'password', 1024);
    const confirmation = str(body, 'confirmation', 1024);
    // The password is checked before a code attempt is spent on it.
    checkNewPassword(password, confirmation, [address, fullName]);
    const store = d.store();
    const stored = await store.portal.getCode(address);
    const now = d.clock.now().getTime();
    const attempts = stored ? await store.portal.recordCodeAttempt(address) : 0;
    let ok = false;
    if (stored && attempts <= CODE_MAX_ATTEMPTS && Date.parse(stored.expiresAt) > now && /^\d{6}$/.test(code)) {
      const expected = Buffer.from(openSecretText(d.keyring(), CODE_PURPOSE, lower(address), stored.codeSealed));
      const given = Buffer.from(code);
      ok = expected.length === given.length && timingSafeEqual(expected, given);
    }
    if (!ok) {
      await store.audit.append({ at: new Date(now), actor: address, action: 'portal.register', subject: address, outcome: 'denied', detail: { reason: 'code', attempts } });
      throw new HttpError(400, 'portal.code_invalid');
    }
    await d.accounts().createAccount({ email: address, fullName, password, confirmation, identityLevel: 0 });
    await store.portal.deleteCode(address);
    return openSession(res, address);
  }

  async function login(body: Record<string, unknown>, res: ServerResponse): Promise<Record<string, string | string[]>> {
    const address = email(body);
    const password = str(body, 'password', 1024);
    const accounts = d.accounts();
    const result = await accounts.verifyPassword(address, password);
    if (result.kind === 'Ok') {
      await d.store().audit.append({ at: d.clock.now(), actor: address, action: 'portal.login', subject: address, outcome: 'allowed' });
      return openSession(res, address);
    }
    if (result.kind === 'Locked') throw accounts.errorOf(result);
    // No account and wrong password look the same: the portal does not tell who has an account.
    if (result.kind === 'NoAccount') {
      await d.store().audit.append({ at: d.clock.now(), actor: address, action: 'portal.login', subject: address, outcome: 'denied', detail: { reason: 'no_account' } });
    }
    throw new HttpError(401, 'portal.login_failed');
  }

  return {
    prefix: PORTAL_PATH,
    async handle(req, res, { log }) {
      const url = new URL(req.url ?? '/', 'http://portal.invalid');
      const sub = url.pathname.slice(PORTAL_PATH.length).replace(/\/+$/, '') || '/';
      const lang = requestLang(req, url.searchParams.get('lang') ?? undefined);
      try {
        if (req.method === 'GET' && sub === '/') {
          res.writeHead(200, {
            'Content-Type': 'text/html; charset=utf-8',
            'Content-Security-Policy':
              "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; " +
              "frame-src 'self' blob: data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
            'Referrer-Policy': 'no-referrer',
            'X-Frame-Options': 'DENY',
          });
          res.end(portalPage(lang, d.maxContainerBytes, d.keys.keyServiceUrl, Math.round(d.codeMs / 60_000)));
          return;
        }
        if (req.method === 'GET' && sub === '/portal.js') {
          res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8' });
          res.end(await d.script());
          return;
        }
        if (req.method === 'GET' && sub === '/portal.css') {
          res.writeHead(200, { 'Content-Type': 'text/css; charset=utf-8' });
          res.end(d.style);
          return;
        }
        if (req.method === 'GET' && sub === '/api/session') {
          sendJson(res, 200, { email: await sessionAddress(req) });
          return;
        }
        if (req.method !== 'POST') throw new HttpError(404, 'request.unknown_operation', [sub]);
        checkCsrf(req);
        const body = await readJson(req, BODY_MAX);
        switch (sub) {
          case '/api/register/code':
            await requestCode(body, requestLang(req, typeof body['lang'] === 'string' ? body['lang'] : lang));
            sendJson(res, 202, { sent: true });
            return;
          case '/api/register': {
            const cookie = await register(body, res);
            sendJson(res, 200, { email: email(body) }, cookie);
            return;
          }
          case '/api/login': {
            const cookie = await login(body, res);
            sendJson(res, 200, { email: email(body) }, cookie);
            return;
          }
          case '/api/logout': {
            const token = cookieOf(req);
            if (token) await d.store().portal.deleteSession(hashToken(token));
            sendJson(res, 200, { ok: true }, { 'Set-Cookie': sessionCookie('', 0) });
            return;
          }
          case '/api/release': {
            const address = await sessionAddress(req);
            const messageId = str(body, 'messageId', 64);
            sendJson(res, 200, await d.keys.release({ address, lang, channel: 'portal' }, messageId));
            return;
          }
          default:
            throw new HttpError(404, 'request.unknown_operation', [sub]);
        }
      } catch (err) {
        sendError(res, err, lang, log);
      }
    },
  };
}
