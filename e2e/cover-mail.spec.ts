/**
 * Issue 12, acceptance 3: the cover mail of an encrypted message, as it reaches an outside recipient,
 * is multipart/alternative (plain text first, then HTML; RFC 2046 §5.1.4) beside the container, and the
 * link of each language opens the portal in that language.
 */
import { simpleParser } from 'mailparser';
import { expect, test } from '@playwright/test';
import { CONTAINER_MEDIA_TYPE } from '../shared/container/container.ts';
import { ensureEncryptionAccount } from './support/encryption.ts';
import { login } from './support/session.ts';

const marie = { mail: 'marie.schmit@esante.lu', name: 'Dr Marie Schmit' };
const OUTSIDE = 'dr.aussen@praxis-beispiel.de';

/** The MIME tree of a raw message, as "type[children]" (boundaries followed, bodies skipped). */
function structure(raw: string): string {
  const walk = (headers: string, body: string): string => {
    const ct = /^content-type:\s*([^;\r\n]+)(?:;[^\r\n]*(?:\r?\n[ \t][^\r\n]*)*)?/im.exec(headers);
    const type = (ct?.[1] ?? 'text/plain').trim().toLowerCase();
    if (!type.startsWith('multipart/')) return type;
    const boundary = /boundary="?([^";\r\n]+)"?/i.exec(ct?.[0] ?? '')?.[1];
    if (!boundary) return `${type}[?]`;
    const parts = body.split(`--${boundary}`).slice(1, -1);
    return `${type}[${parts
      .map((p) => {
        const i = p.search(/\r?\n\r?\n/);
        return walk(p.slice(0, i), p.slice(i).replace(/^\r?\n\r?\n/, ''));
      })
      .join(',')}]`;
  };
  const i = raw.search(/\r?\n\r?\n/);
  return walk(raw.slice(0, i), raw.slice(i));
}

test('the cover mail is multipart/alternative beside the container, and each language link opens the portal in that language', async ({ page, request }) => {
  test.setTimeout(120_000);
  await ensureEncryptionAccount(marie.mail, marie.name);
  const subject = `Couverture ${Date.now()}`;
  await login(page, marie.mail, 'card');
  await page.locator('#zb__TV__NEW_MESSAGE').click();
  await page.locator('#zm-compose-to').fill(OUTSIDE);
  await page.locator('#zm-compose-subject').fill(subject);
  await page.locator('#zm-compose-body').fill('Bonjour, le compte rendu en pièce chiffrée.');
  await page.locator('#zb__COMPOSE__ESANTE_REGIFY_SEND').click();
  await expect(page.locator('#zm-compose')).toBeHidden({ timeout: 30_000 });

  const outbox = (await (await request.get(`/sandbox/outbox?to=${encodeURIComponent(OUTSIDE)}`)).json()) as { messages: Array<{ subject: string; raw: string }> };
  const cover = outbox.messages.find((m) => m.subject === subject);
  expect(cover, 'cover mail delivered').toBeTruthy();
  expect(structure(cover!.raw)).toBe(`multipart/mixed[multipart/alternative[text/plain,text/html],${CONTAINER_MEDIA_TYPE}]`);
  const parsed = await simpleParser(cover!.raw);
  expect(parsed.text).toContain('Message confidentiel');
  expect(parsed.text).not.toContain('le compte rendu');
  expect(String(parsed.html)).not.toContain('le compte rendu');

  const titles = { fr: 'portail des destinataires', en: 'recipients’ portal', de: 'Empfängerportal' } as const;
  for (const lang of ['fr', 'en', 'de'] as const) {
    const href = new RegExp(`<a href="([^"]+)" hreflang="${lang}">`).exec(String(parsed.html))?.[1];
    expect(href, `${lang} link in the HTML part`).toBeTruthy();
    const link = href!.replace(/&amp;/g, '&');
    expect(parsed.text, `${lang} link in the text part`).toContain(link);
    await page.goto(link);
    await expect(page.locator('html')).toHaveAttribute('lang', lang);
    await expect(page.locator('h1')).toContainText(titles[lang]);
  }
});
