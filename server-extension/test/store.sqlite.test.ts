/**
 * The Store contract on the embedded SQLite adapter (a temp file per store), plus what only SQLite
 * has: WAL on a file, two processes' worth of stores on one file, the append-only triggers.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { LATEST_SCHEMA_VERSION, openStore } from '../src/store/index.ts';
import { describeStoreContract } from './support/store.contract.ts';

const dir = mkdtempSync(join(tmpdir(), 'esante-store-sqlite-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const newPath = (): string => join(dir, `store-${++n}.db`);

describeStoreContract('SQLite', () => openStore({ kind: 'sqlite', path: newPath() }));
describeStoreContract('SQLite :memory:', () => openStore({ kind: 'sqlite', path: ':memory:' }));

describe('SQLite adapter specifics', () => {
  test('a file database runs in WAL mode and keeps its data across reopen', async () => {
    const path = newPath();
    const store = await openStore({ kind: 'sqlite', path });
    await store.migrate();
    await store.accounts.create({ email: 'keep@esante.lu', fullName: 'Keep Me', identityLevel: 0, passwordHash: '$h$1' });
    await store.close();
    const raw = new Database(path, { readonly: true });
    try {
      assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
    } finally {
      raw.close();
    }
    const again = await openStore({ kind: 'sqlite', path });
    try {
      await again.migrate();
      assert.equal(await again.schemaVersion(), LATEST_SCHEMA_VERSION);
      assert.equal((await again.accounts.get('KEEP@esante.lu'))?.fullName, 'Keep Me');
    } finally {
      await again.close();
    }
  });

  test('two stores on one file migrate at once and share one account table', async () => {
    const path = newPath();
    const [a, b] = await Promise.all([openStore({ kind: 'sqlite', path }), openStore({ kind: 'sqlite', path })]);
    try {
      await Promise.all([a.migrate(), b.migrate()]);
      const results = await Promise.all([
        a.accounts.create({ email: 'one@esante.lu', fullName: 'A', identityLevel: 1, passwordHash: '$h$a' }),
        b.accounts.create({ email: 'ONE@esante.lu', fullName: 'B', identityLevel: 1, passwordHash: '$h$b' }),
      ]);
      assert.deepEqual(results.map((r) => r.kind).sort(), ['AlreadyExists', 'Created']);
      await Promise.all([a.accounts.incrementTransactions('one@esante.lu'), b.accounts.incrementTransactions('one@esante.lu')]);
      assert.equal((await a.accounts.get('one@esante.lu'))?.transactions, 2);
    } finally {
      await a.close();
      await b.close();
    }
    const raw = new Database(path, { readonly: true });
    try {
      assert.deepEqual(raw.prepare('SELECT version FROM schema_migrations ORDER BY version').all().map((r) => (r as { version: number }).version),
        Array.from({ length: LATEST_SCHEMA_VERSION }, (_, i) => i + 1));
    } finally {
      raw.close();
    }
  });

  test('the database itself refuses UPDATE and DELETE on the audit log', async () => {
    const path = newPath();
    const store = await openStore({ kind: 'sqlite', path });
    await store.migrate();
    const event = await store.audit.append({ at: new Date(), actor: 'system', action: 'x.y', subject: 's', outcome: 'allowed' });
    await store.close();
    const raw = new Database(path);
    try {
      assert.throws(() => raw.prepare("UPDATE audit_log SET outcome = 'denied'").run(), /append-only/);
      assert.throws(() => raw.prepare('DELETE FROM audit_log').run(), /append-only/);
      assert.equal((raw.prepare('SELECT outcome FROM audit_log WHERE id = ?').get(event.id) as { outcome: string }).outcome, 'allowed');
    } finally {
      raw.close();
    }
  });

  test('an edited migration is detected instead of silently diverging', async () => {
    const path = newPath();
    const store = await openStore({ kind: 'sqlite', path });
    await store.migrate();
    await store.close();
    const raw = new Database(path);
    raw.prepare("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1").run();
    raw.close();
    const again = await openStore({ kind: 'sqlite', path });
    try {
      await assert.rejects(again.migrate(), { name: 'StoreMigrationError', code: 'service.internal' });
    } finally {
      await again.close();
    }
  });

  test('a clock passed in the config stamps created and updated instants', async () => {
    const fixed = Date.parse('2026-03-04T05:06:07.000Z');
    const store = await openStore({ kind: 'sqlite', path: ':memory:', clock: () => fixed });
    try {
      await store.migrate();
      const r = await store.accounts.create({ email: 'clock@esante.lu', fullName: 'C', identityLevel: 5, passwordHash: '$h$c' });
      assert.equal(r.kind === 'Created' && r.account.createdAt, '2026-03-04T05:06:07.000Z');
      assert.equal((await store.accounts.setDontAskAgain('x@esante.lu', true)).updatedAt, '2026-03-04T05:06:07.000Z');
    } finally {
      await store.close();
    }
  });

  test('a new file is created with its folder, readable by the owner only', async () => {
    const path = join(dir, 'new-folder', 'sub', 'esante.db');
    const store = await openStore({ kind: 'sqlite', path });
    try {
      await store.migrate();
      assert.equal(statSync(path).mode & 0o777, 0o600);
      assert.equal(statSync(`${path}-wal`).mode & 0o777, 0o600);
    } finally {
      await store.close();
    }
  });

  test('an unopenable path is reported as StoreUnavailableError', async () => {
    const file = newPath();
    writeFileSync(file, '');
    // A folder cannot be made under a regular file.
    await assert.rejects(openStore({ kind: 'sqlite', path: join(file, 'x.db') }), { name: 'StoreUnavailableError', code: 'service.unavailable' });
    // Nor is a file that is not a database accepted.
    const junk = newPath();
    writeFileSync(junk, 'this is not a SQLite database, just some text long enough to have a header'.repeat(20));
    await assert.rejects(openStore({ kind: 'sqlite', path: junk }), { name: 'StoreUnavailableError' });
  });
});
