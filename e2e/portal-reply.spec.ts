/**
 * Issue 12, acceptance 2 (last point): an outside recipient answers from the portal and the sender
 * reads it with its banner. Marie sends an encrypted message to an outside address; its recipient
 * signs up on the portal, opens the file, writes an answer with one attachment under "Répondre"; the
 * answer is sealed in the portal page for Marie alone (portal/src/main.ts,
 * server-extension/src/messages/portal-reply.ts) and reaches her webmail Inbox as a Regify message,
 * which her regify zimlet opens: the decrypted text, the attachment, the "Message chiffré" banner.
 * Then the refusals in the answer form: an answer too large, and an original Marie withdrew while the
 * recipient was writing (the withdrawn page, nothing mailed).
 */
import { simpleParser } from 'mailparser';
import { expect, test, type APIRequestContext, type Browser, type Page } from '@playwright/test';
import { CONTAINER_MEDIA_TYPE, readHeader } from '../shared/container/container.ts';
import { PORTAL_REPLY_MAX_BYTES } from '../shared/messages/portal-api.ts';
import { loginAs, soapAs } from '../sandbox/server/testing.ts';
import { E2E_PORT } from './playwright.config.ts';
import { expectNoSeriousViolations } from './support/axe.ts';
import { ENCRYPTION_PASSWORD, ensureEncryptionAccount, serviceAs } from './support/encryption.ts';
import { PORTAL_ORIGIN, portalUrl, registerOnPortal } from './support/portal.ts';
import { SANDBOX_PASSWORD, USERS, login, openInInbox } from './support/session.ts';

const BASE = `http://127.0.0.1:${E2E_PORT}`;
const marie = USERS.find((u) => u.mail === 'marie.schmit@esante.lu')!;
const OUTSIDE = `patiente.reponse.${Date.now()}@example.org`;
const WITHDRAWN = /Ce message a été retiré par son expéditeur le \d{1,2} \S+ \d{4}/;

test.describe.configure({ mode: 'serial' });

async function sendEncrypted(page: Page, to: string, subject: string, body: string): Promise<void> {
  await page.locator('#zb__TV__NEW_MESSAGE').click();
  await expect(page.locator('#zm-compose')).toBeVisible();
  await page.locator('#zm-compose-to').fill(to);
  await page.locator('#zm-compose-subject').fill(subject);
  await page.locator('#zm-compose-body').fill(body);
  await page.locator('#zb__COMPOSE__ESANTE_REGIFY_SEND').click();
  await expect(page.locator('#zm-compose')).toBeHidden({ timeout: 30_000 });
}

type Outbox = { messages: Array<{ subject: string; raw: string }> };
const outbox = async (request: APIRequestContext): Promise<Outbox> => (await (await request.get(`/sandbox/outbox?to=${encodeURIComponent(OUTSIDE)}`)).json()) as Outbox;

/** The container the outside address received (the cover mail's attachment), as its reader saves it. */
async function receivedContainer(request: APIRequestContext, subject: string): Promise<Buffer> {
  let file: Buffer | undefined;
  await expect
    .poll(async () => {
      const cover = (await outbox(request)).messages.find((m) => m.subject === subject);
      file = cover ? (await simpleParser(cover.raw)).attachments.find((a) => a.contentType === CONTAINER_MEDIA_TYPE)?.content : undefined;
      return Boolean(file);
    }, { timeout: 20_000, message: 'the cover mail with its container reached the outside address' })
    .toBe(true);
  return file!;
}

/** Opens the file in the portal (logged in), waits for the message. */
async function openInPortal(portal: Page, file: Buffer, text: string): Promise<void> {
  await portal.locator('[data-testid="portal-file"]').setInputFiles({ name: 'message.esmsg', mimeType: CONTAINER_MEDIA_TYPE, buffer: file });
  await portal.locator('form:has([data-testid="portal-file"]) button[type="submit"]').click();
  await expect(portal.locator('[data-testid="portal-banner-encrypted"]')).toBeVisible({ timeout: 20_000 });
  await expect(portal.locator('[data-testid="portal-message"]')).toContainText(text);
}

async function portalPage(browser: Browser): Promise<Page> {
  const portal = await (await browser.newContext({ locale: 'fr-LU' })).newPage();
  await portal.goto(portalUrl());
  expect(new URL(portal.url()).origin).toBe(PORTAL_ORIGIN);
  return portal;
}

/** Subjects in Marie's Inbox, over Zimbra SOAP. */
async function inbox(): Promise<Array<{ id: string; su?: string }>> {
  const session = await loginAs(BASE, marie.mail, SANDBOX_PASSWORD, 'card');
  return (await soapAs<{ m?: Array<{ id: string; su?: string }> }>(BASE, session, 'SearchRequest', { query: 'in:inbox', types: 'message', limit: 200 })).m ?? [];
}

test('an outside recipient answers from the portal with text and an attachment; the sender reads it in her webmail with the Regify banner', async ({ page, browser, request }) => {
  test.setTimeout(180_000);
  await ensureEncryptionAccount(marie.mail, 'Dr Marie Schmit');
  const subject = `Ordonnance à renouveler ${Date.now()}`;
  await login(page, marie.mail, 'card');
  await sendEncrypted(page, OUTSIDE, subject, 'Bonjour,\nmerci de m’envoyer votre dernière ordonnance.\nDr Schmit');
  const file = await receivedContainer(request, subject);

  // --- The outside recipient signs up on the portal (address proved by a mailed code) -----------
  const portal = await portalPage(browser);
  await registerOnPortal(portal, request, OUTSIDE, 'Claire Patiente');
  await openInPortal(portal, file, 'votre dernière ordonnance');

  // --- "Répondre": the form names the sender; the answer carries text and one attachment ---------
  const replyButton = portal.locator('[data-testid="portal-reply"]');
  await expect(replyButton).toHaveText('Répondre');
  await expect(replyButton).toHaveAttribute('aria-expanded', 'false');
  await replyButton.click();
  const form = portal.locator('[data-testid="portal-reply-form"]');
  await expect(form).toBeVisible();
  // The sender as the key service knows her (her name from Zimbra or her account, and her address).
  await expect(form).toContainText(new RegExp(`chiffrées dans votre navigateur pour [^<]*Schmit <${marie.mail.replace(/\./g, '\\.')}> seulement`));
  await expect(portal.getByLabel('Votre réponse')).toBeFocused();
  // Nothing written, nothing attached: refused on the spot.
  await form.locator('[data-testid="portal-reply-send"]').click();
  await expect(form.locator('[data-testid="portal-reply-error"]')).toHaveText('Écrivez un message ou joignez un fichier avant d’envoyer.');
  // The form as shown to a screen-reader user (WCAG 2.1 AA, as the rest of the portal: keyboard-portal.spec.ts).
  await expectNoSeriousViolations(portal, 'portal reply form', '[data-testid="portal-message"]');
  await portal.getByLabel('Votre réponse').fill('Bonjour Docteur,\nvoici mon ordonnance en pièce jointe.\nClaire Patiente');
  const pdf = Buffer.from('%PDF-1.4\n% ordonnance de Claire Patiente\n%%EOF\n');
  await form.locator('[data-testid="portal-reply-files"]').setInputFiles({ name: 'ordonnance-été.pdf', mimeType: 'application/pdf', buffer: pdf });
  await form.locator('[data-testid="portal-reply-send"]').click();
  const sent = portal.locator('[data-testid="portal-reply-sent"]');
  await expect(sent).toBeVisible({ timeout: 20_000 });
  await expect(sent).toHaveText(new RegExp(`^Votre réponse chiffrée a été envoyée à [^<]*Schmit <${marie.mail.replace(/\./g, '\\.')}>\\.$`));
  await expect(sent).toBeFocused();
  await portal.context().close();

  // --- On the wire: the answer is sealed; Marie's mailbox holds no plaintext of it ---------------
  const replySubject = `Re: ${subject}`;
  await expect.poll(async () => (await inbox()).some((m) => m.su === replySubject), { timeout: 20_000, message: 'the answer reached Marie’s Inbox' }).toBe(true);
  const session = await loginAs(BASE, marie.mail, SANDBOX_PASSWORD, 'card');
  const id = (await inbox()).find((m) => m.su === replySubject)!.id;
  const raw = await (await fetch(`${BASE}/service/content/get?id=${encodeURIComponent(id)}`, { headers: { Cookie: session.cookie } })).text();
  expect(raw).not.toContain('voici mon ordonnance');
  const parsed = await simpleParser(raw);
  expect(parsed.attachments.map((a) => [a.filename, a.contentType])).toEqual([['message.esmsg', CONTAINER_MEDIA_TYPE]]);
  expect(parsed.text).toContain('Claire Patiente');

  // --- Marie opens it in her webmail: the regify zimlet decrypts it, with the encrypted banner ----
  await page.reload();
  await expect(page.locator('body[data-zimlets="loaded"]')).toBeAttached();
  await openInInbox(page, replySubject);
  const view = page.locator('esante-regify-secure-message[data-state="ready"]');
  await expect(view).toBeVisible({ timeout: 20_000 });
  await expect(view.locator('[data-banner="encrypted"]')).toContainText('Message chiffré avec Regify');
  // A portal account is of identity level 0: no level banner (guide p.12 shows it from level 3).
  await expect(view.locator('[data-banner="level"]')).toHaveCount(0);
  await expect(view.locator('#content')).toContainText('voici mon ordonnance en pièce jointe');
  await expect(view.locator('#attachments a', { hasText: 'ordonnance-été.pdf' })).toBeVisible();
  await expect(page.locator('#zm-msg-body')).toBeHidden();
});

test('in the answer form: an answer too large is refused at once; an original withdrawn while writing gives the withdrawn page and nothing is mailed', async ({ page, browser, request }) => {
  test.setTimeout(120_000);
  const subject = `Compte rendu retiré ${Date.now()}`;
  await login(page, marie.mail, 'card');
  await sendEncrypted(page, OUTSIDE, subject, 'Compte rendu : à ne pas conserver.');
  const file = await receivedContainer(request, subject);

  const portal = await portalPage(browser);
  const loginForm = portal.locator('[data-testid="portal-login"]');
  await loginForm.locator('input[name="email"]').fill(OUTSIDE);
  await loginForm.locator('input[name="password"]').fill(ENCRYPTION_PASSWORD);
  await loginForm.locator('button[type="submit"]').click();
  await expect(portal.locator('[data-testid="portal-user"]')).toContainText(OUTSIDE);
  await openInPortal(portal, file, 'à ne pas conserver');
  await portal.locator('[data-testid="portal-reply"]').click();
  const form = portal.locator('[data-testid="portal-reply-form"]');
  await portal.getByLabel('Votre réponse').fill('Bien reçu, merci.');

  // Too large: refused before anything is registered or sealed, in the reader's language.
  await form.locator('[data-testid="portal-reply-files"]').setInputFiles({ name: 'scan.tif', mimeType: 'image/tiff', buffer: Buffer.alloc(PORTAL_REPLY_MAX_BYTES + 1) });
  await form.locator('[data-testid="portal-reply-send"]').click();
  await expect(form.locator('[data-testid="portal-reply-error"]')).toHaveText(/^Votre réponse est trop volumineuse \(7 Mo au maximum, pièces jointes comprises\)/);
  await form.locator('[data-testid="portal-reply-files"]').setInputFiles([]);

  // Marie withdraws the message meanwhile (from her Sent copy in the webmail; here over the same SOAP call).
  const marieService = serviceAs(await loginAs(BASE, marie.mail, SANDBOX_PASSWORD, 'card'));
  await marieService.call('RevokeSecureMessage', { messageId: readHeader(new Uint8Array(file)).messageId, recipient: OUTSIDE });
  await form.locator('[data-testid="portal-reply-send"]').click();
  const withdrawn = portal.locator('[data-testid="portal-withdrawn"]');
  await expect(withdrawn).toBeVisible({ timeout: 20_000 });
  await expect(withdrawn).toHaveAttribute('data-code', 'message.revoked');
  await expect(withdrawn).toContainText(WITHDRAWN);
  await expect(withdrawn).toContainText(`contactez son expéditeur : ${marie.mail}`);
  // The message and its form are gone.
  await expect(form).toHaveCount(0);
  await expect(portal.locator('[data-testid="portal-banner-encrypted"]')).toHaveCount(0);
  await portal.context().close();
  // Refused before any mail: nothing for Marie.
  expect((await inbox()).filter((m) => m.su === `Re: ${subject}`)).toEqual([]);
});
