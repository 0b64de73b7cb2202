/**
 * The real zimlet bundles in Chromium, inside a page that fakes only the Zimbra globals listed in
 * zimlets/README.md: the five zimlets load side by side (shared custom elements defined once), every
 * panel item and descriptor menu item opens its zimlet's dialog, a panel
 * click opens a dialog whose lit content fetches GetServiceInfo from the service URL with the CSRF
 * header, shows it translated, and shows a Fault as a translated alert that can be retried from the keyboard.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium, type Browser, type Page, type Request } from '@playwright/test';
import { bundleZimlet, bundleZimletChunks } from '../../build/build.mjs';
import { parseProperties } from '../../build/properties.mjs';
import { childrenNamed, parseXml } from '../../build/xml.mjs';
import { ZIMLETS } from '../../build/zimlets.mjs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { SOAP_NAMESPACE, SOAP_PATH } from '../../shared/paths.ts';
import { fakeZimbra } from './fake-zimbra.ts';

const ORIGIN = 'http://zimbra.test';
const CSRF = 'csrf-token-for-test';

const FAKE_ZIMBRA = fakeZimbra(CSRF);

const envelope = (body: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>${body}</soap:Body></soap:Envelope>`;
const INFO = envelope(
  `<GetServiceInfoResponse xmlns="${SOAP_NAMESPACE}"><version>0.1.0</version><features>webex</features>` +
    `<account><id>u1</id><name>marie.muller@esante.lu</name><displayName>Marie Muller</displayName></account></GetServiceInfoResponse>`,
);
const FAULT = envelope(
  `<soap:Fault><faultcode>soap:Client</faultcode><faultstring>Votre session a expiré ou n’est pas reconnue. Veuillez vous reconnecter.</faultstring>` +
    `<detail><e:error xmlns:e="${SOAP_NAMESPACE}" code="auth.required"/></detail></soap:Fault>`,
);

let browser: Browser;
let page: Page;
let fault = false;
const soapRequests: Request[] = [];
const pageErrors: string[] = [];

/** The zimlets' parts loaded when first needed (build/build.mjs *.chunk.ts), by URL path. */
const chunkFiles = new Map<string, string>();
const chunkRequests: string[] = [];

before(async () => {
  for (const z of ZIMLETS) for (const c of await bundleZimletChunks(z)) chunkFiles.set(`/service/zimlet/${z.name}/${c.name}`, c.code);
  const scripts = await Promise.all(
    ZIMLETS.map(async (z) => {
      // What Zimbra's concatenated Zimlets-nodev_all.js does: the zimlet's properties as window[name], then its code.
      const props = parseProperties(await readFile(path.join(z.dir, 'i18n', 'fr.properties'), 'utf8'));
      return `window[${JSON.stringify(z.name)}] = ${JSON.stringify(Object.fromEntries(props))};\n${await bundleZimlet(z)}`;
    }),
  );
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  page = await browser.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.route(`${ORIGIN}/**`, async (route) => {
    const url = new URL(route.request().url());
    if (url.pathname === '/') return route.fulfill({ contentType: 'text/html', body: '<!doctype html><html lang="fr"><body></body></html>' });
    const chunk = chunkFiles.get(url.pathname);
    if (chunk !== undefined) {
      chunkRequests.push(url.pathname);
      return route.fulfill({ contentType: 'application/javascript; charset=utf-8', body: chunk });
    }
    if (url.pathname === SOAP_PATH) {
      soapRequests.push(route.request());
      return route.fulfill({ status: fault ? 500 : 200, contentType: 'text/xml; charset=utf-8', body: fault ? FAULT : INFO });
    }
    return route.fulfill({ status: 404, body: '' });
  });
  await page.goto(`${ORIGIN}/`);
  await page.addScriptTag({ content: FAKE_ZIMBRA });
  for (const content of scripts) await page.addScriptTag({ content });
});

after(async () => {
  await browser?.close();
});

/** Instantiates a handler the way ZmZimletMgr does (context name, then init) and clicks its panel item. */
async function openPanel(name: string, handler: string) {
  await page.evaluate(
    ({ n, h }) => {
      const w = window as unknown as Record<string, unknown>;
      const key = `__${n}`;
      if (!w[key]) {
        const H = w[h] as new () => { name: string; init(): void; singleClicked(): void };
        const zimlet = new H();
        zimlet.name = n;
        zimlet.init();
        w[key] = zimlet;
      }
      (w[key] as { singleClicked(): void }).singleClicked();
    },
    { n: name, h: handler },
  );
}

test('the five zimlet bundles load side by side, sharing the custom elements they have in common', async () => {
  assert.deepEqual(pageErrors, []);
  const handlers = ZIMLETS.map((z) => z.handler);
  const types = await page.evaluate((names) => names.map((n) => typeof (window as unknown as Record<string, unknown>)[n]), handlers);
  assert.deepEqual(types, handlers.map(() => 'function'));
  assert.equal(await page.evaluate(() => typeof customElements.get('esante-service-info')), 'function');
});

test('every panel item and every descriptor menu item opens its zimlet’s dialog', async () => {
  for (const z of ZIMLETS) {
    const descriptor = parseXml(await readFile(path.join(z.dir, `${z.name}.xml`), 'utf8'));
    const panel = childrenNamed(descriptor, 'zimletPanelItem')[0];
    const ids = childrenNamed(childrenNamed(panel!, 'contextMenu')[0]!, 'menuItem').map((m) => m.attrs.id!);
    assert.ok(ids.includes('about'), `${z.name} has an "about" menu item`);
    const label = parseProperties(await readFile(path.join(z.dir, 'i18n', 'fr.properties'), 'utf8')).get('zimlet_label')!;
    const dialog = page.getByRole('dialog', { name: label });
    for (const action of ['singleClicked', 'doubleClicked', ...ids.map((id) => `menu:${id}`)]) {
      await page.evaluate(
        ({ n, h, a }) => {
          const w = window as unknown as Record<string, any>;
          const key = `__${n}`;
          if (!w[key]) {
            w[key] = new w[h]();
            w[key].name = n;
            w[key].init();
          }
          if (a.startsWith('menu:')) w[key].menuItemSelected(a.slice(5));
          else w[key][a]();
        },
        { n: z.name, h: z.handler, a: action },
      );
      // Each zimlet's own panel element renders inside the dialog (what it shows is the feature's business).
      await dialog.locator(`esante-${z.short}-panel`).waitFor();
      assert.equal(await dialog.isVisible(), true, `${z.name} ${action}`);
      await dialog.getByRole('button', { name: 'OK' }).click();
      assert.equal(await dialog.isHidden(), true);
    }
  }
  assert.deepEqual(pageErrors, []);
  // Regify's, prosearch's and medical's panels came from their parts loaded when needed (issue 17),
  // each fetched once for all the openings.
  assert.deepEqual(chunkRequests, [
    '/service/zimlet/lu_esante_regify/lu_esante_regify_account.js',
    '/service/zimlet/lu_esante_prosearch/lu_esante_prosearch_panel.js',
    '/service/zimlet/lu_esante_medical/lu_esante_medical_panel.js',
  ]);
});

// Every panel shows the service information ("À propos"). WebEx also loads its conference list first; this stub answers only GetServiceInfo, so that list shows its own error in its section, apart from this one.
test('a panel click opens a dialog showing GetServiceInfo, fetched with the CSRF header', async () => {
  await openPanel('lu_esante_webex', 'lu_esante_webex_HandlerObject');
  const dialog = page.getByRole('dialog', { name: 'WebEx' });
  await dialog.locator('esante-service-info section[data-state="ready"]').waitFor();
  assert.equal(await dialog.getByRole('heading', { level: 2 }).textContent(), 'WebEx');
  assert.equal(await dialog.locator('[data-field="account"]').textContent(), 'Marie Muller <marie.muller@esante.lu>');
  assert.equal(await dialog.locator('[data-field="version"]').textContent(), '0.1.0');
  assert.equal((await dialog.locator('[data-field="feature"]').textContent())?.trim(), 'Activée');
  const req = soapRequests.at(-1);
  assert.equal(req?.headers()['x-zimbra-csrf-token'], CSRF);
  assert.match(req?.postData() ?? '', /<GetServiceInfoRequest xmlns="urn:lu:esante:messaging:1">/);
  await dialog.getByRole('button', { name: 'OK' }).click();
  assert.equal(await dialog.isHidden(), true);
});

test('a zimlet whose feature the service does not list says so', async () => {
  await openPanel('lu_esante_medical', 'lu_esante_medical_HandlerObject');
  const dialog = page.getByRole('dialog', { name: 'Assistant message médical' });
  await dialog.locator('section[data-state="ready"]').waitFor();
  assert.equal((await dialog.locator('[data-field="feature"]').textContent())?.trim(), 'Désactivée');
  await dialog.getByRole('button', { name: 'OK' }).click();
});

test('a Fault shows its translated text in an alert, and Retry works from the keyboard', async () => {
  fault = true;
  await openPanel('lu_esante_webex', 'lu_esante_webex_HandlerObject');
  const dialog = page.getByRole('dialog', { name: 'WebEx' });
  const alert = dialog.getByRole('alert');
  await alert.waitFor();
  assert.match((await alert.textContent()) ?? '', /Votre session a expiré/);
  fault = false;
  const retry = alert.getByRole('button', { name: 'Réessayer' });
  await retry.focus();
  await page.keyboard.press('Enter');
  await dialog.locator('section[data-state="ready"]').waitFor();
  assert.deepEqual(pageErrors, []);
});
