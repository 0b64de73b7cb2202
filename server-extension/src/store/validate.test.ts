import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { StoreInputError } from './errors.ts';
import { REDACTED, auditDetail, instantMs, isSecretKey, normaliseEmail, optionsPatch, passwordHash } from './validate.ts';

describe('store input checks', () => {
  test('e-mail: trimmed, NFC, compared in lower case, kept as written', () => {
    assert.deepEqual(normaliseEmail('  Dr.Bond@Esante.LU '), { display: 'Dr.Bond@Esante.LU', key: 'dr.bond@esante.lu' });
    // "é" typed as e + combining accent and as one code point are one address.
    assert.equal(normaliseEmail('Ren\u0065\u0301@esante.lu').key, normaliseEmail('REN\u00c9@esante.lu').key);
    for (const bad of ['', 'plain', 'a@b', 'a b@c.lu', 'a\u0007b@c.lu', `${'x'.repeat(250)}@b.lu`, 42]) {
      assert.throws(() => normaliseEmail(bad), StoreInputError, String(bad));
    }
  });

  test('secret-looking detail keys are recognised by whole words, harmless look-alikes are not', () => {
    for (const k of ['password', 'newPassword', 'password_hash', 'unlockCode', 'unlock_code', 'UNLOCKCODE', 'dataKey', 'private-key',
      'ZM_AUTH_TOKEN', 'csrfToken', 'pin', 'cardPin', 'otp', 'cookie', 'Authorization', 'secret', 'preauth']) {
      assert.equal(isSecretKey(k), true, k);
    }
    for (const k of ['keyId', 'errorCode', 'mapping', 'shipping', 'recipients', 'messageId', 'spinner', 'keyCount', 'codeVersion']) {
      assert.equal(isSecretKey(k), false, k);
    }
  });

  test('audit detail: scalars kept, secrets redacted, anything else refused', () => {
    assert.deepEqual(auditDetail({ a: 'x', b: 1, c: true, d: null, token: 'abc' }), { a: 'x', b: 1, c: true, d: null, token: REDACTED });
    assert.equal(auditDetail(undefined), null);
    assert.throws(() => auditDetail({ 'bad key': 1 }), StoreInputError);
    assert.throws(() => auditDetail({ s: 'x'.repeat(1025) }), StoreInputError);
    assert.throws(() => auditDetail(Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, i]))), StoreInputError);
    assert.throws(() => auditDetail({ when: new Date() }), StoreInputError);
  });

  test('instants accept Date and ISO strings, refuse the rest', () => {
    assert.equal(instantMs('2026-01-01T00:00:00.000Z', 'at'), Date.UTC(2026, 0, 1));
    assert.equal(instantMs(new Date(5), 'at'), 5);
    for (const bad of ['soon', new Date(NaN), 12345, null]) assert.throws(() => instantMs(bad, 'at'), StoreInputError);
  });

  test('options patch: only known options with valid values', () => {
    assert.deepEqual(optionsPatch({ readDeadlineDays: 365, notifyRead: false }), { readDeadlineDays: 365, notifyRead: false });
    assert.deepEqual(optionsPatch({}), {});
    assert.throws(() => optionsPatch({ readDeadlineDays: '5' }), StoreInputError);
    assert.throws(() => optionsPatch(null), StoreInputError);
  });

  test('password hash: opaque printable ASCII without spaces, bounded', () => {
    assert.equal(passwordHash('$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA'), '$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA');
    for (const bad of ['', 'two words', 'é', 'x'.repeat(1025), null]) assert.throws(() => passwordHash(bad), StoreInputError);
  });
});
