/**
 * Encryption accounts over portable SQL (tables `encryption_accounts` and `account_preferences`,
 * see migrations/0001_init.ts). Each method is one statement, so it is atomic by itself: counters
 * use `x = x + 1 … RETURNING` and the create is `INSERT … ON CONFLICT DO NOTHING RETURNING`, which
 * both SQLite (≥ 3.35) and PostgreSQL resolve against the unique key without a race.
 */
import { StoreInputError } from './errors.ts';
import { bool, bytes, int, isoFromMs, type SqlClient, type SqlRow, type SqlValue } from './sql.ts';
import {
  DEFAULT_ACCOUNT_OPTIONS,
  type AccountOptions,
  type AccountPreferences,
  type CreateAccountResult,
  type EncryptionAccount,
  type EncryptionAccountRepository,
  type IdentityLevel,
  type InstantInput,
  type NewEncryptionAccount,
  type SealedUnlockCode,
} from './types.ts';
import * as v from './validate.ts';

const COLUMNS = [
  'email', 'full_name', 'identity_level', 'password_hash', 'created_at_ms', 'read_deadline_days',
  'notify_transmission', 'notify_read', 'notify_deadline', 'unlock_code_sealed', 'transactions',
  'failed_attempts', 'locked_until_ms', 'updated_at_ms', 'access_days',
].join(', ');

const FULL_NAME_MAX = 256;

function toAccount(row: SqlRow): EncryptionAccount {
  return {
    email: String(row['email']),
    fullName: String(row['full_name']),
    identityLevel: int(row['identity_level']) as IdentityLevel,
    passwordHash: String(row['password_hash']),
    createdAt: isoFromMs(row['created_at_ms']),
    options: {
      readDeadlineDays: int(row['read_deadline_days']),
      notifyTransmission: bool(row['notify_transmission']),
      notifyRead: bool(row['notify_read']),
      notifyDeadline: bool(row['notify_deadline']),
      accessDays: int(row['access_days']),
    },
    unlockCodeSealed: bytes(row['unlock_code_sealed']),
    transactions: int(row['transactions']),
    failedAttempts: int(row['failed_attempts']),
    lockedUntil: row['locked_until_ms'] === null ? null : isoFromMs(row['locked_until_ms']),
    updatedAt: isoFromMs(row['updated_at_ms']),
  };
}

export class SqlEncryptionAccountRepository implements EncryptionAccountRepository {
  readonly #sql: SqlClient;
  readonly #now: () => number;

  constructor(sql: SqlClient, now: () => number) {
    this.#sql = sql;
    this.#now = now;
  }

  async get(email: string): Promise<EncryptionAccount | null> {
    const { key } = v.normaliseEmail(email);
    const rows = await this.#sql.query(`SELECT ${COLUMNS} FROM encryption_accounts WHERE email_key = ?`, [key]);
    return rows[0] ? toAccount(rows[0]) : null;
  }

  async create(input: NewEncryptionAccount): Promise<CreateAccountResult> {
    if (typeof input !== 'object' || input === null) throw new TypeError('account expected');
    const email = v.normaliseEmail(input.email);
    const fullName = v.text(input.fullName, 'fullName', FULL_NAME_MAX);
    const level = v.identityLevel(input.identityLevel);
    const hash = v.passwordHash(input.passwordHash);
    const now = this.#now();
    const createdAtMs = input.createdAt === undefined ? now : v.instantMs(input.createdAt, 'createdAt');
    const options: AccountOptions = { ...DEFAULT_ACCOUNT_OPTIONS, ...v.optionsPatch(input.options ?? {}) };
    const sealed = v.sealedBytes(input.unlockCodeSealed, 'unlockCodeSealed');
    const rows = await this.#sql.query(
      `INSERT INTO encryption_accounts (email_key, email, full_name, identity_level, password_hash, created_at_ms,
         read_deadline_days, notify_transmission, notify_read, notify_deadline, unlock_code_sealed,
         transactions, failed_attempts, locked_until_ms, updated_at_ms, access_days)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, NULL, ?, ?)
       ON CONFLICT (email_key) DO NOTHING
       RETURNING ${COLUMNS}`,
      [email.key, email.display, fullName, level, hash, createdAtMs, options.readDeadlineDays,
        options.notifyTransmission, options.notifyRead, options.notifyDeadline, sealed, now, options.accessDays],
    );
    return rows[0] ? { kind: 'Created', account: toAccount(rows[0]) } : { kind: 'AlreadyExists', email: email.display };
  }

  async updateOptions(email: string, options: Partial<AccountOptions>): Promise<EncryptionAccount | null> {
    const { key } = v.normaliseEmail(email);
    const patch = v.optionsPatch(options);
    // COALESCE keeps the stored value where the patch has none: one statement, no read-modify-write.
    return this.#update(
      key,
      `read_deadline_days = COALESCE(?, read_deadline_days),
       notify_transmission = COALESCE(?, notify_transmission),
       notify_read = COALESCE(?, notify_read),
       notify_deadline = COALESCE(?, notify_deadline),
       access_days = COALESCE(?, access_days)`,
      [patch.readDeadlineDays ?? null, patch.notifyTransmission ?? null, patch.notifyRead ?? null, patch.notifyDeadline ?? null, patch.accessDays ?? null],
    );
  }

  async setPasswordHash(email: string, passwordHash: string): Promise<EncryptionAccount | null> {
    const { key } = v.normaliseEmail(email);
    return this.#update(key, 'password_hash = ?', [v.passwordHash(passwordHash)]);
  }

  async setUnlockCodeSealed(email: string, sealed: Uint8Array | null): Promise<EncryptionAccount | null> {
    const { key } = v.normaliseEmail(email);
    return this.#update(key, 'unlock_code_sealed = ?', [v.sealedBytes(sealed, 'unlockCodeSealed')]);
  }

  async listSealedUnlockCodes(afterEmailKey: string | null, limit: number): Promise<SealedUnlockCode[]> {
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > 10_000) throw new StoreInputError('limit', 'must be 1 to 10000');
    if (afterEmailKey !== null && typeof afterEmailKey !== 'string') throw new StoreInputError('afterEmailKey', 'must be a string or null');
    const rows = await this.#sql.query(
      `SELECT email_key, email, unlock_code_sealed FROM encryption_accounts
       WHERE unlock_code_sealed IS NOT NULL${afterEmailKey === null ? '' : ' AND email_key > ?'} ORDER BY email_key LIMIT ?`,
      afterEmailKey === null ? [limit] : [afterEmailKey, limit],
    );
    return rows.map((r) => ({ emailKey: String(r['email_key']), email: String(r['email']), sealed: bytes(r['unlock_code_sealed'])! }));
  }

  async replaceUnlockCodeSealed(email: string, before: Uint8Array, after: Uint8Array): Promise<boolean> {
    const { key } = v.normaliseEmail(email);
    const next = v.sealedBytes(after, 'after');
    const previous = v.sealedBytes(before, 'before');
    if (!next || !previous) throw new StoreInputError(next ? 'before' : 'after', 'must be 1 to 4096 bytes');
    const rows = await this.#sql.query(
      'UPDATE encryption_accounts SET unlock_code_sealed = ?, updated_at_ms = ? WHERE email_key = ? AND unlock_code_sealed = ? RETURNING email_key',
      [next, this.#now(), key, previous],
    );
    return rows.length > 0;
  }

  async incrementTransactions(email: string): Promise<EncryptionAccount | null> {
    const { key } = v.normaliseEmail(email);
    return this.#update(key, 'transactions = transactions + 1', []);
  }

  async recordFailedAttempt(email: string): Promise<EncryptionAccount | null> {
    const { key } = v.normaliseEmail(email);
    return this.#update(key, 'failed_attempts = failed_attempts + 1', []);
  }

  async resetFailedAttempts(email: string): Promise<EncryptionAccount | null> {
    const { key } = v.normaliseEmail(email);
    return this.#update(key, 'failed_attempts = 0, locked_until_ms = NULL', []);
  }

  async lockUntil(email: string, until: InstantInput | null): Promise<EncryptionAccount | null> {
    const { key } = v.normaliseEmail(email);
    const ms = until === null ? null : v.instantMs(until, 'until');
    return this.#update(key, 'locked_until_ms = ?', [ms]);
  }

  async getPreferences(email: string): Promise<AccountPreferences> {
    const { key } = v.normaliseEmail(email);
    const rows = await this.#sql.query('SELECT dont_ask_again, updated_at_ms FROM account_preferences WHERE email_key = ?', [key]);
    const row = rows[0];
    return row
      ? { dontAskAgain: bool(row['dont_ask_again']), updatedAt: isoFromMs(row['updated_at_ms']) }
      : { dontAskAgain: false, updatedAt: null };
  }

  async setDontAskAgain(email: string, dontAskAgain: boolean): Promise<AccountPreferences> {
    const { key } = v.normaliseEmail(email);
    const flag = v.boolean(dontAskAgain, 'dontAskAgain');
    const rows = await this.#sql.query(
      `INSERT INTO account_preferences (email_key, dont_ask_again, updated_at_ms) VALUES (?, ?, ?)
       ON CONFLICT (email_key) DO UPDATE SET dont_ask_again = excluded.dont_ask_again, updated_at_ms = excluded.updated_at_ms
       RETURNING dont_ask_again, updated_at_ms`,
      [key, flag, this.#now()],
    );
    const row = rows[0]!;
    return { dontAskAgain: bool(row['dont_ask_again']), updatedAt: isoFromMs(row['updated_at_ms']) };
  }

  /** One UPDATE of the account's row that also stamps `updated_at_ms`; null when there is no row. */
  async #update(key: string, set: string, params: SqlValue[]): Promise<EncryptionAccount | null> {
    const rows = await this.#sql.query(
      `UPDATE encryption_accounts SET ${set}, updated_at_ms = ? WHERE email_key = ? RETURNING ${COLUMNS}`,
      [...params, this.#now(), key],
    );
    return rows[0] ? toAccount(rows[0]) : null;
  }
}
