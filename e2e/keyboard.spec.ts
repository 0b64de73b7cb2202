/**
 * Issue 13, acceptance 1 (part): keyboard-only journeys — no mouse from the zimlet tree to the result.
 * Search → identity card → add as Cc, with focus visible and returned where it was when the dialog closes,
 * and the status announced in a live region.
 */
import { expect, test } from '@playwright/test';
import { focusVisible, tabTo } from './support/keyboard.ts';
import { login } from './support/session.ts';

const marie = 'marie.schmit@esante.lu';

test('search → identity card → "Ajouter en tant que Cc", keyboard only; focus returns to the zimlet when the dialog closes', async ({ page }) => {
  await login(page, marie);
  // Compose first (the Cc goes into the message being written), from the keyboard.
  await page.locator('#zb__TV__NEW_MESSAGE, #zb__CLV__NEW_MESSAGE').first().focus();
  await page.keyboard.press('Enter');
  await expect(page.locator('#zm-compose')).toBeVisible();

  const item = page.locator('#zimlet-lu_esante_prosearch');
  if (!(await item.isVisible())) {
    await page.locator('#zm-zimlets-toggle').focus();
    await page.keyboard.press('Enter');
  }
  await item.focus();
  expect(await focusVisible(page)).toBe(true);
  await page.keyboard.press('Enter');
  const panel = page.locator('dialog[open] esante-prosearch-panel');
  await expect(panel.locator('form')).toBeVisible();

  // Type the name, Enter submits the search; the results list takes the focus.
  await tabTo(page, 'dialog[open] esante-prosearch-panel [name=name]');
  await page.keyboard.type('weber');
  await page.keyboard.press('Enter');
  const list = panel.locator('[role=listbox]');
  await expect(list).toBeFocused();
  await expect(panel.locator('[role=listbox] [role=option]').first()).toHaveAttribute('aria-selected', 'true');
  // Enter opens the identity card; its heading takes the focus and the card is readable without scrolling.
  await page.keyboard.press('Enter');
  const card = panel.locator('[data-field=card]');
  await expect(card.locator('h3')).toBeFocused();
  expect(await focusVisible(page)).toBe(true);
  // The whole card is on screen (issue 13: it had to be scrolled to be read).
  expect(await card.evaluate((el) => {
    const r = el.getBoundingClientRect();
    return r.top >= 0 && r.bottom <= window.innerHeight;
  })).toBe(true);
  const chosen = (await card.locator('[data-field=mail]').textContent())!.trim();
  expect(chosen).toMatch(/weber@esante\.lu$/);

  // Tab to "Cc", Enter: the status is announced (role=status / aria-live) and the address is in the message.
  await tabTo(page, 'dialog[open] esante-prosearch-panel [data-action=cc]');
  expect(await focusVisible(page)).toBe(true);
  await page.keyboard.press('Enter');
  const status = panel.locator('[data-field=status]');
  await expect(status).toContainText('au message en cours');
  expect(await status.evaluate((el) => el.getAttribute('role') === 'status' || el.closest('[aria-live]') !== null || el.getAttribute('aria-live') !== null)).toBe(true);

  // Escape closes the dialog; the focus is back on the zimlet item that opened it.
  await page.keyboard.press('Escape');
  await expect(page.locator('dialog[open]')).toHaveCount(0);
  await expect(item).toBeFocused();
  await expect(page.locator('#zm-compose-cc')).toHaveValue(new RegExp(chosen.replace(/[.]/g, '\\.')));
});
