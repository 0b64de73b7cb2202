import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { randomBytes } from 'node:crypto';
import { KeyCryptoError } from './errors.ts';
import { MasterKey, MasterKeyring, loadMasterKeyring, readKeyringFile, writeKeyringFile } from './master-key.ts';
import { unwrapDataKey, wrapDataKey, generateDataKey } from './wrap.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'esante-keys-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function isConfigError(e: unknown): boolean {
  return e instanceof KeyCryptoError && e.reason === 'config' && e.code === 'service.internal';
}

describe('master key loading', () => {
  test('embedded default: created on first start with mode 0600, the same key on the next start', async () => {
    const file = join(dir, 'first-start', 'data', 'master-keys.json');
    const first = await loadMasterKeyring({ env: {}, defaultFile: file });
    assert.equal(first.source, 'created');
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    const second = await loadMasterKeyring({ env: {}, defaultFile: file });
    assert.equal(second.source, 'file');
    assert.equal(second.keyring.current.id, first.keyring.current.id);
    const dataKey = generateDataKey();
    const wrapped = wrapDataKey(first.keyring, 'm1', dataKey);
    assert.deepEqual(unwrapDataKey(second.keyring, 'm1', wrapped), dataKey);
  });

  test('two instances starting at once end up with one key', async () => {
    const file = join(dir, 'race', 'master-keys.json');
    const [a, b] = await Promise.all([
      loadMasterKeyring({ env: {}, defaultFile: file }),
      loadMasterKeyring({ env: {}, defaultFile: file }),
    ]);
    assert.equal(a.keyring.current.id, b.keyring.current.id);
    assert.equal((await readKeyringFile(file)).current.id, a.keyring.current.id);
    assert.deepEqual(await readdir(join(dir, 'race')), ['master-keys.json'], 'no temporary file left behind');
  });

  test('a key file readable by others is refused', async () => {
    const file = join(dir, 'loose.json');
    await writeKeyringFile(file, new MasterKeyring(MasterKey.generate()));
    await chmod(file, 0o644);
    await assert.rejects(loadMasterKeyring({ env: {}, defaultFile: file }), (e: unknown) => isConfigError(e) && /chmod 600/.test((e as Error).message));
  });

  test('an explicitly configured key file that is missing stops startup and is not created', async () => {
    const file = join(dir, 'missing', 'keys.json');
    await assert.rejects(loadMasterKeyring({ env: { ESANTE_MASTER_KEY_FILE: file }, defaultFile: join(dir, 'unused.json') }), isConfigError);
    await assert.rejects(stat(file), { code: 'ENOENT' });
  });

  test('an explicit key file is used instead of the default', async () => {
    const file = join(dir, 'explicit.json');
    const ring = new MasterKeyring(MasterKey.generate());
    await writeKeyringFile(file, ring);
    const loaded = await loadMasterKeyring({ env: { ESANTE_MASTER_KEY_FILE: file }, defaultFile: join(dir, 'never.json') });
    assert.equal(loaded.source, 'file');
    assert.equal(loaded.keyring.current.id, ring.current.id);
    await assert.rejects(stat(join(dir, 'never.json')), { code: 'ENOENT' });
  });

  test('from the environment: current key and previous keys (base64 or base64url)', async () => {
    const current = randomBytes(32);
    const old1 = randomBytes(32);
    const old2 = randomBytes(32);
    const loaded = await loadMasterKeyring({
      env: {
        ESANTE_MASTER_KEY: current.toString('base64') + '\n',
        ESANTE_MASTER_KEY_PREVIOUS: `${old1.toString('base64url')}, ${old2.toString('base64')}`,
      },
      defaultFile: join(dir, 'not-used.json'),
    });
    assert.equal(loaded.source, 'env');
    assert.equal(loaded.keyring.current.id, MasterKey.fromBytes(current).id);
    assert.deepEqual(
      loaded.keyring.ids.sort(),
      [current, old1, old2].map((b) => MasterKey.fromBytes(b).id).sort(),
    );
    await assert.rejects(stat(join(dir, 'not-used.json')), { code: 'ENOENT' });
  });

  test('bad keys are refused: wrong length, not base64', async () => {
    for (const value of [randomBytes(16).toString('base64'), 'not base64 at all!', randomBytes(33).toString('base64')]) {
      await assert.rejects(loadMasterKeyring({ env: { ESANTE_MASTER_KEY: value }, defaultFile: join(dir, 'x.json') }), isConfigError, value.length.toString());
    }
  });

  test('a key file whose id does not match its key, or without its current key, is refused', async () => {
    const file = join(dir, 'edited.json');
    await writeKeyringFile(file, new MasterKeyring(MasterKey.generate()));
    const content = JSON.parse(await readFile(file, 'utf8'));
    content.keys[0].key = randomBytes(32).toString('base64');
    await writeFile(file, JSON.stringify(content), { mode: 0o600 });
    await assert.rejects(readKeyringFile(file), isConfigError);
    content.current = 'mk-0000000000000000';
    await writeFile(file, JSON.stringify(content), { mode: 0o600 });
    await assert.rejects(readKeyringFile(file), isConfigError);
  });
});

describe('master key secrecy', () => {
  test('ids are fingerprints: stable for the same bytes, different for different bytes', () => {
    const bytes = randomBytes(32);
    assert.equal(MasterKey.fromBytes(bytes).id, MasterKey.fromBytes(Buffer.from(bytes)).id);
    assert.notEqual(MasterKey.fromBytes(bytes).id, MasterKey.fromBytes(randomBytes(32)).id);
    assert.match(MasterKey.fromBytes(bytes).id, /^mk-[0-9a-f]{16}$/);
  });

  test('inspecting, stringifying or logging a key or keyring never shows the key', () => {
    const bytes = randomBytes(32);
    const key = MasterKey.fromBytes(bytes);
    const ring = new MasterKeyring(key, [MasterKey.generate()]);
    const renderings = [inspect(key), inspect(ring), inspect({ nested: { ring } }, { depth: 10 }), JSON.stringify({ key, ring }), String(key), `${ring}`];
    for (const text of renderings) {
      assert.ok(text.includes(key.id), text);
      for (const encoding of ['base64', 'base64url', 'hex'] as const) assert.ok(!text.includes(bytes.toString(encoding)), text);
    }
  });

  test('the caller may wipe the bytes it passed in', () => {
    const bytes = randomBytes(32);
    const key = MasterKey.fromBytes(bytes);
    const wrapped = wrapDataKey(new MasterKeyring(key), 'm', Buffer.alloc(32, 7));
    bytes.fill(0);
    assert.deepEqual(unwrapDataKey(new MasterKeyring(key), 'm', wrapped), Buffer.alloc(32, 7));
  });
});
