import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyCryptoError, type KeyCryptoReason } from './errors.ts';
import { MasterKey, MasterKeyring } from './master-key.ts';
import {
  DATA_KEY_BYTES,
  generateDataKey,
  newMessageKey,
  openSecret,
  openSecretText,
  sealSecret,
  unwrap,
  unwrapDataKey,
  wrapDataKey,
  wrappedKeyId,
} from './wrap.ts';

const ring = new MasterKeyring(MasterKey.generate());

function failsWith(reason: KeyCryptoReason) {
  return (e: unknown) => e instanceof KeyCryptoError && e.reason === reason;
}

/** Changes one base64url character of the payload (keeps the string well-formed). */
function alterPayload(wrapped: string, at: number): string {
  const i = wrapped.length - at;
  const c = wrapped[i] === 'A' ? 'B' : 'A';
  return wrapped.slice(0, i) + c + wrapped.slice(i + 1);
}

describe('data keys', () => {
  test('fresh 256-bit keys, never twice the same', () => {
    const a = generateDataKey();
    const b = generateDataKey();
    assert.equal(a.length, DATA_KEY_BYTES);
    assert.notDeepEqual(a, b);
  });

  test('wrap and unwrap; the wrapped form names its master key and hides the key', () => {
    const key = generateDataKey();
    const wrapped = wrapDataKey(ring, 'msg-1', key);
    assert.match(wrapped, /^ek1\.mk-[0-9a-f]{16}\.[A-Za-z0-9_-]+$/);
    assert.equal(wrappedKeyId(wrapped), ring.current.id);
    for (const enc of ['base64', 'base64url', 'hex'] as const) assert.ok(!wrapped.includes(key.toString(enc)));
    assert.deepEqual(unwrapDataKey(ring, 'msg-1', wrapped), key);
    // Random IVs: wrapping the same key twice gives two different values.
    assert.notEqual(wrapDataKey(ring, 'msg-1', key), wrapped);
  });

  test('registering a message gives the key and its wrapped form, which opens for that message only', () => {
    const { dataKey, wrapped } = newMessageKey(ring, 'msg-9');
    assert.equal(dataKey.length, DATA_KEY_BYTES);
    assert.deepEqual(unwrapDataKey(ring, 'msg-9', wrapped), dataKey);
    assert.notDeepEqual(newMessageKey(ring, 'msg-9').dataKey, dataKey);
  });

  test('a wrapped key moved to another message id does not open', () => {
    const wrapped = wrapDataKey(ring, 'msg-1', generateDataKey());
    assert.throws(() => unwrapDataKey(ring, 'msg-2', wrapped), failsWith('unwrap_failed'));
    assert.throws(() => unwrapDataKey(ring, 'msg-1 ', wrapped), failsWith('unwrap_failed'));
  });

  test('a data key cannot be read as a secret, nor a secret as a data key', () => {
    const wrapped = wrapDataKey(ring, 'msg-1', generateDataKey());
    assert.throws(() => openSecret(ring, 'data-key', 'msg-1', wrapped), failsWith('unwrap_failed'));
    const sealed = sealSecret(ring, 'unlock-code', 'msg-1', generateDataKey());
    assert.throws(() => unwrapDataKey(ring, 'msg-1', sealed), failsWith('unwrap_failed'));
  });

  test('any altered character, an unknown master key or garbage is refused with its reason', () => {
    const wrapped = wrapDataKey(ring, 'msg-1', generateDataKey());
    for (const at of [1, 5, 20, 40, 70]) {
      assert.throws(() => unwrapDataKey(ring, 'msg-1', alterPayload(wrapped, at)), failsWith('unwrap_failed'), `at ${at}`);
    }
    const other = new MasterKeyring(MasterKey.generate());
    assert.throws(() => unwrapDataKey(other, 'msg-1', wrapped), failsWith('unknown_master_key'));
    // Relabelled with a key id the keyring does hold: the id is in the associated data and the key differs.
    const both = new MasterKeyring(other.current, [ring.current]);
    const relabelled = wrapped.replace(ring.current.id, other.current.id);
    assert.throws(() => unwrapDataKey(both, 'msg-1', relabelled), failsWith('unwrap_failed'));
    for (const garbage of ['', 'ek1', 'ek2.mk-0123456789abcdef.AAAA', 'ek1.mk-0123.AAAA', `ek1.${ring.current.id}.AA==`]) {
      assert.throws(() => unwrapDataKey(ring, 'msg-1', garbage), failsWith('malformed_wrapped'), garbage);
    }
    assert.throws(() => unwrapDataKey(ring, 'msg-1', `ek1.${ring.current.id}.AAAA`), failsWith('malformed_wrapped'));
  });

  test('only 32-byte data keys are wrapped', () => {
    assert.throws(() => wrapDataKey(ring, 'msg-1', new Uint8Array(16)), TypeError);
    assert.throws(() => wrapDataKey(ring, '', generateDataKey()), TypeError);
  });
});

describe('small secrets at rest', () => {
  test('an unlock code round-trips and is not stored in clear', () => {
    const sealed = sealSecret(ring, 'unlock-code', 'marie.muller@esante.lu', '483920');
    assert.ok(!sealed.includes('483920'));
    assert.ok(!Buffer.from(sealed.split('.')[2]!, 'base64url').includes(Buffer.from('483920')));
    assert.equal(openSecretText(ring, 'unlock-code', 'marie.muller@esante.lu', sealed), '483920');
  });

  test('bound to its purpose and its owner', () => {
    const sealed = sealSecret(ring, 'unlock-code', 'a@esante.lu', 'secret');
    assert.throws(() => openSecret(ring, 'unlock-code', 'b@esante.lu', sealed), failsWith('unwrap_failed'));
    assert.throws(() => openSecret(ring, 'recovery-code', 'a@esante.lu', sealed), failsWith('unwrap_failed'));
  });

  test('identifiers cannot be shifted between purpose and owner', () => {
    // With a naive "purpose:owner" joining, ('a:b', 'c') and ('a', 'b:c') would collide.
    const sealed = sealSecret(ring, 'a:b', 'c', 'x');
    assert.throws(() => openSecret(ring, 'a', 'b:c', sealed), failsWith('unwrap_failed'));
    const sealedNl = sealSecret(ring, 'a\nb', 'c', 'x');
    assert.throws(() => unwrap(ring, { kind: 'secret', purpose: 'a', owner: 'b\nc' }, sealedNl), failsWith('unwrap_failed'));
  });

  test('binary secrets and the empty secret', () => {
    const bytes = Uint8Array.of(0, 255, 1, 2);
    assert.deepEqual(new Uint8Array(openSecret(ring, 'p', 'o', sealSecret(ring, 'p', 'o', bytes))), bytes);
    assert.equal(openSecretText(ring, 'p', 'o', sealSecret(ring, 'p', 'o', '')), '');
  });
});
