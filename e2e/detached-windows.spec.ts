/**
 * Issue 10, point 5: zimlets in detached windows, in Chromium against the whole suite.
 * Zimbra opens a compose ("Détacher", ZmComposeController.detach, ZmComposeController.js:295-350) or
 * a message ("Ouvrir dans une nouvelle fenêtre", ZmMailMsgView.detachMsgInNewWindow,
 * ZmMailMsgView.js:2700-2711) in `/public/launchNewWindow.jsp`; that window loads ONLY the zimlets
 * whose descriptor's `target` names it, "compose-window" or "view-window" (ZmNewWindow.js:223-247,
 * ZmZimletMgr.js:193-201), and runs their hooks there (initializeToolbar, onSendButtonClicked, onMsgView).
 * - a detached compose has "Signer" and "Envoyer avec Regify", keeps what was typed, replaces the main
 *   window's compose (no pop shield), and its send deletes the draft the detach saved (`did`);
 * - a detached message shows the signature banner of the security zimlet;
 * - each window loads exactly the zimlets targeting it.
 */
import { expect, test, type Page } from '@playwright/test';
import { login, loginInNewContext, USERS } from './support/session.ts';

const marie = USERS.find((u) => u.mail === 'marie.schmit@esante.lu')!;
const luc = USERS.find((u) => u.mail === 'luc.hoffmann@esante.lu')!;

// Two sessions, a signed send and a delivery: more than the default 60 s on a busy machine.
test.describe.configure({ timeout: 120_000 });

/** The regify start wizard is not this spec's subject: whenever it shows, Annuler. */
function dismissRegifyWizard(page: Page): Promise<void> {
  return page.addLocatorHandler(page.locator('#esante-regify-wizard-dialog[open]'), async () => {
    // The login helper may have closed it already (it answers the wizard itself): then nothing to do.
    await page.locator('#esante-regify-wizard-dialog_button1').click({ timeout: 2_000 }).catch(() => undefined);
  });
}

/** Names of the zimlets instantiated in a window. */
function loadedZimlets(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as any).appCtxt.getZimletMgr().getZimlets().map((z: { name: string }) => z.name).sort());
}

/** Messages of a folder whose subject matches, through the page's own session (SearchRequest). */
function search(page: Page, query: string): Promise<Array<{ id: string; su: string }>> {
  return page.evaluate(async (q) => {
    const body = (await (window as any).appCtxt.getAppController().sendRequest({ jsonObj: { SearchRequest: { _jsns: 'urn:zimbraMail', query: q, types: 'message', limit: 50 } } })) as any;
    return (body?.SearchResponse?.m ?? []) as Array<{ id: string; su: string }>;
  }, query);
}

test('a detached compose loads the compose-window zimlets: "Signer" and "Envoyer avec Regify"; its send removes the detach draft', async ({ page }) => {
  // The login helper answers the wizard itself; the handler (after it, not to click the same button) covers later openings.
  await login(page, marie.mail, 'card');
  await dismissRegifyWizard(page);
  const subject = `Fenêtre détachée ${Date.now()}`;
  await page.locator('#zb__TV__NEW_MESSAGE').click();
  await page.locator('#zm-compose-to').fill(luc.mail);
  await page.locator('#zm-compose-subject').fill(subject);
  await page.locator('#zm-compose-body').fill('Bonjour,\nsuite du dossier.');

  const popupPromise = page.waitForEvent('popup');
  await page.locator('#zb__COMPOSE__DETACH_COMPOSE').click();
  const child = await popupPromise;
  await dismissRegifyWizard(child);
  await expect(child.locator('body[data-zimlets="loaded"]')).toBeAttached();
  expect(new URL(child.url()).pathname).toBe('/public/launchNewWindow.jsp');
  await expect(child.locator('body')).toHaveAttribute('data-window', 'compose-window');

  // Only the zimlets targeting "compose-window" (medical targets "main view-window").
  expect(await loadedZimlets(child)).toEqual(['lu_esante_prosearch', 'lu_esante_regify', 'lu_esante_security', 'lu_esante_webex']);
  await expect(child.locator('#zb__COMPOSE__LU_ESANTE_SIGN')).toBeVisible();
  await expect(child.locator('#zb__COMPOSE__ESANTE_REGIFY_SEND')).toBeVisible();
  // No "Détacher" in a detached window; what was typed came along.
  await expect(child.locator('#zb__COMPOSE__DETACH_COMPOSE')).toHaveCount(0);
  await expect(child.locator('#zm-compose-subject')).toHaveValue(subject);
  await expect(child.locator('#zm-compose-to')).toHaveValue(luc.mail);
  await expect(child.locator('#zm-compose-body')).toHaveValue('Bonjour,\nsuite du dossier.');

  // The main window's compose was popped, forced: no pop shield, the list is back.
  await expect(page.locator('#zm-compose')).toHaveCount(0);
  await expect(page.locator('#zm-compose-leave-dialog[open]')).toHaveCount(0);
  await expect(page.locator('#zm-msg-list')).toBeVisible();
  // Zimbra saves a draft before detaching (DRAFT_TYPE_AUTO, ZmComposeController.js:300-302).
  expect((await search(page, 'in:drafts')).filter((m) => m.su === subject)).toHaveLength(1);

  // Plain send from the detached window: it closes, and the draft goes (SendMsg `did`).
  const closed = child.waitForEvent('close');
  await child.locator('#zb__COMPOSE__SEND').click();
  await closed;
  await expect(async () => {
    expect((await search(page, 'in:sent')).filter((m) => m.su === subject)).toHaveLength(1);
  }).toPass({ timeout: 10_000 });
  expect((await search(page, 'in:drafts')).filter((m) => m.su === subject)).toHaveLength(0);
});

test('a detached message loads the view-window zimlets and shows the signature banner', async ({ page, browser }) => {
  // The login helper answers the wizard itself; the handler (after it, not to click the same button) covers later openings.
  await login(page, marie.mail, 'card');
  await dismissRegifyWizard(page);
  const subject = `Signé, lu à part ${Date.now()}`;
  await page.locator('#zb__TV__NEW_MESSAGE').click();
  await page.locator('#zm-compose-to').fill(luc.mail);
  await page.locator('#zm-compose-subject').fill(subject);
  await page.locator('#zm-compose-body').fill('Résultats en pièce.');
  await page.locator('#zb__COMPOSE__LU_ESANTE_SIGN').click();
  await page.locator('esante-sign-menu [role=menuitemcheckbox]').press('Enter');
  await expect(page.locator('#zb__COMPOSE__LU_ESANTE_SIGN')).toHaveAttribute('aria-pressed', 'true');
  await page.locator('#zb__COMPOSE__SEND').click();

  const reader = await loginInNewContext(browser, luc.mail, 'card');
  await dismissRegifyWizard(reader);
  const row = reader.locator('#zm-msg-list [data-msg-id]', { hasText: subject });
  await expect(async () => {
    await reader.locator('#zb__TV__CHECK_MAIL').click();
    await expect(row).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 20_000 });
  await row.click();
  await expect(reader.locator('#zm-msg-subject')).toHaveText(subject);

  const popupPromise = reader.waitForEvent('popup');
  await reader.locator('#zb__TV__DETACH').click();
  const child = await popupPromise;
  await dismissRegifyWizard(child);
  await expect(child.locator('body[data-zimlets="loaded"]')).toBeAttached();
  await expect(child.locator('body')).toHaveAttribute('data-window', 'view-window');
  expect(await loadedZimlets(child)).toEqual(['lu_esante_medical', 'lu_esante_regify', 'lu_esante_security']);
  // The message alone ("MSG-1", ZmMsgController) and the security zimlet's onMsgView there.
  await expect(child.locator('#zm-msg-alone[data-view-id="MSG-1"] #zm-msg-view')).toBeVisible();
  await expect(child.locator('#zm-msg-subject')).toHaveText(subject);
  const banner = child.locator('#zm-msg-view esante-signature-banner');
  await expect(banner.locator('[data-state=valid]')).toBeVisible({ timeout: 15_000 });
  await expect(banner.locator('[data-field=banner-text]')).toContainText('Message signé par Marie Schmit');
  // "Fermer" pops the last view: the detached window closes (ZmAppViewMgr.js:830-834).
  // The window closes inside the click handler, so the click itself may report the closed page:
  // that error counts only when the page did not close.
  const closed = child.waitForEvent('close');
  await child.locator('#zb__MSG__CLOSE').click().catch((e: unknown) => {
    if (!child.isClosed()) throw e;
  });
  await closed;
  await reader.context().close();
});
