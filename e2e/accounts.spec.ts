/**
 * Encryption accounts (issue 4, acceptance 1 and 2), in Chromium against the whole suite.
 * Users: Hélène Thill (creates her account through the start wizard, then uses the Options and
 * Informations tabs) and Ana Da Silva (ticks "Ne plus me poser la question", then creates the account
 * from the panel). Both end with an account; marie.schmit / jean-claude.weber / sophie.muller are left
 * untouched for the encrypted-messages spec.
 */
import { expect, test, type Page } from '@playwright/test';
import { login, openZimletPanel } from './support/session.ts';

/** zimlets/regify/src/account/index.ts START_CHECKED_EVENT (not imported: that module needs Zimbra's globals). */
const START_CHECKED_EVENT = 'esante-regify-start-checked';

const HELENE = 'helene.thill@esante.lu';
const ANA = 'ana.da-silva@esante.lu';
const HELENE_PW = 'Sage-Femme_Kirchberg-31';
const ANA_PW = 'Kine#Dudelange-2026';

const wizard = (page: Page) => page.locator('#esante-regify-wizard-dialog[open] esante-regify-wizard');
const wizardOk = (page: Page) => page.locator('#esante-regify-wizard-dialog_button2');
const panel = (page: Page) => page.locator('dialog[open] esante-regify-panel');
/** The Regify dialog's own buttons (the guide's p.13 "OK" / "Annuler"): the Options tab has none of its own. */
const regifyDialog = (page: Page) => page.locator('dialog[open]', { has: page.locator('esante-regify-panel') });
const dialogButton = (page: Page, which: 'ok' | 'cancel') => regifyDialog(page).locator(`button[data-button="${which}"]`);

/** Logs in and waits until the regify zimlet has asked the service about the account. */
/**
 * Logs in and waits until the regify zimlet has DECIDED whether the wizard opens (its
 * START_CHECKED_EVENT, zimlets/regify/src/account/index.ts): an event, so "no wizard" is a fact of the
 * page and not the absence of one after some time. Answers what the zimlet decided.
 */
async function loginAndWaitForAccountCheck(page: Page, mail: string): Promise<{ wizard: boolean }> {
  await page.addInitScript((name) => {
    window.addEventListener(name, (e) => {
      document.documentElement.dataset['regifyStartChecked'] = String((e as CustomEvent<{ wizard: boolean }>).detail.wizard);
    });
  }, START_CHECKED_EVENT);
  // keepWizard leaves the wizard for this spec to drive.
  await login(page, mail, 'card', undefined, { keepWizard: true });
  const decided = page.locator('html[data-regify-start-checked]');
  await expect(decided).toBeAttached();
  return { wizard: (await decided.getAttribute('data-regify-start-checked')) === 'true' };
}

async function fillPasswords(page: Page, password: string, confirmation: string): Promise<void> {
  await wizard(page).locator('#wizard-password').fill(password);
  await wizard(page).locator('#wizard-confirmation').fill(confirmation);
}

test.describe.configure({ mode: 'serial' });

test('first login shows the wizard; short, weak and mismatched passwords are refused; creation succeeds; no wizard next time', async ({ page, browser }) => {
  await loginAndWaitForAccountCheck(page, HELENE);
  await expect(wizard(page)).toBeVisible();
  await expect(page.locator('#esante-regify-wizard-dialog_title')).toHaveText('Création de votre compte Regify');
  // The guide's fields (p.5): user, full name, read-only address from the session.
  await expect(wizard(page).locator('#wizard-user')).toHaveValue('helene.thill.esante.lu');
  await expect(wizard(page).locator('#wizard-fullname')).toHaveValue('Hélène Thill');
  await expect(wizard(page).locator('#wizard-mail')).toHaveValue(HELENE);
  await expect(wizard(page).locator('#wizard-mail')).toHaveAttribute('readonly', '');
  await expect(wizard(page)).toContainText('Mot de passe (minimum 8 caractères)');
  await expect(wizard(page)).toContainText('Confirmation du mot de passe');
  await expect(wizard(page)).toContainText('Ne plus me poser la question au démarrage (je ne chiffre pas mes mails)');
  // Focus starts in the password field (the name is already filled).
  await expect(wizard(page).locator('#wizard-password')).toBeFocused();
  // The password field is as wide as the others, and the dialog keeps its size when the meter appears (issue 13).
  const widthOf = async (id: string) => (await wizard(page).locator(id).boundingBox())!.width;
  expect(Math.abs((await widthOf('#wizard-password')) - (await widthOf('#wizard-fullname')))).toBeLessThanOrEqual(1);
  const dialogBox = page.locator('#esante-regify-wizard-dialog[open]');
  const before = (await dialogBox.boundingBox())!;
  await wizard(page).locator('#wizard-password').pressSequentially('a');
  await expect(wizard(page).locator('esante-regify-password-meter [data-level]')).toContainText('Trop faible');
  const after = (await dialogBox.boundingBox())!;
  expect(Math.abs(after.height - before.height)).toBeLessThanOrEqual(1);
  expect(Math.abs(after.y - before.y)).toBeLessThanOrEqual(1);
  await wizard(page).locator('#wizard-password').fill('');

  const error = wizard(page).locator('#wizard-error');
  // 7 characters.
  await fillPasswords(page, 'Ab1!xyz', 'Ab1!xyz');
  await wizardOk(page).click();
  await expect(error).toHaveText('Le mot de passe doit comporter au minimum 8 caractères.');
  await expect(error).toHaveAttribute('role', 'alert');
  // Weak: the meter says so as one types, and OK is refused.
  await fillPasswords(page, 'abcdefghij', 'abcdefghij');
  await expect(wizard(page).locator('esante-regify-password-meter [data-level]')).toContainText('Trop faible');
  await page.keyboard.press('Enter');
  await expect(error).toContainText('Ce mot de passe est trop faible.');
  // Mismatched confirmation.
  await fillPasswords(page, HELENE_PW, HELENE_PW + '?');
  await expect(wizard(page).locator('esante-regify-password-meter [data-level]')).toContainText(/Fort|Très fort/);
  await wizardOk(page).click();
  await expect(error).toHaveText('La confirmation ne correspond pas au mot de passe.');
  await expect(wizard(page).locator('#wizard-confirmation')).toBeFocused();
  // Right.
  await fillPasswords(page, HELENE_PW, HELENE_PW);
  await wizardOk(page).click();
  await expect(wizard(page)).toBeHidden();
  await expect(page.locator('#zm-status')).toContainText('Votre compte Regify a été créé.');

  // Next login: no wizard.
  const again = await (await browser.newContext()).newPage();
  expect(await loginAndWaitForAccountCheck(again, HELENE)).toEqual({ wizard: false });
  await expect(again.locator('#esante-regify-wizard-dialog[open]')).toHaveCount(0);
  await again.context().close();
});

test('"Ne plus me poser la question": not asked again, and the account can still be created from the panel', async ({ page, browser }) => {
  await loginAndWaitForAccountCheck(page, ANA);
  await expect(wizard(page)).toBeVisible();
  await wizard(page).locator('#wizard-optout').check();
  await wizardOk(page).click();
  await expect(page.locator('#esante-regify-wizard-dialog[open]')).toHaveCount(0);

  const later = await (await browser.newContext()).newPage();
  expect(await loginAndWaitForAccountCheck(later, ANA)).toEqual({ wizard: false });
  await expect(later.locator('#esante-regify-wizard-dialog[open]')).toHaveCount(0);

  // Keyboard only: open the panel, then create from it.
  await openZimletPanel(later, 'lu_esante_regify');
  await expect(panel(later).locator('section[data-state="none"]')).toBeVisible();
  await panel(later).locator('#account-create').click();
  await expect(wizard(later)).toBeVisible();
  await expect(wizard(later).locator('#wizard-optout')).toHaveCount(0);
  await fillPasswords(later, ANA_PW, ANA_PW);
  await later.keyboard.press('Enter');
  await expect(wizard(later)).toBeHidden();
  await expect(panel(later).locator('section[data-state="account"]')).toBeVisible();
  await expect(panel(later).locator('[data-field="email"]')).toHaveText(ANA);
  await later.context().close();
});

test('Options: saved values survive a reload, Annuler restores them; Informations shows the servers and reveals the unlock code', async ({ page }) => {
  await loginAndWaitForAccountCheck(page, HELENE);
  await openZimletPanel(page, 'lu_esante_regify');
  const p = panel(page);
  await expect(p.locator('section[data-state="account"]')).toBeVisible();

  // Informations (default tab): the guide's p.12 contents, servers from the service configuration.
  await expect(p.locator('[data-field="created"]')).toContainText('Compte créé le');
  await expect(p.locator('[data-field="created"]')).toContainText('avec le niveau d’authentification');
  await expect(p.locator('[data-field="fullName"]')).toHaveText('Hélène Thill');
  await expect(p.locator('[data-field="transactions"]')).toHaveText('0');
  await expect(p.locator('#info-portal')).toHaveText('Accéder au portail Regify');
  await expect(p.locator('[data-field="imapHost"]')).toHaveText('regify-integration.esante.lu');
  await expect(p.locator('[data-field="imapPort"]')).toHaveText('993');
  await expect(p.locator('[data-field="imapSecurity"]')).toHaveText('TLS');
  await expect(p.locator('[data-field="smtpHost"]')).toHaveText('regify-integration.esante.lu');
  await expect(p.locator('[data-field="smtpPort"]')).toHaveText('465');
  await expect(p.locator('[data-field="encryptionServer"]')).toHaveText('regify-integration.esante.lu');
  await expect(p.locator('[data-field="regifyUser"]')).toHaveText('helene.thill.esante.lu');
  for (const label of ['Connexion au serveur de mail', 'Serveur IMAP', 'Port IMAP', 'Sécurité', 'Serveur SMTP', 'Connexion à Regify', 'Serveur Regify', 'Utilisateur Regify', 'Code de déblocage', 'Nb de transactions']) {
    await expect(p).toContainText(label);
  }
  await expect(p.locator('[data-field="unlockCode"]')).not.toHaveText(/[0-9A-Z]{4}-/);
  await p.locator('#info-reveal').filter({ hasText: 'Cliquez pour voir' }).click();
  await expect(p.locator('[data-field="unlockCode"]')).toHaveText(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);

  // Options: change and save.
  await p.locator('#tab-options').click();
  await expect(p).toContainText('Délai de lecture (en jours)');
  await expect(p.locator('#options-deadline')).toHaveValue('5');
  await p.locator('#options-deadline').fill('12');
  // The default access period: none (0) until the user sets one.
  await expect(p.getByLabel('Durée d’accès par défaut (en jours)')).toHaveValue('0');
  await p.locator('#options-access-days').fill('30');
  await p.locator('#options-notify-transmission').check();
  await p.locator('#options-notify-read').uncheck();
  // One OK and one Annuler, the dialog's (issue 13: the tab had a second pair).
  await expect(regifyDialog(page).getByRole('button', { name: 'OK', exact: true })).toHaveCount(1);
  await expect(regifyDialog(page).getByRole('button', { name: 'Annuler', exact: true })).toHaveCount(1);
  await dialogButton(page, 'ok').click();
  await expect(p).toBeHidden();
  await expect(page.locator('#zm-status')).toContainText('Vos modifications ont été enregistrées.');

  // After a reload, the saved values are there.
  await page.reload();
  await expect(page.locator('body[data-zimlets="loaded"]')).toBeAttached();
  await openZimletPanel(page, 'lu_esante_regify');
  // No notice stays behind in the window (issue 13: "compte créé" / "enregistré" stayed on screen): the
  // confirmation was Zimbra's passing status line.
  await expect(p.locator('p.status')).toHaveText('');
  await p.locator('#tab-options').click();
  await expect(p.locator('#options-deadline')).toHaveValue('12');
  await expect(p.locator('#options-access-days')).toHaveValue('30');
  await expect(p.locator('#options-notify-transmission')).toBeChecked();
  await expect(p.locator('#options-notify-read')).not.toBeChecked();
  await expect(p.locator('#options-notify-deadline')).toBeChecked();

  // Annuler: the change is dropped, in the form and on the service.
  await p.locator('#options-deadline').fill('30');
  await p.locator('#options-notify-deadline').uncheck();
  await dialogButton(page, 'cancel').click();
  await expect(p).toBeHidden();
  await openZimletPanel(page, 'lu_esante_regify');
  await p.locator('#tab-options').click();
  await expect(p.locator('#options-deadline')).toHaveValue('12');
  await expect(p.locator('#options-notify-deadline')).toBeChecked();
  await page.reload();
  await expect(page.locator('body[data-zimlets="loaded"]')).toBeAttached();
  await openZimletPanel(page, 'lu_esante_regify');
  await p.locator('#tab-options').click();
  await expect(p.locator('#options-deadline')).toHaveValue('12');
  await expect(p.locator('#options-notify-deadline')).toBeChecked();

  // A bad deadline is refused with its text and saves nothing.
  await p.locator('#options-deadline').fill('400');
  await dialogButton(page, 'ok').click();
  await expect(p).toBeVisible();
  await expect(p.locator('#options-error')).toHaveText('Le délai de lecture doit être un nombre entier de jours entre 1 et 365.');
  // An access period shorter than the read deadline is refused with the deadline in words.
  await p.locator('#options-deadline').fill('12');
  await p.locator('#options-access-days').fill('3');
  await dialogButton(page, 'ok').click();
  await expect(p).toBeVisible();
  await expect(p.locator('#options-error')).toHaveText('La durée d’accès doit être 0 (aucune fin) ou un nombre entier de jours entre le délai de lecture (12) et 365.');
});

test('keyboard only: Escape closes the wizard without opting out (asked again next time); the tabs follow the arrow keys', async ({ page, browser }) => {
  const LUC = 'luc.hoffmann@esante.lu';
  await loginAndWaitForAccountCheck(page, LUC);
  await expect(wizard(page)).toBeVisible();
  await page.keyboard.type('Pharmacie#Differdange-77');
  await expect(wizard(page).locator('#wizard-password')).toHaveValue('Pharmacie#Differdange-77');
  await page.keyboard.press('Escape');
  await expect(page.locator('#esante-regify-wizard-dialog[open]')).toHaveCount(0);
  // Nothing typed stays in the page once the wizard is closed.
  expect(await page.locator('#esante-regify-wizard-dialog input[type="password"]').count()).toBe(0);

  const again = await (await browser.newContext()).newPage();
  await loginAndWaitForAccountCheck(again, LUC);
  await expect(wizard(again)).toBeVisible();
  await again.locator('#esante-regify-wizard-dialog_button1').click();
  await expect(again.locator('#esante-regify-wizard-dialog[open]')).toHaveCount(0);
  await again.context().close();

  const helene = await (await browser.newContext()).newPage();
  await loginAndWaitForAccountCheck(helene, HELENE);
  await openZimletPanel(helene, 'lu_esante_regify');
  const p = panel(helene);
  await p.locator('#tab-informations').focus();
  await helene.keyboard.press('ArrowRight');
  await expect(p.locator('#tab-options')).toBeFocused();
  await expect(p.locator('#tab-options')).toHaveAttribute('aria-selected', 'true');
  await expect(p.locator('#panel-options')).toBeVisible();
  await helene.keyboard.press('ArrowLeft');
  await expect(p.locator('#tab-informations')).toHaveAttribute('aria-selected', 'true');
  await expect(p.locator('#panel-informations')).toBeVisible();
  await helene.context().close();
});
