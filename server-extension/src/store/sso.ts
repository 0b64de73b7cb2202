/**
 * First-login state over portable SQL (tables of migrations/0003_sso.ts): used SAML assertion IDs
 * (one-time use) and the mailbox chosen for each directory entry. Every write is one statement,
 * `INSERT … ON CONFLICT DO NOTHING RETURNING`, so concurrent first logins on several service
 * instances resolve in the database without a race.
 */
import { StoreInputError } from './errors.ts';
import { isoFromMs, type SqlClient, type SqlRow } from './sql.ts';
import type { InstantInput, MailboxBinding, SsoRepository } from './types.ts';
import * as v from './validate.ts';

const KEY_MAX = 512;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

function checkKey(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > KEY_MAX || CONTROL.test(value)) {
    throw new StoreInputError(field, 'must be a non-empty string of at most 512 characters without control characters');
  }
  return value;
}

function toBinding(row: SqlRow): MailboxBinding {
  return { professionalId: String(row['professional_id']), mail: String(row['mail']), createdAt: isoFromMs(row['created_at_ms']) };
}

export class SqlSsoRepository implements SsoRepository {
  readonly #sql: SqlClient;
  readonly #now: () => number;

  constructor(sql: SqlClient, now: () => number) {
    this.#sql = sql;
    this.#now = now;
  }

  async useAssertion(key: string, expiresAt: InstantInput): Promise<boolean> {
    const k = checkKey(key, 'assertionKey');
    const expires = v.instantMs(expiresAt, 'expiresAt');
    const rows = await this.#sql.query(
      `INSERT INTO sso_assertions (assertion_key, expires_at_ms, used_at_ms) VALUES (?, ?, ?)
       ON CONFLICT (assertion_key) DO NOTHING RETURNING assertion_key`,
      [k, expires, this.#now()],
    );
    return rows.length === 1;
  }

  async forgetExpiredAssertions(before: InstantInput): Promise<number> {
    const rows = await this.#sql.query('DELETE FROM sso_assertions WHERE expires_at_ms < ? RETURNING assertion_key', [v.instantMs(before, 'before')]);
    return rows.length;
  }

  async mailboxOf(professionalId: string): Promise<MailboxBinding | null> {
    const rows = await this.#sql.query('SELECT professional_id, mail, created_at_ms FROM sso_mailboxes WHERE professional_id = ?', [
      checkKey(professionalId, 'professionalId'),
    ]);
    return rows[0] ? toBinding(rows[0]) : null;
  }

  async ownerOf(mail: string): Promise<MailboxBinding | null> {
    const { key } = v.normaliseEmail(mail, 'mail');
    const rows = await this.#sql.query('SELECT professional_id, mail, created_at_ms FROM sso_mailboxes WHERE mail_key = ?', [key]);
    return rows[0] ? toBinding(rows[0]) : null;
  }

  async bindMailbox(professionalId: string, mail: string): Promise<MailboxBinding> {
    const id = checkKey(professionalId, 'professionalId');
    const { display, key } = v.normaliseEmail(mail, 'mail');
    // No conflict target: either unique key (the person already has a mailbox, or the address is
    // someone else's) leaves the table as it is; the caller reads who holds what.
    await this.#sql.query(
      'INSERT INTO sso_mailboxes (professional_id, mail_key, mail, created_at_ms) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
      [id, key, display, this.#now()],
    );
    const mine = await this.mailboxOf(id);
    if (mine) return mine;
    // The address is held by another entry: report who holds it (never overwritten).
    const holder = await this.ownerOf(display);
    if (holder) return holder;
    throw new StoreInputError('mail', 'could not be bound');
  }
}
