/**
 * Issue 5, acceptance 1 — encrypted messages end to end, in Chromium against the whole suite:
 * a sender encrypts to two sandbox users and one outside address with "Envoyer avec Regify"; both
 * users open it and see the content under both banners of guide p.12; the sender receives the
 * transmission notification and one read notification per user; after the read deadline (the test
 * moves the service's clock, ESANTE_TEST_CLOCK=1) one deadline notification for the outside recipient;
 * the outside recipient registers in the portal and opens the file; the sender sees who opened and when.
 * Also: the compose refusals Regify users know (Bcc, no subject, no To/Cc).
 */
import { simpleParser } from 'mailparser';
import { expect, test, type Page } from '@playwright/test';
import { CONTAINER_MEDIA_TYPE } from '../shared/container/container.ts';
import { SERVICE_BASE_PATH } from '../shared/paths.ts';
import { loginAs, soapAs } from '../sandbox/server/testing.ts';
import { E2E_PORT } from './playwright.config.ts';
import { ensureEncryptionAccount as ensureAccount } from './support/encryption.ts';
import { PORTAL_ORIGIN, portalUrl, registerOnPortal } from './support/portal.ts';
import { plaintextLeft } from './support/mailbox-search.ts';
import { SANDBOX_PASSWORD, USERS, login, loginInNewContext } from './support/session.ts';

const BASE = `http://127.0.0.1:${E2E_PORT}`;
const marie = USERS.find((u) => u.mail === 'marie.schmit@esante.lu')!;
const jeanClaude = USERS.find((u) => u.mail === 'jean-claude.weber@esante.lu')!;
const luc = USERS.find((u) => u.mail === 'luc.hoffmann@esante.lu')!;
const OUTSIDE = 'dr.extern@praxis-beispiel.de';
const SUBJECT = `Résultats d'analyses ${Date.now()}`;
const BODY = 'Bonjour,\nles résultats de Mme K. sont normaux.\nCordialement';
const DAY = 24 * 3600 * 1000;

/** Every notification on (guide p.6), so the sender gets each one. */
const ALL_NOTIFICATIONS = { readDeadlineDays: 10, notifyTransmission: true, notifyRead: true, notifyDeadline: true };
const ensureEncryptionAccount = (mail: string, fullName: string) => ensureAccount(mail, fullName, ALL_NOTIFICATIONS);

/** Subjects of the messages in a sandbox user's Inbox (Zimbra SearchRequest). */
async function inboxSubjects(mail: string): Promise<string[]> {
  const login = await loginAs(BASE, mail, SANDBOX_PASSWORD, 'card');
  const res = await soapAs<{ m?: Array<{ su?: string }> }>(BASE, login, 'SearchRequest', { query: 'in:inbox', types: 'message', limit: 200 });
  return (res.m ?? []).map((m) => m.su ?? '');
}

async function openCompose(page: Page): Promise<void> {
  await page.locator('#zb__TV__NEW_MESSAGE').click();
  await expect(page.locator('#zm-compose')).toBeVisible();
  await expect(page.locator('#zb__COMPOSE__ESANTE_REGIFY_SEND')).toBeVisible();
}

async function expectRefusal(page: Page, text: RegExp): Promise<void> {
  await page.locator('#zb__COMPOSE__ESANTE_REGIFY_SEND').click();
  await expect(page.locator('#zm-error-message')).toContainText(text);
  await page.locator('#zm-error-dialog_button2').click();
  await expect(page.locator('#zm-compose')).toBeVisible();
}

async function openMessage(page: Page, subject: string, folder = '#zm-folder-inbox'): Promise<void> {
  await page.locator(folder).click();
  const row = page.locator('#zm-msg-list [data-msg-id]', { hasText: subject }).first();
  await expect(row).toBeVisible();
  await row.click();
}

test.describe.configure({ mode: 'serial' });

test('encrypted message: compose refusals, send to two users and one outside address, read with banners, notifications, deadline, status', async ({ page, browser, request }) => {
  test.setTimeout(180_000);
  await ensureEncryptionAccount(marie.mail, 'Dr Marie Schmit');
  await ensureEncryptionAccount(jeanClaude.mail, 'Dr Jean-Claude Weber');
  await ensureEncryptionAccount(luc.mail, 'Luc Hoffmann');

  // --- Sender composes -------------------------------------------------------------------------
  await login(page, marie.mail, 'card');
  await openCompose(page);
  const button = page.locator('#zb__COMPOSE__ESANTE_REGIFY_SEND');
  await expect(button).toContainText('Envoyer avec Regify');
  await expect(button.locator('.Imglu_esante_regify-padlock')).toBeAttached();

  // Refusals Regify users know: nothing is sent, the compose view stays open.
  await page.locator('#zm-compose-subject').fill(SUBJECT);
  await expectRefusal(page, /au moins un destinataire/);
  await page.locator('#zm-compose-to').fill(`${jeanClaude.mail}; ${OUTSIDE}`);
  await page.locator('#zm-compose-bcc').fill(luc.mail);
  await expectRefusal(page, /copie cachée/);
  await page.locator('#zm-compose-bcc').fill('');
  await page.locator('#zm-compose-subject').fill('  ');
  await expectRefusal(page, /objet/);

  await page.locator('#zm-compose-subject').fill(SUBJECT);
  await page.locator('#zm-compose-cc').fill(luc.mail);
  await page.locator('#zm-compose-body').fill(BODY);
  await button.click();
  await expect(page.locator('#zm-compose')).toBeHidden({ timeout: 30_000 });
  await expect(page.locator('#zm-status')).toContainText('Message chiffré envoyé');

  // The Sent folder keeps the cover mail with the container; the sender can reopen it.
  await openMessage(page, SUBJECT, '#zm-folder-sent');
  await expect(page.locator('#zm-msg-attachments')).toContainText('message.esmsg');
  const senderView = page.locator('esante-regify-secure-message[data-state="ready"]');
  await expect(senderView).toBeVisible({ timeout: 20_000 });
  await expect(senderView.locator('#content')).toContainText('les résultats de Mme K. sont normaux');

  // The mail on the wire carries no plaintext: check the outside recipient's copy.
  const outbox = await (await request.get(`/sandbox/outbox?to=${encodeURIComponent(OUTSIDE)}`)).json() as { messages: Array<{ subject: string; raw: string }> };
  const cover = outbox.messages.find((m) => m.subject === SUBJECT);
  expect(cover, 'cover mail delivered to the outside address').toBeTruthy();
  expect(cover!.raw).not.toContain('sont normaux');
  const parsed = await simpleParser(cover!.raw);
  expect(parsed.text).toContain('Message confidentiel');
  // The link names the portal's own origin (security review #17), not the webmail's.
  expect(parsed.text).toContain(portalUrl());
  expect(parsed.text).not.toContain(`${BASE}${SERVICE_BASE_PATH}/portal`);
  const container = parsed.attachments.find((a) => a.filename === 'message.esmsg');
  expect(container?.contentType).toBe(CONTAINER_MEDIA_TYPE);

  // --- Both users open it -----------------------------------------------------------------------
  for (const reader of [jeanClaude, luc]) {
    const readerPage = await loginInNewContext(browser, reader.mail);
    await openMessage(readerPage, SUBJECT);
    const view = readerPage.locator('esante-regify-secure-message[data-state="ready"]');
    await expect(view).toBeVisible({ timeout: 20_000 });
    await expect(view.locator('[data-banner="encrypted"]')).toContainText(/Message chiffré avec Regify|Mit Regify verschlüsselte Nachricht|Message encrypted with Regify/);
    await expect(view.locator('[data-banner="level"]')).toContainText('SCHMIT');
    await expect(view.locator('[data-banner="level"]')).toContainText(/3/);
    await expect(view.locator('#content')).toContainText('les résultats de Mme K. sont normaux');
    // The cover text is replaced by the message itself.
    await expect(readerPage.locator('#zm-msg-body')).toBeHidden();
    await readerPage.context().close();
  }

  // --- Notifications to the sender --------------------------------------------------------------
  // The scheduler also runs by itself every ESANTE_SCHEDULER_INTERVAL_MS; the test does not wait for it.
  const runScheduler = async () => expect((await request.post(`${SERVICE_BASE_PATH}/test/scheduler/run`, { data: {} })).ok()).toBe(true);
  await runScheduler();
  const notifications = async (prefix: string) => (await inboxSubjects(marie.mail)).filter((s) => s.includes(SUBJECT) && s.startsWith(prefix));
  await expect.poll(() => notifications('Message chiffré envoyé'), { timeout: 20_000, message: 'one transmission notification' }).toHaveLength(1);
  await expect.poll(() => notifications('Message chiffré lu par'), { timeout: 20_000, message: 'one read notification per user' }).toHaveLength(2);

  // --- Read deadline passes: one deadline notification, for the outside recipient only -----------
  // Just past the 10-day deadline set above: the service clock only moves forward, and later specs share it.
  expect((await request.post(`${SERVICE_BASE_PATH}/test/clock`, { data: { advanceMs: 11 * DAY } })).ok()).toBe(true);
  await runScheduler();
  await expect
    .poll(async () => (await inboxSubjects(marie.mail)).filter((s) => s.includes(SUBJECT) && s.startsWith('Délai de lecture dépassé')), { timeout: 20_000 })
    .toEqual([expect.stringContaining(OUTSIDE)]);
  // Running the scheduler again sends nothing twice.
  await runScheduler();
  expect((await inboxSubjects(marie.mail)).filter((s) => s.includes(SUBJECT) && s.startsWith('Délai de lecture dépassé')).length).toBe(1);
  // The message stays readable after the deadline (guide p.6).

  // --- The outside recipient registers in the portal and opens the file ------------------------
  const portal = await (await browser.newContext()).newPage();
  await portal.goto(portalUrl());
  expect(new URL(portal.url()).origin).toBe(PORTAL_ORIGIN);
  await registerOnPortal(portal, request, OUTSIDE, 'Dr Hans Extern');
  await portal.locator('[data-testid="portal-file"]').setInputFiles({ name: 'message.esmsg', mimeType: CONTAINER_MEDIA_TYPE, buffer: container!.content });
  await portal.locator('form:has([data-testid="portal-file"]) button[type="submit"]').click();
  await expect(portal.locator('[data-testid="portal-banner-encrypted"]')).toBeVisible({ timeout: 20_000 });
  await expect(portal.locator('[data-testid="portal-message"]')).toContainText('les résultats de Mme K. sont normaux');
  await portal.context().close();

  // --- The sender sees who opened and when -----------------------------------------------------
  await page.reload();
  await expect(page.locator('body[data-zimlets="loaded"]')).toBeAttached();
  await openMessage(page, SUBJECT, '#zm-folder-sent');
  const reopened = page.locator('esante-regify-secure-message[data-state="ready"]');
  await expect(reopened).toBeVisible({ timeout: 20_000 });
  await reopened.locator('#status-button').click();
  for (const who of [jeanClaude.mail, luc.mail]) {
    await expect(reopened.locator(`tr[data-recipient="${who}"]`)).toHaveAttribute('data-opened', 'true');
    await expect(reopened.locator(`tr[data-recipient="${who}"]`)).toContainText('Ouvert le');
  }
  await expect(reopened.locator(`tr[data-recipient="${OUTSIDE}"]`)).toHaveAttribute('data-opened', 'true');
});

test('a user who is not a recipient sees a refusal banner instead of the content', async ({ browser, request }) => {
  // Forward the container as an attachment is not possible in the sandbox UI; instead the outside
  // copy's container is mailed by Marie to Sophie, who is not on the message.
  const sophie = USERS.find((u) => u.mail === 'sophie.muller@esante.lu')!;
  await ensureEncryptionAccount(sophie.mail, 'Sophie Muller');
  const outbox = await (await request.get(`/sandbox/outbox?to=${encodeURIComponent(OUTSIDE)}`)).json() as { messages: Array<{ subject: string; raw: string }> };
  const cover = outbox.messages.find((m) => m.subject === SUBJECT);
  // Serial mode: this runs only after the previous test passed, so its message must be there; a missing
  // one is a failure, never a skip.
  expect(cover, 'the cover mail the previous test sent to the outside address').toBeTruthy();
  const container = (await simpleParser(cover!.raw)).attachments.find((a) => a.filename === 'message.esmsg')!;
  const login = await loginAs(BASE, marie.mail, SANDBOX_PASSWORD, 'card');
  const up = await fetch(`${BASE}/service/upload?fmt=raw,extended`, {
    method: 'POST',
    headers: { Cookie: login.cookie, 'X-Zimbra-Csrf-Token': login.csrfToken, 'Content-Type': CONTAINER_MEDIA_TYPE, 'Content-Disposition': 'attachment; filename="message.esmsg"' },
    body: new Uint8Array(container.content),
  });
  const aid = /"aid":"([^"]+)"/.exec(await up.text())![1]!;
  const forwarded = `Fwd: ${SUBJECT}`;
  await soapAs(BASE, login, 'SendMsgRequest', { m: { e: [{ t: 't', a: sophie.mail }], su: { _content: forwarded }, mp: [{ ct: 'text/plain', content: { _content: 'voir pièce jointe' } }], attach: { aid } } });

  const page = await loginInNewContext(browser, sophie.mail);
  await openMessage(page, forwarded);
  const view = page.locator('esante-regify-secure-message[data-state="error"]');
  await expect(view).toBeVisible({ timeout: 20_000 });
  await expect(view.locator('[data-banner="error"]')).toBeVisible();
  await expect(view.locator('#content')).toHaveCount(0);
  // The cover text stays: the user still sees what they received.
  await expect(page.locator('#zm-msg-body')).toBeVisible();
});

test('signed then encrypted: "Signer" + "Envoyer avec Regify" in a card session; the reader sees the signature banner above the decrypted message', async ({ page, browser }) => {
  test.setTimeout(120_000);
  await ensureEncryptionAccount(marie.mail, 'Dr Marie Schmit');
  await ensureEncryptionAccount(jeanClaude.mail, 'Dr Jean-Claude Weber');
  const subject = `Compte rendu signé ${Date.now()}`;
  await login(page, marie.mail, 'card');
  await openCompose(page);
  await page.locator('#zm-compose-to').fill(jeanClaude.mail);
  await page.locator('#zm-compose-subject').fill(subject);
  await page.locator('#zm-compose-body').fill('Compte rendu de consultation, signé puis chiffré.');
  // The security zimlet's "Signer" menu (e2e/signing.spec.ts) sets the compose flag both zimlets read.
  await page.locator('#zb__COMPOSE__LU_ESANTE_SIGN').click();
  const item = page.locator('esante-sign-menu [role=menuitemcheckbox]');
  await expect(item).toBeFocused();
  await item.press('Enter');
  await page.locator('#zb__COMPOSE__ESANTE_REGIFY_SEND').click();
  await expect(page.locator('#zm-compose')).toBeHidden({ timeout: 30_000 });

  const reader = await loginInNewContext(browser, jeanClaude.mail);
  await openMessage(reader, subject);
  const view = reader.locator('esante-regify-secure-message[data-state="ready"]');
  await expect(view).toBeVisible({ timeout: 20_000 });
  await expect(view.locator('[data-banner="encrypted"]')).toBeVisible();
  await expect(view.locator('esante-signature-banner [data-state=valid]')).toBeVisible({ timeout: 15_000 });
  await expect(view.locator('esante-signature-banner [data-field=banner-text]')).toContainText('Message signé par Marie Schmit');
  // The banners sit right above the body, under the header: the place a plain signed message has its banner (issue 13).
  expect(await reader.locator('#zm-msg-body').evaluate((b) => b.previousElementSibling?.tagName.toLowerCase())).toBe('esante-regify-secure-message');
  await expect(view.locator('#content')).toContainText('signé puis chiffré');
  // The signature part is not offered as an attachment.
  await expect(view.locator('#attachments')).toHaveCount(0);
  await reader.context().close();
});

test('a large attachment: progress window while encrypting and uploading; the reader downloads the very same bytes', async ({ page, browser }) => {
  test.setTimeout(120_000);
  await ensureEncryptionAccount(marie.mail, 'Dr Marie Schmit');
  await ensureEncryptionAccount(jeanClaude.mail, 'Dr Jean-Claude Weber');
  const subject = `Imagerie ${Date.now()}`;
  const scan = Buffer.alloc(2 * 1024 * 1024);
  for (let i = 0; i < scan.length; i++) scan[i] = (i * 7919) % 251;
  // Records whether the progress window was shown (it may close before a poll would see it).
  await page.addInitScript(`new MutationObserver(() => { if (document.querySelector('esante-regify-send-progress')) window.__progressSeen = true; })
    .observe(document, { childList: true, subtree: true });`);
  await login(page, marie.mail, 'card');
  await openCompose(page);
  await page.locator('#zm-compose-to').fill(jeanClaude.mail);
  await page.locator('#zm-compose-subject').fill(subject);
  await page.locator('#zm-compose-body').fill('Ci-joint le scanner.');
  await page.locator('#zm-compose-attach').setInputFiles({ name: 'scanner-thorax.bin', mimeType: 'application/octet-stream', buffer: scan });
  await expect(page.locator('#zm-compose-attachments li')).toHaveCount(1);
  await page.locator('#zb__COMPOSE__ESANTE_REGIFY_SEND').click();
  await expect(page.locator('#zm-compose')).toBeHidden({ timeout: 60_000 });
  expect(await page.evaluate('window.__progressSeen === true')).toBe(true);
  await expect(page.locator('esante-regify-send-progress')).toHaveCount(0);

  const reader = await loginInNewContext(browser, jeanClaude.mail);
  await openMessage(reader, subject);
  const view = reader.locator('esante-regify-secure-message[data-state="ready"]');
  await expect(view).toBeVisible({ timeout: 30_000 });
  const link = view.locator('#attachments a', { hasText: 'scanner-thorax.bin' });
  await expect(link).toBeVisible();
  const [download] = await Promise.all([reader.waitForEvent('download'), link.click()]);
  expect(download.suggestedFilename()).toBe('scanner-thorax.bin');
  const { readFile } = await import('node:fs/promises');
  const bytes = await readFile((await download.path())!);
  expect(bytes.equals(scan)).toBe(true);
  await reader.context().close();
});

// --- Issue 10, defect 1 / acceptance 3: faults at each step leave no plaintext anywhere ----------

const FAULT_STEPS = ['draft', 'mime', 'register', 'upload', 'send', 'confirm'] as const;
type FaultStep = (typeof FAULT_STEPS)[number];

/** The failed step as the zimlet names it (fr properties compose_step_*). */
const STEP_LABEL: Record<Exclude<FaultStep, 'confirm'>, string> = {
  draft: 'enregistrement du brouillon',
  mime: 'lecture du message enregistré',
  register: 'enregistrement auprès du service de clés',
  upload: 'envoi du fichier chiffré',
  send: 'envoi par la messagerie',
};

/** Breaks one step of "Envoyer avec Regify" in the browser (page.route on the Zimbra / service URL it uses). */
async function injectFault(page: Page, step: FaultStep | 'send-no-answer'): Promise<() => Promise<void>> {
  const zimbraSoap = (name: string) => (url: URL) => url.pathname === `/service/soap/${name}`;
  const serviceOp = (name: string) => async (route: import('@playwright/test').Route) => {
    if ((route.request().postData() ?? '').includes(`${name}Request`)) await route.abort('connectionreset');
    else await route.continue();
  };
  let matcher: (url: URL) => boolean;
  let handler: (route: import('@playwright/test').Route) => Promise<void>;
  switch (step) {
    case 'draft':
      matcher = zimbraSoap('SaveDraftRequest');
      handler = (route) => route.abort('connectionreset');
      break;
    case 'mime':
      matcher = (url) => url.pathname === '/service/content/get';
      handler = (route) => route.fulfill({ status: 503, body: 'service unavailable' });
      break;
    case 'register':
      matcher = (url) => url.pathname === `${SERVICE_BASE_PATH}/soap`;
      handler = serviceOp('RegisterSecureMessage');
      break;
    case 'upload':
      // FileUploadServlet's own refusal: HTTP 200 with the status inside (file-upload.txt).
      matcher = (url) => url.pathname === '/service/upload';
      handler = (route) => route.fulfill({ status: 200, contentType: 'text/plain', body: "413,'null'" });
      break;
    case 'send':
      // Zimbra refuses the message (a SOAP Fault with a mail.* code, SendMsg's address check).
      matcher = zimbraSoap('SendMsgRequest');
      handler = (route) =>
        route.fulfill({
          status: 500,
          contentType: 'application/json',
          body: JSON.stringify({ Body: { Fault: { Code: { Value: 'soap:Sender' }, Reason: { Text: 'invalid address: dr.weber@chl' }, Detail: { Error: { Code: 'mail.SEND_ABORTED_ADDRESS_FAILURE', _jsns: 'urn:zimbra' } } } } }),
        });
      break;
    case 'send-no-answer':
      // No answer to SendMsg: the zimlet cannot know whether the mail left, and must say so.
      matcher = zimbraSoap('SendMsgRequest');
      handler = (route) => route.abort('connectionreset');
      break;
    case 'confirm':
      matcher = (url) => url.pathname === `${SERVICE_BASE_PATH}/soap`;
      handler = serviceOp('ConfirmSecureMessageSent');
      break;
  }
  await page.route(matcher, handler);
  return () => page.unroute(matcher, handler);
}

test('20 encrypted sends with a fault at each step (draft, MIME, register, upload, send, confirm): no plaintext left in any folder of the sender', async ({ page }) => {
  test.setTimeout(420_000);
  await ensureEncryptionAccount(marie.mail, 'Dr Marie Schmit');
  await ensureEncryptionAccount(jeanClaude.mail, 'Dr Jean-Claude Weber');
  const run = Date.now().toString(36);
  const tokens: string[] = [];
  await login(page, marie.mail, 'card');
  const send = page.locator('#zb__COMPOSE__ESANTE_REGIFY_SEND');
  const autosaved = () => page.waitForResponse((r) => r.url().endsWith('/service/soap/SaveDraftRequest') && r.ok(), { timeout: 20_000 });

  for (let i = 0; i < 20; i++) {
    const step = FAULT_STEPS[i % FAULT_STEPS.length]!;
    const token = `hba${run}n${i}`;
    tokens.push(token);
    await openCompose(page);
    await page.locator('#zm-compose-to').fill(jeanClaude.mail);
    await page.locator('#zm-compose-subject').fill(`Résultats ${run} n°${i}`);
    const draftSaved = i % 4 === 0 ? autosaved() : undefined;
    await page.locator('#zm-compose-body').fill(`Patient J. Schmit, HbA1c 9,1 % — ${token}`);
    if (draftSaved) {
      // Zimbra's autosave (5 s in e2e) put the plaintext in Drafts: the search must see it (it can see a leak).
      await draftSaved;
      expect(await plaintextLeft(marie.mail, [token])).toEqual([`/Drafts: ${token}`]);
    }

    // Every other "send" fault is a lost answer instead of a refusal.
    const noAnswer = step === 'send' && Math.floor(i / FAULT_STEPS.length) % 2 === 1;
    const heal = await injectFault(page, noAnswer ? 'send-no-answer' : step);
    await send.click();
    if (noAnswer) {
      const error = page.locator('#zm-error-message');
      await expect(error).toContainText('le message chiffré est peut-être parti. Vérifiez votre dossier « Envoyés »', { timeout: 20_000 });
      await expect(error).toContainText('Aucune copie lisible du message n’est restée sur le serveur');
      await page.locator('#zm-error-dialog_button2').click();
      expect(await plaintextLeft(marie.mail, [token]), 'after a lost SendMsg answer').toEqual([]);
      await heal();
      await send.click();
      await expect(page.locator('#zm-compose')).toBeHidden({ timeout: 30_000 });
    } else if (step === 'confirm') {
      // The cover mail left; only the key service's confirmation failed, and the user is told so.
      await expect(page.locator('#zm-compose')).toBeHidden({ timeout: 30_000 });
      await expect(page.locator('#zm-error-message')).toContainText('le service de clés n’a pas pu en enregistrer la confirmation', { timeout: 20_000 });
      await page.locator('#zm-error-dialog_button2').click();
      await heal();
    } else {
      const error = page.locator('#zm-error-message');
      await expect(error).toContainText(`échec de l’étape « ${STEP_LABEL[step]} »`, { timeout: 20_000 });
      await expect(error).toContainText('aucune copie lisible du message n’est restée sur le serveur');
      await page.locator('#zm-error-dialog_button2').click();
      // The compose stays open with the text; the server holds no readable copy.
      await expect(page.locator('#zm-compose-body')).toHaveValue(new RegExp(token));
      expect(await plaintextLeft(marie.mail, [token]), `after a fault at ${step}`).toEqual([]);
      // The user tries again once the fault is gone: sent, and still nothing readable left.
      await heal();
      await send.click();
      await expect(page.locator('#zm-compose')).toBeHidden({ timeout: 30_000 });
      await expect(page.locator('#zm-status')).toContainText('Message chiffré envoyé');
    }
    expect(await plaintextLeft(marie.mail, [token]), `after send ${i} (fault at ${step})`).toEqual([]);
  }
  // And at the end, across every folder, none of the 20 plaintexts.
  expect(await plaintextLeft(marie.mail, tokens)).toEqual([]);
});

test('a detached compose (Zimbra saved it as a draft first): a failed encrypted send deletes that draft too; the retry sends, closes the window, nothing readable left', async ({ page }) => {
  test.setTimeout(120_000);
  await ensureEncryptionAccount(marie.mail, 'Dr Marie Schmit');
  await ensureEncryptionAccount(jeanClaude.mail, 'Dr Jean-Claude Weber');
  const token = `det${Date.now().toString(36)}`;
  // The subject stays in clear on the cover mail (Regify's design): the secret is the body only.
  const subject = `Suivi ${Date.now()}`;
  await login(page, marie.mail, 'card');
  await openCompose(page);
  await page.locator('#zm-compose-to').fill(jeanClaude.mail);
  await page.locator('#zm-compose-subject').fill(subject);
  await page.locator('#zm-compose-body').fill(`Patient J. Schmit, créatinine 180 µmol/l — ${token}`);
  const popup = page.waitForEvent('popup');
  await page.locator('#zb__COMPOSE__DETACH_COMPOSE').click();
  const child = await popup;
  await expect(child.locator('body[data-zimlets="loaded"]')).toBeAttached();
  await expect(child.locator('#zm-compose-body')).toHaveValue(new RegExp(token));
  // Detaching saved the plaintext as a draft (ZmComposeController.js:300-302): the search sees it.
  await expect.poll(() => plaintextLeft(marie.mail, [token]), { timeout: 10_000 }).toEqual([`/Drafts: ${token}`]);

  const heal = await injectFault(child, 'upload');
  await child.locator('#zb__COMPOSE__ESANTE_REGIFY_SEND').click();
  await expect(child.locator('#zm-error-message')).toContainText('aucune copie lisible du message n’est restée sur le serveur', { timeout: 20_000 });
  await child.locator('#zm-error-dialog_button2').click();
  expect(await plaintextLeft(marie.mail, [token]), 'the detached draft is gone after the failure').toEqual([]);

  await heal();
  const closed = child.waitForEvent('close');
  await child.locator('#zb__COMPOSE__ESANTE_REGIFY_SEND').click();
  await closed;
  expect(await plaintextLeft(marie.mail, [token])).toEqual([]);
  await expect.poll(async () => (await inboxSubjects(jeanClaude.mail)).includes(subject), { timeout: 20_000 }).toBe(true);
});
