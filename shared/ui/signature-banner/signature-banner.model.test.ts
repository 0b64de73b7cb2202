import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { VerificationReport } from '../../signing/operations.ts';
import { bannerModel, formatDate, formatTime } from './signature-banner.model.ts';

const base: VerificationReport = {
  valid: true,
  reasons: [],
  reasonArgs: [],
  chain: [],
  trusted: true,
  keyUsage: [],
  extKeyUsage: [],
  revocationChecked: false,
  checkedAt: '2026-11-29T07:00:00.000Z',
  signingTime: '2026-11-29T06:05:00.000Z',
  signer: { name: 'Marie Schmit', mail: 'marie.schmit@esante.lu', mails: [], subject: '', issuer: '', serialNumber: '', notBefore: '', notAfter: '', fingerprintSha256: '' },
};

test('a valid signature gives the signer, and the date and time in the user’s language and time zone', () => {
  const m = bannerModel(base, 'fr', 'Europe/Luxembourg');
  assert.deepEqual(m, { state: 'valid', name: 'Marie Schmit', date: '29/11/2026', time: '07:05', reasonText: '', revocationNote: '' });
  assert.equal(formatDate(base.signingTime, 'de', 'Europe/Luxembourg'), '29.11.2026');
  assert.equal(formatTime('2026-07-01T12:30:00Z', 'en', 'Europe/Luxembourg'), '14:30');
  assert.equal(formatDate(undefined, 'fr'), '');
  assert.equal(formatTime('not a date', 'fr'), '');
});

test('a valid signature says when revocation could not be checked, or the card was revoked after signing', () => {
  assert.equal(bannerModel({ ...base, revocationStatus: 'good', revocationChecked: true }, 'fr').revocationNote, '');
  assert.equal(bannerModel({ ...base, revocationStatus: 'unknown' }, 'fr').revocationNote, 'non vérifiée : liste de révocation indisponible');
  assert.equal(bannerModel({ ...base, revocationStatus: 'unknown' }, 'de').revocationNote, 'nicht geprüft: Sperrliste nicht verfügbar');
  const after = bannerModel({ ...base, revocationStatus: 'revoked_after_signing', revocationChecked: true, revokedAt: '2026-11-29T09:30:00.000Z' }, 'fr', 'Europe/Luxembourg');
  assert.match(after.revocationNote, /^certificat révoqué le 29\/11\/2026 à 10:30, après la signature/);
});

test('an invalid signature gives the first reason’s text with its arguments; an unknown code still warns', () => {
  const tampered = bannerModel({ ...base, valid: false, reason: 'signature.tampered', reasons: ['signature.tampered'] }, 'de');
  assert.equal(tampered.state, 'invalid');
  assert.equal(tampered.reasonText, 'Der Inhalt der Nachricht wurde nach dem Signieren verändert.');
  const mismatch = bannerModel({ ...base, valid: false, reason: 'signature.sender_mismatch', reasons: ['signature.sender_mismatch'], reasonArgs: ['x@y.lu'] }, 'en');
  assert.equal(mismatch.reasonText, 'The sender address (x@y.lu) is not in the signer’s certificate.');
  const unknown = bannerModel({ ...base, valid: false, reason: 'signature.quantum' as never, signer: undefined }, 'fr');
  assert.equal(unknown.state, 'invalid');
  assert.match(unknown.reasonText, /endommagée/);
  assert.equal(unknown.name, '');
});
