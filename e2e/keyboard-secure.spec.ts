/**
 * Issue 13, acceptance 1 (part): keyboard-only journeys through the secure messaging itself, with axe
 * (WCAG 2.1 A + AA, 0 serious or critical violations) on what our zimlets put on those screens:
 * - "Signer" + "Envoyer avec Regify" from a new message, no mouse from the toolbar to "sent";
 * - the recipient opens the message from the list, reads the banners and the decrypted text, and
 *   opens then closes the signature report; the focus comes back to the button that opened it.
 * Only our own elements are judged (the sandbox's stand-in for Zimbra's chrome is not what a site installs).
 */
import { expect, test } from '@playwright/test';
import { ensureEncryptionAccount } from './support/encryption.ts';
import { focusVisible, tabTo } from './support/keyboard.ts';
import { expectNoSeriousViolations } from './support/axe.ts';
import { login, loginInNewContext } from './support/session.ts';

const marie = { mail: 'marie.schmit@esante.lu', name: 'Dr Marie Schmit' };
const jeanClaude = { mail: 'jean-claude.weber@esante.lu', name: 'Dr Jean-Claude Weber' };

test('keyboard only: "Signer" + "Envoyer avec Regify", then the recipient opens it, reads the banners and the signature report', async ({ page, browser }) => {
  test.setTimeout(120_000);
  await ensureEncryptionAccount(marie.mail, marie.name);
  await ensureEncryptionAccount(jeanClaude.mail, jeanClaude.name);
  const subject = `Clavier seul ${Date.now()}`;

  await login(page, marie.mail, 'card');
  await tabTo(page, '#zb__TV__NEW_MESSAGE');
  await page.keyboard.press('Enter');
  await expect(page.locator('#zm-compose')).toBeVisible();
  await tabTo(page, '#zm-compose-to');
  await page.keyboard.type(jeanClaude.mail);
  await tabTo(page, '#zm-compose-subject');
  await page.keyboard.type(subject);
  await tabTo(page, '#zm-compose-body');
  await page.keyboard.type('Bonjour, les résultats au clavier.');

  // "Signer" → its menu → "Signer numériquement ce message" (Enter), the button says so.
  await tabTo(page, '#zb__COMPOSE__LU_ESANTE_SIGN');
  expect(await focusVisible(page)).toBe(true);
  await page.keyboard.press('Enter');
  const item = page.locator('esante-sign-menu [role=menuitemcheckbox]');
  await expect(item).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.locator('#zb__COMPOSE__LU_ESANTE_SIGN')).toHaveAttribute('aria-pressed', 'true');
  // The menu gives the focus back to "Signer".
  await expect(page.locator('#zb__COMPOSE__LU_ESANTE_SIGN')).toBeFocused();
  await expectNoSeriousViolations(page, '#zm-compose', '#zm-compose');

  // Shift+Tab / Tab to "Envoyer avec Regify" (the highlighted default), Enter.
  await tabTo(page, '#zb__COMPOSE__ESANTE_REGIFY_SEND');
  expect(await focusVisible(page)).toBe(true);
  await page.keyboard.press('Enter');
  await expect(page.locator('#zm-compose')).toBeHidden({ timeout: 30_000 });
  await expect(page.locator('#zm-status')).toContainText('Message chiffré envoyé');

  // The recipient: the list takes the focus, arrows choose, Enter opens.
  const reader = await loginInNewContext(browser, jeanClaude.mail);
  const row = reader.locator('#zm-msg-list [data-msg-id]', { hasText: subject });
  await expect(async () => {
    await reader.locator('#zb__TV__CHECK_MAIL').press('Enter');
    await expect(row).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 20_000 });
  await tabTo(reader, '#zm-msg-list');
  for (let i = 0; i < 30 && (await row.getAttribute('aria-selected')) !== 'true'; i++) await reader.keyboard.press('ArrowDown');
  await expect(row).toHaveAttribute('aria-selected', 'true');
  await reader.keyboard.press('Enter');
  const view = reader.locator('esante-regify-secure-message[data-state="ready"]');
  await expect(view).toBeVisible({ timeout: 20_000 });
  await expect(view.locator('[data-banner="encrypted"]')).toBeVisible();
  await expect(view.locator('#content')).toContainText('les résultats au clavier');
  const banner = view.locator('esante-signature-banner');
  await expect(banner.locator('[data-state=valid]')).toBeVisible({ timeout: 15_000 });
  await expectNoSeriousViolations(reader, 'esante-regify-secure-message', 'esante-regify-secure-message');

  // The report opens with Enter and closes with Escape; the focus returns to its button.
  const open = banner.getByRole('button', { name: 'Cliquez ici pour voir le rapport' });
  await tabTo(reader, 'esante-regify-secure-message');
  for (let i = 0; i < 20 && !(await open.evaluate((el) => el.matches(':focus')).catch(() => false)); i++) await reader.keyboard.press('Tab');
  await expect(open).toBeFocused();
  expect(await focusVisible(reader)).toBe(true);
  await reader.keyboard.press('Enter');
  const report = banner.locator('dialog[open]');
  await expect(report).toBeVisible();
  await expect(report.locator('#report-title')).toHaveText('Rapport de vérification de la signature');
  await expectNoSeriousViolations(reader, 'esante-regify-secure-message', 'esante-regify-secure-message');
  await reader.keyboard.press('Escape');
  await expect(report).toBeHidden();
  await expect(open).toBeFocused();
  await reader.context().close();
});
