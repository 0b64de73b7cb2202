import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SERVICE_BASE_PATH } from '../paths.ts';
import { COVER_TITLE, coverMailHtml, coverMailText, portalLinkFor, portalUrlFor } from './cover-mail.ts';

const portalUrl = portalUrlFor('https://messagerie.esante.lu/', SERVICE_BASE_PATH);

test('portal URL is built on the origin under the service path', () => {
  assert.equal(portalUrl, 'https://messagerie.esante.lu/service/extension/esante/portal/');
});

test('cover text: fr, en, de in that order, sender and portal link in each, never claims regify software', () => {
  const text = coverMailText({ senderName: 'Dr Josée WEBER', senderMail: 'josee.weber@esante.lu', portalUrl, fileName: 'message.esmsg' });
  assert.ok(text.startsWith(COVER_TITLE));
  assert.match(text, /Dr Josée WEBER <josee\.weber@esante\.lu>/);
  const fr = text.indexOf('Français :');
  const en = text.indexOf('English:');
  const de = text.indexOf('Deutsch:');
  assert.ok(fr > 0 && en > fr && de > en, 'languages in guide order');
  assert.equal(text.split(portalUrl).length - 1, 3, 'portal link once per language');
  // Each language's link opens the portal in that language.
  assert.ok(text.slice(fr, en).includes(`${portalUrl}?lang=fr`) && text.slice(en, de).includes(`${portalUrl}?lang=en`) && text.slice(de).includes(`${portalUrl}?lang=de`));
  assert.equal(text.split('message.esmsg').length - 1, 3);
  assert.doesNotMatch(text, /regify/i);
});

test('a display name cannot inject lines; an empty name falls back to the address', () => {
  const text = coverMailText({ senderName: 'Evil\r\n\r\nClick http://phish.example', senderMail: 'a@esante.lu', portalUrl, fileName: 'message.esmsg' });
  assert.match(text, /Absender: Evil Click http:\/\/phish\.example <a@esante\.lu>\n/);
  const bare = coverMailText({ senderName: '  ', senderMail: 'a@esante.lu', portalUrl, fileName: 'message.esmsg' });
  assert.match(bare, /Absender: a@esante\.lu\n/);
});

test('HTML alternative: the same three sections, each with its lang, its link shown as the URL it goes to', () => {
  const html = coverMailHtml({ senderName: 'Dr Josée WEBER', senderMail: 'josee.weber@esante.lu', portalUrl, fileName: 'message.esmsg' });
  const text = coverMailText({ senderName: 'Dr Josée WEBER', senderMail: 'josee.weber@esante.lu', portalUrl, fileName: 'message.esmsg' });
  for (const lang of ['fr', 'en', 'de'] as const) {
    const link = portalLinkFor(portalUrl, lang);
    assert.ok(html.includes(`<div lang="${lang}">`), lang);
    // No "click here": the visible text of the link is its address.
    assert.ok(html.includes(`<a href="${link}" hreflang="${lang}">${link}</a>`), lang);
  }
  assert.match(html, /Dr Josée WEBER &lt;josee\.weber@esante\.lu&gt;/);
  // The HTML says what the text says: every sentence of the text is in it.
  for (const line of text.split('\n').map((l) => l.replace(/^\s*(-|\d\.)\s*/, '').replace(/ https?:\S+$/, '')).filter((l) => l.length > 20 && !l.startsWith('Expéditeur'))) {
    assert.ok(html.includes(line.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&#39;')), line);
  }
  assert.doesNotMatch(html, /regify/i);
});

test('HTML alternative: a display name or a file name cannot add markup', () => {
  const html = coverMailHtml({ senderName: '<img src=x onerror=alert(1)>', senderMail: 'a@esante.lu', portalUrl: `${portalUrl}"><script>`, fileName: '<b>x</b>.esmsg' });
  assert.doesNotMatch(html, /<img|<script|<b>/);
  assert.match(html, /&lt;img src=x onerror=alert\(1\)&gt;/);
});
