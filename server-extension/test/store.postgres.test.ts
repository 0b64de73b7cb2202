/**
 * The Store contract on the PostgreSQL adapter, against a private PostgreSQL 15 cluster started
 * for this file (test/support/postgres.ts), plus what only PostgreSQL has: several service
 * instances migrating one database at once, the append-only triggers, unreachable servers.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import pg from 'pg';
import { LATEST_SCHEMA_VERSION, openStore, type Store } from '../src/store/index.ts';
import { describeStoreContract } from './support/store.contract.ts';
import { usePostgres } from './support/postgres.ts';

const cluster = usePostgres();

// Each store gets its own new database, as the contract requires.
describeStoreContract('PostgreSQL', async () => openStore({ kind: 'postgres', url: await cluster.createDatabase(), poolSize: 5 }));

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

describe('PostgreSQL adapter specifics', () => {
  test('four service instances starting at once on one database all migrate, each migration once', async () => {
    const url = await cluster.createDatabase();
    const stores: Store[] = await Promise.all(Array.from({ length: 4 }, () => openStore({ kind: 'postgres', url, poolSize: 2 })));
    try {
      // Connect every pool first, so the migrations really start together rather than one per connect.
      assert.deepEqual(await Promise.all(stores.map((s) => s.ping())), [true, true, true, true]);
      await Promise.all(stores.map((s) => s.migrate()));
      for (const s of stores) assert.equal(await s.schemaVersion(), LATEST_SCHEMA_VERSION);
      const versions = await withClient(url, async (c) => (await c.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version')).rows.map((r) => r.version));
      assert.deepEqual(versions, Array.from({ length: LATEST_SCHEMA_VERSION }, (_, i) => i + 1));
      // And the instances share their data.
      const results = await Promise.all(stores.map((s, i) => s.accounts.create({ email: 'shared@esante.lu', fullName: `I${i}`, identityLevel: 7, passwordHash: '$h$x' })));
      assert.equal(results.filter((r) => r.kind === 'Created').length, 1);
      await Promise.all(stores.flatMap((s) => [s.accounts.incrementTransactions('shared@esante.lu'), s.accounts.incrementTransactions('shared@esante.lu')]));
      assert.equal((await stores[3]!.accounts.get('SHARED@esante.lu'))?.transactions, 8);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  test('the migration lock is released: a later instance migrates without waiting', async () => {
    const url = await cluster.createDatabase();
    const first = await openStore({ kind: 'postgres', url });
    await first.migrate();
    const locks = await withClient(url, async (c) => (await c.query("SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory'")).rows[0].n);
    assert.equal(locks, 0);
    await first.close();
    const second = await openStore({ kind: 'postgres', url });
    try {
      await second.migrate();
      assert.equal(await second.schemaVersion(), LATEST_SCHEMA_VERSION);
    } finally {
      await second.close();
    }
  });

  test('the database itself refuses UPDATE, DELETE and TRUNCATE on the audit log', async () => {
    const url = await cluster.createDatabase();
    const store = await openStore({ kind: 'postgres', url });
    try {
      await store.migrate();
      const event = await store.audit.append({ at: new Date(), actor: 'system', action: 'x.y', subject: 's', outcome: 'allowed' });
      await withClient(url, async (c) => {
        await assert.rejects(c.query("UPDATE audit_log SET outcome = 'denied'"), /append-only/);
        await assert.rejects(c.query('DELETE FROM audit_log'), /append-only/);
        await assert.rejects(c.query('TRUNCATE audit_log'), /append-only/);
        assert.equal((await c.query('SELECT outcome FROM audit_log WHERE id = $1', [event.id])).rows[0].outcome, 'allowed');
      });
    } finally {
      await store.close();
    }
  });

  test('an unreachable server gives StoreUnavailableError and ping false, without the URL in the message', async () => {
    // A port that was free a moment ago: nothing listens there.
    const { createServer } = await import('node:net');
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const store = await openStore({ kind: 'postgres', url: `postgres://someone:s3cret-pw@127.0.0.1:${port}/nothing` });
    try {
      assert.equal(await store.ping(), false);
      const error = await store.migrate().then(() => null, (e: unknown) => e);
      assert.ok(error instanceof Error);
      assert.equal(error.name, 'StoreUnavailableError');
      assert.equal((error as { code?: string }).code, 'service.unavailable');
      assert.ok(!error.message.includes('s3cret-pw'));
      await assert.rejects(store.accounts.get('a@esante.lu'), { name: 'StoreUnavailableError' });
    } finally {
      await store.close();
    }
  });
});
