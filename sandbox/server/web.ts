/**
 * The browser-facing pages of the sandbox, like zm-web-client's JSPs:
 * - `GET /` without a session: the login page (`sandbox/web/public/login.html`, or a built-in one when
 *   that file is absent); `POST /` with `loginOp=login` checks the user, sets the HttpOnly ZM_AUTH_TOKEN
 *   cookie and redirects (zm-web-client `WebRoot/public/login.jsp`, including its `login_csrf` guard
 *   against login CSRF: a cookie and a hidden field that must match);
 * - `GET /` with a session: the webmail shell `sandbox/web/public/app.html` with `window.csrfToken`
 *   injected at `<!--CSRF-->` (as `WebRoot/public/launchZCS.jsp` does);
 * - `GET /?loginOp=logout`: ends the session and clears the cookie;
 * - `GET /public/launchNewWindow.jsp`: the same shell for a detached window (zm-web-client
 *   `WebRoot/public/launchNewWindow.jsp`); without a session, back to `/`;
 * - `GET /js/webmail.js`: `sandbox/web/src/main.ts` bundled by esbuild in-process (built once at startup);
 * - anything else: static files of `sandbox/web/public/`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { SandboxDeps } from './context.ts';
import type { Session } from './sessions.ts';
import { isAuthMethod } from './sessions.ts';
import { safeEqual, verifyPassword } from './secrets.ts';
import { toAccount } from './store.ts';
import { type Lang, pickLang } from '../../shared/i18n/lang.ts';
import { authCookie, authTokenFromCookie, clearAuthCookie, cookies, escapeHtml, readBody, redirect, sendText } from './http-util.ts';

const WEB_DIR = fileURLToPath(new URL('../web/', import.meta.url));
const PUBLIC_DIR = join(WEB_DIR, 'public');
const ENTRY = join(WEB_DIR, 'src', 'main.ts');
const LOGIN_CSRF_COOKIE = 'ZM_LOGIN_CSRF';
/** Pages may not be framed by another site (clickjacking), as Zimbra's X-Frame-Options default. */
const PAGE_HEADERS = { 'Cache-Control': 'no-store', 'X-Frame-Options': 'SAMEORIGIN', 'X-Content-Type-Options': 'nosniff' };
const MAX_FORM = 16 * 1024;

const STATIC_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'application/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.gif': 'image/gif',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

/** Login page texts (the built-in page, and the error line of the web engineer's page). */
const TEXTS: Record<Lang, Record<'title' | 'username' | 'password' | 'method' | 'card' | 'fallback' | 'submit' | 'badLogin' | 'badRequest' | 'expired', string>> = {
  fr: {
    title: 'Messagerie sécurisée eSanté',
    username: 'Nom d’utilisateur',
    password: 'Mot de passe',
    method: 'Mode de connexion',
    card: 'Carte LuxTrust',
    fallback: 'Mode de secours (sans carte)',
    submit: 'Se connecter',
    badLogin: 'Le nom d’utilisateur ou le mot de passe est incorrect.',
    badRequest: 'La demande de connexion est invalide. Veuillez réessayer.',
    expired: 'Votre session a expiré. Veuillez vous reconnecter.',
  },
  de: {
    title: 'Sichere eSanté-Nachrichten',
    username: 'Benutzername',
    password: 'Passwort',
    method: 'Anmeldeart',
    card: 'LuxTrust-Karte',
    fallback: 'Notfallmodus (ohne Karte)',
    submit: 'Anmelden',
    badLogin: 'Benutzername oder Passwort ist falsch.',
    badRequest: 'Die Anmeldeanfrage ist ungültig. Bitte versuchen Sie es erneut.',
    expired: 'Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an.',
  },
  en: {
    title: 'eSanté secure messaging',
    username: 'Username',
    password: 'Password',
    method: 'Sign-in method',
    card: 'LuxTrust card',
    fallback: 'Fallback mode (without card)',
    submit: 'Sign in',
    badLogin: 'The username or password is incorrect.',
    badRequest: 'The sign-in request is invalid. Please try again.',
    expired: 'Your session has expired. Please sign in again.',
  },
};

function builtInLogin(lang: Lang): string {
  const t = TEXTS[lang];
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><title>${escapeHtml(t.title)}</title></head>
<body><main aria-labelledby="login-title"><h1 id="login-title">${escapeHtml(t.title)}</h1>
<p id="login-error" role="alert"><!--LOGIN-ERROR--></p>
<form id="login-form" method="post" action="/">
<input type="hidden" name="loginOp" value="login"><input type="hidden" name="lang" value="${lang}">
<p><label for="username">${escapeHtml(t.username)}</label> <input id="username" name="username" type="email" autocomplete="username" required autofocus></p>
<p><label for="password">${escapeHtml(t.password)}</label> <input id="password" name="password" type="password" autocomplete="current-password" required></p>
<fieldset><legend>${escapeHtml(t.method)}</legend>
<label><input type="radio" id="authMethod-card" name="authMethod" value="card" checked> ${escapeHtml(t.card)}</label>
<label><input type="radio" id="authMethod-fallback" name="authMethod" value="fallback"> ${escapeHtml(t.fallback)}</label></fieldset>
<button id="login-submit" type="submit">${escapeHtml(t.submit)}</button></form>
<nav><a href="?lang=fr" lang="fr">Français</a> · <a href="?lang=de" lang="de">Deutsch</a> · <a href="?lang=en" lang="en">English</a></nav>
</main></body></html>`;
}

function builtInShell(): string {
  return `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Zimbra</title><!--CSRF--></head>
<body><div id="z_shell"></div><script src="/js/webmail.js"></script></body></html>`;
}

export class WebApp {
  private bundle: Promise<{ ok: true; code: string } | { ok: false; error: string }>;

  constructor(private readonly deps: SandboxDeps) {
    // Built once, at startup, without delaying it: the first request for the bundle waits if needed.
    this.bundle = this.buildBundle();
  }

  private async buildBundle(): Promise<{ ok: true; code: string } | { ok: false; error: string }> {
    if (!existsSync(ENTRY)) return { ok: false, error: `webmail entry not found: sandbox/web/src/main.ts` };
    try {
      const result = await build({
        entryPoints: [ENTRY],
        bundle: true,
        format: 'iife',
        target: 'es2022',
        write: false,
        sourcemap: 'inline',
        logLevel: 'silent',
        charset: 'utf8',
      });
      return { ok: true, code: result.outputFiles[0]!.text };
    } catch (e) {
      const msg = (e as Error).message;
      this.deps.log('webmail bundle failed', { error: msg });
      return { ok: false, error: msg };
    }
  }

  private session(req: IncomingMessage): Session | null {
    try {
      return this.deps.sessions.resolve(authTokenFromCookie(req));
    } catch {
      return null;
    }
  }

  async handle(url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = url.pathname;
    if (path === '/') {
      if (req.method === 'POST') return this.login(url, req, res);
      if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'method not allowed', 'text/plain; charset=utf-8');
      if (url.searchParams.get('loginOp') === 'logout') return this.logout(req, res);
      const session = this.session(req);
      if (session) return this.shell(session, res);
      return this.loginPage(res, pickLang(url.searchParams.get('lang') ?? req.headers['accept-language']), null, 200);
    }
    if (path === '/public/launchNewWindow.jsp') {
      // A detached compose / message window (ZmAppCtxt.getNewWindow opens this page, ZmAppCtxt.js:1577-1615):
      // the same shell; the page reads its command from its opener (ZmNewWindow.startup). Sessions only.
      if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'method not allowed', 'text/plain; charset=utf-8');
      const session = this.session(req);
      if (session) return this.shell(session, res);
      return redirect(res, '/');
    }
    if (path === '/js/webmail.js') {
      const b = await this.bundle;
      if (b.ok) return sendText(res, 200, b.code, STATIC_TYPES['.js']!, { 'Cache-Control': 'no-cache' });
      return sendText(res, 503, `console.error(${JSON.stringify(`sandbox: webmail bundle unavailable: ${b.error}`)});`, STATIC_TYPES['.js']!);
    }
    return this.staticFile(path, req, res);
  }

  private async loginPage(res: ServerResponse, lang: Lang, error: string | null, status: number): Promise<void> {
    const file = join(PUBLIC_DIR, 'login.html');
    let html = existsSync(file) ? await readFile(file, 'utf8') : builtInLogin(lang);
    html = html.replace('<!--LOGIN-ERROR-->', error ? escapeHtml(error) : '');
    // login.jsp's login_csrf: a random value in a cookie and in the form; the POST must carry both.
    const loginCsrf = randomBytes(16).toString('hex');
    html = html.replace(/(<form\b[^>]*>)/i, `$1<input type="hidden" name="login_csrf" value="${loginCsrf}">`);
    sendText(res, status, html, STATIC_TYPES['.html']!, {
      ...PAGE_HEADERS,
      'Set-Cookie': `${LOGIN_CSRF_COOKIE}=${loginCsrf}; Path=/; HttpOnly; SameSite=Strict`,
    });
  }

  private async login(url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = new URLSearchParams((await readBody(req, MAX_FORM)).toString('utf8'));
    const lang = pickLang(form.get('lang') ?? url.searchParams.get('lang') ?? req.headers['accept-language']);
    const t = TEXTS[lang];
    if (form.get('loginOp') !== 'login') return this.loginPage(res, lang, t.badRequest, 400);
    const sent = form.get('login_csrf') ?? '';
    if (!sent || !safeEqual(sent, cookies(req)[LOGIN_CSRF_COOKIE] ?? '')) return this.loginPage(res, lang, t.expired, 400);
    const username = (form.get('username') ?? '').trim();
    const password = form.get('password') ?? '';
    const method = form.get('authMethod') ?? 'card';
    if (!username || !password || !isAuthMethod(method)) return this.loginPage(res, lang, t.badRequest, 400);
    const row = this.deps.store.accountRowByName(username);
    if (!row || !verifyPassword(password, row.password_hash)) // 200 like login.jsp, which renders the form again with the error.
    return this.loginPage(res, lang, t.badLogin, 200);
    const session = this.deps.sessions.issue(toAccount(row), { authMethod: method, csrfSecured: true });
    redirect(res, '/', { 'Set-Cookie': [authCookie(session.token, session.expiresAt), `${LOGIN_CSRF_COOKIE}=; Path=/; Max-Age=0`] });
  }

  private logout(req: IncomingMessage, res: ServerResponse): void {
    const token = authTokenFromCookie(req);
    if (token) this.deps.sessions.revoke(token);
    redirect(res, '/', { 'Set-Cookie': clearAuthCookie() });
  }

  private async shell(session: Session, res: ServerResponse): Promise<void> {
    const file = join(PUBLIC_DIR, 'app.html');
    const html = existsSync(file) ? await readFile(file, 'utf8') : builtInShell();
    // JSON.stringify plus escaping "<" keeps the token from closing the script element whatever it holds.
    const token = JSON.stringify(this.deps.sessions.csrfToken(session)).replace(/</g, '\\u003c');
    sendText(res, 200, html.replace('<!--CSRF-->', `<script>window.csrfToken = ${token};</script>`), STATIC_TYPES['.html']!, PAGE_HEADERS);
  }

  private async staticFile(path: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const notFound = (): void => sendText(res, 404, 'not found', 'text/plain; charset=utf-8');
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'method not allowed', 'text/plain; charset=utf-8');
    let rel: string;
    try {
      rel = decodeURIComponent(path);
    } catch {
      return notFound();
    }
    // The page templates are only ever served through `/` (the shell needs a session).
    if (rel === '/app.html' || rel === '/login.html' || rel.includes('\0')) return notFound();
    const file = normalize(join(PUBLIC_DIR, rel));
    if (!file.startsWith(PUBLIC_DIR.endsWith(sep) ? PUBLIC_DIR : PUBLIC_DIR + sep)) return notFound();
    try {
      const st = await stat(file);
      if (!st.isFile()) return notFound();
    } catch {
      return notFound();
    }
    sendText(res, 200, await readFile(file), STATIC_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream', { 'Cache-Control': 'no-cache' });
  }
}
