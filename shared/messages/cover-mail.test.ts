import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SERVICE_BASE_PATH } from '../paths.ts';
import { COVER_TITLE, coverMailText, portalUrlFor } from './cover-mail.ts';

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
  assert.equal(text.split('message.esmsg').length - 1, 3);
  assert.doesNotMatch(text, /regify/i);
});

test('a display name cannot inject lines; an empty name falls back to the address', () => {
  const text = coverMailText({ senderName: 'Evil\r\n\r\nClick http://phish.example', senderMail: 'a@esante.lu', portalUrl, fileName: 'message.esmsg' });
  assert.match(text, /Absender: Evil Click http:\/\/phish\.example <a@esante\.lu>\n/);
  const bare = coverMailText({ senderName: '  ', senderMail: 'a@esante.lu', portalUrl, fileName: 'message.esmsg' });
  assert.match(bare, /Absender: a@esante\.lu\n/);
});
