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
 *   POST /api/login {email, password}                → session (accounts lockout applies); while the
 *                                                      address is under attack, a mailed one-time link instead
 *   GET  /login-link?token=, POST /login-link (form)   the mailed link: a button, then the session (LOGIN_BACKOFF)
 *   POST /api/logout, GET /api/session              → {email} | {email: null} without a cookie; 401 for an ended one
 *   POST /api/release {messageId}                    → {dataKey, containerDigest?, sender…}
 *   POST /api/reply/register {messageId}, POST /api/reply/send (container bytes)   a secure answer to
 *                                                      the original's sender (issue 12, portal-reply.ts)
 *
 * Origin (security review #17): the portal lives on its own origin (ESANTE_PORTAL_ORIGIN, a host name
 * of its own), so a script running in Zimbra's origin cannot reach its session, nor the reverse; on
 * Zimbra's host its pages redirect to that origin and its API refuses (403).
 * Sessions: a random 256-bit token in a host-only, HttpOnly, SameSite=Strict cookie scoped to the
 * portal's origin and path, short-lived; only its SHA-256 is stored. A session ends at logout, at expiry, and when its account
 * is locked or changes its password (checked on every use). CSRF: every POST must be
 * `application/json` with the `X-Esante-Portal: 1` header (neither can be sent cross-site without a
 * CORS preflight, which we never grant) and, when the browser sends an Origin, it must be the portal's
 * origin.
 *
 * Abuse (security review #2–#6, #10): the routes are anonymous, so every one is rate-limited in the
 * store (shared by all instances; counters in `portal_limits`, keyed by hashes, never by the address
 * or IP in clear) — per client IP, per address, and globally — before it mails, hashes or audits.
 * The client IP is the TCP peer, or, when the peer is a trusted proxy (ESANTE_TRUSTED_PROXIES, i.e.
 * Zimbra's nginx with `proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for`), the rightmost
 * X-Forwarded-For entry that is not a trusted proxy (what nginx's own realip module does with
 * `real_ip_recursive on`). Limits, windows and the log-in back-off: the LIMITS table below and
 * accounts/README.md "Lockout". A refusal answers 429 `portal.rate_limited` (or
 * `portal.code_too_soon`) with Retry-After, and changes nothing else. Addresses with and without an
 * account, and locked ones, get the same answers with the same status and the same cost (one
 * scrypt hash per log-in that reaches the password check), so the portal does not tell who has an
 * account. Every outcome is audited (`portal.*`, actor = the address lower-cased, `ip` in detail);
 * a run of refusals by one limit is audited once per window.
 */
import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { AddressError, normaliseAddress } from '../../../shared/address/address.ts';
import { CONTAINER_MEDIA_TYPE } from '../../../shared/container/format.ts';
import { PORTAL_COOKIE, PORTAL_CSRF_HEADER, PORTAL_PATH } from '../../../shared/messages/portal-api.ts';
import type { Lang } from '../../../shared/i18n/lang.ts';
import { PASSWORD_MIN_LENGTH } from '../../../shared/password/policy.ts';
import type { AccountsService, VerifyPasswordResult } from '../accounts/index.ts';
import { checkNewPassword, ownerOf } from '../accounts/index.ts';
import { CodedError, ServiceUnavailableError } from '../errors.ts';
import type { Clock, HttpRoute } from '../feature.ts';
import { openSecretText, sealSecret, type MasterKeyring } from '../keys/index.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/index.ts';
import { normaliseIp } from './config.ts';
import { HttpError, header, readJson, readText, requestLang, sendError, sendJson } from './http.ts';
import type { KeyService } from './key-service.ts';
import type { Mailer } from './mailer.ts';
import { loginLinkMail, loginLinkPage, portalCodeMail, portalPage } from './portal-page.ts';
import { createPortalReply } from './portal-reply.ts';

export { PORTAL_COOKIE, PORTAL_CSRF_HEADER, PORTAL_PATH };
const CODE_PURPOSE = 'portal-code';
/** Tries of one mailed code; the code is deleted after the last one. */
const CODE_MAX_ATTEMPTS = 5;
const BODY_MAX = 16 * 1024;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * The fixed rate limits (the two global ones come from the configuration, see PortalLimits). Each is
 * a counter in the store: at most `max` hits per `windowMs`, the window starting with its first hit.
 */
export const LIMITS = {
  /** One code (or "account exists" mail) per address per minute, whether it has an account or not (#3, #4). */
  codeResend: { windowMs: MINUTE, max: 1 },
  /** At most 5 code mails per address per 24 h (#4, #6). */
  codesPerAddress: { windowMs: DAY, max: 5 },
  /** Code requests per client IP (#4). */
  codesPerClient: { windowMs: HOUR, max: 20 },
  /** Code tries per address over 24 h, kept when a new code is mailed (#6): 10 guesses a day, not 7,200. */
  registerTriesPerAddress: { windowMs: DAY, max: 10 },
  registerTriesPerClient: { windowMs: HOUR, max: 50 },
  /** Log-in attempts per client IP, before any hash (#5). */
  loginsPerClient: { windowMs: 10 * MINUTE, max: 60 },
  /** Issue 12: secure answers prepared per address per hour (each mails a doctor: the portal is no relay for floods). */
  repliesPerAddress: { windowMs: HOUR, max: 30 },
} as const;

/**
 * Back-off after failed log-ins (#2, issue 15 b). Failures are counted over 24 h per (address, client
 * IP): past `pairFree`, each failure refuses that client for BASE × 2^(n − free − 1), at most 15
 * minutes. Nothing is permanent, the account itself is never locked from here, and one client's
 * failures never refuse another client: that was a lock-out anyone knowing the address could keep up.
 *
 * Against many clients guessing at one address (a botnet), the address counter counts each client's
 * first `pairFree` failures only; from `addressFree` such failures (so at least four clients) the
 * address is "under attack" until its window ends: every log-in then gets the same answer
 * (portal.login_link_sent), right or wrong password, so guessing tells nothing; when the password was
 * right, a one-time link is mailed to the address (what the owner alone reads), valid `linkMs`, at
 * most `linksPerDay` a day and one a minute. A success clears its client's counter, never the
 * address's: the owner logging in must not give a guesser ten new tries.
 */
export const LOGIN_BACKOFF = { windowMs: DAY, pairFree: 3, addressFree: 10, baseMs: 2_000, maxMs: 15 * MINUTE, linkMs: 15 * MINUTE, linksPerDay: 5 } as const;

/** The global caps, shared by every instance (ESANTE_PORTAL_LOGINS_PER_MINUTE, ESANTE_PORTAL_CODES_PER_HOUR). */
export interface PortalLimits {
  loginsPerMinute: number;
  codesPerHour: number;
}

/** A refusal by a rate limit: 429 with Retry-After (seconds) and the wait in minutes in the text. */
class RateLimitedError extends HttpError {
  constructor(
    readonly retryAfterMs: number,
    code: 'portal.rate_limited' | 'portal.code_too_soon' = 'portal.rate_limited',
  ) {
    super(429, code, [Math.max(1, Math.ceil(retryAfterMs / MINUTE))]);
  }
}

export interface PortalDeps {
  store: () => Store;
  keyring: () => MasterKeyring;
  accounts: () => AccountsService;
  keys: KeyService;
  mailer: Mailer;
  clock: Clock;
  log: Logger;
  publicUrl: string;
  /**
   * The portal's own public origin (ESANTE_PORTAL_ORIGIN, security review #17); default the origin
   * of `publicUrl` (the old single-origin set-up). When it differs, the portal answers only requests
   * addressed to that origin: on any other host (Zimbra's) its pages redirect there and its API refuses.
   */
  portalOrigin?: string;
  sessionMs: number;
  codeMs: number;
  maxContainerBytes: number;
  /** Normalised IPs of the reverse proxies whose X-Forwarded-For is believed (default: none). */
  trustedProxies?: readonly string[];
  limits?: PortalLimits;
  /** The bundled page script (portal/src/main.ts), built at start. */
  script: () => Promise<string>;
  style: string;
}

const hashToken = (token: string): string => createHash('sha256').update(token).digest('base64url');
/** Rate-limit keys hold a hash of their subject, never an address or an IP in clear. */
const limitKey = (kind: string, ...subject: string[]): string => `${kind}:${createHash('sha256').update(subject.join('\n')).digest('base64url')}`;
const lower = (s: string): string => s.trim().normalize('NFC').toLowerCase();

function str(body: Record<string, unknown>, name: string, max: number): string {
  const v = body[name];
  if (typeof v !== 'string' || v.length > max) throw new HttpError(400, 'request.invalid', [name]);
  return v;
}

/**
 * The address of a request in its one normal form (shared/address/address.ts, issue 15 a): every
 * limit, code, mail, account look-up and key release below uses this form, never what was typed,
 * so the code goes to exactly the address that becomes the account.
 */
function email(body: Record<string, unknown>): string {
  const v = str(body, 'email', 1024);
  try {
    return normaliseAddress(v).address;
  } catch (err) {
    if (err instanceof AddressError) throw new CodedError('message.invalid_address', { args: [v.trim().slice(0, 100)] });
    throw err;
  }
}

/**
 * The client's IP: the TCP peer, unless the peer is a trusted proxy; then the rightmost
 * X-Forwarded-For entry that is not a trusted proxy (entries left of it were written by the client
 * and prove nothing). Undefined when unknown.
 */
export function clientIp(req: IncomingMessage, trusted: ReadonlySet<string>): string | undefined {
  const peer = req.socket.remoteAddress ? normaliseIp(req.socket.remoteAddress) : undefined;
  if (!peer || !trusted.has(peer)) return peer;
  const hops = (header(req, 'x-forwarded-for') ?? '').split(',').map((h) => normaliseIp(h)).filter((h) => h !== '');
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!;
    if (isIP(hop) === 0) return peer;
    if (!trusted.has(hop)) return hop;
  }
  return peer;
}

function cookieOf(req: IncomingMessage): string | undefined {
  for (const part of (header(req, 'cookie') ?? '').split(';')) {
    const [k, ...rest] = part.trim().split('=');
    if (k === PORTAL_COOKIE) return rest.join('=');
  }
  return undefined;
}

/**
 * The host a request was addressed to: X-Forwarded-Host when the peer is a trusted proxy (the
 * sandbox's proxy, or nginx with `proxy_set_header X-Forwarded-Host $host`), else Host; lower case.
 */
export function requestHost(req: IncomingMessage, trusted: ReadonlySet<string>): string {
  const peer = req.socket.remoteAddress ? normaliseIp(req.socket.remoteAddress) : undefined;
  const forwarded = peer && trusted.has(peer) ? header(req, 'x-forwarded-host')?.split(',')[0]?.trim() : undefined;
  return (forwarded || header(req, 'host') || '').toLowerCase();
}

export function createPortalRoute(d: PortalDeps): HttpRoute {
  /** Where the portal lives for browsers: the origin its cookie, its CSRF check and every link name. */
  const publicOrigin = d.portalOrigin ?? new URL(d.publicUrl).origin;
  const secure = publicOrigin.startsWith('https:');
  /** On its own origin (not Zimbra's): requests addressed to any other host are turned away. */
  const ownOrigin = publicOrigin !== new URL(d.publicUrl).origin;
  const portalHost = new URL(publicOrigin).host.toLowerCase();
  const portalUrl = `${publicOrigin}${PORTAL_PATH}/`;

  // Host-only (no Domain): the browser sends it back to the portal's host alone, never to Zimbra's
  // (cookies ignore ports, RFC 6265 §8.5: the portal needs its own host name, not only its own port).
  const sessionCookie = (token: string, maxAgeS: number): string =>
    `${PORTAL_COOKIE}=${token}; Path=${PORTAL_PATH}; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}${secure ? '; Secure' : ''}`;

  async function openSession(res: ServerResponse, address: string): Promise<Record<string, string | string[]>> {
    const token = randomBytes(32).toString('base64url');
    const now = d.clock.now().getTime();
    await d.store().portal.createSession(hashToken(token), address, now, now + d.sessionMs);
    void res;
    return { 'Set-Cookie': sessionCookie(token, Math.floor(d.sessionMs / 1000)) };
  }

  const trusted = new Set(d.trustedProxies ?? []);
  const reply = createPortalReply({
    store: d.store,
    keyring: d.keyring,
    keys: d.keys,
    mailer: d.mailer,
    clock: d.clock,
    portalUrl,
    messageIdDomain: new URL(d.publicUrl).hostname,
    maxContainerBytes: d.maxContainerBytes,
  });
  const limits: PortalLimits = d.limits ?? { loginsPerMinute: 120, codesPerHour: 600 };
  const now = (): number => d.clock.now().getTime();

  /**
   * Housekeeping: expired sessions, codes and rate-limit counters are deleted at most every 10
   * minutes per instance, piggy-backed on a request (the portal has no timer of its own), so the
   * tables anonymous callers write to stay bounded by the live windows.
   */
  let nextSweep = 0;
  function sweep(log: Logger): void {
    const at = now();
    if (at < nextSweep) return;
    nextSweep = at + 10 * MINUTE;
    d.store().portal.deleteExpired(at).then(
      (n) => (n > 0 ? log.debug({ deleted: n }, 'portal housekeeping') : undefined),
      (err: unknown) => log.warn({ err }, 'portal housekeeping failed'),
    );
  }

  /** One audit row per portal outcome; the actor is the address in its key form, with the client IP. */
  async function audit(action: string, address: string | null, outcome: 'allowed' | 'denied', ip: string | undefined, detail: Record<string, string | number | boolean> = {}): Promise<void> {
    const who = address === null ? 'anonymous' : ownerOf(address);
    await d.store().audit.append({ at: d.clock.now(), actor: who, action, subject: who, outcome, detail: { ...detail, ...(ip ? { ip } : {}) } });
  }

  /**
   * Counts one hit on a limit and refuses past its maximum. Only the first refusal of a window is
   * audited, so a flood cannot grow the audit log without bound.
   */
  async function charge(key: string, limit: { windowMs: number; max: number }, name: string, address: string | null, ip: string | undefined, code?: 'portal.code_too_soon'): Promise<void> {
    const at = now();
    const state = await d.store().portal.hitLimit(key, at, limit.windowMs);
    if (state.hits <= limit.max) return;
    if (state.hits === limit.max + 1) await audit('portal.rate_limited', address, 'denied', ip, { limit: name });
    throw new RateLimitedError(state.windowStartMs + limit.windowMs - at, code);
  }

  async function sessionAddress(req: IncomingMessage, ip: string | undefined): Promise<string> {
    const token = cookieOf(req);
    const store = d.store();
    const address = token ? await store.portal.getSession(hashToken(token), now()) : null;
    if (!address) throw new HttpError(401, 'portal.session_required');
    // Lock and password change delete the sessions; checking here as well closes the gap of a
    // session created by a log-in that raced with the lock (#8).
    const account = await store.accounts.get(address);
    if (!account || d.accounts().isLocked(account)) {
      await store.portal.deleteSessionsOf(address);
      await audit('portal.session', address, 'denied', ip, { reason: account ? 'locked' : 'no_account' });
      throw new HttpError(401, 'portal.session_required');
    }
    return address;
  }

  /** `type`: the JSON of every API call, or the sealed container of a reply (neither is a CORS-simple type). */
  function checkCsrf(req: IncomingMessage, expectedType = 'application/json'): void {
    const type = (header(req, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    const origin = header(req, 'origin');
    if (type !== expectedType || header(req, PORTAL_CSRF_HEADER) !== '1' || (origin !== undefined && origin !== publicOrigin)) {
      throw new HttpError(403, 'portal.forbidden');
    }
  }

  async function requestCode(body: Record<string, unknown>, lang: Lang, ip: string | undefined): Promise<void> {
    const address = email(body);
    const key = ownerOf(address);
    // Client first (the caller's own budget), then the address, then everyone's: a client that
    // exhausted its budget does not spend the others'. Every address is limited the same way,
    // with or without an account (#3).
    await charge(limitKey('code-client', ip ?? 'unknown'), LIMITS.codesPerClient, 'code.client', address, ip);
    await charge(limitKey('code-resend', key), LIMITS.codeResend, 'code.resend', address, ip, 'portal.code_too_soon');
    await charge(limitKey('code-address', key), LIMITS.codesPerAddress, 'code.address', address, ip);
    await charge('code-global', { windowMs: HOUR, max: limits.codesPerHour }, 'code.global', address, ip);
    const store = d.store();
    const at = now();
    const exists = (await store.accounts.get(address)) !== null;
    let code: string | null = null;
    if (!exists) {
      code = String(randomInt(0, 1_000_000)).padStart(6, '0');
      await store.portal.putCode(address, sealSecret(d.keyring(), CODE_PURPOSE, lower(address), code), at, at + d.codeMs);
    }
    // The same answer either way: the page never tells who already has an account; the mail does.
    try {
      await d.mailer.send({
        ...portalCodeMail(address, code, lang, portalUrl, d.codeMs / 60_000),
        messageId: `<portal-${randomBytes(12).toString('hex')}@${new URL(d.publicUrl).hostname}>`,
      });
    } catch (cause) {
      // The code stays stored; the user may ask again after a minute.
      throw new ServiceUnavailableError({ message: 'portal code mail not accepted by SMTP', cause });
    }
    await audit('portal.code', address, 'allowed', ip, { existing: exists });
  }

  async function register(body: Record<string, unknown>, res: ServerResponse, ip: string | undefined): Promise<Record<string, string | string[]>> {
    const address = email(body);
    const key = ownerOf(address);
    await charge(limitKey('register-client', ip ?? 'unknown'), LIMITS.registerTriesPerClient, 'register.client', address, ip);
    const code = str(body, 'code', 12).replace(/\s+/g, '');
    const fullName = str(body, 'fullName', 256);
    const password = str(body, 'password', 1024);
    const confirmation = str(body, 'confirmation', 1024);
    // The password is checked before a code attempt is spent on it.
    try {
      checkNewPassword(password, confirmation, [address, fullName]);
    } catch (err) {
      await audit('portal.register', address, 'denied', ip, { reason: 'password' });
      throw err;
    }
    // Tries per address over 24 h, whatever code they were for: a new code does not buy new tries (#6).
    await charge(limitKey('register-address', key), LIMITS.registerTriesPerAddress, 'register.address', address, ip);
    const store = d.store();
    const stored = await store.portal.getCode(address);
    const at = now();
    const attempts = stored ? await store.portal.recordCodeAttempt(address) : 0;
    let ok = false;
    if (stored && attempts <= CODE_MAX_ATTEMPTS && Date.parse(stored.expiresAt) > at && /^\d{6}$/.test(code)) {
      const expected = Buffer.from(openSecretText(d.keyring(), CODE_PURPOSE, lower(address), stored.codeSealed));
      const given = Buffer.from(code);
      ok = expected.length === given.length && timingSafeEqual(expected, given);
    }
    if (!ok) {
      // After its last try the code is gone: it can be guessed no further (#6).
      if (stored && attempts >= CODE_MAX_ATTEMPTS) await store.portal.deleteCode(address);
      await audit('portal.register', address, 'denied', ip, { reason: stored ? 'code' : 'no_code', attempts });
      throw new HttpError(400, 'portal.code_invalid');
    }
    await d.accounts().createAccount({ email: address, fullName, password, confirmation, identityLevel: 0 });
    await store.portal.deleteCode(address);
    await audit('portal.register', address, 'allowed', ip);
    return openSession(res, address);
  }

  /** Delay after the n-th failure of a counter with `free` free failures; 0 while still free. */
  const backoffMs = (n: number, free: number): number =>
    n <= free ? 0 : Math.min(LOGIN_BACKOFF.maxMs, LOGIN_BACKOFF.baseMs * 2 ** Math.min(30, n - free - 1));

  /**
   * A log-in link is a session not opened yet: a row of the sessions table under a hash in its own
   * domain ('login-link\n' + token), so the token itself is never a session cookie, a lock or a
   * password change deletes it with the sessions (deleteSessionsOf), and housekeeping expires it.
   */
  const linkHash = (token: string): string => hashToken(`login-link\n${token}`);

  async function mailLoginLink(address: string, lang: Lang, ip: string | undefined): Promise<void> {
    const key = ownerOf(address);
    const at = now();
    // Bounded like codes: one a minute, a few a day per address; past them nothing is mailed (same answer).
    for (const [name, limit] of [['link-resend', LIMITS.codeResend], ['link-address', { windowMs: DAY, max: LOGIN_BACKOFF.linksPerDay }]] as const) {
      const state = await d.store().portal.hitLimit(limitKey(name, key), at, limit.windowMs);
      if (state.hits > limit.max) {
        await audit('portal.login_link', address, 'denied', ip, { step: 'send', reason: name });
        return;
      }
    }
    const token = randomBytes(32).toString('base64url');
    await d.store().portal.createSession(linkHash(token), address, at, at + LOGIN_BACKOFF.linkMs);
    try {
      await d.mailer.send({
        ...loginLinkMail(address, `${publicOrigin}${PORTAL_PATH}/login-link?token=${token}&lang=${lang}`, lang, LOGIN_BACKOFF.linkMs / MINUTE),
        messageId: `<portal-${randomBytes(12).toString('hex')}@${new URL(d.publicUrl).hostname}>`,
      });
    } catch (cause) {
      await d.store().portal.deleteSession(linkHash(token));
      throw new ServiceUnavailableError({ message: 'portal log-in link mail not accepted by SMTP', cause });
    }
    await audit('portal.login_link', address, 'allowed', ip, { step: 'sent' });
  }

  /** Opens the session of a mailed link once; null when unknown, used, expired or its account is gone or locked. */
  async function redeemLoginLink(token: string, res: ServerResponse, ip: string | undefined): Promise<Record<string, string | string[]> | null> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
    const store = d.store();
    const hash = linkHash(token);
    const at = now();
    const address = await store.portal.getSession(hash, at);
    // Single use across instances: the first hit of this counter wins, whoever comes second gets nothing.
    const first = address ? (await store.portal.hitLimit(limitKey('link-used', hash), at, LOGIN_BACKOFF.linkMs)).hits === 1 : false;
    await store.portal.deleteSession(hash);
    const account = address && first ? await store.accounts.get(address) : null;
    if (!address || !account || d.accounts().isLocked(account)) {
      await audit('portal.login_link', address, 'denied', ip, { step: 'use', reason: !address ? 'unknown' : !first ? 'used' : 'account' });
      return null;
    }
    await audit('portal.login_link', address, 'allowed', ip, { step: 'used' });
    return openSession(res, address);
  }

  async function login(body: Record<string, unknown>, res: ServerResponse, ip: string | undefined, lang: Lang): Promise<Record<string, string | string[]>> {
    const address = email(body);
    const password = str(body, 'password', 1024);
    const key = ownerOf(address);
    const store = d.store();
    await charge(limitKey('login-client', ip ?? 'unknown'), LIMITS.loginsPerClient, 'login.client', address, ip);
    const pairKey = limitKey('login-fail-pair', key, ip ?? 'unknown');
    const addressKey = limitKey('login-fail-address', key);
    // This client's back-off of its own earlier failures: refused before any hash, for every address alike.
    const at = now();
    const pairState = await store.portal.peekLimit(pairKey, at, LOGIN_BACKOFF.windowMs);
    if (pairState?.blockedUntilMs && pairState.blockedUntilMs > at) {
      await audit('portal.login', address, 'denied', ip, { reason: 'backoff' });
      throw new RateLimitedError(pairState.blockedUntilMs - at);
    }
    await charge('login-global', { windowMs: MINUTE, max: limits.loginsPerMinute }, 'login.global', address, ip);
    const underAttack = ((await store.portal.peekLimit(addressKey, at, LOGIN_BACKOFF.windowMs))?.hits ?? 0) >= LOGIN_BACKOFF.addressFree;
    // Shorter than any password the policy ever accepted: refused without a hash, the same way for
    // every address (so it tells nothing), and counted as a failure (#5).
    const result: VerifyPasswordResult | { kind: 'TooShort' } =
      [...password].length < PASSWORD_MIN_LENGTH ? { kind: 'TooShort' } : await d.accounts().verifyPassword(address, password, { countFailures: false });
    if (result.kind === 'Ok' && !underAttack) {
      await store.portal.clearLimit(pairKey);
      await audit('portal.login', address, 'allowed', ip);
      return openSession(res, address);
    }
    if (result.kind === 'Ok') {
      await audit('portal.login', address, 'denied', ip, { reason: 'under_attack', password: 'right' });
      await mailLoginLink(address, lang, ip);
      throw new HttpError(401, 'portal.login_link_sent', [LOGIN_BACKOFF.linkMs / MINUTE]);
    }
    const failedAt = now();
    const pair = await store.portal.hitLimit(pairKey, failedAt, LOGIN_BACKOFF.windowMs);
    const pairDelay = backoffMs(pair.hits, LOGIN_BACKOFF.pairFree);
    if (pairDelay > 0) await store.portal.blockLimit(pairKey, failedAt + pairDelay);
    // Each client adds its first free failures only: one client alone never puts the address under attack.
    const all = pair.hits <= LOGIN_BACKOFF.pairFree ? await store.portal.hitLimit(addressKey, failedAt, LOGIN_BACKOFF.windowMs) : await store.portal.peekLimit(addressKey, failedAt, LOGIN_BACKOFF.windowMs);
    const reason = { NoAccount: 'no_account', WrongPassword: 'wrong_password', Locked: 'locked', TooShort: 'short_password' }[result.kind];
    await audit('portal.login', address, 'denied', ip, { reason, failures: pair.hits, addressFailures: all?.hits ?? 0, ...(underAttack ? { underAttack: true } : {}) });
    // One answer for all four: the portal does not tell who has an account, nor who is locked (#3);
    // under attack, the same answer as for the right password.
    if (underAttack) throw new HttpError(401, 'portal.login_link_sent', [LOGIN_BACKOFF.linkMs / MINUTE]);
    throw new HttpError(401, 'portal.login_failed');
  }

  /**
   * The mailed link. GET only shows a button (mail scanners fetch links: a GET must not use it up);
   * the button's POST (a plain form: the page runs no script) opens the session and goes to the
   * portal. The unguessable token is what authorises the POST; an Origin, when sent, must be ours.
   */
  async function loginLinkRoute(req: IncomingMessage, res: ServerResponse, url: URL, lang: Lang, ip: string | undefined): Promise<void> {
    const html = (status: number, body: string, extra: Record<string, string | string[]> = {}) => {
      res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', ...extra });
      res.end(body);
    };
    if (req.method === 'GET') {
      const token = url.searchParams.get('token') ?? '';
      html(200, loginLinkPage(lang, /^[A-Za-z0-9_-]{43}$/.test(token) ? token : null, `${PORTAL_PATH}/login-link`));
      return;
    }
    const origin = header(req, 'origin');
    const type = (header(req, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/x-www-form-urlencoded' || (origin !== undefined && origin !== publicOrigin)) throw new HttpError(403, 'portal.forbidden');
    await charge(limitKey('link-client', ip ?? 'unknown'), LIMITS.registerTriesPerClient, 'link.client', null, ip);
    const form = new URLSearchParams((await readText(req, 1024)));
    const cookie = await redeemLoginLink(form.get('token') ?? '', res, ip);
    if (!cookie) {
      html(400, loginLinkPage(lang, null, `${PORTAL_PATH}/login-link`));
      return;
    }
    res.writeHead(303, { Location: `${PORTAL_PATH}/`, 'Cache-Control': 'no-store', ...cookie });
    res.end();
  }

  return {
    prefix: PORTAL_PATH,
    async handle(req, res, { log }) {
      const url = new URL(req.url ?? '/', 'http://portal.invalid');
      const sub = url.pathname.slice(PORTAL_PATH.length).replace(/\/+$/, '') || '/';
      const lang = requestLang(req, url.searchParams.get('lang') ?? undefined);
      const ip = clientIp(req, trusted);
      try {
        if (ownOrigin && requestHost(req, trusted) !== portalHost) {
          // Security review #17: the portal is not served on Zimbra's origin. Its pages move to the
          // portal's origin (same path and query); anything else (API, script, a POST) is refused.
          if ((req.method === 'GET' || req.method === 'HEAD') && (sub === '/' || sub === '/login-link')) {
            res.writeHead(302, { Location: `${publicOrigin}${url.pathname}${url.search}`, 'Cache-Control': 'no-store' });
            res.end();
            return;
          }
          throw new HttpError(403, 'portal.forbidden');
        }
        if (req.method === 'GET' && sub === '/') {
          // Its Content-Security-Policy and the other security headers: the service's one rule (http/headers.ts).
          res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
          res.end(portalPage(lang, d.maxContainerBytes, d.keys.keyServiceUrl, Math.round(d.codeMs / 60_000), reply.maxBytes));
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
          // Nobody logged in (no cookie at all, the page's first load): not an error the browser
          // should log (issue 13). A cookie that is no (longer a) session stays a 401.
          sendJson(res, 200, { email: cookieOf(req) === undefined ? null : await sessionAddress(req, ip) });
          return;
        }
        if (sub === '/login-link' && (req.method === 'GET' || req.method === 'POST')) {
          await loginLinkRoute(req, res, url, lang, ip);
          return;
        }
        if (req.method !== 'POST') throw new HttpError(404, 'request.unknown_operation', [sub]);
        if (sub === '/api/reply/send') {
          // The body is the sealed container (not JSON): the session is checked before a byte of it is read.
          checkCsrf(req, CONTAINER_MEDIA_TYPE);
          const address = await sessionAddress(req, ip);
          sendJson(res, 200, await reply.send(req, address, lang, ip));
          return;
        }
        checkCsrf(req);
        sweep(log);
        const body = await readJson(req, BODY_MAX);
        switch (sub) {
          case '/api/register/code':
            await requestCode(body, requestLang(req, typeof body['lang'] === 'string' ? body['lang'] : lang), ip);
            sendJson(res, 202, { sent: true });
            return;
          case '/api/register': {
            const cookie = await register(body, res, ip);
            sendJson(res, 200, { email: email(body) }, cookie);
            return;
          }
          case '/api/login': {
            const cookie = await login(body, res, ip, lang);
            sendJson(res, 200, { email: email(body) }, cookie);
            return;
          }
          case '/api/logout': {
            const token = cookieOf(req);
            if (token) {
              const address = await d.store().portal.getSession(hashToken(token), now());
              await d.store().portal.deleteSession(hashToken(token));
              if (address) await audit('portal.logout', address, 'allowed', ip);
            }
            sendJson(res, 200, { ok: true }, { 'Set-Cookie': sessionCookie('', 0) });
            return;
          }
          case '/api/reply/register': {
            const address = await sessionAddress(req, ip);
            await charge(limitKey('reply-address', ownerOf(address)), LIMITS.repliesPerAddress, 'reply.address', address, ip);
            sendJson(res, 200, await reply.register(address, lang, ip, body));
            return;
          }
          case '/api/release': {
            const address = await sessionAddress(req, ip);
            const messageId = str(body, 'messageId', 64);
            sendJson(res, 200, await d.keys.release({ address, lang, channel: 'portal' }, messageId));
            return;
          }
          default:
            throw new HttpError(404, 'request.unknown_operation', [sub]);
        }
      } catch (err) {
        if (err instanceof RateLimitedError && !res.headersSent) res.setHeader('Retry-After', String(Math.max(1, Math.ceil(err.retryAfterMs / 1000))));
        sendError(res, err, lang, log);
      }
    },
  };
}
