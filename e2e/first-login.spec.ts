/**
 * First login from the eSanté portal (guide p. 3, ARCHITECTURE flow 7), in Chromium, through the
 * sandbox's stand-in portal (/idp/): the portal posts a signed SAML Response to the service, which
 * creates the mailbox prenom.nom@esante.lu when missing and sends the browser through Zimbra preauth.
 * - a directory professional WITHOUT a mailbox logs in with the card: lands in the webmail as
 *   prenom.nom@esante.lu, and the Regify wizard is offered (guide p. 3-5);
 * - an existing user logs in with the fallback login: signing shows the guide's warning (p. 10);
 * - a professional hidden in the directory gets the translated refusal page.
 */
import { fileURLToPath } from 'node:url';
import { expect, test, type Page } from '@playwright/test';
import { SSO_ACS_PATH } from '../shared/provisioning/saml-profile.ts';
import { SOAP_PATH } from '../shared/paths.ts';
import { DEFAULT_COUNT, DEFAULT_SEED, generateDirectory } from '../server-extension/src/directory/generate.ts';

/** The sandbox's people, listed first in the service's directory (scripts/start.mjs ESANTE_DIRECTORY_SEED_USERS). */
const SEED_USERS = fileURLToPath(new URL('../sandbox/seed/users.json', import.meta.url));

test.describe.configure({ timeout: 120_000 });

const CARD_REQUIRED_FR = 'Vous ne pouvez pas signer de message, car vous n’êtes pas authentifié par carte (mode de secours).';

/** The portal: search, pick a professional and a method, click "Messagerie sécurisée". */
async function portalLogin(page: Page, pick: { search: string; selector: string }, method: 'card' | 'fallback'): Promise<string> {
  await page.addInitScript('window.__name = (f) => f;');
  await page.goto(`/idp/?q=${encodeURIComponent(pick.search)}`);
  await expect(page.locator('h1')).toHaveText('Portail eSanté');
  const choice = page.locator(`#idp-professionals ${pick.selector}`).first();
  const mail = (await choice.getAttribute('data-mail'))!;
  await choice.check();
  await page.locator(`#idp-directory input[name=method][value=${method}]`).check();
  await page.locator('#idp-open-messaging').click();
  return mail;
}

test('a directory professional without a mailbox: card login creates prenom.nom@esante.lu and offers the Regify wizard', async ({ page }) => {
  const acs = page.waitForResponse((r) => r.url().endsWith(SSO_ACS_PATH));
  const accountChecked = page.waitForResponse((r) => r.url().endsWith(SOAP_PATH) && (r.request().postData() ?? '').includes('GetEncryptionAccountRequest'), {
    timeout: 30_000,
  });
  // Any public professional of the default directory the sandbox has no mailbox for, with an address
  // that is plain prenom.nom (not a numbered namesake).
  const mail = await portalLogin(page, { search: '', selector: 'input[data-has-mailbox="false"][data-confidentiality="public"]:not([data-mail*=".2@"])' }, 'card');
  expect(mail).toMatch(/^[a-z0-9-]+\.[a-z0-9-]+@esante\.lu$/);
  expect((await acs).status()).toBe(303);

  await expect(page.locator('body[data-ready="true"]')).toBeVisible({ timeout: 30_000 });
  await expect(page.locator('#zm-user')).toHaveAttribute('data-account', mail);
  await accountChecked;
  const wizard = page.locator('#esante-regify-wizard-dialog[open] esante-regify-wizard');
  await expect(wizard).toBeVisible();
  await expect(wizard.locator('#wizard-mail')).toHaveValue(mail);

  // The same professional again: the mailbox is opened, not created twice (the portal now shows it exists).
  await page.goto(`/idp/?q=${encodeURIComponent(mail.split('@')[0]!.split('.')[1]!)}`);
  await expect(page.locator(`#idp-professionals input[data-mail="${mail}"]`)).toHaveAttribute('data-has-mailbox', 'true');
});

test('an existing user with the fallback login lands in the webmail and gets the warning when signing', async ({ page }) => {
  const mail = await portalLogin(page, { search: 'Hoffmann', selector: 'input[data-mail="luc.hoffmann@esante.lu"]' }, 'fallback');
  await expect(page.locator('body[data-ready="true"]')).toBeVisible({ timeout: 30_000 });
  await expect(page.locator('#zm-user')).toHaveAttribute('data-account', mail);
  await expect(page.locator('body[data-zimlets="loaded"]')).toBeAttached();
  // The Regify wizard may open at start (no encryption account yet): Annuler closes it.
  const wizardCancel = page.locator('#esante-regify-wizard-dialog[open] #esante-regify-wizard-dialog_button1');
  await wizardCancel.waitFor({ timeout: 5_000 }).then(() => wizardCancel.click(), () => undefined);

  await page.locator('#zb__TV__NEW_MESSAGE').click();
  await expect(page.locator('#zm-compose')).toBeVisible();
  await page.locator('#zm-compose-to').fill('marie.schmit@esante.lu');
  await page.locator('#zm-compose-subject').fill(`Essai ${Date.now()}`);
  await page.locator('#zb__COMPOSE__LU_ESANTE_SIGN').click();
  const item = page.locator('esante-sign-menu [role=menuitemcheckbox]');
  await expect(item).toHaveText(/Signer numériquement ce message/);
  await item.press('Enter');
  const warning = page.locator('#lu_esante_security-warning');
  await expect(warning).toBeVisible();
  await expect(warning.locator('[data-field=warning-text]')).toHaveText(CARD_REQUIRED_FR);
});

test.describe('refusal', () => {
  // The refusal page speaks the browser's language (Accept-Language): here a French browser.
  test.use({ locale: 'fr-LU' });

  test('a professional hidden in the directory gets the refusal page, in French, with the code for the helpdesk', async ({ page }) => {
    // The service's default directory, where some entries are hidden (never shown by its search).
    const hidden = generateDirectory({ count: DEFAULT_COUNT, seed: DEFAULT_SEED, usersFile: SEED_USERS }).find((r) => r.confidentiality === 'hidden')!;
    const acs = page.waitForResponse((r) => r.url().endsWith(SSO_ACS_PATH));
    await portalLogin(page, { search: `${hidden.givenName} ${hidden.sn}`, selector: `input[value="${hidden.id}"]` }, 'card');
    expect((await acs).status()).toBe(403);
    await expect(page.locator('h1')).toHaveText('Accès à la messagerie sécurisée impossible');
    await expect(page.locator('#sso-error')).toHaveAttribute('data-code', 'sso.not_in_directory');
    await expect(page.locator('#sso-error')).toContainText('annuaire référentiel');
    await expect(page.locator('a', { hasText: 'Retour au portail eSanté' })).toBeVisible();
  });
});
