import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { sandboxPerSuite, soapRaw, PASSWORD, MARIE } from './helpers.ts';

describe('login page, webmail shell, logout, static files', () => {
  const sb = sandboxPerSuite();

  /** Loads the login page and returns the login_csrf pair the POST needs (login.jsp's guard). */
  async function loginForm(lang = ''): Promise<{ html: string; csrf: string; cookie: string }> {
    const res = await fetch(new URL(`/${lang ? `?lang=${lang}` : ''}`, sb.url));
    assert.equal(res.status, 200);
    const html = await res.text();
    const csrf = /name="login_csrf" value="([0-9a-f]+)"/.exec(html);
    assert.ok(csrf, 'login form without login_csrf');
    const cookie = /ZM_LOGIN_CSRF=([0-9a-f]+)/.exec(res.headers.get('set-cookie') ?? '');
    assert.ok(cookie);
    return { html, csrf: csrf[1]!, cookie: `ZM_LOGIN_CSRF=${cookie[1]}` };
  }
  async function post(fields: Record<string, string>, cookie: string): Promise<Response> {
    return fetch(new URL('/', sb.url), {
      method: 'POST',
      redirect: 'manual',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: cookie },
      body: new URLSearchParams(fields).toString(),
    });
  }

  test('anonymous GET / is the login form with the card / fallback choice', async () => {
    const { html } = await loginForm();
    assert.match(html, /name="loginOp" value="login"/);
    assert.match(html, /name="username"/);
    assert.match(html, /name="password"/);
    assert.match(html, /value="card"/);
    assert.match(html, /value="fallback"/);
    assert.match(html, /Carte LuxTrust/);
    assert.match(html, /Mode de secours \(sans carte\)/);
    assert.doesNotMatch(html, /window\.csrfToken/);
  });

  test('a wrong password shows a translated error and sets no auth cookie', async () => {
    for (const [lang, text] of [['fr', 'mot de passe est incorrect'], ['de', 'Passwort ist falsch'], ['en', 'password is incorrect']] as const) {
      const f = await loginForm(lang);
      const res = await post({ loginOp: 'login', username: MARIE, password: 'nope', authMethod: 'card', lang, login_csrf: f.csrf }, f.cookie);
      assert.equal(res.status, 200);
      assert.match(await res.text(), new RegExp(`<p id="login-error"[^>]*>[^<]*${text}`));
      assert.doesNotMatch(res.headers.get('set-cookie') ?? '', /ZM_AUTH_TOKEN=0_/);
    }
  });

  test('a login POST without the login_csrf pair is refused (login CSRF)', async () => {
    const res = await post({ loginOp: 'login', username: MARIE, password: PASSWORD, authMethod: 'card' }, '');
    assert.equal(res.status, 400);
    assert.doesNotMatch(res.headers.get('set-cookie') ?? '', /ZM_AUTH_TOKEN=0_/);
  });

  test('login sets the HttpOnly cookie, GET / serves the shell with window.csrfToken, logout ends the session', async () => {
    const f = await loginForm();
    const res = await post({ loginOp: 'login', username: MARIE, password: PASSWORD, authMethod: 'fallback', login_csrf: f.csrf }, f.cookie);
    assert.equal(res.status, 302);
    assert.equal(res.headers.get('location'), '/');
    const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('ZM_AUTH_TOKEN='))!;
    assert.match(setCookie, /HttpOnly/);
    const cookie = setCookie.split(';')[0]!;
    const shell = await (await fetch(new URL('/', sb.url), { headers: { Cookie: cookie } })).text();
    const csrf = /<script>window\.csrfToken = "([^"]+)";<\/script>/.exec(shell);
    assert.ok(csrf, shell.slice(0, 300));
    assert.match(shell, /<script src="\/js\/webmail\.js"><\/script>/);
    const info = await soapRaw(sb.url, '/service/soap', 'GetInfoRequest', {}, { cookie, csrf: csrf[1]! });
    assert.equal(info.json.Body.GetInfoResponse.attrs._attrs.esanteAuthMethod, 'fallback');

    const out = await fetch(new URL('/?loginOp=logout', sb.url), { headers: { Cookie: cookie }, redirect: 'manual' });
    assert.equal(out.status, 302);
    assert.match(out.headers.get('set-cookie') ?? '', /ZM_AUTH_TOKEN=;.*Max-Age=0/);
    const after = await soapRaw(sb.url, '/service/soap', 'GetInfoRequest', {}, { cookie, csrf: csrf[1]! });
    assert.equal(after.json.Body.Fault.Detail.Error.Code, 'service.AUTH_REQUIRED');
  });

  test('static files come from sandbox/web/public, without path traversal or the page templates', async () => {
    assert.equal((await fetch(new URL('/app.html', sb.url))).status, 404);
    assert.equal((await fetch(new URL('/login.html', sb.url))).status, 404);
    assert.equal((await fetch(new URL('/%2e%2e/server/index.ts', sb.url))).status, 404);
    assert.equal((await fetch(new URL('/..%2f..%2fpackage.json', sb.url))).status, 404);
    assert.equal((await fetch(new URL('/no-such-file.css', sb.url))).status, 404);
  });

  test('/js/webmail.js is the esbuild bundle of sandbox/web/src/main.ts (or a clear error when it cannot build)', async () => {
    const res = await fetch(new URL('/js/webmail.js', sb.url));
    assert.match(res.headers.get('content-type') ?? '', /javascript/);
    const js = await res.text();
    if (res.status === 200) assert.match(js, /^"use strict";\n\(\(\) => \{/);
    else {
      assert.equal(res.status, 503);
      assert.match(js, /webmail bundle unavailable/);
    }
  });
});
