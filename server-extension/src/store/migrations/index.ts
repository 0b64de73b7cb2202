/**
 * The ordered list of schema migrations. To add one: create `NNNN_what.ts` exporting a `Migration`
 * with the next version and the SQL of both dialects, and append it to MIGRATIONS below. Never edit
 * a migration that was released: the runner stores a checksum of each applied one and refuses to
 * start when the code's SQL no longer matches what the database ran.
 */
import { createHash } from 'node:crypto';
import { StoreMigrationError } from '../errors.ts';
import { migration as m0001 } from './0001_init.ts';
import { migration as m0002 } from './0002_messages.ts';
import { migration as m0003 } from './0003_sso.ts';
import { migration as m0004 } from './0004_portal_limits.ts';
import { migration as m0005 } from './0005_dsp.ts';
import { migration as m0006 } from './0006_message_control.ts';
import { migration as m0007 } from './0007_access_days.ts';

export interface Migration {
  /** 1, 2, 3 … without gaps; the order of application. */
  readonly version: number;
  /** Short snake_case name, recorded in schema_migrations. */
  readonly name: string;
  /** Statements for SQLite, run with `exec` (several statements allowed). */
  readonly sqlite: string;
  /** Statements for PostgreSQL, run as one simple query (several statements allowed). */
  readonly postgres: string;
}

export const MIGRATIONS: readonly Migration[] = [m0001, m0002, m0003, m0004, m0005, m0006, m0007];

export type Dialect = 'sqlite' | 'postgres';

/** Hex SHA-256 of the SQL a dialect runs for a migration. */
export function checksum(migration: Migration, dialect: Dialect): string {
  return createHash('sha256').update(migration[dialect], 'utf8').digest('hex');
}

/** The latest version this code knows. */
export const LATEST_VERSION = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);

/** The table both runners keep their history in (created by the runner itself, not by a migration). */
export const SCHEMA_MIGRATIONS_DDL = {
  sqlite: `CREATE TABLE IF NOT EXISTS schema_migrations (
  version       INTEGER PRIMARY KEY,
  name          TEXT    NOT NULL,
  checksum      TEXT    NOT NULL,
  applied_at_ms INTEGER NOT NULL
)`,
  postgres: `CREATE TABLE IF NOT EXISTS schema_migrations (
  version       INTEGER PRIMARY KEY,
  name          TEXT    NOT NULL,
  checksum      TEXT    NOT NULL,
  applied_at_ms BIGINT  NOT NULL
)`,
} as const satisfies Record<Dialect, string>;

export interface AppliedMigration {
  version: number;
  checksum: string;
}

/**
 * Compares the history found in the database with the code and returns the migrations still to
 * run, in order. Throws when an applied migration's SQL was changed since it ran.
 */
export function pendingMigrations(
  applied: readonly AppliedMigration[],
  dialect: Dialect,
  migrations: readonly Migration[] = MIGRATIONS,
): Migration[] {
  const done = new Map(applied.map((a) => [a.version, a.checksum]));
  const pending: Migration[] = [];
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    const sum = done.get(m.version);
    if (sum === undefined) pending.push(m);
    else if (sum !== checksum(m, dialect)) {
      throw new StoreMigrationError(`migration ${m.version} (${m.name}) differs from the one applied to this database`);
    }
  }
  return pending;
}
