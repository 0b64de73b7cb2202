/**
 * Foundation, acceptance 1 and 2: the sandbox serves the webmail, the five zimlets are loaded through
 * Zimbra's one concatenated script, and a zimlet reaches the service (same origin, cookie + CSRF).
 */
import { expect, test } from '@playwright/test';
import { SOAP_PATH } from '../shared/paths.ts';
import { login, openZimletPanel, USERS, ZIMLETS } from './support/session.ts';

const marie = USERS.find((u) => u.mail === 'marie.schmit@esante.lu')!;

test('logging in shows the five zimlet panel items, loaded through the concatenated script', async ({ page }) => {
  const scripts: string[] = [];
  page.on('request', (r) => {
    if (r.resourceType() === 'script') scripts.push(new URL(r.url()).pathname);
  });
  await login(page, marie.mail);
  for (const name of ZIMLETS) await expect(page.locator(`#zimlet-${name}`)).toBeVisible();
  // Zimbra serves every zimlet in ONE file (Zimlets-nodev_all.js); no zimlet script is loaded alone.
  expect(scripts.filter((s) => s.includes('Zimlets-nodev_all.js'))).toHaveLength(1);
  expect(scripts.filter((s) => /\/service\/zimlet\/lu_esante_[a-z]+\/.*\.js$/.test(s))).toHaveLength(0);
  // Each handler global exists, and nothing failed to initialise.
  const globals = await page.evaluate((names) => names.map((n) => typeof (window as unknown as Record<string, unknown>)[`${n}_HandlerObject`]), [...ZIMLETS]);
  expect(globals).toEqual(ZIMLETS.map(() => 'function'));
  await expect(page.locator('body')).not.toHaveAttribute('data-zimlet-errors', /.+/);
  // French labels of the guide (p.7).
  await expect(page.locator('#zimlet-lu_esante_prosearch')).toContainText('Recherche de professionnels');
  await expect(page.locator('#zimlet-lu_esante_security')).toContainText('Gestionnaire de sécurité');
});

test('a zimlet calls GetServiceInfo and shows the logged-in user', async ({ page }) => {
  await login(page, marie.mail);
  await openZimletPanel(page, 'lu_esante_webex');
  // Playwright's CSS locators pierce the lit components' shadow roots.
  const info = page.locator('dialog[open] esante-service-info section[data-state="ready"]');
  await expect(info).toBeVisible();
  await expect(info.locator('[data-field=account]')).toContainText(marie.mail);
  await expect(info.locator('[data-field=version]')).toHaveText(/^\d+\.\d+\.\d+/);
});

test('the same call without the cookie, or with a wrong CSRF header, gets Fault auth.required', async ({ page, request }) => {
  await login(page, marie.mail);
  const envelope =
    '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">' +
    '<soap:Body><GetServiceInfoRequest xmlns="urn:lu:esante:messaging:1"/></soap:Body></soap:Envelope>';
  // From the logged-in page: right cookie, wrong CSRF header.
  const wrongCsrf = await page.evaluate(
    async ({ url, body }) => {
      const r = await fetch(url, { method: 'POST', body, headers: { 'Content-Type': 'text/xml; charset=utf-8', 'X-Zimbra-Csrf-Token': 'forged' } });
      return { status: r.status, text: await r.text() };
    },
    { url: SOAP_PATH, body: envelope },
  );
  expect(wrongCsrf.status).toBe(401);
  expect(wrongCsrf.text).toContain('code="auth.required"');
  // The right CSRF header still works from the page (the control for the two refusals).
  const ok = await page.evaluate(
    async ({ url, body }) => {
      const r = await fetch(url, { method: 'POST', body, headers: { 'Content-Type': 'text/xml; charset=utf-8', 'X-Zimbra-Csrf-Token': (window as unknown as { csrfToken: string }).csrfToken } });
      return { status: r.status, text: await r.text() };
    },
    { url: SOAP_PATH, body: envelope },
  );
  expect(ok.status).toBe(200);
  expect(ok.text).toContain(marie.mail);
  // Without any cookie (a separate request context).
  const anonymous = await request.post(SOAP_PATH, { data: envelope, headers: { 'Content-Type': 'text/xml; charset=utf-8', 'X-Zimbra-Csrf-Token': 'x' } });
  expect(anonymous.status()).toBe(401);
  expect(await anonymous.text()).toContain('code="auth.required"');
});

// Issue 10, acceptance 1: every spec runs in the stricter sandbox — conversation view on (Zimbra's default,
// zimbraPrefGroupMailBy), autosave of drafts every 5 s (playwright.config.ts), and ONE compose controller
// reused for each new message (core/ZmApp.js:717-737), as Zimbra.
test('the e2e webmail runs with conversation view, autosave 5 s and a reused compose controller', async ({ page }) => {
  const info = page.waitForResponse((r) => r.url().endsWith('/service/soap/GetInfoRequest'));
  await login(page, marie.mail);
  const prefs = (await (await info).json()).Body.GetInfoResponse.prefs._attrs;
  expect(prefs.zimbraPrefGroupMailBy).toBe('conversation');
  expect(prefs.zimbraPrefAutoSaveDraftInterval).toBe('5s');
  const controllerOfNewCompose = async () => {
    await page.locator('#zb__TV__NEW_MESSAGE').click();
    await expect(page.locator('#zm-compose')).toBeVisible();
    await page.evaluate(() => ((window as any).__composeControllers ??= []).push((window as any).appCtxt.getCurrentController()));
    await page.locator('#zb__COMPOSE__CANCEL').click();
    await expect(page.locator('#zm-compose')).toBeHidden();
  };
  await controllerOfNewCompose();
  await controllerOfNewCompose();
  expect(await page.evaluate(() => (window as any).__composeControllers[0] === (window as any).__composeControllers[1])).toBe(true);
  expect(await page.evaluate(() => (window as any).__composeControllers[0]._autoSaveTimer?.timeout)).toBe(5000);
});
