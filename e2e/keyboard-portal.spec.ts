/**
 * Issue 13, acceptance 1 (part): the portal for recipients outside the secure messaging, keyboard only —
 * registration (code by mail, name, password) and opening the attached message — with axe (WCAG 2.1 A +
 * AA, 0 serious or critical violations) on each of its screens. The sender's part uses the webmail as
 * usual; choosing the file is the browser's own file dialog (Playwright sets the file, as the user would
 * in that dialog), everything else is Tab, typing and Enter.
 */
import { simpleParser } from 'mailparser';
import { expect, test } from '@playwright/test';
import { CONTAINER_MEDIA_TYPE } from '../shared/container/container.ts';
import { ENCRYPTION_PASSWORD, ensureEncryptionAccount } from './support/encryption.ts';
import { portalUrl } from './support/portal.ts';
import { focusVisible, tabTo } from './support/keyboard.ts';
import { expectNoSeriousViolations } from './support/axe.ts';
import { login } from './support/session.ts';

const marie = { mail: 'marie.schmit@esante.lu', name: 'Dr Marie Schmit' };

test('keyboard only on the portal: register with the mailed code, then open the attached message', async ({ page, browser, request }) => {
  test.setTimeout(150_000);
  const outside = `dr.clavier.${Date.now()}@praxis-beispiel.de`;
  await ensureEncryptionAccount(marie.mail, marie.name);
  const subject = `Portail au clavier ${Date.now()}`;
  await login(page, marie.mail, 'card');
  await page.locator('#zb__TV__NEW_MESSAGE').click();
  await page.locator('#zm-compose-to').fill(outside);
  await page.locator('#zm-compose-subject').fill(subject);
  await page.locator('#zm-compose-body').fill('Bonjour, le compte rendu lu au clavier.');
  await page.locator('#zb__COMPOSE__ESANTE_REGIFY_SEND').click();
  await expect(page.locator('#zm-compose')).toBeHidden({ timeout: 30_000 });
  const outbox = async () => ((await (await request.get(`/sandbox/outbox?to=${encodeURIComponent(outside)}`)).json()) as { messages: Array<{ subject: string; raw: string }> }).messages;
  const cover = (await outbox()).find((m) => m.subject === subject);
  expect(cover, 'cover mail delivered').toBeTruthy();
  const container = (await simpleParser(cover!.raw)).attachments.find((a) => a.contentType === CONTAINER_MEDIA_TYPE);
  expect(container).toBeTruthy();

  const portal = await (await browser.newContext()).newPage();
  // Issue 13: the page logged a 401 on load (no session yet is not an error).
  const failed: string[] = [];
  portal.on('response', (r) => {
    if (r.status() >= 400) failed.push(`${r.status()} ${new URL(r.url()).pathname}`);
  });
  await portal.goto(portalUrl());
  await expect(portal.locator(`[data-testid="portal-register"] input[name="email"]`)).toBeVisible();
  expect(failed).toEqual([]);
  await expectNoSeriousViolations(portal, 'portal: log-in and registration');
  const register = '[data-testid="portal-register"]';
  await tabTo(portal, `${register} input[name="email"]`);
  expect(await focusVisible(portal)).toBe(true);
  await portal.keyboard.type(outside);
  const before = (await outbox()).length;
  await tabTo(portal, `${register} [data-testid="portal-send-code"]`);
  expect(await focusVisible(portal)).toBe(true);
  await portal.keyboard.press('Enter');
  let code = '';
  await expect
    .poll(async () => {
      const latest = (await outbox()).slice(before).at(-1);
      code = latest ? (/\b(\d{6})\b/.exec((await simpleParser(latest.raw)).text ?? '')?.[1] ?? '') : '';
      return code;
    }, { timeout: 20_000 })
    .toMatch(/^\d{6}$/);
  await tabTo(portal, `${register} input[name="code"]`);
  await portal.keyboard.type(code);
  await tabTo(portal, `${register} input[name="fullName"]`);
  await portal.keyboard.type('Dr Clavier Extern');
  await tabTo(portal, `${register} input[name="password"]`);
  await portal.keyboard.type(ENCRYPTION_PASSWORD);
  await tabTo(portal, `${register} input[name="confirmation"]`);
  await portal.keyboard.type(ENCRYPTION_PASSWORD);
  await portal.keyboard.press('Enter');
  await expect(portal.locator('[data-testid="portal-user"]')).toContainText(outside);
  await expectNoSeriousViolations(portal, 'portal: open a message');

  // The file: Tab to the chooser (the browser's dialog picks the file), Tab to the button, Enter.
  await tabTo(portal, '[data-testid="portal-file"]');
  expect(await focusVisible(portal)).toBe(true);
  await portal.locator('[data-testid="portal-file"]').setInputFiles({ name: 'message.esmsg', mimeType: CONTAINER_MEDIA_TYPE, buffer: container!.content });
  await tabTo(portal, 'form:has([data-testid="portal-file"]) button[type="submit"]');
  await portal.keyboard.press('Enter');
  await expect(portal.locator('[data-testid="portal-banner-encrypted"]')).toBeVisible({ timeout: 20_000 });
  await expect(portal.locator('[data-testid="portal-message"]')).toContainText('le compte rendu lu au clavier');
  await expectNoSeriousViolations(portal, 'portal: the opened message');
  // Issue 13: the date in the reader's language, not the raw header ("Sun, 06 Dec 2026 21:07:52 +0000").
  const page_ = await portal.locator('main').innerText();
  expect(page_).not.toMatch(/\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{1,2} [A-Z][a-z]{2} \d{4}/);
  const lang = (await portal.locator('html').getAttribute('lang')) as 'fr' | 'de' | 'en';
  const months = Array.from({ length: 12 }, (_, m) => new Intl.DateTimeFormat(lang, { month: 'long' }).format(new Date(2026, m, 15)));
  expect(months.some((m) => page_.includes(m)), `a month of the page's language (${lang}) in: ${page_.slice(0, 400)}`).toBe(true);
  await portal.context().close();
});
