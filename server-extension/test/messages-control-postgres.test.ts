/**
 * Issue 12, acceptance 1, last point: two service instances (two stores, two key services, two
 * schedulers) on one private PostgreSQL apply each revoke and each deadline change once, and a
 * revoke racing a first open never leaves a read notice for a recipient refused the key.
 * Built like messages-scheduler.test.ts (the notification outbox across instances).
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import { CodedError } from '../src/errors.ts';
import { MasterKey, MasterKeyring } from '../src/keys/index.ts';
import { createLogger } from '../src/log.ts';
import { KeyService, type KeyCaller } from '../src/messages/key-service.ts';
import { effectiveDeadline } from '../src/messages/history.ts';
import { createSmtpMailer } from '../src/messages/mailer.ts';
import { composeNotification } from '../src/messages/notifications.ts';
import { NotificationScheduler } from '../src/messages/scheduler.ts';
import type { Store } from '../src/store/index.ts';
import { postgresAndMailCatcher, twoInstanceStores } from './messages-support.ts';

const DAY = 86_400_000;
const MARIE = 'marie.schmit@esante.lu';
const LUC = 'luc.hoffmann@esante.lu';
const ANNE = 'anne@example.org';
const log = createLogger({ level: 'silent', destination: new Writable({ write: (_c, _e, cb) => cb() }) });
const caller = (address: string, channel: KeyCaller['channel'] = 'zimbra'): KeyCaller => ({ address, lang: 'fr', channel });

class ManualClock {
  t = Date.parse('2026-12-07T08:00:00.000Z');
  now(): Date {
    return new Date(this.t);
  }
}

function instance(store: Store, ring: MasterKeyring, clock: ManualClock, smtpUrl: string, name: string) {
  const keys = new KeyService({ store: () => store, keyring: () => ring, clock, log, publicUrl: 'https://messagerie.esante.lu', levelBannerThreshold: 3 });
  const scheduler = new NotificationScheduler({
    store: () => store,
    clock,
    log,
    mailer: createSmtpMailer(smtpUrl, 'no-reply@esante.lu'),
    messageIdDomain: 'messagerie.esante.lu',
    leaseMs: 60_000,
    maxAttempts: 5,
    intervalMs: 0,
    sendTimeoutMs: 1000,
    workerId: name,
    // As messages/feature.ts composes: the recipient's own deadline, nothing for a revoked one.
    async compose(job) {
      const m = await store.messages.get(job.messageId);
      const r = m?.recipients.find((x) => x.addressKey === job.recipientKey);
      if (!m || (job.kind === 'deadline' && r?.revokedAt)) return null;
      return composeNotification(job.kind, job.kind === 'deadline' && r ? { ...m, readDeadline: effectiveDeadline(m, r) } : m, keys.subjectOf(m), job.recipientKey);
    },
  });
  return { keys, scheduler };
}

describe('issue 12 on PostgreSQL: two instances', () => {
  const fx = postgresAndMailCatcher();
  const ring = new MasterKeyring(MasterKey.generate());

  test('each revoke and each deadline change is applied once; the deadline notice follows the change and is sent once', async () => {
    const clock = new ManualClock();
    const [s1, s2] = await twoInstanceStores(fx.cluster);
    const a = instance(s1, ring, clock, fx.smtp.url, 'A');
    const b = instance(s2, ring, clock, fx.smtp.url, 'B');
    try {
      await s1.accounts.create({ email: MARIE, fullName: 'Marie Schmit', identityLevel: 3, passwordHash: '$scrypt$x', options: { notifyRead: true, notifyDeadline: true } });
      const send = async (subject: string) => {
        const reg = await a.keys.register(caller(MARIE), { to: [LUC], cc: [ANNE], subject });
        await a.keys.confirmSent(caller(MARIE), { messageId: reg.messageId, containerDigest: 'D'.repeat(43), size: 100 });
        return reg.messageId;
      };

      // The same revoke sent to both instances at once: one applies it, the other refuses it.
      const m1 = await send('Révocation concurrente');
      const outcomes = await Promise.allSettled([a.keys.revoke(caller(MARIE), { messageId: m1, recipient: LUC }), b.keys.revoke(caller(MARIE), { messageId: m1, recipient: LUC })]);
      const ok = outcomes.filter((o) => o.status === 'fulfilled');
      const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      assert.equal(ok.length, 1);
      assert.equal(refused.length, 1);
      assert.equal((refused[0]!.reason as CodedError).code, 'message.already_revoked');
      const trail = await s2.audit.list({ subject: m1, action: 'message.revoke', limit: 10 });
      assert.deepEqual(trail.map((e) => e.outcome).sort(), ['allowed', 'denied']);
      await assert.rejects(b.keys.release(caller(LUC), m1), (e: CodedError) => e.code === 'message.revoked');
      assert.equal((await b.keys.release(caller(ANNE, 'portal'), m1)).messageId, m1);

      // A deadline change made on A; both schedulers race at the old deadline and at the new one.
      const m2 = await send('Délai déplacé');
      const newDeadline = new Date(clock.t + 9 * DAY).toISOString();
      await a.keys.update(caller(MARIE), { messageId: m2, readDeadline: newDeadline });
      const deadlineMails = () => fx.smtp.to(MARIE).filter((x) => x.subject.includes('Délai de lecture dépassé') && x.subject.includes('Délai déplacé'));
      clock.t += 6 * DAY; // past the original 5 days
      await Promise.all([a.scheduler.runOnce(), b.scheduler.runOnce()]);
      assert.equal(deadlineMails().length, 0, 'the old deadline no longer triggers');
      clock.t += 4 * DAY; // past the new one
      // (Calls on one instance while its run is in progress share that run: race the two instances, twice.)
      const runs = [...(await Promise.all([a.scheduler.runOnce(), b.scheduler.runOnce()])), ...(await Promise.all([a.scheduler.runOnce(), b.scheduler.runOnce()]))];
      assert.equal(runs.reduce((n, r) => n + r.deadlinesCreated, 0), 2, 'one job per recipient, created once');
      assert.equal(deadlineMails().length, 2);
      assert.deepEqual(deadlineMails().map((x) => (x.text.includes(LUC) ? LUC : ANNE)).sort(), [ANNE, LUC]);
      // The same change again after the notices went: nothing is sent again, on either instance.
      await b.keys.update(caller(MARIE), { messageId: m2, readDeadline: new Date(clock.t + 2 * DAY).toISOString() });
      clock.t += 3 * DAY;
      await Promise.all([a.scheduler.runOnce(), b.scheduler.runOnce()]);
      assert.equal(deadlineMails().length, 2);
      const jobs = await s1.notifications.forMessage(m2);
      assert.deepEqual(jobs.filter((j) => j.kind === 'deadline').map((j) => j.state), ['sent', 'sent']);
    } finally {
      await a.scheduler.stop();
      await b.scheduler.stop();
      await s1.close();
      await s2.close();
    }
  });

  test('a revoke racing a first open on the other instance: either the open came first, or no key and no read notice', async () => {
    const clock = new ManualClock();
    const [s1, s2] = await twoInstanceStores(fx.cluster);
    const a = instance(s1, ring, clock, fx.smtp.url, 'A');
    const b = instance(s2, ring, clock, fx.smtp.url, 'B');
    try {
      await s1.accounts.create({ email: MARIE, fullName: 'Marie Schmit', identityLevel: 3, passwordHash: '$scrypt$x', options: { notifyRead: true } });
      let released = 0;
      let refused = 0;
      for (let i = 0; i < 12; i++) {
        const reg = await a.keys.register(caller(MARIE), { to: [LUC], cc: [], subject: `Course ${i}` });
        await a.keys.confirmSent(caller(MARIE), { messageId: reg.messageId, containerDigest: 'D'.repeat(43), size: 100 });
        const [rev, rel] = await Promise.allSettled([a.keys.revoke(caller(MARIE), { messageId: reg.messageId }), b.keys.release(caller(LUC), reg.messageId)]);
        assert.equal(rev.status, 'fulfilled');
        const m = (await s1.messages.get(reg.messageId))!;
        const readJobs = (await s1.notifications.forMessage(reg.messageId)).filter((j) => j.kind === 'read');
        if (rel.status === 'fulfilled') {
          released++;
          // The key went out only because the open was recorded before the revoke.
          assert.ok(m.recipients[0]!.firstOpenedAt !== null && m.recipients[0]!.firstOpenedAt <= m.recipients[0]!.revokedAt!);
          assert.equal(readJobs.length, 1);
        } else {
          refused++;
          assert.equal((rel.reason as CodedError).code, 'message.revoked');
          assert.equal(m.recipients[0]!.firstOpenedAt, null);
          assert.equal(readJobs.length, 0, 'refused: no read notice');
        }
      }
      assert.equal(released + refused, 12);
    } finally {
      await s1.close();
      await s2.close();
    }
  });
});
