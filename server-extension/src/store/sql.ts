/**
 * The little SQL surface the repositories need, implemented once per database by the adapters.
 * Repositories write portable SQL with `?` placeholders; the PostgreSQL adapter numbers them.
 */
export type SqlValue = string | number | boolean | null | Uint8Array;

export type SqlRow = Record<string, unknown>;

export interface SqlClient {
  readonly dialect: 'sqlite' | 'postgres';
  /** Runs one statement and returns its rows (those of a SELECT or of a RETURNING clause). */
  query<Row extends SqlRow = SqlRow>(sql: string, params?: readonly SqlValue[]): Promise<Row[]>;
}

/** Reads an integer column: PostgreSQL returns BIGINT as a string, SQLite as a number. */
export function int(value: unknown): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(n)) throw new TypeError('not an integer column value');
  return n;
}

/** Reads a boolean column: PostgreSQL BOOLEAN or SQLite 0/1. */
export function bool(value: unknown): boolean {
  return value === true || value === 1 || value === 1n;
}

export function isoFromMs(ms: unknown): string {
  return new Date(int(ms)).toISOString();
}

export function bytes(value: unknown): Uint8Array | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Uint8Array) return new Uint8Array(value); // a copy the caller cannot alias
  throw new TypeError('not a binary column value');
}
