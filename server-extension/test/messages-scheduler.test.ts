/**
 * The notification outbox across instances and restarts, on a private PostgreSQL: two service
 * instances (two stores, two schedulers) share one database and one SMTP server; each notification
 * arrives once. A "crash" in the middle of a deadline run loses and duplicates nothing.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Writable } from 'node:stream';
import { SERVICE_BASE_PATH } from '../../shared/paths.ts';
import { startSandbox, type RunningSandbox } from '../../sandbox/server/index.ts';
import { soapAs } from '../../sandbox/server/testing.ts';
import { loadConfig } from '../src/config.ts';
import { createService, type Service } from '../src/root.ts';
import { MasterKey, MasterKeyring } from '../src/keys/index.ts';
import { createLogger } from '../src/log.ts';
import { KeyService, type KeyCaller } from '../src/messages/key-service.ts';
import { createSmtpMailer, type Mailer } from '../src/messages/mailer.ts';
import { composeNotification } from '../src/messages/notifications.ts';
import { NotificationScheduler } from '../src/messages/scheduler.ts';
import { openStore, type Store } from '../src/store/index.ts';
import { startMailCatcher, type MailCatcher } from './messages-support.ts';
import { startPostgres, type TestPostgres } from './support/postgres.ts';
import { SEED_PASSWORD, callAs, loginAs } from './support/service.ts';

const DAY = 86_400_000;
const MARIE = 'marie.schmit@esante.lu';
const log = createLogger({ level: 'silent', destination: new Writable({ write: (_c, _e, cb) => cb() }) });

class ManualClock {
  t = Date.parse('2026-11-29T08:00:00.000Z');
  now(): Date {
    return new Date(this.t);
  }
}

interface Instance {
  store: Store;
  keys: KeyService;
  scheduler: NotificationScheduler;
  mailer: Mailer;
}

function instance(store: Store, ring: MasterKeyring, clock: ManualClock, mailer: Mailer, name: string, batchSize = 4): Instance {
  const keys = new KeyService({ store: () => store, keyring: () => ring, clock, log, publicUrl: 'https://messagerie.esante.lu', levelBannerThreshold: 3 });
  const scheduler = new NotificationScheduler({
    store: () => store,
    clock,
    log,
    mailer,
    messageIdDomain: 'messagerie.esante.lu',
    leaseMs: 60_000,
    maxAttempts: 5,
    intervalMs: 0,
    sendTimeoutMs: 1000,
    batchSize,
    workerId: name,
    async compose(job) {
      const m = await store.messages.get(job.messageId);
      return m ? composeNotification(job.kind, m, keys.subjectOf(m), job.recipientKey) : null;
    },
  });
  return { store, keys, scheduler, mailer };
}

const caller = (address: string): KeyCaller => ({ address, lang: 'fr', channel: 'zimbra' });

/** `count` sent messages of Marie to three recipients each; the first recipient of every other one opened it. */
async function seed(keys: KeyService, store: Store, count: number): Promise<void> {
  await store.accounts.create({ email: MARIE, fullName: 'Marie Schmit', identityLevel: 3, passwordHash: '$scrypt$x', options: { notifyTransmission: true } });
  for (let i = 0; i < count; i++) {
    const to = [`r${i}a@esante.lu`, `r${i}b@esante.lu`];
    const reg = await keys.register(caller(MARIE), { to, cc: [`r${i}c@example.org`], subject: `Dossier ${i}` });
    await keys.confirmSent(caller(MARIE), { messageId: reg.messageId, containerDigest: 'D'.repeat(43), size: 100 });
    if (i % 2 === 0) await keys.release(caller(to[0]!), reg.messageId);
  }
}

describe('notification outbox on PostgreSQL', () => {
  let cluster: TestPostgres;
  let smtp: MailCatcher;
  const ring = new MasterKeyring(MasterKey.generate());

  before(async () => {
    [cluster, smtp] = await Promise.all([startPostgres(), startMailCatcher()]);
  });
  after(async () => {
    await smtp?.stop();
    await cluster?.stop();
  });

  test('two instances sharing the database send each notification exactly once', async () => {
    const url = await cluster.createDatabase();
    const clock = new ManualClock();
    const [s1, s2] = await Promise.all([openStore({ kind: 'postgres', url, poolSize: 4 }), openStore({ kind: 'postgres', url, poolSize: 4 })]);
    await Promise.all([s1!.migrate(), s2!.migrate()]);
    const a = instance(s1!, ring, clock, createSmtpMailer(smtp.url, 'no-reply@esante.lu'), 'A', 3);
    const b = instance(s2!, ring, clock, createSmtpMailer(smtp.url, 'no-reply@esante.lu'), 'B', 3);
    try {
      smtp.mails.length = 0;
      await seed(a.keys, s1!, 8);
      // 8 transmission + 4 read notifications, raced by both instances, twice.
      const first = await Promise.all([a.scheduler.runOnce(), b.scheduler.runOnce()]);
      await Promise.all([a.scheduler.runOnce(), b.scheduler.runOnce()]);
      assert.equal(first[0]!.sent + first[1]!.sent, 12);
      await smtp.waitFor(MARIE, 12);
      // Past the deadline: 8 × 3 − 4 opened = 20 deadline notices, created and sent once in all.
      clock.t += 6 * DAY;
      const late = await Promise.all([a.scheduler.runOnce(), b.scheduler.runOnce()]);
      await Promise.all([a.scheduler.runOnce(), b.scheduler.runOnce()]);
      assert.equal(late[0]!.deadlinesCreated + late[1]!.deadlinesCreated, 20);
      const mails = await smtp.waitFor(MARIE, 32);
      await new Promise((r) => setTimeout(r, 200)); // nothing more arrives
      assert.equal(smtp.to(MARIE).length, 32);
      assert.equal(new Set(mails.map((m) => m.messageId)).size, 32, 'no notification twice');
      assert.equal(mails.filter((m) => m.subject.startsWith('Délai de lecture dépassé')).length, 20);
      assert.equal(mails.filter((m) => m.subject.startsWith('Message chiffré lu par')).length, 4);
    } finally {
      a.mailer.close();
      b.mailer.close();
      await Promise.all([s1!.close(), s2!.close()]);
    }
  });

  test('an instance dying in the middle of a deadline run: the next one sends the rest, none twice', async () => {
    const url = await cluster.createDatabase();
    const clock = new ManualClock();
    const store1 = await openStore({ kind: 'postgres', url, poolSize: 4 });
    await store1.migrate();
    const real = createSmtpMailer(smtp.url, 'no-reply@esante.lu');
    // Instance A's SMTP connection "dies" at its third notification: the process is gone mid-run.
    let sends = 0;
    const dying: Mailer = {
      send: (mail) => (++sends <= 2 ? real.send(mail) : new Promise<void>(() => undefined)),
      close: () => undefined,
    };
    const a = instance(store1, ring, clock, dying, 'A', 5);
    await store1.accounts.create({ email: MARIE, fullName: 'Marie Schmit', identityLevel: 3, passwordHash: '$scrypt$x', options: { notifyRead: false } });
    for (let i = 0; i < 3; i++) {
      const reg = await a.keys.register(caller(MARIE), { to: [`late${i}@esante.lu`, `slow${i}@esante.lu`], cc: [], subject: `Résultat ${i}` });
      await a.keys.confirmSent(caller(MARIE), { messageId: reg.messageId, containerDigest: 'E'.repeat(43), size: 1 });
    }
    smtp.mails.length = 0;
    clock.t += 6 * DAY;
    void a.scheduler.runOnce(); // never finishes: A hangs on its third send, holding five claims
    await smtp.waitFor(MARIE, 2);
    await new Promise((r) => setTimeout(r, 100));
    await store1.close().catch(() => undefined); // the process is gone

    // A restarted instance, before A's lease ends: nothing to take yet (the claims are A's).
    const store2 = await openStore({ kind: 'postgres', url, poolSize: 4 });
    const b = instance(store2, ring, clock, real, 'B', 5);
    try {
      const early = await b.scheduler.runOnce();
      assert.equal(early.deadlinesCreated, 0, 'the jobs exist once, from A');
      assert.equal(early.sent, 1, 'only the job A had not claimed');
      clock.t += 61_000; // A's lease is over
      const resumed = await b.scheduler.runOnce();
      assert.equal(resumed.sent, 3);
      const mails = await smtp.waitFor(MARIE, 6);
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(smtp.to(MARIE).length, 6, 'six recipients past the deadline, six notices');
      assert.equal(new Set(mails.map((m) => m.messageId)).size, 6);
      assert.equal((await b.scheduler.runOnce()).sent, 0);
    } finally {
      real.close();
      await store2.close();
    }
  });
});

describe('two full service instances on one PostgreSQL, notifying through the sandbox MTA', () => {
  let cluster: TestPostgres;
  let dir: string;
  let sandbox: RunningSandbox;
  const services: Service[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'esante-two-'));
    [cluster, sandbox] = await Promise.all([
      startPostgres(),
      startSandbox({ port: 0, smtpPort: 0, dataDir: join(dir, 'sandbox'), zimletsDir: join(dir, 'zimlets'), serviceUrl: 'http://127.0.0.1:9' }),
    ]);
  });
  after(async () => {
    for (const s of services) await s.stop();
    await sandbox?.stop();
    await cluster?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('each notification reaches the sender’s Zimbra inbox exactly once', async () => {
    const url = await cluster.createDatabase();
    const setup = await openStore({ kind: 'postgres', url });
    await setup.migrate();
    await setup.accounts.create({ email: MARIE, fullName: 'Marie Schmit', identityLevel: 3, passwordHash: '$scrypt$x', options: { notifyTransmission: true } });
    await setup.close();
    const env = {
      ESANTE_PORT: '0',
      ESANTE_STORE: 'postgres',
      ESANTE_PG_URL: url,
      ESANTE_ZIMBRA_URL: sandbox.url,
      ESANTE_PUBLIC_URL: sandbox.url,
      ESANTE_DATA_DIR: join(dir, 'service'), // one keyring file for both, as in production
      ESANTE_SMTP_URL: `smtp://127.0.0.1:${sandbox.smtpPort}`,
      ESANTE_TEST_CLOCK: '1',
      ESANTE_SCHEDULER_INTERVAL_MS: '0',
      ESANTE_SHUTDOWN_TIMEOUT_MS: '1000',
    };
    for (let i = 0; i < 2; i++) {
      const s = await createService(loadConfig(env, dir), { log, env });
      await s.start();
      services.push(s);
    }
    const [a, b] = services.map((s) => s.url) as [string, string];
    const [marie, luc] = await Promise.all([MARIE, 'luc.hoffmann@esante.lu'].map((m) => loginAs(sandbox.url, m, SEED_PASSWORD)));
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const reg = await callAs(i % 2 ? a : b, marie!, 'RegisterSecureMessage', { to: ['luc.hoffmann@esante.lu', 'sophie.muller@esante.lu'], cc: [], subject: `Bilan ${i}` });
      await callAs(i % 2 ? b : a, marie!, 'ConfirmSecureMessageSent', { messageId: reg.messageId, containerDigest: 'F'.repeat(43), size: 10 });
      ids.push(reg.messageId);
    }
    // Luc opens all three, on both instances at once; Sophie none.
    await Promise.all(ids.flatMap((id) => [callAs(a, luc!, 'ReleaseMessageKey', { messageId: id }), callAs(b, luc!, 'ReleaseMessageKey', { messageId: id })]));
    const run = (base: string) => fetch(`${base}${SERVICE_BASE_PATH}/test/scheduler/run`, { method: 'POST' }).then((r) => r.json() as Promise<{ sent: number }>);
    const advance = (base: string) => fetch(`${base}${SERVICE_BASE_PATH}/test/clock`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ advanceMs: 6 * DAY }) });
    // Concurrent calls on one instance share its run in progress, so race the instances, twice.
    const both = async () => [...(await Promise.all([run(a), run(b)])), ...(await Promise.all([run(a), run(b)]))];
    const first = await both();
    assert.equal(first.reduce((n, r) => n + r.sent, 0), 6); // 3 transmission + 3 read (Luc)
    await Promise.all([advance(a), advance(b)]);
    const late = await both();
    assert.equal(late.reduce((n, r) => n + r.sent, 0), 3); // Sophie, once per message

    // What Marie's mailbox holds (the sandbox delivers over real SMTP into her Inbox).
    const inbox = async () => {
      const r = await soapAs<{ m?: Array<{ su: string }> }>(sandbox.url, marie!, 'SearchRequest', { query: 'in:inbox', types: 'message', limit: 100 });
      return (r.m ?? []).map((m) => m.su);
    };
    let subjects: string[] = [];
    for (let i = 0; i < 50 && subjects.length < 9; i++) {
      subjects = (await inbox()).filter((s) => /Bilan \d/.test(s));
      if (subjects.length < 9) await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 300));
    subjects = (await inbox()).filter((s) => /Bilan \d/.test(s));
    assert.equal(subjects.length, 9, subjects.join('\n'));
    for (let i = 0; i < 3; i++) {
      assert.equal(subjects.filter((s) => s === `Message chiffré envoyé : « Bilan ${i} »`).length, 1);
      assert.equal(subjects.filter((s) => s === `Message chiffré lu par luc.hoffmann@esante.lu : « Bilan ${i} »`).length, 1);
      assert.equal(subjects.filter((s) => s === `Délai de lecture dépassé (sophie.muller@esante.lu) : « Bilan ${i} »`).length, 1);
    }
  });
});
