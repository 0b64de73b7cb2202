/**
 * Issue 15 acceptance 2, security review #17 — the recipients' portal on its own origin, in the whole
 * suite as `npm start` runs it: the sandbox serves the portal on a second port under another host
 * name (PORTAL_ORIGIN, http://localhost:<port>) and no longer on the webmail's origin. An outside
 * recipient signs up there; a page of the webmail's origin, in the same browser, cannot read that
 * session (no cookie, a credentialed fetch gets nothing) nor frame the portal; the old link under the
 * webmail's origin lands on the portal's.
 */
import { simpleParser } from 'mailparser';
import { expect, test } from '@playwright/test';
import { PORTAL_PATH } from '../shared/messages/portal-api.ts';
import { ENCRYPTION_PASSWORD } from './support/encryption.ts';
import { PORTAL_ORIGIN, portalUrl } from './support/portal.ts';
import { login } from './support/session.ts';
import { probePortalFrom } from './support/portal-probe.ts';

const OUTSIDE = `dr.origin.${Date.now()}@praxis-beispiel.de`;

test('the portal lives on its own origin: the webmail origin cannot read its session nor frame it', async ({ page, request }) => {
  // The old address under the webmail's origin leads to the portal's origin.
  await page.goto(`${PORTAL_PATH}/?lang=fr`);
  expect(new URL(page.url()).origin).toBe(PORTAL_ORIGIN);
  expect(new URL(page.url()).origin).not.toBe(new URL(test.info().project.use.baseURL!).origin);

  // Sign up there with the mailed code (the mail names the portal's origin).
  const register = page.locator('[data-testid="portal-register"]');
  await register.locator('input[name="email"]').fill(OUTSIDE);
  await register.locator('[data-testid="portal-send-code"]').click();
  let text = '';
  await expect
    .poll(async () => {
      const box = (await (await request.get(`/sandbox/outbox?to=${encodeURIComponent(OUTSIDE)}`)).json()) as { messages: Array<{ raw: string }> };
      text = box.messages.length ? ((await simpleParser(box.messages.at(-1)!.raw)).text ?? '') : '';
      return /\b\d{6}\b/.test(text);
    }, { timeout: 20_000 })
    .toBe(true);
  expect(text).toContain(portalUrl());
  await register.locator('input[name="code"]').fill(/\b(\d{6})\b/.exec(text)![1]!);
  await register.locator('input[name="fullName"]').fill('Dr Origin Extern');
  await register.locator('input[name="password"]').fill(ENCRYPTION_PASSWORD);
  await register.locator('input[name="confirmation"]').fill(ENCRYPTION_PASSWORD);
  await register.locator('button[type="submit"]').click();
  await expect(page.locator('[data-testid="portal-user"]')).toContainText(OUTSIDE);

  const context = page.context();
  const session = (await context.cookies(portalUrl())).find((c) => c.name === 'ESANTE_PORTAL');
  expect(session, 'the portal session cookie').toBeTruthy();
  expect(session!).toMatchObject({ domain: new URL(PORTAL_ORIGIN).hostname, httpOnly: true, sameSite: 'Strict', path: PORTAL_PATH });

  // The same browser, logged into the webmail.
  const webmail = await context.newPage();
  await login(webmail, 'marie.schmit@esante.lu');
  expect((await context.cookies(test.info().project.use.baseURL!)).map((c) => c.name)).not.toContain('ESANTE_PORTAL');
  const seen = await probePortalFrom(webmail, `${PORTAL_ORIGIN}${PORTAL_PATH}/api`, `${PORTAL_PATH}/api`);
  expect(seen.cookie).not.toContain('ESANTE_PORTAL');
  expect(seen.crossSession).toBe('refused TypeError');
  expect(seen.crossRelease).toBe('refused TypeError');
  // Cross-Origin-Resource-Policy: same-origin refuses even an opaque (no-cors) answer.
  expect(seen.crossNoCors).toBe('refused TypeError');
  expect(seen.localSession).toBe('refused TypeError');
  expect(seen.localRelease).toMatch(/^basic 403 /);
  expect(seen.localRelease).not.toContain(OUTSIDE);

  // frame-ancestors 'none': the webmail cannot show the portal inside its page.
  const refused = webmail.waitForEvent('console', { predicate: (m) => /frame-ancestors 'none'/.test(m.text()) });
  await webmail.evaluate((src) => {
    const frame = document.createElement('iframe');
    frame.src = src;
    document.body.append(frame);
  }, portalUrl());
  await refused;

  // The portal's own session is intact on its origin.
  await page.reload();
  await expect(page.locator('[data-testid="portal-user"]')).toContainText(OUTSIDE);
});
