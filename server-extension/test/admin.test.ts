/**
 * esante-admin (issue 16) on a real PostgreSQL store: --help everywhere, the documented exit codes,
 * account show / unlock, audit query (user, message, time; JSON and CSV), notification queue status /
 * retry, master-key under it, and a clear refusal of a store it cannot reach.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { EXIT, runAdmin } from '../src/admin/cli.ts';
import { MasterKey, MasterKeyring } from '../src/keys/index.ts';
import { createLogger } from '../src/log.ts';
import { KeyService } from '../src/messages/key-service.ts';
import { openStore, type Store } from '../src/store/index.ts';
import { startPostgres, type TestPostgres } from './support/postgres.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MARIE = 'marie.schmit@esante.lu';
const LUC = 'luc.hoffmann@esante.lu';
const log = createLogger({ level: 'silent', destination: new Writable({ write: (_c, _e, cb) => cb() }) });

async function admin(argv: string[], env: Record<string, string>): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runAdmin(argv, env, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** The real entry point, as an operator runs it; resolves with its exit code and output. */
function spawnAdmin(entry: string, argv: string[], env: Record<string, string>): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, entry), ...argv], { cwd: ROOT, env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, out, err })));
}

describe('esante-admin', () => {
  let pg: TestPostgres;
  let store: Store;
  let env: Record<string, string>;
  let messageId: string;

  before(async () => {
    pg = await startPostgres();
    store = await openStore({ kind: 'postgres', url: pg.url, poolSize: 2 });
    await store.migrate();
    env = { ESANTE_STORE: 'postgres', ESANTE_PG_URL: pg.url, LANG: 'C' };
    await store.accounts.create({ email: MARIE, fullName: 'Marie Schmit', identityLevel: 3, passwordHash: '$scrypt$secret-hash', options: { notifyTransmission: true } });
    const ring = new MasterKeyring(MasterKey.generate());
    const keys = new KeyService({ store: () => store, keyring: () => ring, clock: { now: () => new Date() }, log, publicUrl: 'https://messagerie.esante.lu', levelBannerThreshold: 3 });
    const caller = { address: MARIE, lang: 'fr' as const, channel: 'zimbra' as const };
    const reg = await keys.register(caller, { to: [LUC], cc: [], subject: '=HYPERLINK("x")' });
    await keys.confirmSent(caller, { messageId: reg.messageId, containerDigest: 'A'.repeat(43), size: 1 });
    messageId = reg.messageId;
  });
  after(async () => {
    await store?.close();
    await pg?.stop();
  });

  test('--help on every command and subcommand; no command or an unknown one is bad usage (2)', async () => {
    assert.equal((await admin(['--help'], env)).code, EXIT.ok);
    assert.match((await admin(['--help'], env)).out, /exit codes: 0 done, 1 failed or incomplete, 2 bad usage, 3 store unreachable, 4 not found/);
    for (const cmd of ['account', 'audit', 'notifications', 'master-key', 'message']) {
      const r = await admin([cmd, '--help'], env);
      assert.equal(r.code, EXIT.ok, cmd);
      assert.match(r.out, new RegExp(`^usage: esante-admin ${cmd} `), cmd);
      assert.match(r.out, /exit codes:/, cmd);
    }
    assert.equal((await admin(['account', 'show', '--help'], env)).code, EXIT.ok, 'help after the subcommand too');
    assert.equal((await admin([], env)).code, EXIT.usage);
    const unknown = await admin(['frobnicate'], env);
    assert.equal(unknown.code, EXIT.usage);
    assert.match(unknown.err, /utilisation incorrecte : unknown command "frobnicate"/, 'French unless the operator’s language says otherwise');
    assert.match((await admin(['audit', 'query', '--bogus'], { ...env, ESANTE_ADMIN_LANG: 'de' })).err, /falsche Verwendung/);
    assert.equal((await admin(['master-key', 'spin'], env)).code, EXIT.usage);
  });

  test('account show never prints secrets; unlock clears the lock and is audited; unknown is 4', async () => {
    for (let i = 0; i < 3; i++) await store.accounts.recordFailedAttempt(MARIE);
    await store.accounts.lockUntil(MARIE, new Date(Date.now() + 3_600_000));
    const shown = await admin(['account', 'show', MARIE, '--json'], env);
    assert.equal(shown.code, EXIT.ok);
    const a = JSON.parse(shown.out) as Record<string, unknown>;
    assert.deepEqual([a['email'], a['identityLevel'], a['failedAttempts'], a['locked']], [MARIE, 3, 3, true]);
    assert.ok(!shown.out.includes('secret-hash') && !('passwordHash' in a), 'no password hash');
    const text = await admin(['account', 'show', MARIE], env);
    assert.match(text.out, /^locked\s+true$/m);

    const unlocked = await admin(['account', 'unlock', MARIE], env);
    assert.equal(unlocked.code, EXIT.ok, unlocked.err);
    const after = (await store.accounts.get(MARIE))!;
    assert.deepEqual([after.failedAttempts, after.lockedUntil], [0, null]);
    const [event] = await store.audit.list({ action: 'account.unlock', limit: 5 });
    assert.equal(event?.subject, MARIE);
    assert.match(event!.actor, /^admin:/);
    assert.deepEqual(event!.detail, { failedAttempts: 3, wasLocked: true });

    const none = await admin(['account', 'unlock', 'nobody@esante.lu'], env);
    assert.equal(none.code, EXIT.notFound);
    assert.match(none.err, /aucun compte de chiffrement pour nobody@esante\.lu/);
    assert.equal((await admin(['account', 'show', 'not an address'], env)).code, EXIT.usage, 'a bad address is refused, not looked up');
  });

  test('audit query by user, message and time, as JSON or CSV', async () => {
    const base = Date.parse('2026-12-01T10:00:00.000Z');
    for (let i = 0; i < 5; i++) {
      await store.audit.append({ at: new Date(base + i * 3_600_000), actor: i % 2 ? LUC : MARIE, action: 'test.event', subject: i < 3 ? 'msg-a' : 'msg-b', outcome: 'allowed', detail: { n: i } });
    }
    const q = async (...args: string[]) => {
      const r = await admin(['audit', 'query', '--action', 'test.event', ...args], env);
      assert.equal(r.code, EXIT.ok, r.err);
      return JSON.parse(r.out) as Array<{ actor: string; subject: string; detail: { n: number } }>;
    };
    assert.deepEqual((await q()).map((e) => e.detail.n), [4, 3, 2, 1, 0], 'newest first');
    assert.deepEqual((await q('--user', LUC)).map((e) => e.detail.n), [3, 1]);
    assert.deepEqual((await q('--message', 'msg-b')).map((e) => e.detail.n), [4, 3]);
    assert.deepEqual((await q('--since', '2026-12-01T11:00:00Z', '--until', '2026-12-01T13:00:00Z')).map((e) => e.detail.n), [3, 2, 1]);
    assert.deepEqual((await q('--limit', '2')).map((e) => e.detail.n), [4, 3]);

    const csv = await admin(['audit', 'query', '--message', messageId, '--format', 'csv'], env);
    assert.equal(csv.code, EXIT.ok);
    const lines = csv.out.split('\n');
    assert.equal(lines[0], 'id,at,actor,action,subject,outcome,detail');
    assert.ok(lines.length >= 3, 'register and confirm of the message');
    assert.ok(lines.slice(1).every((l) => l.includes(`,${messageId},allowed,`)));
    const bad = await admin(['audit', 'query', '--since', 'yesterday'], env);
    assert.equal(bad.code, EXIT.usage);
    assert.match(bad.err, /date invalide \(ISO 8601 attendu\) : yesterday/);
    assert.equal((await admin(['audit', 'query', '--format', 'xml'], env)).code, EXIT.usage);
  });

  test('CSV cells that a spreadsheet would run as a formula are neutralised', async () => {
    await store.audit.append({ at: new Date(), actor: MARIE, action: 'test.csv', subject: '=cmd|"/c calc"!A1', outcome: 'denied' });
    const r = await admin(['audit', 'query', '--action', 'test.csv', '--format', 'csv'], env);
    assert.match(r.out.split('\n')[1]!, /,"'=cmd\|""\/c calc""!A1",denied,$/);
  });

  test('notifications status and retry: only failed jobs move, each once', async () => {
    const [job] = await store.notifications.claim('worker-x', Date.now(), 60_000, 10);
    assert.ok(job, 'the transmission notice of the message');
    await store.notifications.markFailed(job.id, 'worker-x', 'SMTP 451 try later', Date.now(), true);
    const status = await admin(['notifications', 'status', '--json'], env);
    assert.equal(status.code, EXIT.ok);
    const s = JSON.parse(status.out) as { queue: { failed: number; pending: number }; failed: Array<{ id: number; lastError: string }> };
    assert.equal(s.queue.failed, 1);
    assert.deepEqual(s.failed.map((f) => [f.id, f.lastError]), [[job.id, 'SMTP 451 try later']]);
    assert.match((await admin(['notifications', 'status'], env)).out, /failed #\d+ transmission message .* after 1 attempts: SMTP 451 try later/);

    assert.equal((await admin(['notifications', 'retry'], env)).code, EXIT.usage, '--all or --id needed');
    assert.equal((await admin(['notifications', 'retry', '--all', '--id', '1'], env)).code, EXIT.usage);
    assert.equal((await admin(['notifications', 'retry', '--id', 'x'], env)).code, EXIT.usage);
    const retried = await admin(['notifications', 'retry', '--id', String(job.id)], env);
    assert.equal(retried.code, EXIT.ok, retried.err);
    const [again] = await store.notifications.forMessage(messageId);
    assert.deepEqual([again!.state, again!.attempts, again!.claimedBy], ['pending', 0, null]);
    const [audited] = await store.audit.list({ action: 'notification.retry', limit: 1 });
    assert.equal(audited?.subject, String(job.id));
    const twice = await admin(['notifications', 'retry', '--id', String(job.id)], env);
    assert.equal(twice.code, EXIT.notFound, 'no longer a failed job');
    assert.equal((await admin(['notifications', 'retry', '--all'], env)).code, EXIT.failed, 'nothing failed: nothing done');
  });

  test('message revoke: one recipient then all, as the sender could; the revoked recipient is refused the key; audited as the operator; refusals change nothing', async () => {
    const ring = new MasterKeyring(MasterKey.generate());
    const keys = new KeyService({ store: () => store, keyring: () => ring, clock: { now: () => new Date() }, log, publicUrl: 'https://messagerie.esante.lu', levelBannerThreshold: 3 });
    const sender = { address: MARIE, lang: 'fr' as const, channel: 'zimbra' as const };
    const reg = await keys.register(sender, { to: [LUC, 'anne.kieffer@esante.lu'], cc: [], subject: 'Résultats' });
    await keys.confirmSent(sender, { messageId: reg.messageId, containerDigest: 'B'.repeat(43), size: 1 });
    const reader = (address: string) => ({ address, lang: 'fr' as const, channel: 'zimbra' as const });

    assert.match((await admin(['message', '--help'], env)).out, /^usage: esante-admin message revoke/);
    assert.equal((await admin(['message', 'revoke'], env)).code, EXIT.usage);
    assert.equal((await admin(['message', 'revoke', 'a b*'], env)).code, EXIT.usage, 'not an id: refused before the store');
    const unknown = await admin(['message', 'revoke', 'nope_nope'], env);
    assert.equal(unknown.code, EXIT.notFound);
    assert.match(unknown.err, /inconnu du service de clés/);
    const stranger = await admin(['message', 'revoke', reg.messageId, '--recipient', 'x@y.lu'], env);
    assert.equal(stranger.code, EXIT.notFound);
    assert.match(stranger.err, /x@y\.lu ne figure pas parmi les destinataires/);

    const one = await admin(['message', 'revoke', reg.messageId, '--recipient', LUC.toUpperCase()], env);
    assert.equal(one.code, EXIT.ok, one.err);
    assert.match(one.out, new RegExp(`${reg.messageId}: revoked .* for ${LUC}`));
    await assert.rejects(keys.release(reader(LUC), reg.messageId), (e: { code?: string }) => e.code === 'message.revoked');
    assert.ok((await keys.release(reader('anne.kieffer@esante.lu'), reg.messageId)).dataKey, 'the other recipient still opens it');
    const [audited] = await store.audit.list({ action: 'message.revoke', subject: reg.messageId, limit: 1 });
    assert.match(audited!.actor, /^admin:/);
    assert.deepEqual(audited!.detail, { scope: 'one', recipients: 1, channel: 'admin' });

    const again = await admin(['message', 'revoke', reg.messageId, '--recipient', LUC], { ...env, ESANTE_ADMIN_LANG: 'en' });
    assert.equal(again.code, EXIT.failed, 'a second revoke changes nothing');
    const all = await admin(['message', 'revoke', reg.messageId], env);
    assert.equal(all.code, EXIT.ok, all.err);
    await assert.rejects(keys.release(reader('anne.kieffer@esante.lu'), reg.messageId), (e: { code?: string }) => e.code === 'message.revoked');
    assert.equal((await admin(['message', 'revoke', reg.messageId], env)).code, EXIT.failed);
  });

  test('a store it cannot reach is refused clearly (3), without its password; from the real entry point too', async () => {
    const closed = { ESANTE_STORE: 'postgres', ESANTE_PG_URL: 'postgres://admin:hunter2@127.0.0.1:1/esante', LANG: 'en_GB.UTF-8' };
    const r = await admin(['account', 'show', MARIE], closed);
    assert.equal(r.code, EXIT.storeUnreachable);
    assert.match(r.err, /cannot reach the store \(PostgreSQL 127\.0\.0\.1:1\/esante: does not answer\); nothing was read or changed/);
    assert.ok(!r.err.includes('hunter2'));
    const dir = await mkdtemp(join(tmpdir(), 'esante-admin-'));
    try {
      const sqlite = await admin(['notifications', 'status'], { ESANTE_DATA_DIR: join(dir, 'nowhere'), LANG: 'en' });
      assert.equal(sqlite.code, EXIT.storeUnreachable);
      assert.match(sqlite.err, /SQLite .*esante\.sqlite: no such file/);
      const real = await spawnAdmin('server-extension/src/admin/main.ts', ['audit', 'query'], closed);
      assert.equal(real.code, EXIT.storeUnreachable, real.err);
      assert.match(real.err, /cannot reach the store/);
      // The old entry still runs the rotation, now through the CLI.
      const old = await spawnAdmin('server-extension/src/rotate-master-key.ts', ['spin'], { ESANTE_DATA_DIR: dir });
      assert.equal(old.code, EXIT.usage);
      assert.match(old.err, /master-key add-key\|rewrap\|retire/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
