import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SecureMessage } from '../store/index.ts';
import { composeNotification } from './notifications.ts';

const message = (lang: 'fr' | 'de' | 'en'): SecureMessage => ({
  id: 'm1',
  senderEmail: 'marie.schmit@esante.lu',
  senderKey: 'marie.schmit@esante.lu',
  senderName: 'Marie Schmit',
  senderLevel: 3,
  senderLang: lang,
  subjectSealed: 'x',
  wrappedKey: 'x',
  createdAt: '2026-11-29T08:00:00.000Z',
  readDeadline: '2026-12-04T08:00:00.000Z',
  notifyTransmission: true,
  notifyRead: true,
  notifyDeadline: true,
  containerDigest: null,
  containerSize: null,
  sentAt: '2026-11-29T08:01:00.000Z',
  recipients: [
    { address: 'Luc.Hoffmann@esante.lu', addressKey: 'luc.hoffmann@esante.lu', kind: 'to', firstOpenedAt: '2026-11-29T10:00:00.000Z' },
    { address: 'anne@example.org', addressKey: 'anne@example.org', kind: 'cc', firstOpenedAt: null },
  ],
});

test('each kind goes to the sender, names the message and the recipient, in the sender’s language', () => {
  const read = composeNotification('read', message('fr'), 'Compte rendu', 'luc.hoffmann@esante.lu');
  assert.equal(read.to, 'marie.schmit@esante.lu');
  assert.equal(read.subject, 'Message chiffré lu par Luc.Hoffmann@esante.lu : « Compte rendu »');
  assert.match(read.text, /29 novembre 2026/);
  assert.match(read.text, /le 29 novembre 2026 (à )?11:00/); // Luxembourg time (UTC+1 in winter)

  const late = composeNotification('deadline', message('de'), 'Befund', 'anne@example.org');
  assert.equal(late.subject, 'Lesefrist überschritten (anne@example.org): „Befund“');
  assert.match(late.text, /4\. Dezember 2026/);
  assert.match(late.text, /auch nach der Frist lesbar/);

  const sent = composeNotification('transmission', message('en'), 'Report', null);
  assert.equal(sent.subject, 'Encrypted message sent: “Report”');
  assert.match(sent.text, /Luc\.Hoffmann@esante\.lu, anne@example\.org/);
});

test('a subject cannot inject header lines, and an empty one is named', () => {
  const m = composeNotification('transmission', message('fr'), 'Hello\r\nBcc: evil@example.org', null);
  assert.ok(!/[\r\n]/.test(m.subject));
  assert.equal(composeNotification('transmission', message('de'), '  ', null).subject, 'Verschlüsselte Nachricht gesendet: „(ohne Betreff)“');
});

test('a read or deadline notice for someone not on the message is a bug, not a mail', () => {
  assert.throws(() => composeNotification('read', message('fr'), 's', 'stranger@esante.lu'));
});
