import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { MasterKey, MasterKeyring, unwrapDataKey, wrappedKeyId } from '../keys/index.ts';
import { createLogger } from '../log.ts';
import { openStore, type Store } from '../store/index.ts';
import { KeyService } from './key-service.ts';
import { rewrapMessages } from './rotation.ts';

const log = createLogger({ level: 'silent', destination: new Writable({ write: (_c, _e, cb) => cb() }) });
const clock = { now: () => new Date('2026-11-29T08:00:00.000Z') };

test('an interrupted rotation loses nothing, and running it again finishes it', async () => {
  const store = await openStore({ kind: 'sqlite', path: ':memory:' });
  try {
    await store.migrate();
    await store.accounts.create({ email: 'marie.schmit@esante.lu', fullName: 'Marie Schmit', identityLevel: 3, passwordHash: '$scrypt$x' });
    const oldRing = new MasterKeyring(MasterKey.generate());
    const keys = new KeyService({ store: () => store, keyring: () => oldRing, clock, log, publicUrl: 'https://m.esante.lu', levelBannerThreshold: 3 });
    const issued = new Map<string, string>();
    for (let i = 0; i < 5; i++) {
      const r = await keys.register({ address: 'marie.schmit@esante.lu', lang: 'fr', channel: 'zimbra' }, { to: [`r${i}@esante.lu`], cc: [], subject: `S${i}` });
      issued.set(r.messageId, r.dataKey);
    }
    const next = MasterKey.generate();
    const ring = new MasterKeyring(next, oldRing.keys());
    // The store fails on the third write: the process "dies" mid-rotation.
    let writes = 0;
    const flaky: Store = Object.create(store, {
      messages: {
        value: Object.assign(Object.create(store.messages), {
          listWrapped: store.messages.listWrapped.bind(store.messages),
          replaceWrapped: (...args: Parameters<Store['messages']['replaceWrapped']>) => {
            if (++writes === 3) throw new Error('connection lost');
            return store.messages.replaceWrapped(...args);
          },
        }),
      },
    });
    await assert.rejects(rewrapMessages(flaky, ring), /connection lost/);
    const half = await store.messages.listWrapped(null, 100);
    assert.deepEqual(half.map((m) => wrappedKeyId(m.wrappedKey)).sort(), [next.id, next.id, oldRing.current.id, oldRing.current.id, oldRing.current.id].sort());
    // Every message opens at this point, under whichever key it is.
    for (const m of half) assert.equal(unwrapDataKey(ring, m.id, m.wrappedKey).toString('base64'), issued.get(m.id));

    const report = await rewrapMessages(store, ring);
    assert.deepEqual(report, { scanned: 5, rewrapped: 3, conflicts: 0 });
    const done = await store.messages.listWrapped(null, 100);
    const nextOnly = new MasterKeyring(next);
    for (const m of done) {
      assert.equal(unwrapDataKey(nextOnly, m.id, m.wrappedKey).toString('base64'), issued.get(m.id));
    }
    const after = new KeyService({ store: () => store, keyring: () => nextOnly, clock, log, publicUrl: 'https://m.esante.lu', levelBannerThreshold: 3 });
    const list = await after.listSent({ address: 'marie.schmit@esante.lu', lang: 'fr', channel: 'zimbra' }, {});
    assert.deepEqual(list.messages.map((m) => m.subject).sort(), ['S0', 'S1', 'S2', 'S3', 'S4']);
  } finally {
    await store.close();
  }
});
