/**
 * Issue 16, found by the topology test's reconciliation (topology.test.ts): a confirm whose first try
 * stopped right after the message was recorded as sent (PostgreSQL restarted, the instance killed)
 * left the message without its transmission notification and its audit record, because the
 * client's retry was answered "already confirmed" and did nothing more. Now the retry (same digest)
 * redoes both: the job once (unique key), the audit record once.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { MasterKey, MasterKeyring } from '../src/keys/index.ts';
import { createLogger } from '../src/log.ts';
import { KeyService, type KeyCaller } from '../src/messages/key-service.ts';
import { StoreUnavailableError } from '../src/store/errors.ts';
import { openStore } from '../src/store/index.ts';

const MARIE = 'marie.schmit@esante.lu';
const LUC = 'luc.hoffmann@esante.lu';
const log = createLogger({ level: 'silent', destination: new Writable({ write: (_c, _e, cb) => cb() }) });
const caller: KeyCaller = { address: MARIE, lang: 'fr', channel: 'zimbra' };

/** `target` with some members replaced (a Proxy: the repositories' private fields stay reachable). */
function wrap<T extends object>(target: T, replaced: Partial<T>): T {
  return new Proxy(target, {
    get(t, key) {
      if (key in replaced) return replaced[key as keyof T];
      const v = Reflect.get(t, key, t) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
    },
  });
}

for (const failing of ['enqueue', 'audit'] as const) {
  test(`a confirm retried after the store failed at its ${failing === 'enqueue' ? 'notification' : 'audit record'} queues one transmission job and writes one audit record`, async () => {
    const store = await openStore({ kind: 'sqlite', path: ':memory:' });
    await store.migrate();
    try {
      await store.accounts.create({ email: MARIE, fullName: 'Marie Schmit', identityLevel: 3, passwordHash: '$scrypt$x', options: { notifyTransmission: true } });
      // The store goes away once, right after confirmSent's record (as a PostgreSQL restart would).
      let fail = false;
      const down = () => {
        if (!fail) return;
        fail = false;
        throw new StoreUnavailableError('store restarting', new Error('ECONNREFUSED'));
      };
      const notifications = wrap(store.notifications, { enqueue: async (job) => (failing === 'enqueue' && down(), store.notifications.enqueue(job)) });
      const audit = wrap(store.audit, { append: async (event) => (failing === 'audit' && down(), store.audit.append(event)) });
      const flaky = wrap(store, { notifications, audit });
      const keys = new KeyService({ store: () => flaky, keyring: () => new MasterKeyring(MasterKey.generate()), clock: { now: () => new Date() }, log, publicUrl: 'https://messagerie.esante.lu', levelBannerThreshold: 3 });
      const reg = await keys.register(caller, { to: [LUC], cc: [], subject: 'Résultats' });
      const confirm = { messageId: reg.messageId, containerDigest: 'D'.repeat(43), size: 100 };
      fail = true;
      await assert.rejects(keys.confirmSent(caller, confirm), (e: unknown) => e instanceof StoreUnavailableError);
      assert.ok((await store.messages.get(reg.messageId))?.sentAt, 'the first try recorded the message as sent');
      // The client's retry, same container: answered as confirmed, and the follow-ups are there, once.
      assert.equal((await keys.confirmSent(caller, confirm)).messageId, reg.messageId);
      assert.equal((await keys.confirmSent(caller, confirm)).messageId, reg.messageId);
      const jobs = await store.notifications.forMessage(reg.messageId);
      assert.deepEqual(jobs.map((j) => j.kind), ['transmission']);
      const trail = await store.audit.list({ subject: reg.messageId, action: 'message.confirm', limit: 10 });
      assert.deepEqual(trail.map((e) => e.outcome), ['allowed']);
    } finally {
      await store.close();
    }
  });
}
