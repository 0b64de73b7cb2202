/**
 * Issue 15, acceptance 1 (webmail side): the decrypted HTML of a Regify message in Chromium, through
 * the real `<esante-regify-secure-message>` element, its DOMPurify layer and its sandboxed frame
 * (shared/messages/safe-html.ts). Hostile messages — scripts, event handlers, javascript: links, SVG,
 * mutation-XSS payloads, remote images in every attribute that can load one, and a forged header drawn
 * with the panel's own classes — set no flag, send no request to the remote host before the reader
 * asks, and draw nothing inside the panel's own DOM.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Browser, type Page } from '@playwright/test';
import { launchChromium } from '../../scripts/chromium.ts';
import * as esbuild from 'esbuild';
import { parseProperties } from '../../build/properties.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ORIGIN = 'http://zimbra.test';
const REMOTE = 'http://remote.test';

/** Each payload tries to set window.top.__pwned (or its title) in the webmail page. */
const HOSTILE = [
  '<p id="greeting">Bonjour, voici les <b>résultats</b>.</p>',
  '<script>top.__pwned = "script"</script>',
  '<img src="x" onerror="top.__pwned = \'onerror\'">',
  '<a id="js-link" href="javascript:top.__pwned = \'javascript-link\'">voir le rapport</a>',
  '<a id="ok-link" href="https://www.esante.lu/">eSanté</a>',
  '<svg onload="top.__pwned = \'svg-onload\'"><script>top.__pwned = "svg-script"</script></svg>',
  '<iframe srcdoc="<script>top.__pwned=\'iframe\'</script>"></iframe>',
  '<object data="javascript:top.__pwned=\'object\'"></object>',
  `<img id="pixel" src="${REMOTE}/pixel.png" alt="logo">`,
  `<img srcset="${REMOTE}/srcset.png 1x">`,
  `<video poster="${REMOTE}/poster.png"></video>`,
  `<table background="${REMOTE}/background.png"><tr><td>t</td></tr></table>`,
  `<div style="background:url(${REMOTE}/style.png)">styled</div>`,
  `<link rel="stylesheet" href="${REMOTE}/x.css">`,
  // A second "De :" line with the panel's own classes and data hooks, and a phishing link under it.
  '<dl class="meta"><dt>De :</dt><dd data-field="from">Dr Phish &lt;phish@esante.lu&gt;</dd></dl>',
  '<esante-banner data-banner="level" kind="level" text="L’émetteur de ce message, DR PHISH, est authentifié de niveau 4"></esante-banner>',
  // Mutation-XSS last: a <style> parsed as raw text may swallow what follows (as it must).
  '<noscript><p title="</noscript><img src=x onerror=top.__pwned=\'mxss-noscript\'>"></noscript>',
  '<math><mtext><table><mglyph><style><img src=x onerror=top.__pwned=\'mxss-math\'></style></mglyph></table></mtext></math>',
  '<form><math><mtext></form><form><mglyph><style></math><img src onerror=top.__pwned=\'mxss-form\'>',
].join('\n');

let browser: Browser;
let page: Page;
const remoteRequests: string[] = [];
const pageErrors: string[] = [];

before(async () => {
  const bundle = await esbuild.build({
    stdin: {
      contents: "import './zimlets/regify/src/messages/secure-message.component.ts';",
      resolveDir: ROOT,
      loader: 'ts',
      sourcefile: 'entry.ts',
    },
    bundle: true,
    format: 'iife',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  const props = Object.fromEntries(parseProperties(await readFile(path.join(ROOT, 'zimlets/regify/i18n/fr.properties'), 'utf8')));
  browser = await launchChromium();
  page = await browser.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.route(`${REMOTE}/**`, (route) => {
    remoteRequests.push(new URL(route.request().url()).pathname);
    return route.fulfill({ status: 200, contentType: 'image/png', body: Buffer.from('89504e470d0a1a0a', 'hex') });
  });
  await page.route(`${ORIGIN}/**`, (route) =>
    route.fulfill({ contentType: 'text/html', body: '<!doctype html><html lang="fr"><head><title>Zimbra</title></head><body></body></html>' }),
  );
  await page.goto(`${ORIGIN}/`);
  await page.addScriptTag({ content: `window.__props = ${JSON.stringify(props)};` });
  await page.addScriptTag({ content: bundle.outputFiles[0]!.text });
  await page.addScriptTag({ content: MOUNT });
});

after(async () => {
  await browser?.close();
});

/**
 * Mounts the element with a fake `open` (the decrypted message) and a host reading fr.properties. Plain
 * JavaScript in the page: functions passed to page.evaluate would carry tsx's `__name` helper.
 */
const MOUNT = `
window.__mount = function (display, levelBanner) {
  document.body.replaceChildren();
  var props = window.__props;
  var el = document.createElement('esante-regify-secure-message');
  el.host = {
    lang: 'fr',
    msg: function (key) {
      var args = Array.prototype.slice.call(arguments, 1);
      return (props[key] || '???' + key + '???').replace(/\\{(\\d)\\}/g, function (m, i) { return String(args[Number(i)]); });
    },
  };
  el.viewer = 'luc.hoffmann@esante.lu';
  el.open = function () {
    return Promise.resolve({
      header: { messageId: 'm1', keyService: 'x', sender: 'marie.schmit@esante.lu' },
      sender: { mail: 'marie.schmit@esante.lu', displayName: 'Marie Schmit', level: 3, levelBanner: levelBanner },
      sentAt: '2026-12-07T08:00:00Z',
      mime: new Uint8Array(),
      display: Object.assign({ subject: 'Résultats', from: 'Marie Schmit <marie.schmit@esante.lu>', to: 'luc.hoffmann@esante.lu', cc: '', date: '', attachments: [], signed: false }, display),
    });
  };
  document.body.append(el);
};`;

async function show(display: { html?: string; text?: string }, levelBanner = true): Promise<void> {
  await page.evaluate(([d, l]) => (window as unknown as { __mount(d: unknown, l: boolean): void }).__mount(d, l), [display, levelBanner] as const);
  await page.locator('esante-regify-secure-message[data-state="ready"]').waitFor();
}

test('hostile HTML runs nothing, loads nothing remote and draws nothing in the panel; remote images only when the reader asks', async () => {
  await show({ html: HOSTILE, text: 'Bonjour' });
  const frame = page.frameLocator('#body-frame');
  await frame.locator('#greeting').waitFor();
  assert.equal(await frame.locator('#greeting').textContent(), 'Bonjour, voici les résultats.');

  // The frame: sandboxed without scripts nor same-origin, its own CSP.
  const iframe = page.locator('esante-regify-secure-message #body-frame');
  assert.equal(await iframe.getAttribute('sandbox'), 'allow-popups allow-popups-to-escape-sandbox');
  const srcdoc = (await iframe.evaluate((f: HTMLIFrameElement) => f.srcdoc)) ?? '';
  assert.match(srcdoc, /Content-Security-Policy" content="default-src 'none'; img-src data:;/);

  // What DOMPurify left: no handler, no script, no javascript: URL, no frame/object/svg/link.
  const inner = await frame.locator('body').innerHTML();
  assert.doesNotMatch(inner, /onerror|onload|<script|javascript:|<iframe|<object|<svg|<link|style=/i, inner);
  // A click on the former javascript: link does nothing; a normal link opens a new tab without referrer.
  await frame.locator('#js-link').click();
  assert.equal(await frame.locator('#ok-link').getAttribute('rel'), 'noopener noreferrer');
  assert.equal(await frame.locator('#ok-link').getAttribute('target'), '_blank');

  // No flag set, title intact, no error in the page.
  assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned), undefined);
  assert.equal(await page.title(), 'Zimbra');
  assert.deepEqual(pageErrors, []);

  // The forged header exists only in the frame's own document: the panel shows one "De :" line, the real one.
  const fromLines = page.locator('esante-regify-secure-message [data-field="from"]');
  assert.equal(await fromLines.count(), 1);
  assert.equal(await fromLines.textContent(), 'Marie Schmit <marie.schmit@esante.lu>');
  assert.equal(await page.locator('esante-regify-secure-message [data-banner="level"]').count(), 1);
  assert.match(await page.locator('esante-regify-secure-message [data-banner="level"]').evaluate((b) => String((b as unknown as { text: string }).text)), /MARIE SCHMIT/);

  // Nothing was fetched from the remote host; the reader is told images were held back.
  assert.deepEqual(remoteRequests, []);
  const notice = page.locator('esante-regify-secure-message .images');
  assert.match((await notice.textContent()) ?? '', /Images distantes non affichées \(1\)/);

  // "Afficher les images": the remote <img> (and only it) is loaded now.
  const loaded = page.waitForRequest(`${REMOTE}/pixel.png`);
  await page.locator('esante-regify-secure-message #show-images').click();
  await frame.locator('#pixel[src]').waitFor();
  await loaded;
  assert.deepEqual(remoteRequests, ['/pixel.png']);
  assert.equal(await notice.count(), 0);
  assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned), undefined);
});

test('a plain-text message stays text in the panel (no frame), with no images notice', async () => {
  await show({ text: '<img src=x onerror=top.__pwned=1> texte' }, false);
  assert.equal(await page.locator('esante-regify-secure-message #body-frame').count(), 0);
  assert.equal(await page.locator('esante-regify-secure-message #content pre').textContent(), '<img src=x onerror=top.__pwned=1> texte');
  assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned), undefined);
});
