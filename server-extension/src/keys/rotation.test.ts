import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeyCryptoError } from './errors.ts';
import { MasterKey, MasterKeyring, addNewMasterKeyToFile, loadMasterKeyring, readKeyringFile, retireMasterKeysInFile } from './master-key.ts';
import { rotateMasterKey, type WrappedRecord } from './rotation.ts';
import { generateDataKey, openSecretText, sealSecret, unwrap, unwrapDataKey, wrapDataKey, wrappedKeyId } from './wrap.ts';

/** A stand-in for the store: message id → wrapped data key, plus one secret row. */
interface FakeStore {
  rows: Map<string, WrappedRecord>;
  plain: Map<string, Buffer>;
}

function makeStore(ring: MasterKeyring, count: number): FakeStore {
  const rows = new Map<string, WrappedRecord>();
  const plain = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    const messageId = `msg-${i}`;
    const key = generateDataKey();
    plain.set(messageId, key);
    rows.set(messageId, { context: { kind: 'data-key', messageId }, wrapped: wrapDataKey(ring, messageId, key) });
  }
  rows.set('secret', { context: { kind: 'secret', purpose: 'unlock-code', owner: 'a@esante.lu' }, wrapped: sealSecret(ring, 'unlock-code', 'a@esante.lu', '123456') });
  return { rows, plain };
}

function rowId(r: WrappedRecord): string {
  return r.context.kind === 'data-key' ? r.context.messageId : 'secret';
}

/** Every row opens with this keyring and gives back the original key or secret. */
function assertAllOpen(store: FakeStore, ring: MasterKeyring): void {
  for (const [id, row] of store.rows) {
    if (row.context.kind === 'data-key') assert.deepEqual(unwrapDataKey(ring, id, row.wrapped), store.plain.get(id), id);
    else assert.equal(openSecretText(ring, 'unlock-code', 'a@esante.lu', row.wrapped), '123456');
  }
}

/** Like the store layer would: compare-and-set each result. */
function persist(store: FakeStore, r: { context: WrappedRecord['context']; wrapped: string; before: string }): void {
  const current = store.rows.get(rowId(r))!;
  if (current.wrapped === r.before) store.rows.set(rowId(r), { context: r.context, wrapped: r.wrapped });
}

describe('master key rotation', () => {
  test('re-wraps every value under the new key; the old key is then not needed', async () => {
    const oldKey = MasterKey.generate();
    const newKey = MasterKey.generate();
    const store = makeStore(new MasterKeyring(oldKey), 30);
    let changed = 0;
    for await (const r of rotateMasterKey(oldKey, newKey, [...store.rows.values()])) {
      persist(store, r);
      if (r.changed) changed++;
    }
    assert.equal(changed, 31);
    for (const row of store.rows.values()) assert.equal(wrappedKeyId(row.wrapped), newKey.id);
    assertAllOpen(store, new MasterKeyring(newKey));
  });

  test('interrupted midway: every value still opens with old + new; resuming finishes the job', async () => {
    const oldKey = MasterKey.generate();
    const newKey = MasterKey.generate();
    const store = makeStore(new MasterKeyring(oldKey), 30);
    // During rotation the service runs with new as current and old kept, and keeps wrapping new messages.
    const during = new MasterKeyring(newKey, [oldKey]);
    let done = 0;
    for await (const r of rotateMasterKey(oldKey, newKey, [...store.rows.values()])) {
      persist(store, r);
      if (++done === 12) break; // the process dies here
    }
    const fresh = generateDataKey();
    store.plain.set('msg-new', fresh);
    store.rows.set('msg-new', { context: { kind: 'data-key', messageId: 'msg-new' }, wrapped: wrapDataKey(during, 'msg-new', fresh) });

    const keyIds = new Set([...store.rows.values()].map((r) => wrappedKeyId(r.wrapped)));
    assert.deepEqual([...keyIds].sort(), [newKey.id, oldKey.id].sort(), 'half rotated');
    assertAllOpen(store, during);
    // This is why the old key must stay until the end: without it, the rows not yet done are lost.
    assert.throws(() => assertAllOpen(store, new MasterKeyring(newKey)), (e: unknown) => e instanceof KeyCryptoError && e.reason === 'unknown_master_key');

    // Resume over all rows: the ones already done are skipped, not re-wrapped.
    let skipped = 0;
    for await (const r of rotateMasterKey(during, newKey, [...store.rows.values()])) {
      persist(store, r);
      if (!r.changed) skipped++;
    }
    assert.equal(skipped, 12 + 1);
    for (const row of store.rows.values()) assert.equal(wrappedKeyId(row.wrapped), newKey.id);
    assertAllOpen(store, new MasterKeyring(newKey));
  });

  test('a value written concurrently is not overwritten by a stale result (compare-and-set)', async () => {
    const oldKey = MasterKey.generate();
    const newKey = MasterKey.generate();
    const store = makeStore(new MasterKeyring(oldKey), 2);
    const results = [];
    for await (const r of rotateMasterKey(oldKey, newKey, [...store.rows.values()])) results.push(r);
    const replacement = generateDataKey();
    store.plain.set('msg-0', replacement);
    store.rows.set('msg-0', { context: { kind: 'data-key', messageId: 'msg-0' }, wrapped: wrapDataKey(new MasterKeyring(newKey, [oldKey]), 'msg-0', replacement) });
    for (const r of results) persist(store, r);
    assertAllOpen(store, new MasterKeyring(newKey));
  });

  test('stops at a value that does not open, naming it, after yielding the good ones', async () => {
    const oldKey = MasterKey.generate();
    const newKey = MasterKey.generate();
    const ring = new MasterKeyring(oldKey);
    const good = { context: { kind: 'data-key', messageId: 'm-good' }, wrapped: wrapDataKey(ring, 'm-good', generateDataKey()) } as const;
    const moved = { context: { kind: 'data-key', messageId: 'm-other' }, wrapped: good.wrapped } as const;
    const seen: string[] = [];
    await assert.rejects(
      (async () => {
        for await (const r of rotateMasterKey(oldKey, newKey, [good, moved])) seen.push(r.wrapped);
      })(),
      (e: unknown) => e instanceof KeyCryptoError && e.reason === 'unwrap_failed' && /m-other/.test(e.message),
    );
    assert.equal(seen.length, 1);
    assert.ok(unwrap(new MasterKeyring(newKey), good.context, seen[0]!).length === 32);
  });

  test('accepts an async source of rows (e.g. a database cursor)', async () => {
    const oldKey = MasterKey.generate();
    const newKey = MasterKey.generate();
    const store = makeStore(new MasterKeyring(oldKey), 5);
    async function* cursor() {
      for (const row of store.rows.values()) yield row;
    }
    for await (const r of rotateMasterKey(oldKey, newKey, cursor())) persist(store, r);
    assertAllOpen(store, new MasterKeyring(newKey));
  });
});

describe('rotation with the keyring file', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'esante-rotation-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('add a key, re-wrap, retire: old keys are kept while anything still names them', async () => {
    const file = join(dir, 'master-keys.json');
    const start = (await loadMasterKeyring({ env: {}, defaultFile: file })).keyring;
    const store = makeStore(start, 10);

    const during = await addNewMasterKeyToFile(file);
    assert.notEqual(during.current.id, start.current.id);
    assert.deepEqual((await readKeyringFile(file)).ids.sort(), [start.current.id, during.current.id].sort());
    assertAllOpen(store, await readKeyringFile(file));

    // Interrupted after 4 rows: retiring now must keep the old key, because rows still name it.
    let n = 0;
    for await (const r of rotateMasterKey(start, during.current, [...store.rows.values()])) {
      persist(store, r);
      if (++n === 4) break;
    }
    const referenced = () => new Set([...store.rows.values()].map((r) => wrappedKeyId(r.wrapped)));
    const early = await retireMasterKeysInFile(file, referenced());
    assert.deepEqual(early.retired, []);
    assertAllOpen(store, await readKeyringFile(file));

    for await (const r of rotateMasterKey(start, during.current, [...store.rows.values()])) persist(store, r);
    const done = await retireMasterKeysInFile(file, referenced());
    assert.deepEqual(done.retired, [start.current.id]);
    const final = await readKeyringFile(file);
    assert.deepEqual(final.ids, [during.current.id]);
    assertAllOpen(store, final);
  });
});
