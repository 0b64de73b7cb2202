/**
 * Shared e2e helpers: log into the sandbox webmail as a seeded user, with the LuxTrust card or in
 * fallback mode, and wait until every zimlet is initialised. Selectors are documented in
 * sandbox/web/README.md ("Ids for e2e tests").
 */
import { readFileSync } from 'node:fs';
import { expect, type Browser, type Page } from '@playwright/test';
import { SOAP_PATH } from '../../shared/paths.ts';

const seed = JSON.parse(readFileSync(new URL('../../sandbox/seed/users.json', import.meta.url), 'utf8')) as {
  password: string;
  users: Array<{ givenName: string; sn: string; mail: string; lang: string }>;
};
export const SANDBOX_PASSWORD = seed.password;
export const USERS = seed.users;
export const ZIMLETS = ['lu_esante_regify', 'lu_esante_prosearch', 'lu_esante_medical', 'lu_esante_security', 'lu_esante_webex'] as const;

export interface LoginOptions {
  /** Leave the Regify account wizard open if it shows (specs about the wizard); default: dismiss it with Annuler. */
  keepWizard?: boolean;
  /**
   * The regify question "Envoyer sans chiffrement ?" before a plain Send to an @esante.lu recipient (issue 10,
   * zimlets/regify/src/messages/default-send.ts). On for real users; default here: turned off for the
   * session, as the user may in Options, so specs about other plain sends (signing, detached windows) test
   * what they test. e2e/default-send.spec.ts turns it on; 'keep' leaves the account's saved choice.
   */
  plainSendQuestion?: boolean | 'keep';
}

export async function login(
  page: Page,
  mail: string,
  method: 'card' | 'fallback' = 'card',
  lang?: 'fr' | 'de' | 'en',
  options: LoginOptions = {},
): Promise<void> {
  // esbuild's keepNames (tsx) wraps functions passed to page.evaluate in a __name helper the page lacks.
  await page.addInitScript('window.__name = (f) => f;');
  // The regify zimlet asks the service whether the user has an encryption account at start; once that
  // answer is in, the wizard is either open or will not open (guide p.5).
  const accountChecked = page
    .waitForResponse((r) => r.url().endsWith(SOAP_PATH) && (r.request().postData() ?? '').includes('GetEncryptionAccountRequest'), { timeout: 20_000 })
    .catch(() => undefined);
  await page.goto(lang ? `/?lang=${lang}` : '/');
  await page.locator('#username').fill(mail);
  await page.locator('#password').fill(SANDBOX_PASSWORD);
  await page.locator(method === 'card' ? '#authMethod-card' : '#authMethod-fallback').check();
  await page.locator('#login-submit').click();
  await expect(page.locator('body[data-ready="true"]')).toBeVisible();
  await expect(page.locator('body[data-zimlets="loaded"]')).toBeAttached();
  await accountChecked;
  // The user's own switch (ZmZimletBase.setUserProperty, saved with ModifyPropertiesRequest), set explicitly
  // either way since it persists in the account.
  if (options.plainSendQuestion !== 'keep') {
    await page.evaluate((on) => {
      const ctx = (window as any).appCtxt.getZimletMgr().getZimletByName('lu_esante_regify');
      ctx?.handlerObject?.setUserProperty('plainSendQuestion', on ? 'on' : 'off', true);
    }, options.plainSendQuestion === true);
  }
  if (!options.keepWizard) {
    // Annuler closes the wizard without opting out: it shows again at the next login.
    const wizard = page.locator('#esante-regify-wizard-dialog[open]');
    // A spec's own locator handler (page.addLocatorHandler) may close the wizard first: then the
    // click has nothing left to do, which is fine; a wizard still open after it is not.
    const cancel = () =>
      page.locator('#esante-regify-wizard-dialog_button1').click({ timeout: 5_000 }).catch(async (e: unknown) => {
        if (await wizard.isVisible()) throw e;
      });
    if (await wizard.isVisible().catch(() => false)) await cancel();
    else await wizard.waitFor({ timeout: 1_000 }).then(cancel, () => undefined);
  }
}

/** A fresh browser context logged in as `mail` (several users in one test). */
export async function loginInNewContext(browser: Browser, mail: string, method: 'card' | 'fallback' = 'card'): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await login(page, mail, method);
  return page;
}

export async function openZimletPanel(page: Page, zimlet: (typeof ZIMLETS)[number]): Promise<void> {
  const item = page.locator(`#zimlet-${zimlet}`);
  if (!(await item.isVisible())) await page.locator('#zm-zimlets-toggle').click();
  await item.click();
}

/** Waits for a message with this subject in the Inbox ("Vérifier le courrier" until it shows) and opens it. */
export async function openInInbox(page: Page, subject: string): Promise<void> {
  const row = page.locator('#zm-msg-list [data-msg-id]', { hasText: subject });
  await expect(async () => {
    await page.locator('#zb__TV__CHECK_MAIL').click();
    await expect(row).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 15_000 });
  await row.click();
  await expect(page.locator('#zm-msg-subject')).toHaveText(subject);
}
