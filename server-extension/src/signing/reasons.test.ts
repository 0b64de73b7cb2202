import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorTexts } from '../../../shared/errors.ts';
import { LANGS } from '../../../shared/i18n/lang.ts';
import { revocationStatusText, revocationStatusTexts, signatureReasonText, signatureReasonTexts, signatureValidTexts } from '../../../shared/signing/reasons.ts';
import type { SignErrorCode } from './errors.ts';

const SIGN_CODES: SignErrorCode[] = ['sign.card_required', 'sign.no_certificate', 'sign.certificate_invalid', 'sign.sender_mismatch', 'sign.message_invalid', 'sign.unavailable'];

test('every signature reason and sign.* error has distinct, non-empty fr/de/en texts', () => {
  for (const [code, texts] of [...Object.entries(signatureReasonTexts), ...SIGN_CODES.map((c) => [c, errorTexts[c]] as const)]) {
    for (const lang of LANGS) assert.ok((texts as Record<string, string>)[lang]?.trim(), `${code} ${lang}`);
    assert.equal(new Set(LANGS.map((l) => (texts as Record<string, string>)[l])).size, 3, `${code}: three different languages`);
  }
  for (const lang of LANGS) assert.match(signatureValidTexts[lang], /\{0\}.*\{1\}.*\{2\}/);
});

test('sign.card_required carries the guide\'s French text', () => {
  assert.equal(errorTexts['sign.card_required'].fr, 'Vous ne pouvez pas signer de message, car vous n’êtes pas authentifié par carte (mode de secours).');
  assert.equal(signatureReasonText('signature.sender_mismatch', 'de', 'x@y.lu'), 'Die Absenderadresse (x@y.lu) ist nicht im Zertifikat des Unterzeichners enthalten.');
});

test('revocation status lines: three languages each; only a checked status says "checked", with the date where it matters', () => {
  for (const [status, texts] of Object.entries(revocationStatusTexts)) {
    assert.equal(new Set(LANGS.map((l) => texts[l])).size, 3, status);
  }
  const at = '2026-11-29T07:12:00.000Z';
  assert.equal(revocationStatusText('good', undefined, 'fr'), 'vérifiée : certificat non révoqué');
  assert.equal(revocationStatusText('unknown', undefined, 'fr'), 'non vérifiée : liste de révocation indisponible');
  assert.equal(revocationStatusText(undefined, undefined, 'de'), 'nicht geprüft', 'an older service: not checked');
  // Luxembourg time (CET in November: UTC+1).
  assert.equal(revocationStatusText('revoked', at, 'fr'), 'certificat révoqué le 29/11/2026 à 08:12, avant la signature');
  assert.equal(revocationStatusText('revoked_after_signing', at, 'en'), 'certificate revoked on 29/11/2026 at 08:12, after signing: the signature remains valid');
  assert.equal(signatureReasonText('signature.revoked', 'de', 'x@y.lu', '29.11.2026 um 08:12'), 'Das Zertifikat des Unterzeichners (oder der ausstellenden Stelle) wurde am 29.11.2026 um 08:12 widerrufen, vor dem Signaturdatum dieser Nachricht.');
});
