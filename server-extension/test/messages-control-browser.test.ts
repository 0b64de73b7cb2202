/**
 * Issue 12 in the portal page (Chromium, through the sandbox's origin): a message its sender withdrew
 * gives a page of its own — what happened, when (in the page's language), whom to ask — not an error
 * line, and no key reaches the page. A message whose access end passed gives the same kind of page.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Browser } from '@playwright/test';
import { launchChromium } from '../../scripts/chromium.ts';
import { containerDigest, dataKeyFromBase64, sealContainer } from '../../shared/container/container.ts';
import { formatDateTime } from '../../shared/i18n/dates.ts';
import { SERVICE_BASE_PATH } from '../../shared/paths.ts';
import { startMessagesEnv, type MessagesEnv } from './messages-support.ts';
import { SEED_PASSWORD, callAs, loginAs, type LoginResult, type TestEnv } from './support/service.ts';

const MARIE = 'marie.schmit@esante.lu';
const OUTSIDE = 'anne.relative@example.org';
const MIME = new TextEncoder().encode(`From: ${MARIE}\r\nTo: ${OUTSIDE}\r\nSubject: Résultats\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nConfidentiel.\r\n`);

describe('portal page: withdrawn and ended messages (issue 12)', () => {
  let env: TestEnv;
  let dir: string;
  let browser: Browser;
  let marie: LoginResult;
  let token: string;

  async function sealed(name: string): Promise<{ id: string; file: string }> {
    const reg = await callAs(env.url, marie, 'RegisterSecureMessage', { to: [OUTSIDE], cc: [], subject: name });
    const container = await sealContainer({ messageId: reg.messageId, keyService: reg.keyService, sender: MARIE, mime: MIME, key: dataKeyFromBase64(reg.dataKey) });
    await callAs(env.url, marie, 'ConfirmSecureMessageSent', { messageId: reg.messageId, containerDigest: await containerDigest(container), size: container.length });
    const file = join(dir, `${reg.messageId}.esmsg`);
    await writeFile(file, container);
    return { id: reg.messageId, file };
  }

  let t: MessagesEnv | undefined;
  before(async () => {
    t = await startMessagesEnv(
      'esante-ctl-portal-',
      async (s) => {
        await s.accounts.create({ email: MARIE, fullName: 'Marie Schmit', identityLevel: 3, passwordHash: '$scrypt$x' });
        // The outside recipient's account and portal session, made in the store (sign-up is tested in
        // messages-portal-browser.test.ts): the cookie is what the page's log-in would have set.
        await s.accounts.create({ email: OUTSIDE, fullName: 'Anne Relative', identityLevel: 0, passwordHash: '$scrypt$x' });
        token = randomBytes(32).toString('base64url');
        await s.portal.createSession(createHash('sha256').update(token).digest('base64url'), OUTSIDE, Date.now(), Date.now() + 86_400_000); // outlives the clock moved below
      },
      { ESANTE_TEST_CLOCK: '1' },
    );
    ({ env, dir } = t);
    marie = await loginAs(env.sandboxUrl, MARIE, SEED_PASSWORD);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  test('a withdrawn message: its own page, dated in the page’s language, the sender named, no key; an ended access likewise', async () => {
    const withdrawn = await sealed('Retiré');
    const { revokedAt } = await callAs(env.url, marie, 'RevokeSecureMessage', { messageId: withdrawn.id });
    const ended = await sealed('Fin d’accès');
    await callAs(env.url, marie, 'UpdateSecureMessage', { messageId: ended.id, accessUntil: new Date(Date.now() + 3_600_000).toISOString() });
    await fetch(`${env.url}${SERVICE_BASE_PATH}/test/clock`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ advanceMs: 2 * 3_600_000 }) });

    const context = await browser.newContext({ locale: 'de-LU' });
    await context.addCookies([{ name: 'ESANTE_PORTAL', value: token, url: `${env.sandboxUrl}${SERVICE_BASE_PATH}/portal/`, httpOnly: true, sameSite: 'Strict' }]);
    const page = await context.newPage();
    const releases: Array<Promise<string>> = [];
    page.on('response', (r) => {
      if (r.url().endsWith('/api/release')) releases.push(r.text());
    });
    await page.goto(`${env.sandboxUrl}${SERVICE_BASE_PATH}/portal/?lang=de`);
    await page.locator('[data-testid=portal-user]').waitFor();

    await page.locator('[data-testid=portal-file]').setInputFiles(withdrawn.file);
    await page.getByRole('button', { name: 'Öffnen' }).click();
    const notice = page.locator('[data-testid=portal-withdrawn]');
    await notice.waitFor();
    assert.equal(await notice.getAttribute('role'), 'status');
    assert.equal(await notice.locator('h3').textContent(), 'Nachricht zurückgezogen');
    assert.equal(
      await notice.locator('p').first().textContent(),
      `Diese Nachricht wurde am ${formatDateTime(revokedAt, 'de', 'long')} von ihrem Absender zurückgezogen. Sie kann nicht mehr geöffnet werden.`,
    );
    assert.equal(await notice.locator('p').nth(1).textContent(), `Wenn Sie sie noch benötigen, wenden Sie sich an den Absender: ${MARIE}.`);
    // The keyboard / screen-reader focus is on the notice's heading; no error line, no message shown.
    assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'H3');
    assert.equal(await page.locator('p.error[role=alert]').filter({ hasText: /\S/ }).count(), 0);
    assert.equal(await page.locator('[data-testid=portal-banner-encrypted]').count(), 0);

    await page.locator('[data-testid=portal-file]').setInputFiles(ended.file);
    await page.getByRole('button', { name: 'Öffnen' }).click();
    await page.locator('[data-testid=portal-withdrawn][data-code="message.access_ended"]').waitFor();
    assert.equal(await page.locator('[data-testid=portal-withdrawn] h3').textContent(), 'Zugriff beendet');
    const answers = await Promise.all(releases);
    assert.equal(answers.length, 2);
    assert.ok(answers.every((k) => !k.includes('dataKey')), answers.join('\n'));
    await context.close();
  });
});
