/**
 * Issue 6, acceptance 1 (signing and verifying, LuxTrust), in Chromium against the whole suite:
 * - a card session signs and sends ("Signer" → "Signer numériquement ce message" → Envoyer);
 *   the recipient sees « Message signé par … le … à … » and opens the verification report;
 * - a fallback session gets the guide's warning and the message is not marked for signing;
 * - a message altered after signing (delivered through the sandbox's SMTP port) shows the invalid banner;
 * - the security panel shows the session, the certificate, the trust anchors and tests the signature.
 * The "signed + Regify" case is covered by the regify spec (it needs the encrypted send).
 */
import { expect, test, type Page } from '@playwright/test';
import nodemailer from 'nodemailer';
import { SOAP_NAMESPACE, SOAP_PATH } from '../shared/paths.ts';
import { E2E_SMTP_PORT } from './playwright.config.ts';
import { login, loginInNewContext, openZimletPanel, USERS } from './support/session.ts';

const marie = USERS.find((u) => u.mail === 'marie.schmit@esante.lu')!;
const luc = USERS.find((u) => u.mail === 'luc.hoffmann@esante.lu')!;
const CARD_REQUIRED_FR = 'Vous ne pouvez pas signer de message, car vous n’êtes pas authentifié par carte (mode de secours).';

async function compose(page: Page, to: string, subject: string, body: string): Promise<void> {
  await page.locator('#zb__TV__NEW_MESSAGE').click();
  await expect(page.locator('#zm-compose')).toBeVisible();
  await page.locator('#zm-compose-to').fill(to);
  await page.locator('#zm-compose-subject').fill(subject);
  await page.locator('#zm-compose-body').fill(body);
}

/** Opens the "Signer" menu of the compose toolbar and picks "Signer numériquement ce message". */
async function chooseSign(page: Page): Promise<void> {
  await page.locator('#zb__COMPOSE__LU_ESANTE_SIGN').click();
  const item = page.locator('esante-sign-menu [role=menuitemcheckbox]');
  await expect(item).toHaveText(/Signer numériquement ce message/);
  await expect(item).toBeFocused();
  await item.press('Enter');
}

/** Waits for a message with this subject in the Inbox and opens it. */
async function openInInbox(page: Page, subject: string): Promise<void> {
  const row = page.locator('#zm-msg-list [data-msg-id]', { hasText: subject });
  await expect(async () => {
    await page.locator('#zb__TV__CHECK_MAIL').click();
    await expect(row).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 15_000 });
  await row.click();
  await expect(page.locator('#zm-msg-subject')).toHaveText(subject);
}

/** SignMessage called from a logged-in page, as a zimlet does (cookie + CSRF header). */
async function signInPage(page: Page, mime: string): Promise<string> {
  return page.evaluate(
    async ({ url, ns, b64 }) => {
      const body =
        '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>' +
        `<SignMessageRequest xmlns="${ns}"><mime>${b64}</mime></SignMessageRequest></soap:Body></soap:Envelope>`;
      const csrf = (window as unknown as { csrfToken: string }).csrfToken;
      const r = await fetch(url, { method: 'POST', body, headers: { 'Content-Type': 'text/xml; charset=utf-8', 'X-Zimbra-Csrf-Token': csrf } });
      const text = await r.text();
      const m = /<(?:\w+:)?mime>([^<]+)<\/(?:\w+:)?mime>/.exec(text);
      if (!m) throw new Error(`SignMessage failed: ${text.slice(0, 300)}`);
      return atob(m[1]!);
    },
    { url: SOAP_PATH, ns: SOAP_NAMESPACE, b64: Buffer.from(mime, 'utf8').toString('base64') },
  );
}

test('a card session signs and sends; the recipient sees the signed banner and opens the report', async ({ page, browser }) => {
  const subject = `Compte rendu signé ${Date.now()}`;
  await login(page, marie.mail, 'card');
  await compose(page, luc.mail, subject, 'Bonjour,\nvoici le compte rendu de consultation.\nCordialement');
  const sign = page.locator('#zb__COMPOSE__LU_ESANTE_SIGN');
  await expect(sign).toHaveAttribute('aria-pressed', 'false');
  await chooseSign(page);
  // The user can see that signing is on.
  await expect(sign).toHaveAttribute('aria-pressed', 'true');
  await expect(sign).toContainText('✔');
  await page.locator('#zb__COMPOSE__SEND').click();
  await expect(page.locator('#zm-compose')).toBeHidden({ timeout: 15_000 });
  await expect(page.locator('#zm-status')).toContainText('Message signé et envoyé.');
  // The draft used to build the message is gone.
  await page.locator('#zm-folder-drafts').click();
  await expect(page.locator('#zm-msg-list [data-msg-id]', { hasText: subject })).toHaveCount(0);

  const lucPage = await loginInNewContext(browser, luc.mail, 'fallback'); // verifying needs no card
  await openInInbox(lucPage, subject);
  const banner = lucPage.locator('#zm-msg-view esante-signature-banner');
  await expect(banner.locator('[data-state=valid]')).toBeVisible({ timeout: 15_000 });
  await expect(banner.locator('[data-field=banner-text]')).toHaveText(/^Message signé par Marie Schmit le \d{2}\/\d{2}\/\d{4} à \d{2}:\d{2}\.$/);
  await banner.getByRole('button', { name: 'Cliquez ici pour voir le rapport' }).click();
  const report = banner.locator('dialog[open]');
  await expect(report).toBeVisible();
  await expect(report.locator('#report-title')).toHaveText('Rapport de vérification de la signature');
  await expect(report.locator('[data-field=result]')).toHaveText('Signature valide');
  await expect(report.locator('[data-field=signer]')).toHaveText(`Marie Schmit <${marie.mail}>`);
  await expect(report.locator('[data-field=content-changed]')).toHaveText('Non');
  await expect(report.locator('[data-field=trusted]')).toContainText('TEST Root CA');
  await expect(report.locator('[data-field=chain-item]')).toHaveCount(3);
  await expect(report.locator('[data-field=key-usage]')).toContainText('digitalSignature');
  await expect(report.locator('[data-field=digest]')).toContainText('sha-256');
  await expect(report.locator('[data-field=revocation]')).toHaveText('non vérifiée');
  await lucPage.keyboard.press('Escape');
  await expect(report).toBeHidden();
  await expect(banner.getByRole('button', { name: 'Cliquez ici pour voir le rapport' })).toBeFocused();
  await lucPage.context().close();
});

test('a fallback session gets the guide’s warning and the message is not marked for signing', async ({ page }) => {
  await login(page, luc.mail, 'fallback');
  await compose(page, marie.mail, `Essai ${Date.now()}`, 'Bonjour');
  await chooseSign(page);
  const warning = page.locator('#lu_esante_security-warning');
  await expect(warning).toBeVisible();
  await expect(warning.locator('[data-field=warning-text]')).toHaveText(CARD_REQUIRED_FR);
  await page.locator('#lu_esante_security-warning_button2').click();
  await expect(warning).toBeHidden();
  await expect(page.locator('#zb__COMPOSE__LU_ESANTE_SIGN')).toHaveAttribute('aria-pressed', 'false');
});

test('a message altered after signing shows the invalid banner with the reason', async ({ page, browser }) => {
  const subject = `Resultats labo ${Date.now()}`; // ASCII: raw header bytes go out as they are
  await login(page, marie.mail, 'card');
  const mime =
    `From: Marie Schmit <${marie.mail}>\r\nTo: ${luc.mail}\r\nSubject: ${subject}\r\nDate: ${new Date().toUTCString()}\r\n` +
    `Message-ID: <e2e-${Date.now()}@esante.lu>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n` +
    'Content-Transfer-Encoding: 7bit\r\n\r\nHemoglobine: 14,2 g/dl\r\n';
  const signed = await signInPage(page, mime);
  expect(signed).toContain('multipart/signed');
  // Someone on the way changes the result.
  const tampered = signed.replace('14,2 g/dl', '9,1 g/dl');
  expect(tampered).not.toBe(signed);
  const smtp = nodemailer.createTransport({ host: '127.0.0.1', port: E2E_SMTP_PORT, secure: false, ignoreTLS: true });
  await smtp.sendMail({ envelope: { from: marie.mail, to: [luc.mail] }, raw: tampered });
  smtp.close();

  const lucPage = await loginInNewContext(browser, luc.mail, 'card');
  await openInInbox(lucPage, subject);
  const banner = lucPage.locator('#zm-msg-view esante-signature-banner');
  await expect(banner.locator('[data-state=invalid]')).toBeVisible({ timeout: 15_000 });
  await expect(banner.locator('[role=alert]')).toContainText('Le contenu du message a été modifié après sa signature.');
  await banner.getByRole('button', { name: 'Cliquez ici pour voir le rapport' }).click();
  const report = banner.locator('dialog[open]');
  await expect(report.locator('[data-field=result]')).toHaveText('Signature non valide');
  await expect(report.locator('[data-field=content-changed]')).toHaveText('Oui');
  await expect(report.locator('[data-reason="signature.tampered"]')).toBeVisible();
  await lucPage.context().close();
});

test('the security panel shows the session, the certificate and the trust anchors, and tests the signature', async ({ page, browser }) => {
  await login(page, marie.mail, 'card');
  await openZimletPanel(page, 'lu_esante_security');
  const panel = page.locator('dialog[open] esante-security-panel');
  await expect(panel.locator('[data-field=auth-method]')).toHaveText('Carte LuxTrust');
  await expect(panel.locator('[data-field=can-sign]')).toHaveText('Possible');
  await expect(panel.locator('[data-field=cert-subject]')).toContainText('CN=Marie Schmit');
  await expect(panel.locator('[data-field=cert-issuer]')).toContainText('TEST Signing CA');
  await expect(panel.locator('[data-field=cert-serial]')).toHaveText(/^[0-9A-F]+$/);
  await expect(panel.locator('[data-field=cert-expiry]')).toHaveText(/dans \d+ jours/);
  await expect(panel.locator('[data-field=trust-anchors]')).toContainText('TEST Root CA');
  await panel.locator('button[data-action=test]').click();
  await expect(panel.locator('[data-field=test-result] esante-signature-banner [data-state=valid]')).toContainText('Message signé par Marie Schmit');

  const fallback = await loginInNewContext(browser, luc.mail, 'fallback');
  await openZimletPanel(fallback, 'lu_esante_security');
  const p2 = fallback.locator('dialog[open] esante-security-panel');
  await expect(p2.locator('[data-field=auth-method]')).toHaveText('Mode de secours (sans carte)');
  await expect(p2.locator('[data-field=can-sign]')).toHaveText('Impossible');
  await expect(p2.locator('[data-field=reason]')).toHaveText(CARD_REQUIRED_FR);
  await expect(p2.locator('button[data-action=test]')).toBeDisabled();
  await fallback.context().close();
});
