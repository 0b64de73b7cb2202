/**
 * The embedded default: one SQLite database file through better-sqlite3 (synchronous, in-process).
 *
 * better-sqlite3 runs each statement to completion before returning, so with one connection every
 * repository method (a single statement) is atomic and concurrent callers are simply serialised.
 * Several processes on one file are also safe: WAL lets readers proceed while one writer writes, the
 * busy timeout makes a second writer wait instead of failing, and migrations take the write lock
 * (`BEGIN IMMEDIATE`) before they read the history.
 */
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { SqlRepositories } from './repositories.ts';
import { StoreUnavailableError } from './errors.ts';
import { SCHEMA_MIGRATIONS_DDL, checksum, pendingMigrations, type AppliedMigration } from './migrations/index.ts';
import { int, type SqlClient, type SqlRow, type SqlValue } from './sql.ts';
import type { Store } from './types.ts';

export interface SqliteStoreConfig {
  path: string;
  clock?: () => number;
}

/** How long a write waits for another process's write lock before giving up. */
const BUSY_TIMEOUT_MS = 5000;

// Codes meaning "the database cannot work right now" (disk, locks, file), as opposed to a bug.
const UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|READONLY|CORRUPT|NOTADB|PROTOCOL)/;

function isUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && UNAVAILABLE.test(code);
}

/** better-sqlite3 binds numbers, strings, bigints, Buffers and null only. */
function bind(value: SqlValue): number | string | Buffer | null {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  return value;
}

class SqliteClient implements SqlClient {
  readonly dialect = 'sqlite';
  readonly #db: Database.Database;
  readonly #statements = new Map<string, Database.Statement>();

  constructor(db: Database.Database) {
    this.#db = db;
  }

  async query<Row extends SqlRow = SqlRow>(sql: string, params: readonly SqlValue[] = []): Promise<Row[]> {
    if (!this.#db.open) throw new StoreUnavailableError('store is closed', null);
    try {
      let statement = this.#statements.get(sql);
      if (!statement) {
        statement = this.#db.prepare(sql);
        this.#statements.set(sql, statement);
      }
      const args = params.map(bind);
      if (statement.reader) return statement.all(...args) as Row[];
      statement.run(...args);
      return [];
    } catch (error) {
      if (isUnavailable(error)) throw new StoreUnavailableError('SQLite database unavailable', error);
      throw error;
    }
  }
}

class SqliteStore extends SqlRepositories implements Store {
  readonly #db: Database.Database;
  readonly #now: () => number;

  constructor(db: Database.Database, now: () => number) {
    super(new SqliteClient(db), now);
    this.#db = db;
    this.#now = now;
  }

  async migrate(): Promise<void> {
    const db = this.#db;
    // One migration per write transaction, re-reading the history inside it: a second process that
    // waited for the lock sees what the first applied and does not apply it again.
    const applyNext = db.transaction((): boolean => {
      db.exec(SCHEMA_MIGRATIONS_DDL.sqlite);
      const applied = db.prepare('SELECT version, checksum FROM schema_migrations').all() as AppliedMigration[];
      const next = pendingMigrations(applied, 'sqlite')[0];
      if (!next) return false;
      db.exec(next.sqlite);
      db.prepare('INSERT INTO schema_migrations (version, name, checksum, applied_at_ms) VALUES (?, ?, ?, ?)')
        .run(next.version, next.name, checksum(next, 'sqlite'), this.#now());
      return true;
    });
    try {
      while (applyNext.immediate()) {
        // until nothing is pending
      }
    } catch (error) {
      if (isUnavailable(error)) throw new StoreUnavailableError('SQLite database unavailable', error);
      throw error;
    }
  }

  async schemaVersion(): Promise<number> {
    const table = this.#db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
    if (!table) return 0;
    const row = this.#db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: unknown };
    return row.v === null ? 0 : int(row.v);
  }

  async ping(): Promise<boolean> {
    try {
      return this.#db.open && this.#db.prepare('SELECT 1 AS ok').get() !== undefined;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }
}

export async function openSqliteStore(config: SqliteStoreConfig): Promise<Store> {
  if (typeof config.path !== 'string' || config.path.length === 0) throw new TypeError('SQLite store: path is required');
  let db: Database.Database;
  try {
    if (config.path !== ':memory:') {
      // The file holds password hashes and the audit trail: readable by the service's user only.
      // SQLite gives its -wal and -shm files the database file's permissions.
      mkdirSync(dirname(config.path), { recursive: true, mode: 0o700 });
      closeSync(openSync(config.path, 'a', 0o600));
    }
    db = new Database(config.path, { timeout: BUSY_TIMEOUT_MS });
  } catch (error) {
    throw new StoreUnavailableError('SQLite database cannot be opened', error);
  }
  try {
    // WAL: readers never block the writer (no effect on ':memory:', which stays "memory").
    db.pragma('journal_mode = WAL');
    // FULL: a committed audit event survives a power cut, worth the extra fsync at our write rates.
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
  } catch (error) {
    db.close();
    throw new StoreUnavailableError('SQLite database cannot be opened', error);
  }
  return new SqliteStore(db, config.clock ?? Date.now);
}
