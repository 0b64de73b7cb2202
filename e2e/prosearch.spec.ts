/**
 * Issue 3, acceptance 1: the prosearch zimlet in Chromium against the sandbox and the real service
 * (default embedded directory = the generator's defaults, in which every sandbox user is listed).
 * Search by name, by each identifier type, by profession + city; then each action of the guide (p. 8)
 * really lands: the contact in the "Professionnels" address book, the recipient in the compose fields.
 */
import { fileURLToPath } from 'node:url';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { generateDirectory } from '../server-extension/src/directory/generate.ts';
import { login, openZimletPanel, USERS } from './support/session.ts';

/** The sandbox's people, listed first in the service's directory (scripts/start.mjs ESANTE_DIRECTORY_SEED_USERS). */
const SEED_USERS = fileURLToPath(new URL('../sandbox/seed/users.json', import.meta.url));

const marie = USERS.find((u) => u.mail === 'marie.schmit@esante.lu')!;
/** The directory entry of a seeded user, as the service's default directory holds it. */
const weber = generateDirectory({ usersFile: SEED_USERS }).find((r) => r.mail === 'jean-claude.weber@esante.lu')!;

async function openSearch(page: Page): Promise<Locator> {
  await openZimletPanel(page, 'lu_esante_prosearch');
  const panel = page.locator('dialog[open] esante-prosearch-panel');
  await expect(panel.locator('form')).toBeVisible();
  // The selects are filled from ListDirectoryReferences.
  await expect(panel.locator('select[name=profession] option')).not.toHaveCount(1);
  return panel;
}

async function searchFor(panel: Locator, fields: Record<string, string>): Promise<void> {
  await panel.locator('[data-action=reset]').click();
  for (const [name, value] of Object.entries(fields)) {
    const control = panel.locator(`[name=${name}]`);
    if ((await control.evaluate((el) => el.tagName)) === 'SELECT') await control.selectOption(value);
    else await control.fill(value);
  }
  await panel.locator('[data-action=search]').click();
}

const options = (panel: Locator) => panel.locator('[role=listbox] [role=option]');

async function closePanel(page: Page): Promise<void> {
  await page.locator('dialog[open] [data-button=ok]').click();
}

test('the form of the guide, with its rule: name OR identifier', async ({ page }) => {
  await login(page, marie.mail);
  const panel = await openSearch(page);
  for (const legend of ['Identité du professionnel', 'Localisation de l’exercice', 'Appartenance à une communauté', 'Identifiant']) {
    await expect(panel.locator('legend', { hasText: legend })).toBeVisible();
  }
  await expect(panel.locator('[data-action=reset]')).toHaveText('Réinitialiser');
  await expect(panel.locator('[data-action=search]')).toHaveText('Rechercher un contact');
  // Specialties follow the profession.
  await panel.locator('[name=profession]').selectOption('medecin-specialiste');
  await expect(panel.locator('select[name=specialty] option', { hasText: 'Cardiologie' })).toHaveCount(1);
  await panel.locator('[name=profession]').selectOption('infirmier');
  await expect(panel.locator('select[name=specialty] option', { hasText: 'Cardiologie' })).toHaveCount(0);
  // Without name or identifier: refused in the browser, with the guide's rule, nothing sent.
  await searchFor(panel, { firstName: 'Jean-Claude', city: 'Esch' });
  await expect(panel.locator('[role=alert]')).toContainText('Le nom du professionnel OU son identifiant');
  await expect(panel.locator('[role=listbox]')).toHaveCount(0);
});

test('search by name, by each identifier type, and by profession + city', async ({ page }) => {
  await login(page, marie.mail);
  const panel = await openSearch(page);

  await searchFor(panel, { name: 'weber' });
  await expect(options(panel).filter({ hasText: 'Jean-Claude Weber' })).toHaveCount(1);
  await expect(panel.locator('[data-field=total]')).toContainText(/\(\d+\)/);

  for (const idf of weber.identifiers) {
    await searchFor(panel, { identifier: idf.value.toLowerCase(), identifierType: idf.type });
    await expect(options(panel)).toHaveCount(1);
    await expect(options(panel).first()).toHaveAttribute('data-id', weber.id);
    await expect(panel.locator('[data-field=total]')).toHaveText('(1)');
  }
  // The same number under another type finds nobody.
  await searchFor(panel, { identifier: weber.identifiers[0]!.value, identifierType: 'luxtrust' });
  await expect(panel.locator('[data-field=empty]')).toBeVisible();

  await searchFor(panel, { name: 'we', profession: weber.profession, city: 'esch-sur' });
  await expect(options(panel).filter({ hasText: 'Jean-Claude Weber' })).toHaveCount(1);
  for (const row of await options(panel).all()) await expect(row).toContainText('Esch-sur-Alzette');
  await searchFor(panel, { name: 'we', profession: weber.profession, city: 'Wiltz' });
  await expect(options(panel).filter({ hasText: 'Jean-Claude Weber' })).toHaveCount(0);
});

test('the results list works with the keyboard and Enter opens the identity card', async ({ page }) => {
  await login(page, marie.mail);
  const panel = await openSearch(page);
  await searchFor(panel, { name: 'w' });
  const list = panel.locator('[role=listbox]');
  await expect(list).toBeFocused();
  const n = await options(panel).count();
  expect(n).toBeGreaterThan(1);
  await expect(options(panel).first()).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('ArrowDown');
  await expect(options(panel).nth(1)).toHaveAttribute('aria-selected', 'true');
  await expect(list).toHaveAttribute('aria-activedescendant', 'opt-1');
  await page.keyboard.press('End');
  await expect(options(panel).nth(n - 1)).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('Home');
  // Go to Weber's row with the arrows, then Enter.
  const index = await options(panel).evaluateAll((els, id) => els.findIndex((e) => e.getAttribute('data-id') === id), weber.id);
  expect(index).toBeGreaterThanOrEqual(0);
  for (let i = 0; i < index; i++) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  const card = panel.locator('[data-field=card]');
  await expect(card).toHaveAttribute('data-id', weber.id);
  await expect(card.locator('h3')).toBeFocused();
  await expect(card.locator('[data-field=mail]')).toHaveText(weber.mail);
  await expect(card.locator('[data-field=identifiers] tbody tr')).toHaveCount(4);
  for (const idf of weber.identifiers) await expect(card.locator(`tr[data-type=${idf.type}]`)).toContainText(idf.value);
  await expect(card.locator('tr[data-type=luxtrust]')).toContainText('LuxTrust');
  await expect(card.locator('[data-field=practices]')).toContainText('L-4240 Esch-sur-Alzette');
  await card.locator('[data-action=back]').click();
  await expect(list).toBeFocused();
});

test('"Ajouter aux contacts Professionnels" creates the address book once and never duplicates the contact', async ({ page }) => {
  await login(page, marie.mail);
  const panel = await openSearch(page);
  await searchFor(panel, { identifier: weber.identifiers[0]!.value });
  await panel.locator('[data-action=add-contact]').click();
  await expect(panel.locator('[data-field=status]')).toContainText('a été ajouté(e) aux contacts « Professionnels »');
  await panel.locator('[data-action=add-contact]').click();
  await expect(panel.locator('[data-field=status]')).toContainText('figure déjà dans les contacts « Professionnels »');
  await closePanel(page);

  await page.locator('#zm-tab-contacts').click();
  const book = page.locator('#zm-addrbooks li', { hasText: 'Professionnels' });
  await expect(book).toHaveCount(1);
  await book.click();
  await expect(page.locator('#zm-contacts-title')).toHaveText('Professionnels');
  const rows = page.locator('#zm-contact-list tr[data-contact-id]');
  await expect(rows).toHaveCount(1);
  await expect(rows.first().locator('.name')).toHaveText('Jean-Claude Weber');
  await expect(rows.first().locator('.email')).toHaveText(weber.mail);
});

test('"Ajouter en tant que À / Cc / Cci": in a new message, then in the message being composed', async ({ page }) => {
  await login(page, marie.mail);
  let panel = await openSearch(page);
  await searchFor(panel, { identifier: weber.identifiers[1]!.value, identifierType: 'rpreg' });
  await panel.locator('[data-action=to]').click();
  await expect(page.locator('#zm-compose')).toBeVisible();
  await expect(page.locator('#zm-compose-to')).toHaveValue(new RegExp(weber.mail.replace(/\./g, '\\.')));
  await closePanel(page);

  // While composing: Cc and Bcc go into the open message.
  const sophie = generateDirectory({ usersFile: SEED_USERS }).find((r) => r.mail === 'sophie.muller@esante.lu')!;
  panel = await openSearch(page);
  await searchFor(panel, { identifier: sophie.identifiers[3]!.value });
  await panel.locator('[data-action=cc]').click();
  await expect(panel.locator('[data-field=status]')).toContainText('au message en cours');
  await searchFor(panel, { name: 'thill', firstName: 'hélène' });
  await expect(options(panel)).toHaveCount(1);
  await panel.locator('[data-action=bcc]').click();
  await closePanel(page);
  await expect(page.locator('#zm-compose-to')).toHaveValue(new RegExp(weber.mail.replace(/\./g, '\\.')));
  await expect(page.locator('#zm-compose-cc')).toHaveValue(/sophie\.muller@esante\.lu/);
  await expect(page.locator('#zm-compose-bcc')).toHaveValue(/helene\.thill@esante\.lu/);
  await expect(page.locator('#zm-compose')).toHaveCount(1);
});
