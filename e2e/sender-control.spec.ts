/**
 * Issue 12, acceptance 2 (first point): the sender keeps control after "Envoyer avec Regify". From the
 * Sent copy (zimlets/regify/src/control/, `<esante-regify-sender-control>`) Marie withdraws the message
 * for one of two recipients, behind a confirmation; that recipient then sees "Ce message a été retiré
 * par son expéditeur le …" instead of the message, in the webmail and on the portal; the other still
 * reads it until Marie withdraws it for everyone. Then the dates: a later read deadline and an access
 * end for one recipient, shown in the sender's table, the recipient still reading.
 * Dates typed in the dialogs stay far from "now": earlier specs may have moved the service's clock
 * forward (ESANTE_TEST_CLOCK, e2e/secure-messages.spec.ts).
 */
import { simpleParser } from 'mailparser';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { CONTAINER_MEDIA_TYPE } from '../shared/container/container.ts';
import { loginAs, soapAs } from '../sandbox/server/testing.ts';
import { dayValue } from '../zimlets/regify/src/control/dates.ts';
import { E2E_PORT } from './playwright.config.ts';
import { ENCRYPTION_PASSWORD, ensureEncryptionAccount } from './support/encryption.ts';
import { PORTAL_ORIGIN, portalUrl } from './support/portal.ts';
import { SANDBOX_PASSWORD, USERS, login, loginInNewContext, openInInbox, openZimletPanel } from './support/session.ts';

const BASE = `http://127.0.0.1:${E2E_PORT}`;
const marie = USERS.find((u) => u.mail === 'marie.schmit@esante.lu')!;
const jeanClaude = USERS.find((u) => u.mail === 'jean-claude.weber@esante.lu')!;
const luc = USERS.find((u) => u.mail === 'luc.hoffmann@esante.lu')!;
const DAY = 24 * 3600 * 1000;
const WITHDRAWN = /Ce message a été retiré par son expéditeur le \d{1,2} \S+ \d{4}/;

test.describe.configure({ mode: 'serial' });

/** The subject of the second test's message, found again by the third in the "Messages envoyés" tab. */
let bilan = '';

async function sendEncrypted(page: Page, to: string[], subject: string, body: string): Promise<void> {
  await page.locator('#zb__TV__NEW_MESSAGE').click();
  await expect(page.locator('#zm-compose')).toBeVisible();
  await page.locator('#zm-compose-to').fill(to.join('; '));
  await page.locator('#zm-compose-subject').fill(subject);
  await page.locator('#zm-compose-body').fill(body);
  await page.locator('#zb__COMPOSE__ESANTE_REGIFY_SEND').click();
  await expect(page.locator('#zm-compose')).toBeHidden({ timeout: 30_000 });
}

/** Opens the Sent copy and the control under it; answers the control. */
async function openControl(page: Page, subject: string): Promise<Locator> {
  await page.locator('#zm-folder-sent').click();
  await page.locator('#zm-msg-list [data-msg-id]', { hasText: subject }).first().click();
  await expect(page.locator('esante-regify-secure-message[data-state="ready"]')).toBeVisible({ timeout: 20_000 });
  const control = page.locator('esante-regify-sender-control');
  const button = control.locator('#control-button');
  await expect(button).toHaveText('Suivi et contrôle de l’envoi');
  await expect(button).toHaveAttribute('aria-expanded', 'false');
  // From the keyboard, as a screen-reader user would.
  await button.focus();
  await page.keyboard.press('Enter');
  await expect(button).toHaveAttribute('aria-expanded', 'true');
  await expect(control).toHaveAttribute('data-load', 'ready');
  return control;
}

/** What a recipient sees when opening the message in their webmail. */
async function openAsRecipient(page: Page, subject: string): Promise<Locator> {
  await openInInbox(page, subject);
  const view = page.locator('esante-regify-secure-message:is([data-state="ready"], [data-state="error"])');
  await expect(view).toBeVisible({ timeout: 20_000 });
  return view;
}

/** The container of `mail`'s copy of the message, as a recipient would save it for the portal. */
async function containerOf(mail: string, subject: string): Promise<Buffer> {
  const session = await loginAs(BASE, mail, SANDBOX_PASSWORD, 'card');
  const found = await soapAs<{ m?: Array<{ id: string; su?: string }> }>(BASE, session, 'SearchRequest', { query: 'in:inbox', types: 'message', limit: 200 });
  const id = (found.m ?? []).find((m) => m.su === subject)?.id;
  expect(id, `${mail} received "${subject}"`).toBeTruthy();
  const raw = await fetch(`${BASE}/service/content/get?id=${encodeURIComponent(id!)}`, { headers: { Cookie: session.cookie } });
  expect(raw.ok).toBe(true);
  const file = (await simpleParser(Buffer.from(await raw.arrayBuffer()))).attachments.find((a) => a.contentType === CONTAINER_MEDIA_TYPE);
  expect(file, 'the cover mail carries the container').toBeTruthy();
  return file!.content;
}

test('the sender withdraws from the Sent copy for one recipient, who then sees the withdrawn notice in the webmail and on the portal; the other reads until it is withdrawn for all', async ({ page, browser }) => {
  test.setTimeout(180_000);
  await ensureEncryptionAccount(marie.mail, 'Dr Marie Schmit');
  await ensureEncryptionAccount(jeanClaude.mail, 'Dr Jean-Claude Weber');
  await ensureEncryptionAccount(luc.mail, 'Luc Hoffmann');
  const subject = `Compte rendu opératoire ${Date.now()}`;
  await login(page, marie.mail, 'card');
  await sendEncrypted(page, [luc.mail, jeanClaude.mail], subject, 'Compte rendu : intervention sans complication.');

  // --- The sender's view: both recipients delivered, nothing opened yet ------------------------
  let control = await openControl(page, subject);
  const row = (who: string) => control.locator(`tr[data-recipient="${who}"]`);
  await expect(row(luc.mail)).toHaveAttribute('data-state', 'delivered');
  await expect(row(jeanClaude.mail)).toHaveAttribute('data-state', 'delivered');
  await expect(row(luc.mail)).toContainText('Pas encore ouvert');
  await expect(control.locator('#notifications')).toBeVisible();

  // --- Withdraw for Luc: a confirmation first; "Annuler" keeps everything ----------------------
  const revokeLuc = control.locator(`[data-action="revoke"][data-recipient="${luc.mail}"]`);
  await expect(revokeLuc).toHaveAccessibleName(`Retirer le message pour ${luc.mail}`);
  await revokeLuc.click();
  const dialog = control.locator('#revoke-dialog[open]');
  await expect(dialog).toBeVisible();
  await expect(dialog).toHaveAttribute('role', 'alertdialog');
  await expect(dialog.locator('h2')).toHaveText('Retirer ce message ?');
  await expect(dialog).toContainText(`${luc.mail} ne pourra plus ouvrir ce message`);
  await expect(dialog.locator('[data-action="cancel"]')).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(revokeLuc).toBeFocused();
  await expect(row(luc.mail)).toHaveAttribute('data-state', 'delivered');

  await page.keyboard.press('Enter');
  await expect(dialog).toBeVisible();
  await dialog.locator('[data-action="confirm"]').click();
  await expect(dialog).toHaveCount(0);
  await expect(control.locator('#control-status')).toHaveText(`Le message a été retiré pour ${luc.mail}.`);
  await expect(row(luc.mail)).toHaveAttribute('data-state', 'revoked');
  await expect(row(luc.mail)).toContainText('Retiré le');
  await expect(row(jeanClaude.mail)).toHaveAttribute('data-state', 'delivered');

  // --- Luc in his webmail: the withdrawn notice instead of the message ------------------------
  const lucPage = await loginInNewContext(browser, luc.mail);
  const lucView = await openAsRecipient(lucPage, subject);
  await expect(lucView).toHaveAttribute('data-state', 'error');
  await expect(lucView.locator('[data-banner="error"]')).toContainText(WITHDRAWN);
  await expect(lucView.locator('#content')).toHaveCount(0);
  await lucPage.context().close();

  // --- Luc on the portal with the saved file: the withdrawn page, no message -------------------
  const file = await containerOf(luc.mail, subject);
  // A French-speaking reader's browser: the portal answers in the reader's language (Accept-Language).
  const portal = await (await browser.newContext({ locale: 'fr-LU' })).newPage();
  await portal.goto(portalUrl());
  expect(new URL(portal.url()).origin).toBe(PORTAL_ORIGIN);
  const loginForm = portal.locator('[data-testid="portal-login"]');
  await loginForm.locator('input[name="email"]').fill(luc.mail);
  await loginForm.locator('input[name="password"]').fill(ENCRYPTION_PASSWORD);
  await loginForm.locator('button[type="submit"]').click();
  await expect(portal.locator('[data-testid="portal-user"]')).toContainText(luc.mail);
  await portal.locator('[data-testid="portal-file"]').setInputFiles({ name: 'message.esmsg', mimeType: CONTAINER_MEDIA_TYPE, buffer: file });
  await portal.locator('form:has([data-testid="portal-file"]) button[type="submit"]').click();
  const withdrawn = portal.locator('[data-testid="portal-withdrawn"]');
  await expect(withdrawn).toBeVisible({ timeout: 20_000 });
  await expect(withdrawn).toHaveAttribute('data-code', 'message.revoked');
  await expect(withdrawn).toContainText(WITHDRAWN);
  await expect(portal.locator('[data-testid="portal-banner-encrypted"]')).toHaveCount(0);
  await portal.context().close();

  // --- Jean-Claude still reads it ----------------------------------------------------------------
  const jcPage = await loginInNewContext(browser, jeanClaude.mail);
  const jcView = await openAsRecipient(jcPage, subject);
  await expect(jcView).toHaveAttribute('data-state', 'ready');
  await expect(jcView.locator('#content')).toContainText('intervention sans complication');

  // --- The sender sees the open, then withdraws for all (only Jean-Claude is left) -------------
  await page.reload();
  await expect(page.locator('body[data-zimlets="loaded"]')).toBeAttached();
  control = await openControl(page, subject);
  await expect(row(jeanClaude.mail)).toHaveAttribute('data-state', 'opened');
  await expect(row(jeanClaude.mail)).toContainText('dans la messagerie');
  await control.locator('#revoke-all').click();
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText(`Plus aucun destinataire (${jeanClaude.mail})`);
  await expect(dialog).toContainText(`Déjà ouvert par ${jeanClaude.mail}`);
  await dialog.locator('[data-action="confirm"]').click();
  await expect(control.locator('#control-status')).toHaveText('Le message a été retiré pour 1 destinataire(s).');
  await expect(row(jeanClaude.mail)).toHaveAttribute('data-state', 'revoked');
  await expect(control.locator('#revoke-all')).toBeDisabled();
  // The sender keeps reading their own copy.
  await expect(page.locator('esante-regify-secure-message[data-state="ready"] #content')).toContainText('intervention sans complication');

  // Jean-Claude, opening it again, is refused too.
  await jcPage.reload();
  await expect(jcPage.locator('body[data-zimlets="loaded"]')).toBeAttached();
  const again = await openAsRecipient(jcPage, subject);
  await expect(again).toHaveAttribute('data-state', 'error');
  await expect(again.locator('[data-banner="error"]')).toContainText(WITHDRAWN);
  await jcPage.context().close();
});

test('the sender moves the read deadline and sets an access end for one recipient; the table shows them and the recipient still reads', async ({ page, browser }) => {
  test.setTimeout(120_000);
  await ensureEncryptionAccount(marie.mail, 'Dr Marie Schmit');
  await ensureEncryptionAccount(jeanClaude.mail, 'Dr Jean-Claude Weber');
  await ensureEncryptionAccount(luc.mail, 'Luc Hoffmann');
  const subject = `Bilan sanguin ${Date.now()}`;
  bilan = subject;
  await login(page, marie.mail, 'card');
  await sendEncrypted(page, [jeanClaude.mail, luc.mail], subject, 'Bilan sanguin : ferritine basse.');
  const control = await openControl(page, subject);
  const row = (who: string) => control.locator(`tr[data-recipient="${who}"]`);
  await expect(row(jeanClaude.mail)).toContainText('Aucune');

  const opener = control.locator(`[data-action="dates"][data-recipient="${jeanClaude.mail}"]`);
  await opener.click();
  const dialog = control.locator('#dates-dialog[open]');
  await expect(dialog).toBeVisible();
  await expect(dialog.locator('h2')).toHaveText(`Modifier les dates pour ${jeanClaude.mail}`);
  await expect(dialog.locator('#read-deadline')).toBeFocused();
  // Far from today: the service's clock may be ahead of the browser's (see the header).
  const deadline = dayValue(new Date(Date.now() + 120 * DAY));
  const accessEnd = dayValue(new Date(Date.now() + 200 * DAY));
  await dialog.locator('#read-deadline').fill(deadline);
  await dialog.getByLabel('Sans fin d’accès').uncheck();
  await dialog.getByLabel('Fin d’accès (jusqu’au)').fill(accessEnd);
  await dialog.locator('[data-action="save"]').click();
  await expect(dialog).toHaveCount(0);
  await expect(control.locator('#control-status')).toHaveText(`Dates enregistrées pour ${jeanClaude.mail}.`);
  await expect(opener).toBeFocused();

  const fmt = (day: string) => new Intl.DateTimeFormat('fr-LU', { dateStyle: 'medium', timeZone: 'Europe/Luxembourg' }).format(new Date(`${day}T12:00:00Z`));
  await expect(row(jeanClaude.mail).locator('td').nth(2)).toContainText(fmt(deadline));
  await expect(row(jeanClaude.mail).locator('td').nth(3)).toContainText(fmt(accessEnd));
  await expect(row(jeanClaude.mail).locator('td').nth(3)).toContainText('23:59');
  // Luc's dates did not change.
  await expect(row(luc.mail).locator('td').nth(3)).toHaveText('Aucune');

  // An access end in the future: Jean-Claude still opens the message.
  const jcPage = await loginInNewContext(browser, jeanClaude.mail);
  const view = await openAsRecipient(jcPage, subject);
  await expect(view).toHaveAttribute('data-state', 'ready');
  await expect(view.locator('#content')).toContainText('ferritine basse');
  await jcPage.context().close();
});

test('the Regify window\'s "Messages envoyés" tab lists the message with how many opened it, and its "Suivi" gives the same control without finding the mail', async ({ page }) => {
  expect(bilan, 'the previous test sent its message').not.toBe('');
  await login(page, marie.mail, 'card');
  await openZimletPanel(page, 'lu_esante_regify');
  const panel = page.locator('esante-regify-panel');
  const tab = panel.getByRole('tab', { name: 'Messages envoyés' });
  await tab.click();
  await expect(tab).toHaveAttribute('aria-selected', 'true');
  const list = panel.locator('esante-regify-sent-messages');
  await expect(list).toHaveAttribute('data-load', 'ready');
  // Newest first: the message of the previous test is on the first page, opened by Jean-Claude of its two recipients.
  const row = list.locator('tbody tr', { hasText: bilan });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('1 sur 2');
  const follow = row.getByRole('button', { name: `Suivi et contrôle de l’envoi : ${bilan}` });
  await follow.focus();
  await page.keyboard.press('Enter');
  const control = list.locator('esante-regify-sender-control');
  await expect(control).toHaveAttribute('data-load', 'ready');
  await expect(follow).toHaveAttribute('aria-expanded', 'true');
  await expect(control.locator(`tr[data-recipient="${jeanClaude.mail}"]`)).toHaveAttribute('data-state', 'opened');
  await expect(control.locator(`tr[data-recipient="${luc.mail}"]`)).toHaveAttribute('data-state', 'delivered');
  await expect(control.locator('#export')).toBeVisible();
});
