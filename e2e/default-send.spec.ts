/**
 * Issue 10, defect 6 and the safe default send: "Envoyer avec Regify" is the first, highlighted compose
 * button with its padlock (Zimbra's ZmButtonToolBar.createOp drops an image given with a text unless
 * showImageInToolbar, ZmButtonToolBar.js:174-178, and the sandbox now does the same), and a plain
 * "Envoyer" to an eSanté directory address asks "Envoyer sans chiffrement ?" once per compose.
 * zimlets/regify/src/messages/default-send.ts; site setting `defaultSend` (config_template.xml, default encrypted).
 */
import { expect, test, type Page } from '@playwright/test';
import { ensureEncryptionAccount } from './support/encryption.ts';
import { login, USERS } from './support/session.ts';

const marie = USERS.find((u) => u.mail === 'marie.schmit@esante.lu')!;
const jean = USERS.find((u) => u.mail === 'jean-claude.weber@esante.lu')!;
const DIALOG = '#esante-regify-plain-send-dialog';

async function compose(page: Page, to: string, subject: string): Promise<void> {
  await page.locator('#zb__TV__NEW_MESSAGE').click();
  await expect(page.locator('#zm-compose')).toBeVisible();
  await page.locator('#zm-compose-to').fill(to);
  await page.locator('#zm-compose-subject').fill(subject);
  await page.locator('#zm-compose-body').fill('Bonjour, voici le compte rendu.');
}
function sendRequests(page: Page): string[] {
  const seen: string[] = [];
  page.on('request', (r) => {
    if (r.url().endsWith('/service/soap/SendMsgRequest')) seen.push(r.postData() ?? '');
  });
  return seen;
}

test('"Envoyer avec Regify" is the highlighted default, first, with its padlock visible', async ({ page }) => {
  await login(page, marie.mail);
  await page.locator('#zb__TV__NEW_MESSAGE').click();
  const ours = page.locator('#zb__COMPOSE__ESANTE_REGIFY_SEND');
  const plain = page.locator('#zb__COMPOSE__SEND');
  await expect(ours).toBeVisible();
  await expect(page.locator('#zm-compose-toolbar > button').first()).toHaveId('zb__COMPOSE__ESANTE_REGIFY_SEND');
  await expect(ours).toContainText('Envoyer avec Regify');
  const padlock = ours.locator('.Imglu_esante_regify-padlock');
  await expect(padlock).toBeVisible();
  const box = await padlock.boundingBox();
  expect(box && box.width >= 12 && box.height >= 12).toBe(true);
  await expect(ours).toHaveClass(/lu_esante_regify-default-send/);
  await expect(plain).toHaveClass(/lu_esante_regify-plain-send/);
  // The highlight is what the user sees: ours bold on blue, Zimbra's Send a plain button.
  const weight = (sel: string) => page.locator(sel).evaluate((el) => getComputedStyle(el).fontWeight);
  expect(Number(await weight('#zb__COMPOSE__ESANTE_REGIFY_SEND'))).toBeGreaterThanOrEqual(700);
  expect(Number(await weight('#zb__COMPOSE__SEND'))).toBeLessThan(700);
});

test('a plain "Envoyer" to an eSanté recipient asks once; Annuler sends nothing, "Envoyer sans chiffrement" sends', async ({ page }) => {
  await login(page, marie.mail, 'card', undefined, { plainSendQuestion: true });
  const sends = sendRequests(page);
  await compose(page, jean.mail, 'Question avant envoi');
  await page.locator('#zb__COMPOSE__SEND').click();
  const dialog = page.locator(`${DIALOG}[open]`);
  await expect(dialog).toBeVisible();
  await expect(page.locator(`${DIALOG}_title`)).toHaveText('Envoyer sans chiffrement ?');
  await expect(dialog).toContainText(jean.mail);
  await expect(page.locator(`${DIALOG}_buttonENCRYPT`)).toBeFocused();
  await page.locator(`${DIALOG}_button1`).click();
  await expect(dialog).toBeHidden();
  await expect(page.locator('#zm-compose')).toBeVisible();
  expect(sends).toHaveLength(0);
  // Keyboard: Escape is Annuler (DwtDialog.handleKeyAction); nothing sent either.
  await page.locator('#zb__COMPOSE__SEND').click();
  await expect(dialog).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  expect(sends).toHaveLength(0);

  await page.locator('#zb__COMPOSE__SEND').click();
  await expect(dialog).toBeVisible();
  const sent = page.waitForRequest((r) => r.url().endsWith('/service/soap/SendMsgRequest'));
  await page.locator(`${DIALOG}_buttonPLAIN`).click();
  expect((await sent).postData()).toContain('Question avant envoi');
  await expect(page.locator('#zm-compose')).toBeHidden();
  expect(sends).toHaveLength(1);
});

test('no question for a recipient outside the directory; "Ne plus poser cette question" is kept', async ({ page }) => {
  await login(page, marie.mail, 'card', undefined, { plainSendQuestion: true });
  await compose(page, 'cabinet@example.org', 'Hors répertoire');
  const outside = page.waitForRequest((r) => r.url().endsWith('/service/soap/SendMsgRequest'));
  await page.locator('#zb__COMPOSE__SEND').click();
  await outside;
  await expect(page.locator('#zm-compose')).toBeHidden();
  await expect(page.locator(`${DIALOG}[open]`)).toHaveCount(0);

  await compose(page, jean.mail, 'Ne plus demander');
  await page.locator('#zb__COMPOSE__SEND').click();
  await page.locator(`${DIALOG}-dont-ask`).check();
  const saved = page.waitForRequest((r) => r.url().endsWith('/service/soap/ModifyPropertiesRequest'));
  await page.locator(`${DIALOG}_buttonPLAIN`).click();
  expect((await saved).postData()).toContain('plainSendQuestion');
  await expect(page.locator('#zm-compose')).toBeHidden();

  // Next login: the switch came back from the account (GetInfo props), no question.
  await page.goto('/?loginOp=logout');
  await login(page, marie.mail, 'card', undefined, { plainSendQuestion: 'keep' });
  const again = page.waitForRequest((r) => r.url().endsWith('/service/soap/SendMsgRequest'));
  await compose(page, jean.mail, 'Sans question');
  await page.locator('#zb__COMPOSE__SEND').click();
  await again;
  await expect(page.locator(`${DIALOG}[open]`)).toHaveCount(0);
});

test('"Envoyer avec Regify" in the question sends the message encrypted, not in clear', async ({ page }) => {
  await ensureEncryptionAccount(marie.mail, 'Dr Marie Schmit');
  await ensureEncryptionAccount(jean.mail, 'Dr Jean-Claude Weber');
  await login(page, marie.mail, 'card', undefined, { plainSendQuestion: true });
  const sends = sendRequests(page);
  const subject = `Choisi chiffré ${Date.now()}`;
  await compose(page, jean.mail, subject);
  await page.locator('#zb__COMPOSE__SEND').click();
  await page.locator(`${DIALOG}_buttonENCRYPT`).click();
  await expect(page.locator('#zm-status')).toContainText('Message chiffré envoyé avec Regify', { timeout: 30_000 });
  await expect(page.locator('#zm-compose')).toBeHidden();
  // The one SendMsgRequest is the cover mail of the container: the text typed never went in clear.
  expect(sends).toHaveLength(1);
  expect(sends[0]).not.toContain('voici le compte rendu');
});
