/**
 * Issue 15 acceptance 2, security review #17: the recipients' portal on its own origin. The sandbox
 * serves it on a second port under another host name (http://localhost:<port2>, the webmail being
 * http://127.0.0.1:<port1>), the service is told that origin (ESANTE_PORTAL_ORIGIN), and:
 * - the webmail's origin no longer serves the portal: its pages redirect to the portal's origin, its
 *   API is refused, and so does the service itself when a proxy hands it a request addressed to
 *   Zimbra's host (Zimbra's nginx proxying the whole /service/extension/esante/);
 * - the portal's origin serves the portal only;
 * - the session cookie is host-only (the portal's host), HttpOnly, SameSite=Strict, on the portal path;
 * - the code mail names the portal's origin, the cover mail's link too (RegisterSecureMessage.portalUrl);
 * - in Chromium, a page of the webmail's origin cannot read the portal's session (no cookie, a
 *   credentialed fetch gets nothing), nor frame the portal; the portal cannot read the webmail's.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser } from '@playwright/test';
import { PORTAL_PATH } from '../../shared/messages/portal-api.ts';
import { SOAP_PATH } from '../../shared/paths.ts';
import { startSandbox } from '../../sandbox/server/index.ts';
import { readAccountsSettings } from '../src/accounts/settings.ts';
import { ConfigError, loadConfig } from '../src/config.ts';
import { readMessagesConfig } from '../src/messages/config.ts';
import { createService, type Service } from '../src/root.ts';
import { openStore, type Store } from '../src/store/index.ts';
import { startMailCatcher, type MailCatcher } from './messages-support.ts';
import { SANDBOX_SEED_USERS, SEED_PASSWORD, callAs, freePort, loginAs, memoryLogger, portalBuilt } from './support/service.ts';
import { probePortalFrom } from '../../e2e/support/portal-probe.ts';

const OUTSIDE = 'anne.relative@example.org';
const PASSWORD = 'Tr3s-Secret_Pw!2026';

test('ESANTE_PORTAL_ORIGIN: an origin, nothing more; the account panel\'s portal link follows it', () => {
  assert.equal(readMessagesConfig({}).portalOrigin, undefined);
  assert.equal(readMessagesConfig({ ESANTE_PORTAL_ORIGIN: 'https://Portail.Example.lu/' }).portalOrigin, 'https://portail.example.lu');
  assert.equal(readMessagesConfig({ ESANTE_PORTAL_ORIGIN: 'http://localhost:9080' }).portalOrigin, 'http://localhost:9080');
  for (const bad of ['portail.example.lu', 'ftp://portail.example.lu', 'https://portail.example.lu/portal', 'https://u:p@portail.example.lu', 'https://portail.example.lu/?x=1']) {
    assert.throws(() => readMessagesConfig({ ESANTE_PORTAL_ORIGIN: bad }), (e: unknown) => e instanceof ConfigError && /ESANTE_PORTAL_ORIGIN/.test(e.message), bad);
  }
  const publicUrl = 'https://mail.esante.lu';
  assert.equal(readAccountsSettings({}, { publicUrl }).servers.portalUrl, `${publicUrl}${PORTAL_PATH}/`);
  assert.equal(readAccountsSettings({ ESANTE_PORTAL_ORIGIN: 'https://portail.esante.lu' }, { publicUrl }).servers.portalUrl, `https://portail.esante.lu${PORTAL_PATH}/`);
});

describe('portal on its own origin', () => {
  let dir: string;
  let smtp: MailCatcher;
  let store: Store;
  let sandbox: Awaited<ReturnType<typeof startSandbox>>;
  let service: Service;
  let serviceUrl: string;
  let webmail: string;
  let portal: string;
  let browser: Browser;

  before(async () => {
    await portalBuilt();
    dir = await mkdtemp(join(tmpdir(), 'esante-portal-origin-'));
    smtp = await startMailCatcher();
    store = await openStore({ kind: 'sqlite', path: join(dir, 'db.sqlite') });
    await store.migrate();
    await store.accounts.create({ email: 'marie.schmit@esante.lu', fullName: 'Marie Schmit', identityLevel: 3, passwordHash: '$scrypt$x' });
    const port = await freePort();
    sandbox = await startSandbox({ port: 0, portalPort: 0, dataDir: join(dir, 'sandbox'), smtpPort: 0, zimletsDir: join(dir, 'zimlets'), serviceUrl: `http://127.0.0.1:${port}` });
    webmail = sandbox.url;
    portal = sandbox.portalUrl!;
    const featureEnv = {
      ESANTE_SMTP_URL: smtp.url,
      ESANTE_SCHEDULER_INTERVAL_MS: '0',
      ESANTE_ACCOUNT_SCRYPT_LOG2N: '14',
      ESANTE_DATA_DIR: join(dir, 'data'),
      ESANTE_PORTAL_ORIGIN: portal,
      ESANTE_DIRECTORY_SEED_USERS: SANDBOX_SEED_USERS,
    };
    const config = loadConfig({ ESANTE_PORT: String(port), ESANTE_DATA_DIR: join(dir, 'data'), ESANTE_ZIMBRA_URL: webmail, ESANTE_PUBLIC_URL: webmail, ESANTE_ZIMBRA_TIMEOUT_MS: '3000', ESANTE_SHUTDOWN_TIMEOUT_MS: '2000' }, dir);
    service = await createService(config, { log: memoryLogger().log, store, env: featureEnv });
    serviceUrl = await service.start();
    browser = await chromium.launch({
      executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  });
  after(async () => {
    await browser?.close();
    await service?.stop();
    await sandbox?.stop();
    await store?.close();
    await smtp?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('the sandbox gives the portal another host name and port than the webmail', () => {
    const [w, p] = [new URL(webmail), new URL(portal)];
    assert.notEqual(w.origin, p.origin);
    assert.notEqual(w.hostname, p.hostname, 'cookies ignore ports: another host name, not only another port');
    assert.equal(p.hostname, 'localhost');
  });

  test('the webmail origin does not serve the portal: pages redirect to the portal origin, the API is refused', async () => {
    const page = await fetch(`${webmail}${PORTAL_PATH}/?lang=de`, { redirect: 'manual' });
    assert.equal(page.status, 302);
    assert.equal(page.headers.get('location'), `${portal}${PORTAL_PATH}/?lang=de`);
    for (const sub of ['/portal.js', '/api/session']) {
      const r = await fetch(`${webmail}${PORTAL_PATH}${sub}`, { redirect: 'manual' });
      assert.equal(r.status, 302, sub);
      assert.equal(r.headers.get('location'), `${portal}${PORTAL_PATH}${sub}`);
    }
    const post = await fetch(`${webmail}${PORTAL_PATH}/api/login`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Esante-Portal': '1' }, body: '{}' });
    assert.equal(post.status, 403);
    assert.equal(post.headers.get('set-cookie'), null);
  });

  test('the service itself refuses a portal request addressed to Zimbra\'s host (nginx proxying the whole extension)', async () => {
    const host = new URL(webmail).host;
    const page = await fetch(`${serviceUrl}${PORTAL_PATH}/?lang=en`, { redirect: 'manual', headers: { 'X-Forwarded-Host': host } });
    assert.equal(page.status, 302);
    assert.equal(page.headers.get('location'), `${portal}${PORTAL_PATH}/?lang=en`);
    const link = await fetch(`${serviceUrl}${PORTAL_PATH}/login-link?token=x`, { redirect: 'manual', headers: { 'X-Forwarded-Host': host } });
    assert.equal(link.status, 302);
    for (const sub of ['/portal.js', '/api/session']) {
      const r = await fetch(`${serviceUrl}${PORTAL_PATH}${sub}`, { headers: { 'X-Forwarded-Host': host } });
      assert.equal(r.status, 403, sub);
      assert.equal(((await r.json()) as { error: { code: string } }).error.code, 'portal.forbidden');
    }
    const post = await fetch(`${serviceUrl}${PORTAL_PATH}/api/register/code`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Esante-Portal': '1', 'X-Forwarded-Host': host, Origin: new URL(webmail).origin },
      body: JSON.stringify({ email: OUTSIDE }),
    });
    assert.equal(post.status, 403);
    // The Host header counts the same when no proxy forwards one (nginx's `proxy_set_header Host $http_host`).
    const direct = await fetch(`${serviceUrl}${PORTAL_PATH}/`, { redirect: 'manual' });
    assert.equal(direct.status, 302, 'the service\'s own address is not the portal\'s either');
  });

  test('the portal origin serves the portal, with its own CSP, and nothing else', async () => {
    const page = await fetch(`${portal}${PORTAL_PATH}/`);
    assert.equal(page.status, 200);
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(csp, /connect-src 'self'/);
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
    assert.equal(page.headers.get('access-control-allow-origin'), null);
    assert.equal(page.headers.get('cross-origin-opener-policy'), 'same-origin');
    assert.equal(page.headers.get('cross-origin-resource-policy'), 'same-origin');
    const root = await fetch(`${portal}/`, { redirect: 'manual' });
    assert.equal(root.status, 302);
    assert.equal(root.headers.get('location'), `${PORTAL_PATH}/`);
    for (const path of ['/service/soap/GetInfoRequest', SOAP_PATH, '/service/extension/esante/health', '/js/webmail.js', '/service/zimlet/res/Zimlets-nodev_all.js']) {
      assert.equal((await fetch(`${portal}${path}`, { method: path.includes('soap') ? 'POST' : 'GET' })).status, 404, path);
    }
  });

  test('code mail and cover mail name the portal origin; the cookie is host-only, HttpOnly, SameSite=Strict', async () => {
    const marie = await loginAs(webmail, 'marie.schmit@esante.lu', SEED_PASSWORD);
    const reg = await callAs(serviceUrl, marie, 'RegisterSecureMessage', { to: [OUTSIDE], cc: [], subject: 'Résultats' });
    assert.equal(reg.portalUrl, `${portal}${PORTAL_PATH}/`);

    const post = (sub: string, body: unknown) =>
      fetch(`${portal}${PORTAL_PATH}/api${sub}`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Esante-Portal': '1', Origin: portal }, body: JSON.stringify(body) });
    // From the webmail's origin the API says no even on the portal's host (the Origin check).
    const foreign = await fetch(`${portal}${PORTAL_PATH}/api/register/code`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Esante-Portal': '1', Origin: new URL(webmail).origin }, body: JSON.stringify({ email: OUTSIDE }) });
    assert.equal(foreign.status, 403);
    assert.equal((await post('/register/code', { email: OUTSIDE, lang: 'fr' })).status, 202);
    const [mail] = await smtp.waitFor(OUTSIDE, 1);
    assert.ok(mail!.text.includes(`Portail : ${portal}${PORTAL_PATH}/`), mail!.text);
    assert.ok(!mail!.text.includes(webmail), 'the code mail does not send anyone to Zimbra\'s origin');
    const code = /\b(\d{6})\b/.exec(mail!.text)![1]!;
    const reg2 = await post('/register', { email: OUTSIDE, code, fullName: 'Anne Relative', password: PASSWORD, confirmation: PASSWORD });
    assert.equal(reg2.status, 200);
    const cookie = reg2.headers.get('set-cookie') ?? '';
    assert.match(cookie, /^ESANTE_PORTAL=[A-Za-z0-9_-]{43}; /);
    assert.match(cookie, new RegExp(`; Path=${PORTAL_PATH};`));
    assert.match(cookie, /; HttpOnly;/);
    assert.match(cookie, /; SameSite=Strict;/);
    assert.doesNotMatch(cookie, /Domain=/i, 'host-only: sent back to the portal host alone');
  });

  test('in Chromium, the webmail origin cannot read or frame the portal session, nor the portal the webmail\'s', async () => {
    const context = await browser.newContext({ locale: 'fr-LU' });
    // tsx's keepNames wraps functions passed to page.evaluate in a __name helper the page lacks.
    await context.addInitScript('window.__name = (f) => f;');
    try {
      // The outside recipient logs in on the portal's origin (account made by the test above).
      const page = await context.newPage();
      await page.goto(`${webmail}${PORTAL_PATH}/`);
      assert.equal(new URL(page.url()).origin, portal, 'the old link lands on the portal origin');
      const form = page.locator('[data-testid=portal-login]');
      await form.locator('input[name=email]').fill(OUTSIDE);
      await form.locator('input[name=password]').fill(PASSWORD);
      await form.locator('button[type=submit]').click();
      await page.locator('[data-testid=portal-user]').waitFor();
      const cookies = await context.cookies();
      const session = cookies.find((c) => c.name === 'ESANTE_PORTAL');
      assert.ok(session, 'the portal session cookie exists');
      assert.equal(session.domain, 'localhost');
      assert.equal(session.httpOnly, true);
      assert.equal(session.sameSite, 'Strict');
      assert.equal(await page.evaluate(() => document.cookie.includes('ESANTE_PORTAL')), false);

      // The same browser, a page of the webmail's origin (and a Zimbra session of its own).
      const zimbra = await context.newPage();
      await zimbra.goto(`${webmail}/`);
      await zimbra.locator('#username').fill('marie.schmit@esante.lu');
      await zimbra.locator('#password').fill(SEED_PASSWORD);
      await zimbra.locator('#login-submit').click();
      await zimbra.waitForURL(`${webmail}/`);
      assert.ok((await context.cookies(webmail)).some((c) => c.name === 'ZM_AUTH_TOKEN'));
      assert.equal((await context.cookies(webmail)).some((c) => c.name === 'ESANTE_PORTAL'), false, 'the portal cookie never goes to the webmail host');
      const seen = await probePortalFrom(zimbra, `${portal}${PORTAL_PATH}/api`, `${PORTAL_PATH}/api`);
      assert.doesNotMatch(seen.cookie, /ESANTE_PORTAL/);
      // No CORS grant: a credentialed cross-origin read fails; Cross-Origin-Resource-Policy refuses even an opaque answer.
      assert.equal(seen.crossSession, 'refused TypeError');
      assert.equal(seen.crossRelease, 'refused TypeError');
      assert.equal(seen.crossNoCors, 'refused TypeError');
      // On its own origin the webmail has no portal: the page's redirect leaves the origin (a CORS failure), the API 403.
      assert.equal(seen.localSession, 'refused TypeError');
      assert.match(seen.localRelease, /^basic 403 /);
      assert.doesNotMatch(seen.localRelease, new RegExp(OUTSIDE));

      // Nor can the webmail frame the portal (frame-ancestors 'none'): Chromium refuses and says why.
      const refused = zimbra.waitForEvent('console', { predicate: (m) => /frame-ancestors 'none'/.test(m.text()) });
      await zimbra.evaluate((src) => {
        const frame = document.createElement('iframe');
        frame.src = src;
        document.body.append(frame);
      }, `${portal}${PORTAL_PATH}/`);
      await refused;

      // And the reverse: the portal's page cannot read the webmail's session.
      const back = await page.evaluate(async (soap) => {
        try {
          const r = await fetch(soap, { method: 'POST', credentials: 'include', headers: { 'Content-Type': 'application/soap+xml' }, body: '<x/>' });
          return `${r.status}`;
        } catch (e) {
          return `refused ${(e as Error).name}`;
        }
      }, `${webmail}${SOAP_PATH}`);
      assert.match(back, /^refused /);
      assert.equal(await page.evaluate(() => document.cookie.includes('ZM_AUTH_TOKEN')), false);
      // The portal's own session still works on its origin.
      assert.equal(await page.evaluate(async (api) => ((await (await fetch(`${api}/session`)).json()) as { email: string }).email, `${PORTAL_PATH}/api`), OUTSIDE);
    } finally {
      await context.close();
    }
  });
});
