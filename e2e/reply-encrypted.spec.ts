/**
 * Issue 12, acceptance 2 (reply part): reply and forward of a message decrypted in the webmail quote its
 * DECRYPTED text (Zimbra alone would quote the cover mail), "Envoyer avec Regify" sends them encrypted,
 * and with the sandbox autosaving drafts every 5 s (playwright.config.ts), the quoted text never reaches
 * the server in clear: no request of the page carries it, and no folder of the replier's mailbox holds it.
 * The control at the start shows that, in the same session, a plain reply IS autosaved within 5 s and
 * that the folder search finds its text (so the "nothing found" below can fail).
 */
import { expect, test, type Page } from '@playwright/test';
import { loginAs, soapAs } from '../sandbox/server/testing.ts';
import { E2E_PORT } from './playwright.config.ts';
import { ensureEncryptionAccount } from './support/encryption.ts';
import { plaintextLeft } from './support/mailbox-search.ts';
import { SANDBOX_PASSWORD, USERS, login, loginInNewContext, openInInbox } from './support/session.ts';

const BASE = `http://127.0.0.1:${E2E_PORT}`;
const marie = USERS.find((u) => u.mail === 'marie.schmit@esante.lu')!;
const jeanClaude = USERS.find((u) => u.mail === 'jean-claude.weber@esante.lu')!;
const luc = USERS.find((u) => u.mail === 'luc.hoffmann@esante.lu')!;
const RUN = Date.now();
/** One searchable word of the encrypted original: it must never be found in clear on the replier's side. */
const SECRET = `hba1cquote${RUN}`;
const SUBJECT = `Bilan glycémique ${RUN}`;
const ATTACHMENT = { name: 'bilan-glycémie.pdf', bytes: Buffer.from(`%PDF-1.4\n% bilan ${RUN}\n%%EOF\n`) };

/** Every request body the page sends from now on (SOAP, uploads, the service), as text. */
function recordRequests(page: Page): string[] {
  const bodies: string[] = [];
  page.on('request', (r) => {
    const b = r.postDataBuffer();
    if (b) bodies.push(`${r.url()}\n${b.toString('latin1')}\n${b.toString('utf8')}`);
  });
  return bodies;
}

async function openSecure(page: Page, subject: string) {
  await openInInbox(page, subject);
  const view = page.locator('esante-regify-secure-message[data-state="ready"]').first();
  await expect(view).toBeVisible({ timeout: 20_000 });
  return view;
}

test.describe.configure({ mode: 'serial' });

test('reply to a decrypted message: the decrypted text is quoted, autosave stays off, plain "Envoyer" warns, "Envoyer avec Regify" sends it encrypted, nothing in clear on the server', async ({ page, browser }) => {
  test.setTimeout(180_000);
  await ensureEncryptionAccount(marie.mail, 'Dr Marie Schmit');
  await ensureEncryptionAccount(jeanClaude.mail, 'Dr Jean-Claude Weber');
  await ensureEncryptionAccount(luc.mail, 'Luc Hoffmann');

  // Marie sends an encrypted message with an attachment to Jean-Claude.
  await login(page, marie.mail, 'card');
  await page.locator('#zb__TV__NEW_MESSAGE').click();
  await page.locator('#zm-compose-to').fill(jeanClaude.mail);
  await page.locator('#zm-compose-subject').fill(SUBJECT);
  await page.locator('#zm-compose-body').fill(`Bonjour,\nle bilan de M. Schmit : ${SECRET} à 9,1 %.\nMarie`);
  await page.locator('#zm-compose-attach').setInputFiles({ name: ATTACHMENT.name, mimeType: 'application/pdf', buffer: ATTACHMENT.bytes });
  await expect(page.locator('#zm-compose-attachments li')).toHaveCount(1);
  await page.locator('#zb__COMPOSE__ESANTE_REGIFY_SEND').click();
  await expect(page.locator('#zm-compose')).toBeHidden({ timeout: 30_000 });
  // And a plain one, for the control below.
  const control = `controlquote${RUN}`;
  const plainSubject = `Rendez-vous ${RUN}`;
  const marieSession = await loginAs(BASE, marie.mail, SANDBOX_PASSWORD, 'card');
  await soapAs(BASE, marieSession, 'SendMsgRequest', { m: { e: [{ t: 't', a: jeanClaude.mail }], su: { _content: plainSubject }, mp: [{ ct: 'text/plain', content: { _content: 'Jeudi 10 h ?' } }] } });

  const jc = await loginInNewContext(browser, jeanClaude.mail);
  // --- Control: a plain reply is autosaved after 5 s idle, and the folder search finds its text. ------
  await openInInbox(jc, plainSubject);
  await jc.locator('#zb__TV__REPLY').click();
  await expect(jc.locator('#zm-compose-subject')).toHaveValue(`Re: ${plainSubject}`);
  await expect(jc.locator('#zm-compose-to')).toHaveValue(/marie\.schmit@esante\.lu/);
  await expect(jc.locator('#zm-compose-body')).toHaveValue(/----- Message d’origine -----[\s\S]*Jeudi 10 h \?/);
  const autosaved = jc.waitForResponse((r) => r.url().endsWith('/service/soap/SaveDraftRequest') && r.ok(), { timeout: 20_000 });
  await jc.locator('#zm-compose-body').press('Control+Home');
  await jc.locator('#zm-compose-body').pressSequentially(`Oui ${control}. `);
  expect(await jc.evaluate(() => (window as any).appCtxt.getCurrentController()._autoSaveTimer?._timer ?? null)).not.toBeNull();
  await autosaved;
  expect(await plaintextLeft(jeanClaude.mail, [control])).toEqual([`/Drafts: ${control}`]);
  await jc.locator('#zb__COMPOSE__CANCEL').click();
  await jc.locator('#zm-compose-leave-dialog_button4').click(); // "Non": the autosaved draft is not kept
  await expect(jc.locator('#zm-compose')).toBeHidden();
  await expect.poll(() => plaintextLeft(jeanClaude.mail, [control])).toEqual([]);

  // --- The encrypted message: opened, then answered. -----------------------------------------------
  const view = await openSecure(jc, SUBJECT);
  await expect(view.locator('#content')).toContainText(SECRET);
  const bodies = recordRequests(jc);
  await jc.locator('#zb__TV__REPLY').click();
  const body = jc.locator('#zm-compose-body');
  await expect(jc.locator('#zm-compose-subject')).toHaveValue(`Re: ${SUBJECT}`);
  await expect(body).toHaveValue(new RegExp(`----- Message d’origine -----[\\s\\S]*${SECRET}`));
  // The cover mail's text (what Zimbra alone would have quoted) was replaced.
  await expect(body).not.toHaveValue(/message\.esmsg/);
  await expect(jc.locator('#zm-status')).toContainText('il n’est pas enregistré comme brouillon');
  // Drafts are off for this compose, with Zimbra's own switch: no autosave timer, no draft operations.
  expect(await jc.evaluate(() => (window as any).appCtxt.getCurrentController()._canSaveDraft())).toBe(false);
  await expect(jc.locator('#zb__COMPOSE__SAVE_DRAFT')).toBeDisabled();
  await expect(jc.locator('#zb__COMPOSE__SEND_LATER')).toBeDisabled();
  await body.press('Control+Home');
  await body.pressSequentially('Merci, je le revois jeudi. ');
  // Typing did not arm Zimbra's idle timer again (in the control compose above it was armed: see there).
  expect(await jc.evaluate(() => (window as any).appCtxt.getCurrentController()._autoSaveTimer?._timer ?? null)).toBeNull();

  // Plain "Envoyer" says the quoted text would leave in clear; "Annuler" keeps the compose.
  await jc.locator('#zb__COMPOSE__SEND').click();
  const question = jc.locator('#esante-regify-plain-send-dialog');
  await expect(question).toContainText('Ce message cite un message que vous avez reçu chiffré');
  await expect(jc.locator('#esante-regify-plain-send-dialog-dont-ask')).toHaveCount(0);
  await jc.locator('#esante-regify-plain-send-dialog_button1').click();
  await expect(jc.locator('#zm-compose')).toBeVisible();

  await jc.locator('#zb__COMPOSE__ESANTE_REGIFY_SEND').click();
  await expect(jc.locator('#zm-status')).toContainText('Message chiffré envoyé', { timeout: 30_000 });
  await expect(jc.locator('#zm-compose')).toBeHidden();

  // Nothing carried the decrypted text in clear, not even a draft (there was none).
  expect(bodies.length, 'the reply made requests').toBeGreaterThan(3);
  expect(bodies.filter((b) => b.includes(SECRET)).map((b) => b.split('\n')[0])).toEqual([]);
  expect(bodies.filter((b) => b.split('\n')[0]!.endsWith('/SaveDraftRequest'))).toEqual([]);
  expect(await plaintextLeft(jeanClaude.mail, [SECRET, 'revois'])).toEqual([]);

  // Marie reads the answer: encrypted banner, the reply and the quote.
  await openSecure(page, `Re: ${SUBJECT}`).then(async (answer) => {
    await expect(answer.locator('[data-banner="encrypted"]')).toBeVisible();
    await expect(answer.locator('#content')).toContainText('Merci, je le revois jeudi.');
    await expect(answer.locator('#content')).toContainText(SECRET);
  });

  // --- Forward: the decrypted attachment goes along, encrypted, to Luc. ------------------------------
  const forwarded = recordRequests(jc);
  await openSecure(jc, SUBJECT);
  await jc.locator('#zb__TV__FORWARD').click();
  await expect(jc.locator('#zm-compose-subject')).toHaveValue(`Fwd: ${SUBJECT}`);
  await expect(jc.locator('#zm-compose-body')).toHaveValue(new RegExp(`----- Message transféré -----[\\s\\S]*${SECRET}`));
  await jc.locator('#zm-compose-to').fill(luc.mail);
  await jc.locator('#zb__COMPOSE__ESANTE_REGIFY_SEND').click();
  await expect(jc.locator('#zm-compose')).toBeHidden({ timeout: 30_000 });
  expect(forwarded.filter((b) => b.includes(SECRET) || b.includes(`bilan ${RUN}`)).map((b) => b.split('\n')[0])).toEqual([]);
  expect(await plaintextLeft(jeanClaude.mail, [SECRET])).toEqual([]);

  const lucPage = await loginInNewContext(browser, luc.mail);
  const got = await openSecure(lucPage, `Fwd: ${SUBJECT}`);
  await expect(got.locator('#content')).toContainText(SECRET);
  await expect(got.locator('#attachments a', { hasText: ATTACHMENT.name })).toBeVisible();
  await lucPage.context().close();
  await jc.context().close();
});
