/**
 * The recipients' portal page in Chromium, through the sandbox (Zimbra's origin, as in production):
 * an outside recipient signs up with the mailed code, chooses the .esmsg file, and the page releases
 * the key, decrypts IN THE BROWSER, and shows the sanitised message with its banners and attachment.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Browser } from '@playwright/test';
import { launchChromium } from '../../scripts/chromium.ts';
import { containerDigest, dataKeyFromBase64, sealContainer } from '../../shared/container/container.ts';
import { SERVICE_BASE_PATH } from '../../shared/paths.ts';
import { startMessagesEnv, type MailCatcher, type MessagesEnv } from './messages-support.ts';
import { SEED_PASSWORD, callAs, loginAs, type TestEnv } from './support/service.ts';

const OUTSIDE = 'anne.relative@example.org';
const MIME = [
  'From: Marie Schmit <marie.schmit@esante.lu>',
  `To: ${OUTSIDE}`,
  'Subject: =?utf-8?B?UsOpc3VsdGF0cyBkJ2FuYWx5c2U=?=',
  'Date: Sun, 06 Dec 2026 21:07:52 +0000',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="b1"',
  '',
  '--b1',
  'Content-Type: multipart/alternative; boundary="b2"',
  '',
  '--b2',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'Bonjour, voici les résultats.',
  '--b2',
  'Content-Type: text/html; charset=utf-8',
  '',
  '<p id="greeting">Bonjour, voici les <b>résultats</b>.</p><img src="x" onerror="parent.document.title=\'pwned\'"><script>parent.document.title="pwned"</script>' +
    '<img src="http://remote.test/pixel.png"><dl class="headers"><dt>De</dt><dd>Dr Phish</dd></dl><svg onload="parent.document.title=\'pwned\'"></svg>',
  '--b2--',
  '--b1',
  'Content-Type: application/pdf; name="rapport.pdf"',
  'Content-Disposition: attachment; filename="rapport.pdf"',
  'Content-Transfer-Encoding: base64',
  '',
  Buffer.from('%PDF-1.4 test').toString('base64'),
  '--b1--',
  '',
].join('\r\n');

describe('portal page in Chromium', () => {
  let env: TestEnv;
  let smtp: MailCatcher;
  let dir: string;
  let browser: Browser;

  let t: MessagesEnv | undefined;
  before(async () => {
    t = await startMessagesEnv(
      'esante-portal-',
      async (s) => {
        await s.accounts.create({ email: 'marie.schmit@esante.lu', fullName: 'Marie Schmit', identityLevel: 3, passwordHash: '$scrypt$x' });
      },
      { ESANTE_ACCOUNT_SCRYPT_LOG2N: '14' },
    );
    ({ env, smtp, dir } = t);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  test('sign up with the mailed code, open the file, see the sanitised message, banners and attachment', async () => {
    const marie = await loginAs(env.sandboxUrl, 'marie.schmit@esante.lu', SEED_PASSWORD);
    const reg = await callAs(env.url, marie, 'RegisterSecureMessage', { to: [OUTSIDE], cc: [], subject: 'Résultats' });
    const container = await sealContainer({ messageId: reg.messageId, keyService: reg.keyService, sender: 'marie.schmit@esante.lu', mime: new TextEncoder().encode(MIME), key: dataKeyFromBase64(reg.dataKey) });
    await callAs(env.url, marie, 'ConfirmSecureMessageSent', { messageId: reg.messageId, containerDigest: await containerDigest(container), size: container.length });
    const file = join(dir, 'message.esmsg');
    await writeFile(file, container);
    const tampered = join(dir, 'tampered.esmsg');
    const bad = container.slice();
    bad[bad.length - 1]! ^= 1;
    await writeFile(tampered, bad);

    // bypassCSP only lets the test read the attachment's blob: URL back (the page's connect-src is 'self').
    const context = await browser.newContext({ locale: 'fr-LU', acceptDownloads: true, bypassCSP: true });
    const page = await context.newPage();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(`${r.method()} ${new URL(r.url()).pathname} ${r.postData()?.length ?? 0}`));
    const remote: string[] = [];
    await page.route('http://remote.test/**', (route) => {
      remote.push(route.request().url());
      return route.fulfill({ status: 200, contentType: 'image/png', body: '' });
    });
    await page.goto(`${env.sandboxUrl}${SERVICE_BASE_PATH}/portal/`);
    assert.equal(await page.locator('html').getAttribute('lang'), 'fr');
    const form = page.locator('[data-testid=portal-register]');
    await form.locator('input[name=email]').fill(OUTSIDE);
    await page.locator('[data-testid=portal-send-code]').click();
    const [mail] = await smtp.waitFor(OUTSIDE, 1);
    await form.locator('input[name=code]').fill(/\b(\d{6})\b/.exec(mail!.text)![1]!);
    await form.locator('input[name=fullName]').fill('Anne Relative');
    await form.locator('input[name=password]').fill('Tr3s-Secret_Pw!2026');
    await form.locator('input[name=confirmation]').fill('Tr3s-Secret_Pw!2026');
    await form.locator('button[type=submit]').click();
    await page.locator('[data-testid=portal-user]').waitFor();

    await page.locator('[data-testid=portal-file]').setInputFiles(file);
    await page.getByRole('button', { name: 'Ouvrir' }).click();
    await page.locator('[data-testid=portal-banner-encrypted]').waitFor();
    assert.equal(await page.locator('[data-testid=portal-banner-level]').textContent(), 'L’émetteur de ce message, Marie Schmit, est authentifié de niveau 3');
    assert.match((await page.locator('dl.headers').textContent()) ?? '', /Résultats d'analyse/);
    // The Date header in the reader's language and Luxembourg time (issue 13), not as the MTA wrote it.
    assert.match((await page.locator('dl.headers').textContent()) ?? '', /dimanche 6 décembre 2026 (à )?22:07/);
    const body = page.frameLocator('[data-testid=portal-body-html]');
    assert.equal(await body.locator('#greeting').textContent(), 'Bonjour, voici les résultats.');
    const html = await body.locator('body').innerHTML();
    assert.ok(!/onerror|<script/i.test(html), html);
    assert.notEqual(await page.title(), 'pwned');
    // Remote images held back (and said so); the forged header lives only in the frame's own document.
    assert.deepEqual(remote, []);
    assert.match((await page.locator('[data-testid=portal-images-held]').textContent()) ?? '', /Images distantes non affichées \(1\)/);
    assert.equal(await page.locator('dl.headers').count(), 1);
    assert.equal(await page.locator('[data-testid=portal-body-html]').getAttribute('sandbox'), 'allow-popups allow-popups-to-escape-sandbox');
    // The attachment is offered as a download of exactly its decrypted bytes.
    // (Read through the link's blob: URL: this Chromium build does not raise Playwright's download
    // event for blob: links in a fresh headless context, which says nothing about the page.)
    const link = page.getByRole('link', { name: /rapport\.pdf/ });
    assert.equal(await link.getAttribute('download'), 'rapport.pdf');
    const href = (await link.getAttribute('href')) ?? '';
    assert.match(href, /^blob:/);
    assert.equal(await page.evaluate(async (u) => (await fetch(u)).text(), href), '%PDF-1.4 test');
    // The file never left the browser: the only bodies sent are small JSON requests.
    assert.ok(requests.every((r) => Number(r.split(' ')[2]) < 1000), requests.join('\n'));

    // A tampered file is refused (its digest is not the one the sender recorded), with a translated message.
    await page.locator('[data-testid=portal-file]').setInputFiles(tampered);
    await page.getByRole('button', { name: 'Ouvrir' }).click();
    await page.getByText('Ce fichier n’est pas celui que l’émetteur a envoyé : il ne peut pas être ouvert.').waitFor({ timeout: 5000 });
    assert.equal(await page.locator('[data-testid=portal-banner-encrypted]').count(), 0);
    await context.close();
  });
});
