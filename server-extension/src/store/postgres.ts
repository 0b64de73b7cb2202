/**
 * The production adapter: PostgreSQL through a `pg` connection pool, shared by every service
 * instance. Each repository method is one statement, so it needs no explicit transaction;
 * PostgreSQL's row locks make `x = x + 1` and `ON CONFLICT DO NOTHING` correct under concurrency.
 *
 * Migrations of several instances starting at once are serialised by a session-level advisory
 * lock (keys below): the first applies them, the others wait, then find nothing pending.
 */
import pg from 'pg';
import { SqlRepositories } from './repositories.ts';
import { StoreUnavailableError } from './errors.ts';
import { SCHEMA_MIGRATIONS_DDL, checksum, pendingMigrations, type AppliedMigration } from './migrations/index.ts';
import { int, type SqlClient, type SqlRow, type SqlValue } from './sql.ts';
import type { Store } from './types.ts';

export interface PostgresStoreConfig {
  url: string;
  poolSize?: number;
  clock?: () => number;
  onBackgroundError?: (error: Error) => void;
}

/** `pg_advisory_lock(key1, key2)`: key1 'ESNT' for this product, key2 1 for "schema migrations". */
export const MIGRATION_LOCK_KEYS = [0x45534e54, 1] as const;

const DEFAULT_POOL_SIZE = 10;
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Connection-level failures (SQLSTATE classes 08 connection, 53 resources, 57 operator intervention)
 * and socket errors mean "try later"; anything else is a bug and is rethrown as is.
 */
function isUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    if (/^(08|53|57)/.test(code)) return true;
    if (/^E[A-Z]+$/.test(code)) return true; // ECONNREFUSED, ECONNRESET, ETIMEDOUT …
  }
  const message = error instanceof Error ? error.message : '';
  return /timeout exceeded when trying to connect|Connection terminated|Cannot use a pool after calling end/i.test(message);
}

function unavailable(error: unknown): never {
  // The message is ours: pg's may quote the host or user of the connection string.
  throw new StoreUnavailableError('PostgreSQL database unavailable', error);
}

/** pg binds Buffers as BYTEA; a plain Uint8Array would be sent as text. */
function bind(value: SqlValue): unknown {
  return value instanceof Uint8Array && !Buffer.isBuffer(value)
    ? Buffer.from(value.buffer, value.byteOffset, value.byteLength)
    : value;
}

/** Rewrites portable `?` placeholders as `$1, $2 …` (our SQL has no `?` inside literals). */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

class PostgresClient implements SqlClient {
  readonly dialect = 'postgres';
  readonly #pool: pg.Pool;
  readonly #texts = new Map<string, string>();

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async query<Row extends SqlRow = SqlRow>(sql: string, params: readonly SqlValue[] = []): Promise<Row[]> {
    let text = this.#texts.get(sql);
    if (text === undefined) {
      text = numbered(sql);
      this.#texts.set(sql, text);
    }
    try {
      const result = await this.#pool.query(text, params.map(bind));
      return result.rows as Row[];
    } catch (error) {
      if (isUnavailable(error)) unavailable(error);
      throw error;
    }
  }
}

class PostgresStore extends SqlRepositories implements Store {
  readonly #pool: pg.Pool;
  readonly #now: () => number;
  #closed = false;

  constructor(pool: pg.Pool, now: () => number) {
    super(new PostgresClient(pool), now);
    this.#pool = pool;
    this.#now = now;
  }

  poolStats(): { size: number; idle: number; waiting: number; max: number } {
    return { size: this.#pool.totalCount, idle: this.#pool.idleCount, waiting: this.#pool.waitingCount, max: this.#pool.options.max ?? 10 };
  }

  async migrate(): Promise<void> {
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (error) {
      unavailable(error);
    }
    // If unlocking fails the connection is destroyed rather than returned to the pool: ending the
    // session is what releases a session-level advisory lock.
    let destroy = false;
    try {
      await client.query('SELECT pg_advisory_lock($1, $2)', [...MIGRATION_LOCK_KEYS]);
      try {
        await client.query(SCHEMA_MIGRATIONS_DDL.postgres);
        while (await this.#applyNext(client)) {
          // until nothing is pending
        }
      } finally {
        await client.query('SELECT pg_advisory_unlock($1, $2)', [...MIGRATION_LOCK_KEYS]).catch(() => {
          destroy = true;
        });
      }
    } catch (error) {
      destroy = true;
      if (isUnavailable(error)) unavailable(error);
      throw error;
    } finally {
      client.release(destroy);
    }
  }

  /** Applies the first pending migration in its own transaction; false when none is pending. */
  async #applyNext(client: pg.PoolClient): Promise<boolean> {
    await client.query('BEGIN');
    try {
      const applied = await client.query<AppliedMigration>('SELECT version, checksum FROM schema_migrations');
      const next = pendingMigrations(applied.rows, 'postgres')[0];
      if (next) {
        await client.query(next.postgres); // simple query protocol: several statements allowed
        await client.query('INSERT INTO schema_migrations (version, name, checksum, applied_at_ms) VALUES ($1, $2, $3, $4)', [
          next.version, next.name, checksum(next, 'postgres'), this.#now(),
        ]);
      }
      await client.query('COMMIT');
      return next !== undefined;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    }
  }

  async schemaVersion(): Promise<number> {
    try {
      const exists = await this.#pool.query<{ t: string | null }>("SELECT to_regclass('schema_migrations') AS t");
      if (exists.rows[0]?.t == null) return 0;
      const row = await this.#pool.query<{ v: unknown }>('SELECT MAX(version) AS v FROM schema_migrations');
      return row.rows[0]?.v == null ? 0 : int(row.rows[0].v);
    } catch (error) {
      if (isUnavailable(error)) unavailable(error);
      throw error;
    }
  }

  async ping(): Promise<boolean> {
    if (this.#closed) return false;
    try {
      await this.#pool.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }
}

export async function openPostgresStore(config: PostgresStoreConfig): Promise<Store> {
  if (typeof config.url !== 'string' || config.url.length === 0) throw new TypeError('PostgreSQL store: url is required');
  const max = config.poolSize ?? DEFAULT_POOL_SIZE;
  if (!Number.isInteger(max) || max < 1) throw new TypeError('PostgreSQL store: poolSize must be a positive whole number');
  const pool = new pg.Pool({
    connectionString: config.url,
    max,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    application_name: 'esante-service',
  });
  // Without a listener, an idle connection dropped by the server would crash the process; the
  // pool discards that connection by itself and the next query opens a new one.
  pool.on('error', (error) => config.onBackgroundError?.(error));
  return new PostgresStore(pool, config.clock ?? Date.now);
}
