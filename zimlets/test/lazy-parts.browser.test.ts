/**
 * The parts loaded when first needed (issue 17: a light start), in Chromium with the real prosearch
 * bundle and its real panel part: the window opens at once with "Chargement…" while the part is on
 * its way, the part is fetched from the zimlet's base URL (ZmZimletContext.getUrl), a part that cannot
 * load says so as an alert, and the next opening loads it. Only the Zimbra globals the start-time
 * script and zimlets/common use are faked (zimlets/README.md).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type Page, type Route } from '@playwright/test';
import { bundleZimlet, bundleZimletChunks } from '../../build/build.mjs';
import { parseProperties } from '../../build/properties.mjs';
import { ZIMLETS } from '../../build/zimlets.mjs';
import { PART_TEXTS } from '../common/lazy-panel.ts';
import { fakeZimbra } from './fake-zimbra.ts';

const ORIGIN = 'http://zimbra.test';
const PART = '/service/zimlet/lu_esante_prosearch/lu_esante_prosearch_panel.js';

const FAKE_ZIMBRA = fakeZimbra('csrf');

let browser: Browser;
let page: Page;
let partCode = '';
/** How the next request of the part is answered; requests wait here until the test answers them. */
const pending: Route[] = [];
let onRequest: (() => void) | undefined;

before(async () => {
  const prosearch = ZIMLETS.find((z) => z.short === 'prosearch')!;
  partCode = (await bundleZimletChunks(prosearch)).find((c) => c.name === 'lu_esante_prosearch_panel.js')!.code;
  const props = parseProperties(await readFile(path.join(prosearch.dir, 'i18n', 'fr.properties'), 'utf8'));
  const start = `window.lu_esante_prosearch = ${JSON.stringify(Object.fromEntries(props))};\n${await bundleZimlet(prosearch)}`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  page = await browser.newPage();
  await page.route(`${ORIGIN}/**`, async (route) => {
    const url = new URL(route.request().url());
    if (url.pathname === '/') return route.fulfill({ contentType: 'text/html', body: '<!doctype html><html lang="fr"><body></body></html>' });
    if (url.pathname === PART) {
      pending.push(route);
      onRequest?.();
      return;
    }
    return route.fulfill({ status: 404, body: '' });
  });
  await page.goto(`${ORIGIN}/`);
  await page.addScriptTag({ content: FAKE_ZIMBRA });
  await page.addScriptTag({ content: start });
  await page.evaluate(() => {
    const w = window as unknown as Record<string, any>;
    w['__z'] = new w['lu_esante_prosearch_HandlerObject']();
    w['__z'].name = 'lu_esante_prosearch';
    w['__z'].init();
  });
});

after(async () => {
  await browser?.close();
});

/** The next request of the part (already made, or the one to come). */
async function nextPartRequest(): Promise<Route> {
  if (pending.length === 0) await new Promise<void>((resolve) => (onRequest = resolve));
  onRequest = undefined;
  return pending.shift()!;
}

test('the start-time script alone defines no panel; the window waits visibly for its part, says when it cannot load, and loads it on the next opening', async () => {
  assert.equal(await page.evaluate(() => customElements.get('esante-prosearch-panel')), undefined, 'the panel is not in the start-time script');
  const dialog = page.getByRole('dialog', { name: 'Recherche de professionnels' });

  await page.evaluate(() => (window as unknown as Record<string, any>)['__z'].singleClicked());
  const first = await nextPartRequest();
  // The window is open at once, saying what it waits for.
  await dialog.getByRole('status').filter({ hasText: PART_TEXTS.loading.fr }).waitFor();
  await first.fulfill({ status: 503, body: '' });
  await dialog.getByRole('alert').filter({ hasText: PART_TEXTS.failed.fr }).waitFor();

  await page.evaluate(() => (window as unknown as Record<string, any>)['__z'].singleClicked());
  const second = await nextPartRequest();
  await second.fulfill({ contentType: 'application/javascript; charset=utf-8', body: partCode });
  await dialog.locator('esante-prosearch-panel').waitFor();
  // The panel took the status line's place (its own alerts, e.g. a service it cannot reach here, are its business).
  assert.equal(await dialog.locator('[data-esante-part] > p').count(), 0, 'the status line is gone');

  // Loaded once: another opening fetches nothing.
  await page.evaluate(() => (window as unknown as Record<string, any>)['__z'].menuItemSelected('about'));
  await dialog.locator('esante-prosearch-panel').waitFor();
  assert.equal(pending.length, 0);
});
