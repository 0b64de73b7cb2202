/**
 * Issue 15, acceptance 1 (e2e) — a hostile Regify message, end to end in Chromium against the whole
 * suite: Marie encrypts HTML carrying scripts, event handlers, javascript: links, SVG, frames, remote
 * content, a forged header drawn with the readers' own classes and hooks, and DOMPurify's published
 * mutation-XSS bypasses (e2e/support/hostile-html.ts). Jean-Claude opens it in the webmail, the outside
 * recipient in the portal (its own origin). Each payload that would run asks a probe server (standing
 * for the sender's remote host) for /xss/<name> and sets window.top.__pwned and the top title.
 *
 * Both layers of shared/messages/safe-html.ts are checked on their own, so that breaking either one
 * turns this spec red: what DOMPurify left (the frame's DOM: no handler, no script, no javascript:
 * URL, no remote URL but the one held back) and the frame (sandbox without allow-scripts nor
 * allow-same-origin, its own CSP). Then what the reader sees: no flag, no request to the remote host
 * until "Afficher les images" (and then exactly the one image), one genuine header outside the frame,
 * the forged one only inside it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test, type FrameLocator, type Locator, type Page } from '@playwright/test';
import { CONTAINER_MEDIA_TYPE, containerDigest, dataKeyFromBase64, sealContainer } from '../shared/container/container.ts';
import { MESSAGE_FRAME_SANDBOX } from '../shared/messages/safe-html.ts';
import { loginAs, soapAs } from '../sandbox/server/testing.ts';
import { E2E_PORT } from './playwright.config.ts';
import { ensureEncryptionAccount, serviceAs } from './support/encryption.ts';
import { FORGED_FROM, FORGED_NAME, hostilePayloads } from './support/hostile-html.ts';
import { PORTAL_ORIGIN, portalUrl, registerOnPortal } from './support/portal.ts';
import { SANDBOX_PASSWORD, USERS, login, openInInbox } from './support/session.ts';

const BASE = `http://127.0.0.1:${E2E_PORT}`;
const marie = USERS.find((u) => u.mail === 'marie.schmit@esante.lu')!;
const jeanClaude = USERS.find((u) => u.mail === 'jean-claude.weber@esante.lu')!;
const OUTSIDE = `dr.hostile.${Date.now()}@praxis-beispiel.de`;
const SUBJECT = `Résultats piégés ${Date.now()}`;
const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

// --- The probe: the sender's "remote host" -------------------------------------------------------

let probe: Server;
let PROBE = '';
/** Paths asked of the probe, in order. */
const hits: string[] = [];
const waiters: Array<{ path: string; resolve: () => void }> = [];

function probeHit(path: string): Promise<void> {
  if (hits.includes(path)) return Promise.resolve();
  return new Promise((resolve) => waiters.push({ path, resolve }));
}

test.beforeAll(async () => {
  probe = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://probe').pathname;
    hits.push(path);
    for (const w of waiters.filter((x) => x.path === path)) w.resolve();
    res.writeHead(200, { 'Content-Type': 'image/gif', 'Access-Control-Allow-Origin': '*', 'Cache-Control': 'no-store' });
    res.end(GIF);
  });
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  PROBE = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
});

test.afterAll(async () => {
  await new Promise((resolve) => probe?.close(resolve));
});

/** What a payload runs if it runs: asks the probe, then sets the flags (cross-origin from the frame, those throw after the request left). */
const hit = (name: string) => `fetch('${PROBE}/xss/${name}');top.__pwned='${name}';top.document.title='pwned-${name}'`;

// --- The message -------------------------------------------------------------------------------

function hostileMime(): string {
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64').replace(/.{76}/g, '$&\r\n');
  return [
    `From: Marie Schmit <${marie.mail}>`,
    `To: ${jeanClaude.mail}, ${OUTSIDE}`,
    `Subject: =?utf-8?B?${Buffer.from(SUBJECT).toString('base64')}?=`,
    'Date: Mon, 07 Dec 2026 08:00:00 +0000',
    'MIME-Version: 1.0',
    'Content-Type: multipart/alternative; boundary="alt"',
    '',
    '--alt',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    '',
    b64('Bonjour, voici les résultats.'),
    '--alt',
    'Content-Type: text/html; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    '',
    b64(`<!doctype html><html><head><title>x</title></head><body>${hostilePayloads({ hit, remote: `${PROBE}/remote` }).join('\n')}</body></html>`),
    '--alt--',
    '',
  ].join('\r\n');
}

/**
 * Marie's "Envoyer avec Regify" done from Node with the zimlet's own steps (zimlets/regify/src/messages/
 * send-flow.ts: RegisterSecureMessage, sealContainer, upload + SendMsgRequest with the container
 * attached, ConfirmSecureMessageSent), so the inner MIME can be the hostile HTML no compose view writes.
 */
async function sendHostileMessage(): Promise<Uint8Array> {
  const login = await loginAs(BASE, marie.mail, SANDBOX_PASSWORD, 'card');
  const svc = serviceAs(login);
  const reg = await svc.call('RegisterSecureMessage', { to: [jeanClaude.mail, OUTSIDE], cc: [], subject: SUBJECT });
  const container = await sealContainer({
    messageId: reg.messageId,
    keyService: reg.keyService,
    sender: marie.mail,
    mime: new TextEncoder().encode(hostileMime()),
    key: dataKeyFromBase64(reg.dataKey),
  });
  const up = await fetch(`${BASE}/service/upload?fmt=raw,extended`, {
    method: 'POST',
    headers: { Cookie: login.cookie, 'X-Zimbra-Csrf-Token': login.csrfToken, 'Content-Type': CONTAINER_MEDIA_TYPE, 'Content-Disposition': 'attachment; filename="message.esmsg"' },
    body: container as Uint8Array<ArrayBuffer>,
  });
  const aid = /"aid":"([^"]+)"/.exec(await up.text())![1]!;
  await soapAs(BASE, login, 'SendMsgRequest', {
    m: { e: [{ t: 't', a: jeanClaude.mail }], su: { _content: SUBJECT }, mp: [{ ct: 'text/plain', content: { _content: 'Message confidentiel : voir la pièce jointe.' } }], attach: { aid } },
  });
  await svc.call('ConfirmSecureMessageSent', { messageId: reg.messageId, containerDigest: await containerDigest(container), size: container.length });
  return container;
}

// --- Checks shared by both readers ---------------------------------------------------------------

/**
 * DOMPurify's layer, read in the frame's own DOM (XPath: what the browser built from the srcdoc, after
 * any mutation): no element that runs or loads, no on* attribute, no javascript: URL, no style, and no
 * URL of the remote host but the held-back (or released) image. (The frame's own head has its CSP <meta>, <base target> and <style>.)
 */
async function expectNothingActive(frame: FrameLocator, released: boolean): Promise<void> {
  const bad = {
    elements: 'xpath=//body//*[self::script or self::style or self::iframe or self::frame or self::object or self::embed or self::form or self::input or self::button or self::link or self::meta or self::base or self::noscript or local-name()="svg" or local-name()="math"]',
    handlers: 'xpath=//*[@*[starts-with(translate(name(), "ON", "on"), "on")]]',
    jsUrls: 'xpath=//*[@*[contains(translate(translate(., " \t\n\r", ""), "JAVSCRIPT", "javscript"), "javascript:")]]',
    styles: 'xpath=//*[@style]',
    remote: released
      ? `xpath=//*[@*[contains(., "${PROBE}")][not(name()="src" and ../@id="pixel")][not(name()="data-esante-remote-src")]]`
      : `xpath=//*[@*[contains(., "${PROBE}")][not(name()="data-esante-remote-src")]]`,
  };
  for (const [what, selector] of Object.entries(bad)) {
    await expect(frame.locator(selector), `${what} left in the message frame: ${await frame.locator('body').innerHTML()}`).toHaveCount(0);
  }
}

/** The frame's layer: no allow-scripts, no allow-same-origin, its own CSP with no network but images. */
async function expectIsolatingFrame(iframe: Locator): Promise<void> {
  await expect(iframe).toHaveAttribute('sandbox', MESSAGE_FRAME_SANDBOX);
  expect(MESSAGE_FRAME_SANDBOX.split(/\s+/)).not.toContain('allow-scripts');
  expect(MESSAGE_FRAME_SANDBOX.split(/\s+/)).not.toContain('allow-same-origin');
  await expect(iframe).toHaveAttribute('referrerpolicy', 'no-referrer');
  const srcdoc = await iframe.evaluate((f) => (f as HTMLIFrameElement).srcdoc);
  expect(srcdoc).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:[^"]*"/);
}

/** No payload ran in `page`: no flag, no title change. */
async function expectNoFlag(page: Page): Promise<void> {
  expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
  expect(await page.title()).not.toContain('pwned');
}

/** The srcdoc frame's document finished loading: every image tried (and every onerror fired) by then. */
async function frameLoaded(iframe: Locator): Promise<void> {
  const frame = await (await iframe.elementHandle())!.contentFrame();
  await frame!.waitForLoadState('load');
}

/** `inner` starts inside `outer`'s box (the frame clips the rest): a forged line is drawn in the message frame, nowhere else. */
async function expectInside(inner: Locator, outer: Locator): Promise<void> {
  const a = (await inner.boundingBox())!;
  const b = (await outer.boundingBox())!;
  expect(a.y).toBeGreaterThanOrEqual(b.y);
  expect(a.x).toBeGreaterThanOrEqual(b.x);
  expect(a.x).toBeLessThan(b.x + b.width);
}

// --- The tests ---------------------------------------------------------------------------------

test.describe.configure({ mode: 'serial' });

let container: Uint8Array | undefined;

test('webmail: the hostile message runs nothing, loads nothing remote until "Afficher les images", and its forged header stays in the frame', async ({ page }) => {
  test.setTimeout(120_000);
  await ensureEncryptionAccount(marie.mail, 'Dr Marie Schmit');
  await ensureEncryptionAccount(jeanClaude.mail, 'Dr Jean-Claude Weber');
  container = await sendHostileMessage();

  await login(page, jeanClaude.mail, 'card');
  await openInInbox(page, SUBJECT);
  const view = page.locator('esante-regify-secure-message[data-state="ready"]');
  await expect(view).toBeVisible({ timeout: 20_000 });
  const iframe = view.locator('#body-frame');
  const frame = page.frameLocator('esante-regify-secure-message #body-frame');
  await expect(frame.locator('#greeting')).toHaveText('Bonjour, voici les résultats.');
  await frameLoaded(iframe);

  await expectIsolatingFrame(iframe);
  await expectNothingActive(frame, false);
  await expectNoFlag(page);
  expect(hits, 'requests to the remote host before the reader asked').toEqual([]);
  // The javascript: links are dead; a plain link opens a new tab without referrer.
  await frame.locator('#js-link').click();
  await frame.locator('#js-link-tab').click();
  await expectNoFlag(page);
  await expect(frame.locator('#ok-link')).toHaveAttribute('rel', 'noopener noreferrer');
  await expect(frame.locator('#ok-link')).toHaveAttribute('target', '_blank');

  // One genuine header, outside the frame: the panel's own "De :" line and level banner.
  const fromLine = view.locator('[data-field="from"]');
  await expect(fromLine).toHaveCount(1);
  await expect(fromLine).toContainText(marie.mail);
  await expect(view.locator('[data-banner="level"]')).toHaveCount(1);
  await expect(view.locator('[data-banner="level"]')).toContainText('SCHMIT');
  await expect(page.locator('esante-banner')).toHaveCount(2);
  await expect(page.locator('esante-banner .banner')).toHaveCount(2);
  // Nothing of the forged header anywhere in the webmail's DOM (locators pierce shadow roots, not frames)…
  await expect(page.getByText(FORGED_NAME)).toHaveCount(0);
  await expect(page.getByText(FORGED_FROM)).toHaveCount(0);
  // …it is drawn inside the message frame only, below the genuine header, without the panel's element.
  const fake = frame.locator('dl.meta dd', { hasText: FORGED_FROM });
  await expect(fake).toHaveCount(1);
  await expectInside(fake, iframe);
  await expectInside(frame.locator('.banner', { hasText: FORGED_NAME }).first(), iframe);
  expect((await fake.boundingBox())!.y).toBeGreaterThan((await fromLine.boundingBox())!.y);
  await expect(frame.locator('esante-banner')).toHaveCount(0);

  // The reader is told one image was held back; "Afficher les images" loads that one, and only it.
  await expect(view.locator('.images')).toContainText('Images distantes non affichées (1)');
  const pixel = probeHit('/remote/pixel.png');
  await view.locator('#show-images').click();
  await pixel;
  await expect(frame.locator('#pixel')).toHaveAttribute('src', `${PROBE}/remote/pixel.png`);
  await frameLoaded(view.locator('#body-frame'));
  await expect(view.locator('.images')).toHaveCount(0);
  await expectNothingActive(frame, true);
  await expectNoFlag(page);
  expect(hits).toEqual(['/remote/pixel.png']);
});

test('portal: the same message opened by the outside recipient runs nothing, loads nothing remote, and draws one genuine header', async ({ browser, request }) => {
  test.setTimeout(120_000);
  // Serial mode: this runs only after the webmail test sent the message; a missing one is a failure.
  expect(container, 'the container the webmail test sent').toBeTruthy();
  const before = hits.length;
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.addInitScript('window.__name = (f) => f;');
  await page.goto(portalUrl('?lang=fr'));
  expect(new URL(page.url()).origin).toBe(PORTAL_ORIGIN);
  await registerOnPortal(page, request, OUTSIDE, 'Dr Hostile Extern');
  const title = await page.title();

  await page.locator('[data-testid="portal-file"]').setInputFiles({ name: 'message.esmsg', mimeType: CONTAINER_MEDIA_TYPE, buffer: Buffer.from(container!) });
  await page.locator('form:has([data-testid="portal-file"]) button[type="submit"]').click();
  await expect(page.locator('[data-testid="portal-banner-encrypted"]')).toBeVisible({ timeout: 20_000 });
  const iframe = page.locator('[data-testid="portal-body-html"]');
  const frame = page.frameLocator('[data-testid="portal-body-html"]');
  await expect(frame.locator('#greeting')).toHaveText('Bonjour, voici les résultats.');
  await frameLoaded(iframe);

  await expectIsolatingFrame(iframe);
  await expectNothingActive(frame, false);
  await expectNoFlag(page);
  expect(hits.slice(before), 'requests to the remote host from the portal').toEqual([]);
  await frame.locator('#js-link').click();
  await frame.locator('#js-link-tab').click();
  await expectNoFlag(page);
  expect(await page.title()).toBe(title);

  // One genuine header outside the frame; the forged one only inside it.
  await expect(page.locator('[data-testid="portal-banner-encrypted"]')).toHaveCount(1);
  await expect(page.locator('[data-testid="portal-banner-level"]')).toHaveCount(1);
  await expect(page.locator('[data-testid="portal-banner-level"]')).toContainText('Marie Schmit');
  await expect(page.locator('dl.headers')).toHaveCount(1);
  await expect(page.locator('dl.headers')).toContainText(marie.mail);
  await expect(page.getByText(FORGED_NAME)).toHaveCount(0);
  await expect(page.getByText(FORGED_FROM)).toHaveCount(0);
  const fake = frame.locator('dl.headers dd', { hasText: FORGED_FROM });
  await expect(fake).toHaveCount(1);
  await expectInside(fake, iframe);
  await expectInside(frame.locator('p.banner', { hasText: FORGED_NAME }), iframe);
  await expect(frame.locator('[data-testid]')).toHaveCount(0);

  // Remote images held back and said so; nothing reached the remote host from the portal.
  await expect(page.locator('[data-testid="portal-images-held"]')).toContainText('Images distantes non affichées (1)');
  expect(hits.slice(before), 'requests to the remote host from the portal').toEqual([]);
  await context.close();
});
