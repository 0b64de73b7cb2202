import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { MasterKey, MasterKeyring } from '../keys/index.ts';
import { PinVault, loadOrCreateMasterKey, newPin } from './pin-vault.ts';
import { ensureTestPki } from './test-pki.ts';

function withDir(f: (dir: string) => void | Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'esante-pins-'));
    try {
      await f(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

test(
  'PINs are sealed under the master key, bound to their mail, and never printed',
  withDir((dir) => {
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
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(inspect(v), '[PinVault]');
    assert.equal(JSON.stringify({ v }), '{"v":"[PinVault]"}');
    // Another master key cannot read them; swapping two entries is detected.
    assert.throws(() => new PinVault(file, Buffer.alloc(32, 7)).pin('a@x.lu'));
    const json = JSON.parse(readFileSync(file, 'utf8'));
    json.pins = { 'a@x.lu': json.pins['b@x.lu'], 'b@x.lu': json.pins['a@x.lu'] };
    writeFileSync(file, JSON.stringify(json));
    assert.throws(() => new PinVault(file, key).pin('a@x.lu'));
    writeFileSync(join(dir, 'short.key'), Buffer.alloc(5));
    assert.throws(() => loadOrCreateMasterKey(join(dir, 'short.key')), /32 bytes/);
  }),
);

test(
  'with the service keyring: a rotation is followed by reseal(), after which the old key can be retired',
  withDir((dir) => {
    const old = MasterKey.generate();
    const file = join(dir, 'pins.json');
    const v1 = new PinVault(file, new MasterKeyring(old));
    v1.set('a@x.lu', 'PIN-A');
    v1.setSecret('ca-key:root', Buffer.from('der bytes'));
    const fresh = MasterKey.generate();
    const rotated = new MasterKeyring(fresh, [old]);
    const v2 = new PinVault(file, rotated);
    assert.deepEqual(v2.keyIds(), [old.id]);
    assert.equal(v2.reseal(), 2);
    assert.equal(v2.reseal(), 0, 'idempotent');
    // Only the new key is needed now.
    const retired = new PinVault(file, new MasterKeyring(fresh));
    assert.deepEqual(retired.keyIds(), [fresh.id]);
    assert.equal(retired.pin('a@x.lu'), 'PIN-A');
    assert.equal(retired.secret('ca-key:root')?.toString(), 'der bytes');
  }),
);

test(
  'a vault of the old format (separate signing/master.key) is converted to the keyring',
  withDir((dir) => {
    const legacyKey = randomBytes(32);
    const file = join(dir, 'pins.json');
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', legacyKey, iv);
    c.setAAD(Buffer.from('a@x.lu'));
    const ct = Buffer.concat([c.update('OLD-PIN', 'utf8'), c.final()]);
    writeFileSync(file, JSON.stringify({ 'a@x.lu': { iv: iv.toString('base64'), tag: c.getAuthTag().toString('base64'), ct: ct.toString('base64') } }));
    const ring = new MasterKeyring(MasterKey.generate());
    assert.throws(() => new PinVault(file, ring).pin('a@x.lu'), /old signing master key/);
    const v = new PinVault(file, ring, { legacyKey });
    assert.equal(v.reseal(), 1);
    assert.equal(new PinVault(file, ring).pin('a@x.lu'), 'OLD-PIN');
  }),
);

test(
  'the test PKI under the service keyring: no separate master key; an old data dir is converted',
  withDir(async (dir) => {
    const user = { givenName: 'Marie', sn: 'Schmit', mail: 'marie.schmit@esante.lu' };
    // An old data dir: made stand-alone, with signing/master.key and encrypted CA key files.
    const oldDir = join(dir, 'old');
    const before = await ensureTestPki(oldDir, [user]);
    assert.ok(existsSync(join(oldDir, 'signing', 'master.key')));
    const ring = new MasterKeyring(MasterKey.generate());
    const after = await ensureTestPki(oldDir, [user], { keyring: ring });
    assert.equal(after.rootCertPem, before.rootCertPem, 'same CA, not a new one');
    assert.equal(after.pin(user.mail), before.pin(user.mail));
    assert.equal(existsSync(join(oldDir, 'signing', 'pki', 'root-key.pem')), false, 'old CA key file converted and removed');
    // From now on the keyring alone opens everything (the old key file may go).
    rmSync(join(oldDir, 'signing', 'master.key'));
    const again = await ensureTestPki(oldDir, [user, { givenName: 'Luc', sn: 'Hoffmann', mail: 'luc.hoffmann@esante.lu' }], { keyring: ring });
    assert.equal(again.rootCertPem, before.rootCertPem);
    assert.deepEqual(again.mails().sort(), ['luc.hoffmann@esante.lu', 'marie.schmit@esante.lu']);
    // A new data dir with the keyring never creates signing/master.key.
    mkdirSync(join(dir, 'new'));
    await ensureTestPki(join(dir, 'new'), [user], { keyring: ring });
    assert.equal(existsSync(join(dir, 'new', 'signing', 'master.key')), false);
    assert.ok(!readFileSync(join(dir, 'new', 'signing', 'pins.json'), 'utf8').includes('PRIVATE KEY'));
  }),
);
