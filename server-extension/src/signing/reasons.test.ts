import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorTexts } from '../../../shared/errors.ts';
import { LANGS } from '../../../shared/i18n/lang.ts';
import { signatureReasonText, signatureReasonTexts, signatureValidTexts } from '../../../shared/signing/reasons.ts';
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
