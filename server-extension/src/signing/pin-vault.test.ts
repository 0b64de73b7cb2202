import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { PinVault, loadOrCreateMasterKey, newPin } from './pin-vault.ts';

test('PINs are sealed under the master key, bound to their mail, and never printed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'esante-pins-'));
  try {
    const key = loadOrCreateMasterKey(join(dir, 'k', 'master.key'));
    assert.equal(statSync(join(dir, 'k', 'master.key')).mode & 0o777, 0o600);
    assert.deepEqual(loadOrCreateMasterKey(join(dir, 'k', 'master.key')), key, 'reused, not replaced');
    const file = join(dir, 'pins.json');
    const v = new PinVault(file, key);
    const pin = newPin();
    assert.match(pin, /^[A-Z2-9]{16}$/);
    v.set('A@x.lu', pin);
    v.set('b@x.lu', 'other-pin');
    assert.equal(new PinVault(file, key).pin('a@x.lu'), pin);
    assert.ok(!readFileSync(file, 'utf8').includes(pin));
    assert.equal(inspect(v), '[PinVault]');
    assert.equal(JSON.stringify({ v }), '{"v":"[PinVault]"}');
    // Another master key cannot read them; swapping two entries is detected.
    assert.throws(() => new PinVault(file, Buffer.alloc(32, 7)).pin('a@x.lu'));
    const entries = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify({ 'a@x.lu': entries['b@x.lu'], 'b@x.lu': entries['a@x.lu'] }));
    assert.throws(() => new PinVault(file, key).pin('a@x.lu'));
    writeFileSync(join(dir, 'short.key'), Buffer.alloc(5));
    assert.throws(() => loadOrCreateMasterKey(join(dir, 'short.key')), /32 bytes/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
