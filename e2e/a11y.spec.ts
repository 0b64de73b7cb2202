/**
 * Issue 13, acceptance 1-2 (part): every panel and dialog of the five zimlets, in fr, de and en,
 * checked by axe-core (WCAG 2.1 A + AA rules; 0 serious or critical violations), screenshotted to
 * test-results/screens/<lang>/<screen>.png for side-by-side review, and searched for untranslated
 * texts: a "???key???" marker (Zimbra's missing-key text), a raw message id (snake_case), or a French sentence of the zimlet's
 * own properties on a German or English screen.
 * Only our own elements are judged (`include('dialog[open]')`): the sandbox's stand-in for Zimbra's UI
 * is not what a site installs.
 */
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { parseProperties } from '../build/properties.mjs';
import { login, openZimletPanel, ZIMLETS } from './support/session.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SCREENS = join(ROOT, 'test-results', 'screens');
const LANGS = ['fr', 'de', 'en'] as const;
type Lang = (typeof LANGS)[number];
/**
 * A seeded user per language (the webmail's language is the account's zimbraPrefLocale, as in Zimbra);
 * nothing here changes their state (the wizard is only looked at, then cancelled).
 */
const USER: Record<Lang, string> = { fr: 'helene.thill@esante.lu', de: 'sophie.muller@esante.lu', en: 'ana.da-silva@esante.lu' };

const HELP_WORD: Record<Lang, string> = { fr: 'Aide', de: 'Hilfe', en: 'Help' };

/** The zimlets' French sentences that have a different German and English text (a leak is then visible). */
const FRENCH_ONLY: string[] = (() => {
  const out: string[] = [];
  for (const z of ZIMLETS) {
    const dir = join(ROOT, 'zimlets', z.replace('lu_esante_', ''), 'i18n');
    const read = (l: Lang) => parseProperties(readFileSync(join(dir, `${l}.properties`), 'utf8'));
    const [fr, de, en] = [read('fr'), read('de'), read('en')];
    for (const [key, text] of fr) {
      const plain = text.replace(/\{\d\}/g, '').trim();
      if (plain.length >= 14 && !/[{}<]/.test(plain) && de.get(key) !== text && en.get(key) !== text) out.push(plain);
    }
  }
  return out;
})();

async function check(page: Page, scope: Locator, lang: Lang, screen: string): Promise<void> {
  await mkdir(join(SCREENS, lang), { recursive: true });
  await scope.screenshot({ path: join(SCREENS, lang, `${screen}.png`) });

  const text = await scope.innerText();
  expect(text, `${screen} (${lang}): an untranslated key`).not.toMatch(/\?\?\?[\w.-]+\?\?\?/);
  expect(text, `${screen} (${lang}): a raw message id`).not.toMatch(/\b[a-z]+(?:_[a-z0-9]+){2,}\b/);
  if (lang !== 'fr') {
    const leaked = FRENCH_ONLY.filter((fr) => text.includes(fr));
    expect(leaked, `${screen} (${lang}): French text on a ${lang} screen`).toEqual([]);
  }

  const result = await new AxeBuilder({ page }).include('dialog[open]').withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const serious = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);
  expect(serious, `${screen} (${lang}): axe`).toEqual([]);
  // axe did look inside our elements' shadow roots (axe writes a shadow node's target as [host, …, node]).
  expect(result.passes.some((r) => r.nodes.some((n) => n.target.some((t) => Array.isArray(t)))), `${screen}: axe reached no shadow DOM`).toBe(true);
}

async function closeDialog(page: Page): Promise<void> {
  await page.keyboard.press('Escape');
  await expect(page.locator('dialog[open]')).toHaveCount(0);
}

for (const lang of LANGS) {
  test(`every panel and dialog in ${lang}: axe (WCAG 2.1 AA), translated, screenshotted`, async ({ page }) => {
    test.setTimeout(120_000);
    await login(page, USER[lang], 'card', lang, { keepWizard: true });
    await expect(page.locator('html')).toHaveAttribute('lang', lang);

    // The Regify account wizard (guide p.5) opens at login for a user without an encryption account.
    const wizard = page.locator('#esante-regify-wizard-dialog[open]');
    await expect(wizard).toBeVisible();
    await check(page, wizard, lang, 'regify-wizard');
    await page.locator('#esante-regify-wizard-dialog_button1').click();
    await expect(wizard).toHaveCount(0);

    for (const zimlet of ZIMLETS) {
      await openZimletPanel(page, zimlet);
      const dialog = page.locator('dialog[open]');
      await expect(dialog).toHaveCount(1);
      // Each panel shows its content once its service answered (no "loading" state left to judge).
      await expect(dialog.locator('[aria-busy="true"]')).toHaveCount(0);
      await check(page, dialog, lang, zimlet.replace('lu_esante_', ''));
      // "Aide" (guide p.29): this panel's section of the help page, in the reader's language.
      const help = dialog.getByRole('link', { name: HELP_WORD[lang], exact: true });
      const href = (await help.getAttribute('href')) ?? '';
      expect(href).toMatch(new RegExp(`/service/extension/esante/help/${lang}#[a-z-]+$`));
      const helpPage = await page.request.get(href.split('#')[0]!);
      expect(helpPage.status()).toBe(200);
      expect(await helpPage.text()).toContain(`<section id="${href.split('#')[1]}"`);
      await closeDialog(page);
    }
  });
}
