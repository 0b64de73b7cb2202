/**
 * Issue 16: the production topology, started and stopped by this test: a real nginx (README's
 * location block) in front of two service processes sharing one PostgreSQL (topology/cluster.ts),
 * simulated users through nginx (topology/load.ts), and the faults each under load:
 *   - kill -9 of one instance → the clients finish on the other; reconciliation: no message, key,
 *     audit record or notification lost or doubled;
 *   - PostgreSQL restarted → health 503 then 200 within 10 s; failed calls got the retryable 503
 *     Fault service.unavailable; nothing corrupt, notifications once;
 *   - SMTP down, then up → every notification delivered exactly once;
 * and /metrics is refused through the public location (acceptance 3).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CSRF_HEADER, HEALTH_PATH, SERVICE_BASE_PATH, SOAP_PATH } from '../../shared/paths.ts';
import { notificationMessageId } from '../src/messages/mailer.ts';
import { health, startTopology, type Topology } from './topology/cluster.ts';
import { prepare, runLoad, soap, type Outcome, type Prepared } from './topology/load.ts';
import { readmeLocationBlock, withUpstream } from './topology/nginx.ts';

const USERS = 30;
/** Calls answered before the fault, and after it (load by count: the machine is shared with other work). */
const KILL_AT = 150;
const AFTER_KILL = 300;

/** Resolves once `check` is true (checked every `everyMs`), or rejects after `ms`. */
async function until(what: string, ms: number, check: () => Promise<boolean> | boolean, everyMs = 50): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    if (await check()) return Date.now() - t0;
    if (Date.now() - t0 > ms) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

describe('topology: nginx (README location) → two instances → one PostgreSQL, slapd, SMTP', { concurrency: false }, () => {
  let topo: Topology;
  let load: Prepared;

  before(async () => {
    topo = await startTopology({ instances: 2, directory: 'ldap' });
    load = await prepare({ baseUrl: topo.url, sandboxUrl: topo.sandboxUrl, pgUrl: topo.pg.dbUrl, messagesPerUser: 4, portalAccounts: 10 });
  });
  after(async () => {
    await topo?.close();
  });

  /** Every job sent, each job's Message-ID delivered; answers the copies per Message-ID beyond one. */
  async function notificationsReconciled(ms: number): Promise<{ jobs: number; doubles: number }> {
    const domain = new URL(topo.url).hostname;
    await until('every notification job sent', ms, async () => (await topo.pg.query<{ n: string }>("SELECT count(*) AS n FROM notification_jobs WHERE state <> 'sent'"))[0]!.n === '0', 100);
    const jobs = await topo.pg.query<{ job_key: string; kind: string; message_id: string; recipient_key: string | null }>('SELECT job_key, kind, message_id, recipient_key FROM notification_jobs');
    const ids = new Map(jobs.map((j) => [notificationMessageId(j.job_key, domain), j]));
    await topo.mta.waitFor((d) => new Set(d.map((x) => x.messageId)).size >= ids.size, 10_000, `${ids.size} distinct notifications`);
    const copies = new Map<string, number>();
    for (const d of topo.mta.deliveries) copies.set(d.messageId, (copies.get(d.messageId) ?? 0) + 1);
    for (const id of ids.keys()) assert.ok(copies.has(id), `notification ${id} delivered`);
    for (const id of copies.keys()) assert.ok(ids.has(id), `delivered ${id} is a job's`);
    // One job per (kind, message, recipient): the store's unique job_key, checked here as the clients see it.
    const perKey = new Map<string, number>();
    for (const j of jobs) perKey.set(`${j.kind} ${j.message_id} ${j.recipient_key}`, (perKey.get(`${j.kind} ${j.message_id} ${j.recipient_key}`) ?? 0) + 1);
    assert.deepEqual([...perKey.values()].filter((n) => n > 1), [], 'one notification job per kind, message and recipient');
    return { jobs: ids.size, doubles: [...copies.values()].reduce((n, c) => n + c - 1, 0) };
  }

  /** Messages, keys and audit against what the clients saw. */
  async function messagesReconciled(): Promise<void> {
    const rows = await topo.pg.query<{ id: string; sent: boolean; recipients: string }>(
      'SELECT m.id, m.sent_at_ms IS NOT NULL AS sent, (SELECT count(*) FROM secure_message_recipients r WHERE r.message_id = m.id) AS recipients FROM secure_messages m',
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    const confirmed = [...load.ledger.sent.values()].filter((m) => m.confirmed);
    for (const m of confirmed) {
      assert.equal(byId.get(m.messageId)?.sent, true, `confirmed message ${m.messageId} is sent in the store`);
      assert.equal(byId.get(m.messageId)?.recipients, '1');
    }
    // A sent message nobody confirmed would be an invented (or doubled) send.
    for (const r of rows.filter((x) => x.sent)) assert.ok(load.ledger.sent.get(r.id)?.confirmed, `sent message ${r.id} was confirmed by a client`);
    const audit = await topo.pg.query<{ action: string; subject: string; actor: string; n: string }>(
      "SELECT action, subject, actor, count(*) AS n FROM audit_log WHERE outcome = 'allowed' AND action IN ('message.confirm', 'key.release') GROUP BY 1, 2, 3",
    );
    const count = (action: string, subject: string, actor: string) => Number(audit.find((a) => a.action === action && a.subject === subject && a.actor === actor)?.n ?? 0);
    const transmissions = new Set((await topo.pg.query<{ message_id: string }>("SELECT message_id FROM notification_jobs WHERE kind = 'transmission'")).map((j) => j.message_id));
    for (const m of confirmed) {
      // Even when the first confirm stopped right after recording the message (store gone, process
      // killed) and the client retried: key-service.ts confirmSent redoes the job and the audit record.
      assert.equal(count('message.confirm', m.messageId, m.sender), 1, `one confirm audited for ${m.messageId}${m.confirmRetried ? ' (confirm retried)' : ''}`);
      // Every sender has notifyTransmission on (topology/load.ts prepare).
      assert.ok(transmissions.has(m.messageId), `transmission notification queued for ${m.messageId}${m.confirmRetried ? ' (confirm retried)' : ''}`);
    }
    for (const [key, rec] of load.ledger.released) {
      const [messageId, user] = key.split(' ') as [string, string];
      const n = count('key.release', messageId, user);
      assert.ok(n >= rec.ok && n <= rec.attempts, `key.release audit of ${key}: ${n} records for ${rec.ok} seen ok of ${rec.attempts} attempts`);
    }
    // Every key still opens: the recipient gets, through nginx, the key the sender was given.
    const recipients = new Map(load.users.map((u) => [u.mail, u.login]));
    const sample = confirmed.slice(-40);
    for (const m of sample) {
      const r = await soap(topo.url, recipients.get(m.to)!, 'ReleaseMessageKey', { messageId: m.messageId });
      assert.ok(r.ok, `release of ${m.messageId}: ${r.code}`);
      assert.equal(/<(?:\w+:)?dataKey>([^<]*)</.exec(r.body!)?.[1], m.dataKey);
      const rec = load.ledger.released.get(`${m.messageId} ${m.to}`) ?? { ok: 0, attempts: 0 };
      rec.ok++;
      rec.attempts++;
      load.ledger.released.set(`${m.messageId} ${m.to}`, rec);
    }
  }

  test("nginx runs the README's location block; both instances answer through it", async () => {
    const block = readmeLocationBlock();
    assert.ok(topo.nginx.config.includes(withUpstream(block, 'http://esante_service').split('\n').map((l) => `    ${l}`).join('\n')), 'the README block, only its proxy_pass target replaced');
    for (const line of block.split('\n').filter((l) => !/proxy_pass/.test(l))) assert.ok(topo.nginx.config.includes(line), `README line kept: ${line}`);
    const h = await health(topo.url);
    assert.equal(h.status, 200);
    assert.equal(h.body.status, 'ok');
    const wsdl = await fetch(`${topo.url}${SOAP_PATH}?wsdl`);
    assert.match(await wsdl.text(), new RegExp(`location="${topo.url}${SOAP_PATH}"`));
    // Round robin: a few calls reach each instance (their own metrics count them).
    for (let i = 0; i < 10; i++) assert.ok((await soap(topo.url, load.users[0]!.login, 'GetServiceInfo', {})).ok);
    for (const inst of topo.instances) {
      const text = await (await fetch(inst.metricsUrl)).text();
      assert.match(text, /esante_soap_requests_total\{operation="GetServiceInfo"\} [1-9]/, `${inst.name} answered through nginx`);
    }
    // A body over the service's limit but within nginx's client_max_body_size reaches the client as the 413 Fault.
    const big = await fetch(`${topo.url}${SOAP_PATH}`, { method: 'POST', headers: { 'Content-Type': 'text/xml; charset=utf-8', Cookie: load.users[0]!.login.cookie, [CSRF_HEADER]: load.users[0]!.login.csrfToken }, body: 'x'.repeat(15 * 1024 * 1024) });
    assert.equal(big.status, 413);
    assert.match(await big.text(), /code="request\.too_large"/);
  });

  test('/metrics is refused through the public location, served on each instance’s own listener', async () => {
    for (const path of ['/metrics', `${SERVICE_BASE_PATH}/metrics`, `${SERVICE_BASE_PATH}/../../../metrics`, `${HEALTH_PATH}/../metrics`]) {
      const r = await fetch(`${topo.url}${path}`);
      const body = await r.text();
      assert.equal(r.status, 404, path);
      assert.doesNotMatch(body, /# (HELP|TYPE) /, `${path} shows no metrics`);
    }
    const direct = await fetch(topo.instances[0]!.metricsUrl);
    assert.equal(direct.status, 200);
    assert.match(direct.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await direct.text();
    for (const family of ['esante_soap_requests_total', 'esante_soap_request_duration_seconds', 'esante_notification_queue_depth', 'esante_store_up', 'process_resident_memory_bytes']) assert.match(text, new RegExp(`^# TYPE ${family} `, 'm'), family);
    assert.notEqual(new URL(topo.instances[0]!.metricsUrl).port, new URL(topo.instances[0]!.url).port);
  });

  test('LDAP down: directory calls get directory.unavailable, then recover without a restart', async () => {
    const ldap = topo.ldap!;
    const marie = load.users[0]!.login;
    const search = (base: string) => soap(base, marie, 'SearchProfessionals', { name: 'Schmit' });
    assert.ok((await search(topo.url)).ok);
    await ldap.down();
    const failures: Array<Outcome & { op: string }> = [];
    let seen = 0;
    const stop = new AbortController();
    const result = await runLoad(load, {
      users: USERS,
      durationMs: 60_000,
      stop: stop.signal,
      onOutcome: (op, o) => {
        if (!o.ok) failures.push({ op, ...o });
        if (++seen === AFTER_KILL) stop.abort();
      },
    });
    const kinds = [...new Set(failures.map((f) => `${f.op} ${f.status} ${f.code}`))];
    assert.ok(kinds.includes('search 503 directory.unavailable'), `searches refused as directory.unavailable: ${kinds.join(', ')}`);
    assert.deepEqual(kinds.filter((k) => !k.endsWith(' 503 directory.unavailable')), [], 'every failure is the retryable 503 directory.unavailable');
    const down = await health(topo.url);
    await ldap.up();
    // The same processes, their pools reconnecting by themselves.
    const ms = await until('searches answer again on both instances', 15_000, async () => (await Promise.all(topo.instances.map((i) => search(i.url)))).every((r) => r.ok), 100);
    for (const inst of topo.instances) assert.doesNotThrow(() => process.kill(inst.pid, 0), `${inst.name} still the same process`);
    const byOp = new Map<string, number>();
    for (const f of failures) byOp.set(f.op, (byOp.get(f.op) ?? 0) + 1);
    console.log(`LDAP down: ${failures.length} of ${result.total} calls refused (${[...byOp].map(([op, n]) => `${op}×${n}`).join(' ')}), health ${down.status} ${JSON.stringify(down.body)}; searches back ${ms} ms after slapd was reachable`);
  });

  test('kill -9 of one instance during the load: clients finish on the other, nothing lost or doubled', async () => {
    const victim = topo.instances[1]!;
    let seen = 0;
    const killed = new AbortController();
    const stop = new AbortController();
    // By calls answered, not by time (the machine is shared): the victim is killed once it is busy,
    // and the load ends AFTER_KILL calls later, so that those all ran on the survivor.
    const running = runLoad(load, {
      users: USERS,
      durationMs: 120_000,
      stop: stop.signal,
      retry: true,
      onOutcome: () => {
        if (++seen === KILL_AT) {
          victim.kill('SIGKILL');
          killed.abort();
        }
        if (seen === KILL_AT + AFTER_KILL) stop.abort();
      },
    });
    const result = await running;
    assert.ok(killed.signal.aborted, `the victim was killed during the load (${result.total} calls in ${result.seconds.toFixed(1)} s)`);
    assert.equal((await victim.exited).signal, 'SIGKILL');
    assert.equal(result.finalErrors, 0, `every call finished (retried failures: ${[...result.failures].map(([c, n]) => `${c}×${n}`).join(' ')})`);
    assert.ok(result.total >= KILL_AT + AFTER_KILL);
    // The survivor took the rest; nginx marks the dead one down.
    assert.equal((await health(topo.url)).status, 200);
    await messagesReconciled();
    // Jobs the victim had claimed wait for their lease (32 s) to end, then the survivor sends them.
    const { jobs, doubles } = await notificationsReconciled(60_000);
    assert.ok(jobs > 0);
    // The one window left (MTA accepted, record not written, process killed): at most the job in flight, same Message-ID (Zimbra keeps one).
    assert.ok(doubles <= 1, `${doubles} notifications delivered twice by SMTP`);
    console.log(`kill -9: ${result.total} calls in ${result.seconds.toFixed(1)} s, retried ${[...result.failures].map(([c, n]) => `${c}×${n}`).join(' ') || 'none'}; ${jobs} notifications, ${doubles} second SMTP copies (same Message-ID)`);
  });

  test('PostgreSQL restarted during the load: health 503 then 200 within 10 s, failures are the retryable service.unavailable', async () => {
    const survivor = topo.instances[0]!;
    const failures: Array<Outcome & { startedAt: number }> = [];
    let seen = 0;
    let restarted: Promise<number> | undefined;
    const stop = new AbortController();
    const doublesBefore = (await notificationsReconciled(60_000)).doubles;
    const running = runLoad(load, {
      users: USERS,
      durationMs: 60_000,
      stop: stop.signal,
      retry: true,
      onOutcome: (_op, o, _at, startedAt) => {
        if (!o.ok) failures.push({ ...o, startedAt });
        if (++seen === KILL_AT) {
          restarted = (async () => {
            await topo.pg.stopServer();
            await until('health 503 while PostgreSQL is down', 10_000, async () => (await health(survivor.url)).status === 503);
            const down = await health(topo.url);
            assert.equal(down.status, 503);
            assert.equal(down.body.store, false);
            await topo.pg.startServer();
            return until('health 200 after PostgreSQL is back', 10_000, async () => (await health(survivor.url)).status === 200);
          })();
        }
      },
    });
    await until('the restart began', 30_000, () => restarted !== undefined);
    const backMs = await restarted!;
    const recoveredAt = Date.now();
    // A little more load after the recovery, then stop: every call started since succeeds.
    const seenAtRecovery = seen;
    await until('calls after the recovery', 60_000, () => seen > seenAtRecovery + AFTER_KILL);
    stop.abort();
    await running;
    assert.ok(backMs <= 10_000, `health 200 ${backMs} ms after PostgreSQL was back`);
    assert.ok(failures.length > 0, 'some calls met the stopped database');
    const codes = new Set(failures.map((f) => `${f.status} ${f.code}`));
    assert.deepEqual([...codes].filter((c) => c !== '503 service.unavailable'), [], 'every failure is the retryable 503 service.unavailable');
    assert.deepEqual(failures.filter((f) => f.startedAt > recoveredAt), [], 'no call started after the recovery failed');
    await messagesReconciled();
    const { doubles } = await notificationsReconciled(60_000);
    assert.equal(doubles - doublesBefore, 0, 'no notification sent twice across the restart');
    console.log(`PostgreSQL restart: health 200 ${backMs} ms after the database was back; ${failures.length} calls got 503 service.unavailable`);
  });

  test('SMTP down, then up: every notification delivered exactly once', async () => {
    const doublesBefore = (await notificationsReconciled(60_000)).doubles;
    const jobsBefore = Number((await topo.pg.query<{ n: string }>('SELECT count(*) AS n FROM notification_jobs'))[0]!.n);
    await topo.mta.down();
    let seen = 0;
    const stop = new AbortController();
    const result = await runLoad(load, { users: USERS, durationMs: 120_000, stop: stop.signal, retry: true, onOutcome: () => ++seen === AFTER_KILL && stop.abort() });
    assert.equal(result.finalErrors, 0, 'the service itself does not need SMTP to answer');
    // The scheduler met the closed port (an attempt recorded as failed, to be retried), then SMTP comes back.
    await until('a notification attempt failed on the closed SMTP port', 30_000, async () => Number((await topo.pg.query<{ n: string }>("SELECT count(*) AS n FROM notification_jobs WHERE state = 'pending' AND last_error IS NOT NULL"))[0]!.n) > 0, 100);
    await topo.mta.up();
    // A failed attempt is retried 30 s later (scheduler.ts back-off), on whichever instance claims it.
    const { jobs, doubles } = await notificationsReconciled(90_000);
    assert.ok(jobs > jobsBefore, 'notifications were queued while SMTP was down');
    assert.equal(doubles - doublesBefore, 0, 'none delivered twice');
    assert.equal(Number((await topo.pg.query<{ n: string }>("SELECT count(*) AS n FROM notification_jobs WHERE state = 'failed'"))[0]!.n), 0, 'none given up');
    console.log(`SMTP down then up: ${jobs - jobsBefore} notifications queued while down, all delivered once`);
  });
});
