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
import { dedupeMessageId, MessageIdDedupe } from '../../sandbox/server/dedupe.ts';
import { loadConfig } from '../src/config.ts';
import { createService, type Service } from '../src/root.ts';
import { MasterKey, MasterKeyring } from '../src/keys/index.ts';
import { createLogger } from '../src/log.ts';
import { KeyService, type KeyCaller } from '../src/messages/key-service.ts';
import { createSmtpMailer, type Mailer } from '../src/messages/mailer.ts';
import { composeNotification } from '../src/messages/notifications.ts';
import { NotificationScheduler } from '../src/messages/scheduler.ts';
import { openStore, type Store } from '../src/store/index.ts';
import { postgresAndMailCatcher, twoInstanceStores } from './messages-support.ts';
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

function instance(store: Store, ring: MasterKeyring, clock: ManualClock, mailer: Mailer, name: string, batchSize = 4, leaseMs = 60_000): Instance {
  const keys = new KeyService({ store: () => store, keyring: () => ring, clock, log, publicUrl: 'https://messagerie.esante.lu', levelBannerThreshold: 3 });
  const scheduler = new NotificationScheduler({
    store: () => store,
    clock,
    log,
    mailer,
    messageIdDomain: 'messagerie.esante.lu',
    leaseMs,
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

/**
 * The real store, with markSent failing as a PostgreSQL restart makes it fail (connection refused)
 * while `down()` says so: the fault is injected at the one call the defect is about.
 */
function flakyMarkSent(store: Store, down: () => boolean): { store: Store; failures: () => number } {
  let failures = 0;
  const notifications = new Proxy(store.notifications, {
    get(target, prop, receiver) {
      if (prop === 'markSent')
        return (...args: Parameters<Store['notifications']['markSent']>) => {
          if (down()) {
            failures++;
            return Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }));
          }
          return target.markSent(...args);
        };
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  return { store: new Proxy(store, { get: (t, p, r) => (p === 'notifications' ? notifications : Reflect.get(t, p, r)) }), failures: () => failures };
}

/** One message of Marie to one recipient, confirmed sent: one transmission notice to send. */
async function oneMessage(keys: KeyService, store: Store, subject: string): Promise<string> {
  await store.accounts.create({ email: MARIE, fullName: 'Marie Schmit', identityLevel: 3, passwordHash: '$scrypt$x', options: { notifyTransmission: true, notifyRead: false } });
  const reg = await keys.register(caller(MARIE), { to: ['luc.hoffmann@esante.lu'], cc: [], subject });
  await keys.confirmSent(caller(MARIE), { messageId: reg.messageId, containerDigest: 'G'.repeat(43), size: 1 });
  return reg.messageId;
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
  const fx = postgresAndMailCatcher();
  const ring = new MasterKeyring(MasterKey.generate());

  test('two instances sharing the database send each notification exactly once', async () => {
    const clock = new ManualClock();
    const [s1, s2] = await twoInstanceStores(fx.cluster);
    const a = instance(s1, ring, clock, createSmtpMailer(fx.smtp.url, 'no-reply@esante.lu'), 'A', 3);
    const b = instance(s2, ring, clock, createSmtpMailer(fx.smtp.url, 'no-reply@esante.lu'), 'B', 3);
    try {
      fx.smtp.mails.length = 0;
      await seed(a.keys, s1, 8);
      // 8 transmission + 4 read notifications, raced by both instances, twice.
      // A run resolves only once each of its sends has been accepted by the SMTP server (the catcher
      // records a mail before its 250), and nothing else sends (intervalMs 0: no background loop). So
      // once every run has resolved, the mailbox is complete: counted, not waited for.
      const sent = (runs: ReadonlyArray<{ sent: number }>): number => runs.reduce((n, r) => n + r.sent, 0);
      const first = await Promise.all([a.scheduler.runOnce(), b.scheduler.runOnce()]);
      const firstAgain = await Promise.all([a.scheduler.runOnce(), b.scheduler.runOnce()]);
      assert.equal(sent(first), 12);
      assert.equal(sent(firstAgain), 0, 'the second round finds nothing left');
      assert.equal(fx.smtp.to(MARIE).length, 12);
      // Past the deadline: 8 × 3 − 4 opened = 20 deadline notices, created and sent once in all.
      clock.t += 6 * DAY;
      const late = await Promise.all([a.scheduler.runOnce(), b.scheduler.runOnce()]);
      const lateAgain = await Promise.all([a.scheduler.runOnce(), b.scheduler.runOnce()]);
      assert.equal(late[0]!.deadlinesCreated + late[1]!.deadlinesCreated, 20);
      assert.equal(sent(late) + sent(lateAgain), 20);
      assert.equal(sent(await Promise.all([a.scheduler.runOnce(), b.scheduler.runOnce()])), 0, 'nothing more to send');
      const mails = fx.smtp.to(MARIE);
      assert.equal(mails.length, 32);
      assert.equal(new Set(mails.map((m) => m.messageId)).size, 32, 'no notification twice');
      assert.equal(mails.filter((m) => m.subject.startsWith('Délai de lecture dépassé')).length, 20);
      assert.equal(mails.filter((m) => m.subject.startsWith('Message chiffré lu par')).length, 4);
    } finally {
      a.mailer.close();
      b.mailer.close();
      await Promise.all([s1.close(), s2.close()]);
    }
  });

  test('an instance dying in the middle of a deadline run: the next one sends the rest, none twice', async () => {
    const url = await fx.cluster.createDatabase();
    const clock = new ManualClock();
    const store1 = await openStore({ kind: 'postgres', url, poolSize: 4 });
    await store1.migrate();
    const real = createSmtpMailer(fx.smtp.url, 'no-reply@esante.lu');
    // Instance A's SMTP connection "dies" at its third notification: the process is gone mid-run.
    let sends = 0;
    let hung!: () => void;
    const thirdSendHangs = new Promise<void>((r) => (hung = r));
    const dying: Mailer = {
      send: (mail) => {
        if (++sends <= 2) return real.send(mail);
        hung();
        return new Promise<void>(() => undefined);
      },
      close: () => undefined,
    };
    const a = instance(store1, ring, clock, dying, 'A', 5);
    await store1.accounts.create({ email: MARIE, fullName: 'Marie Schmit', identityLevel: 3, passwordHash: '$scrypt$x', options: { notifyRead: false } });
    for (let i = 0; i < 3; i++) {
      const reg = await a.keys.register(caller(MARIE), { to: [`late${i}@esante.lu`, `slow${i}@esante.lu`], cc: [], subject: `Résultat ${i}` });
      await a.keys.confirmSent(caller(MARIE), { messageId: reg.messageId, containerDigest: 'E'.repeat(43), size: 1 });
    }
    fx.smtp.mails.length = 0;
    clock.t += 6 * DAY;
    void a.scheduler.runOnce(); // never finishes: A hangs on its third send, holding five claims
    await thirdSendHangs; // the event: A is inside its third send, its two first ones accepted
    assert.equal(fx.smtp.to(MARIE).length, 2);
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
      // Every send of B's runs was accepted before they resolved; A's third never left: 2 + 1 + 3.
      const mails = fx.smtp.to(MARIE);
      assert.equal(mails.length, 6, 'six recipients past the deadline, six notices');
      assert.equal(new Set(mails.map((m) => m.messageId)).size, 6);
      assert.equal((await b.scheduler.runOnce()).sent, 0);
    } finally {
      real.close();
      await store2.close();
    }
  });

  test('a store failure after the MTA accepted a mail retries the record, never the send', async () => {
    const url = await fx.cluster.createDatabase();
    const clock = new ManualClock();
    const real = await openStore({ kind: 'postgres', url, poolSize: 4 });
    await real.migrate();
    // Down for the first two records (the PostgreSQL restart of issue 16), then back.
    let downFor = 2;
    const flaky = flakyMarkSent(real, () => downFor-- > 0);
    const a = instance(flaky.store, ring, clock, createSmtpMailer(fx.smtp.url, 'no-reply@esante.lu'), 'A');
    try {
      const id = await oneMessage(a.keys, real, 'Record retried');
      fx.smtp.mails.length = 0;
      const run = await a.scheduler.runOnce();
      assert.deepEqual([run.sent, run.failed, flaky.failures()], [1, 0, 2]);
      assert.equal(fx.smtp.to(MARIE).length, 1, 'sent once although its record failed twice');
      assert.deepEqual((await real.notifications.forMessage(id)).map((j) => j.state), ['sent']);
      clock.t += 120_000; // past any lease: a pending job would be claimed and sent again now
      assert.equal((await a.scheduler.runOnce()).sent, 0, 'recorded as sent: nothing left');
      assert.equal(fx.smtp.to(MARIE).length, 1);
    } finally {
      a.mailer.close();
      await real.close();
    }
  });

  test('a store down for longer than the lease: the same instance records the job later without sending it again', async () => {
    const url = await fx.cluster.createDatabase();
    const clock = new ManualClock();
    const real = await openStore({ kind: 'postgres', url, poolSize: 4 });
    await real.migrate();
    let down = true;
    const flaky = flakyMarkSent(real, () => down);
    // A lease of 1.5 s: the record's retries (100, 200, 400 ms…) run out of it quickly.
    const a = instance(flaky.store, ring, clock, createSmtpMailer(fx.smtp.url, 'no-reply@esante.lu'), 'A', 4, 1500);
    try {
      await oneMessage(a.keys, real, 'Record later');
      fx.smtp.mails.length = 0;
      const first = await a.scheduler.runOnce();
      assert.equal(first.sent, 1, 'accepted by the MTA');
      assert.ok(flaky.failures() >= 2, `record retried (${flaky.failures()} failures)`);
      assert.equal(fx.smtp.to(MARIE).length, 1);
      down = false;
      clock.t += 2_000; // the lease is over: the job is pending and claimable again
      const again = await a.scheduler.runOnce();
      assert.equal(again.sent, 1, 'claimed again and recorded');
      assert.equal(fx.smtp.to(MARIE).length, 1, 'not sent a second time');
      clock.t += 2_000;
      assert.equal((await a.scheduler.runOnce()).sent, 0);
    } finally {
      a.mailer.close();
      await real.close();
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
    // Nothing is left to send on either instance, so the 9 counted above are all there will be.
    assert.equal((await both()).reduce((n, r) => n + r.sent, 0), 0, 'nothing more to send');
    // The sandbox files a mail into the Inbox before its SMTP 250 (sandbox/server/mail.ts onData), and
    // each run resolved after its sends were accepted: the Inbox is complete now, no waiting.
    const subjects = (await inbox()).filter((s) => /Bilan \d/.test(s));
    assert.equal(subjects.length, 9, subjects.join('\n'));
    for (let i = 0; i < 3; i++) {
      assert.equal(subjects.filter((s) => s === `Message chiffré envoyé : « Bilan ${i} »`).length, 1);
      assert.equal(subjects.filter((s) => s === `Message chiffré lu par luc.hoffmann@esante.lu : « Bilan ${i} »`).length, 1);
      assert.equal(subjects.filter((s) => s === `Délai de lecture dépassé (sophie.muller@esante.lu) : « Bilan ${i} »`).length, 1);
    }
  });

  test('a crash-window double (MTA accepted, process gone before the record) reaches the mailbox once', async () => {
    const url = await cluster.createDatabase();
    const clock = new ManualClock();
    const ring = new MasterKeyring(MasterKey.generate());
    const storeA = await openStore({ kind: 'postgres', url, poolSize: 2 });
    await storeA.migrate();
    const smtpUrl = `smtp://127.0.0.1:${sandbox.smtpPort}`;
    const realA = createSmtpMailer(smtpUrl, 'no-reply@esante.lu');
    // A's MTA accepts the mail (the sandbox files it before its 250), then A dies before markSent.
    let accepted!: () => void;
    const acceptedThenDied = new Promise<void>((r) => (accepted = r));
    const dying: Mailer = {
      send: async (mail) => {
        await realA.send(mail);
        accepted();
        return new Promise<void>(() => undefined);
      },
      close: () => realA.close(),
    };
    const a = instance(storeA, ring, clock, dying, 'A');
    const subject = `Fenêtre ${Date.now()}`;
    await oneMessage(a.keys, storeA, subject);
    void a.scheduler.runOnce();
    await acceptedThenDied;
    await storeA.close().catch(() => undefined);

    const storeB = await openStore({ kind: 'postgres', url, poolSize: 2 });
    const b = instance(storeB, ring, clock, createSmtpMailer(smtpUrl, 'no-reply@esante.lu'), 'B');
    try {
      clock.t += 61_000; // A's lease is over: B takes the job and sends it again, same Message-ID
      assert.equal((await b.scheduler.runOnce()).sent, 1, 'the second copy was accepted by the MTA too');
      const marie = await loginAs(sandbox.url, MARIE, SEED_PASSWORD);
      const r = await soapAs<{ m?: Array<{ su: string }> }>(sandbox.url, marie, 'SearchRequest', { query: 'in:inbox', types: 'message', limit: 100 });
      const copies = (r.m ?? []).filter((m) => m.su === `Message chiffré envoyé : « ${subject} »`);
      assert.equal(copies.length, 1, 'Zimbra (here the sandbox, dedupe.ts) files one copy per Message-ID and mailbox');
    } finally {
      realA.close();
      b.mailer.close();
      await storeB.close();
    }
  });
});

describe('the sandbox’s LMTP dedupe, as ZimbraLmtpBackend’s', () => {
  test('same id to the same mailbox only; Resent-Message-ID first; LRU of the cache size', () => {
    const d = new MessageIdDedupe(2);
    d.add('<a@x>', 'marie');
    assert.equal(d.isDuplicate('<a@x>', 'marie'), true);
    assert.equal(d.isDuplicate('<a@x>', 'luc'), false, 'another mailbox gets its copy');
    assert.equal(d.isDuplicate(null, 'marie'), false, 'no Message-ID: never a duplicate');
    d.add('<b@x>', 'marie');
    d.isDuplicate('<a@x>', 'marie'); // a lookup makes <a@x> the most recent
    d.add('<c@x>', 'marie'); // evicts the least recently used: <b@x>
    assert.deepEqual(['<a@x>', '<b@x>', '<c@x>'].map((id) => d.isDuplicate(id, 'marie')), [true, false, true]);
    const raw = (h: string) => Buffer.from(`${h}Subject: x\r\n\r\nMessage-ID: <body@x>\r\n`);
    assert.equal(dedupeMessageId(raw('Message-ID:\r\n <folded@x>\r\n')), '<folded@x>');
    assert.equal(dedupeMessageId(raw('Resent-Message-ID: <r2@x>\r\nResent-Message-ID: <r1@x>\r\nMessage-ID: <m@x>\r\n')), '<r2@x>');
    assert.equal(dedupeMessageId(raw('')), null, 'a Message-ID in the body is not the header');
  });
});
