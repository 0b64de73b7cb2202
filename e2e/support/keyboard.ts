/** Keyboard-only journeys (issue 13): move the focus with Tab and check that it can be seen. */
import type { Page } from '@playwright/test';

/** Tabs until the focus is on `selector` (in the light DOM or inside our shadow roots); fails after `max` presses. */
export async function tabTo(page: Page, selector: string, max = 60): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (await page.locator(selector).evaluate((el) => el.matches(':focus') || (el.shadowRoot?.activeElement != null && el.matches(':focus-within'))).catch(() => false)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`${selector} never got the focus with Tab (last: ${await focused(page)})`);
}

/** The deepest focused element (through shadow roots), as tag#id. */
export function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    let el: Element | null = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    return el ? `${el.tagName.toLowerCase()}#${el.id}` : '';
  });
}

/** The focused element's outline is visible (WCAG 2.4.7): a non-zero outline or a box-shadow. */
export async function focusVisible(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    let el: Element | null = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    if (!el) return false;
    const s = getComputedStyle(el);
    return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none';
  });
}
