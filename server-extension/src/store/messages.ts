/**
 * Encrypted messages, the notification outbox and the portal over portable SQL (tables of
 * migrations/0002_messages.ts). As elsewhere in the store, each method that changes something is
 * one statement, hence atomic on its own; the few dialect differences (PostgreSQL's
 * `FOR UPDATE SKIP LOCKED`) are chosen from `sql.dialect`.
 */
import { bool, int, isoFromMs, type SqlClient, type SqlRow, type SqlValue } from './sql.ts';
import { StoreInputError } from './errors.ts';
import type {
  ConfirmResult,
  MessageLang,
  NewNotificationJob,
  NewSecureMessage,
  NotificationJob,
  NotificationJobRepository,
  NotificationKind,
  NotificationState,
  OpenChannel,
  PortalCode,
  PortalLimitState,
  PortalRepository,
  RecipientKind,
  SecureMessage,
  SecureMessageRecipient,
  SecureMessageRepository,
  SentMessageSummary,
  WrappedMessageValues,
} from './messages-types.ts';
import type { IdentityLevel } from './types.ts';
import * as v from './validate.ts';

/** Message ids are ours (random, URL-safe); anything else is a bug upstream. */
const MESSAGE_ID = /^[A-Za-z0-9_-]{8,64}$/;
/** `ek1.<key id>.<base64url>`; the store checks only the shape (keys/wrap.ts owns the format). */
const SEALED = /^ek1\.mk-[0-9a-f]{16}\.[A-Za-z0-9_-]+$/;
const RECIPIENTS_MAX = 200;
const NAME_MAX = 256;

function messageId(value: unknown, field = 'messageId'): string {
  if (typeof value !== 'string' || !MESSAGE_ID.test(value)) throw new StoreInputError(field, 'not a message id');
  return value;
}

function sealed(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length > 8192 || !SEALED.test(value)) throw new StoreInputError(field, 'not a wrapped value');
  return value;
}

function ms(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new StoreInputError(field, 'not an instant in milliseconds');
  return value;
}

function optionalMs(value: unknown): string | null {
  return value === null || value === undefined ? null : isoFromMs(value);
}

const MESSAGE_COLUMNS = [
  'id', 'sender_key', 'sender_email', 'sender_name', 'sender_level', 'sender_lang', 'subject_sealed', 'wrapped_key',
  'created_at_ms', 'read_deadline_ms', 'notify_transmission', 'notify_read', 'notify_deadline', 'container_digest',
  'container_size', 'sent_at_ms', 'access_until_ms',
].join(', ');

function toMessage(row: SqlRow, recipients: SecureMessageRecipient[]): SecureMessage {
  return {
    id: String(row['id']),
    senderKey: String(row['sender_key']),
    senderEmail: String(row['sender_email']),
    senderName: row['sender_name'] === null ? null : String(row['sender_name']),
    senderLevel: int(row['sender_level']) as IdentityLevel,
    senderLang: String(row['sender_lang']) as MessageLang,
    subjectSealed: String(row['subject_sealed']),
    wrappedKey: String(row['wrapped_key']),
    createdAt: isoFromMs(row['created_at_ms']),
    readDeadline: isoFromMs(row['read_deadline_ms']),
    notifyTransmission: bool(row['notify_transmission']),
    notifyRead: bool(row['notify_read']),
    notifyDeadline: bool(row['notify_deadline']),
    containerDigest: row['container_digest'] === null ? null : String(row['container_digest']),
    containerSize: row['container_size'] === null ? null : int(row['container_size']),
    sentAt: optionalMs(row['sent_at_ms']),
    accessUntil: optionalMs(row['access_until_ms']),
    recipients,
  };
}

export class SqlSecureMessageRepository implements SecureMessageRepository {
  readonly #sql: SqlClient;

  constructor(sql: SqlClient) {
    this.#sql = sql;
  }

  async create(m: NewSecureMessage): Promise<void> {
    if (typeof m !== 'object' || m === null) throw new TypeError('message expected');
    const id = messageId(m.id, 'id');
    const sender = v.normaliseEmail(m.senderEmail, 'senderEmail');
    const name = m.senderName === null ? null : v.text(m.senderName, 'senderName', NAME_MAX);
    const level = v.identityLevel(m.senderLevel);
    if (!['fr', 'de', 'en'].includes(m.senderLang)) throw new StoreInputError('senderLang', 'must be fr, de or en');
    const subject = sealed(m.subjectSealed, 'subjectSealed');
    const wrapped = sealed(m.wrappedKey, 'wrappedKey');
    const created = ms(m.createdAtMs, 'createdAtMs');
    const deadline = ms(m.readDeadlineMs, 'readDeadlineMs');
    const accessUntil = m.accessUntilMs === undefined || m.accessUntilMs === null ? null : ms(m.accessUntilMs, 'accessUntilMs');
    if (!Array.isArray(m.recipients) || m.recipients.length === 0 || m.recipients.length > RECIPIENTS_MAX) {
      throw new StoreInputError('recipients', `1 to ${RECIPIENTS_MAX} recipients`);
    }
    const seen = new Set<string>();
    const recipients = m.recipients.map((r, i) => {
      const address = v.normaliseEmail(r.address, `recipients[${i}]`);
      if (r.kind !== 'to' && r.kind !== 'cc') throw new StoreInputError(`recipients[${i}]`, 'kind must be to or cc');
      if (seen.has(address.key)) throw new StoreInputError(`recipients[${i}]`, 'listed twice');
      seen.add(address.key);
      return { address, kind: r.kind };
    });
    await this.#sql.query(
      `INSERT INTO secure_messages (${MESSAGE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL, ?)`,
      [id, sender.key, sender.display, name, level, m.senderLang, subject, wrapped, created, deadline,
        v.boolean(m.notifyTransmission, 'notifyTransmission'), v.boolean(m.notifyRead, 'notifyRead'), v.boolean(m.notifyDeadline, 'notifyDeadline'), accessUntil],
    );
    // A second statement: if it failed, the message would exist without recipients, which nobody but
    // its sender can open and which is never confirmed — harmless, and the sender simply retries.
    const params: SqlValue[] = [];
    for (const [i, r] of recipients.entries()) params.push(id, r.address.key, r.address.display, r.kind, i);
    await this.#sql.query(
      `INSERT INTO secure_message_recipients (message_id, address_key, address, kind, position, first_opened_at_ms) VALUES ${recipients.map(() => '(?, ?, ?, ?, ?, NULL)').join(', ')}`,
      params,
    );
  }

  async get(id: string): Promise<SecureMessage | null> {
    if (typeof id !== 'string' || !MESSAGE_ID.test(id)) return null;
    const rows = await this.#sql.query(`SELECT ${MESSAGE_COLUMNS} FROM secure_messages WHERE id = ?`, [id]);
    if (!rows[0]) return null;
    const recipients = await this.#sql.query(
      `SELECT address, address_key, kind, first_opened_at_ms, first_opened_channel, read_deadline_ms, access_until_ms, revoked_at_ms
       FROM secure_message_recipients WHERE message_id = ? ORDER BY position`,
      [id],
    );
    return toMessage(
      rows[0],
      recipients.map((r) => ({
        address: String(r['address']),
        addressKey: String(r['address_key']),
        kind: String(r['kind']) as RecipientKind,
        firstOpenedAt: optionalMs(r['first_opened_at_ms']),
        openedChannel: r['first_opened_channel'] === null ? null : (String(r['first_opened_channel']) as OpenChannel),
        readDeadlineOverride: optionalMs(r['read_deadline_ms']),
        accessUntilOverride: optionalMs(r['access_until_ms']),
        revokedAt: optionalMs(r['revoked_at_ms']),
      })),
    );
  }

  async confirmSent(id: string, digest: string, size: number, sentAtMs: number): Promise<ConfirmResult> {
    messageId(id);
    if (typeof digest !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(digest)) throw new StoreInputError('containerDigest', 'not a SHA-256 in base64url');
    if (!Number.isSafeInteger(size) || size < 0) throw new StoreInputError('size', 'not a size in bytes');
    const at = ms(sentAtMs, 'sentAtMs');
    const updated = await this.#sql.query(
      'UPDATE secure_messages SET container_digest = ?, container_size = ?, sent_at_ms = ? WHERE id = ? AND sent_at_ms IS NULL RETURNING id',
      [digest, size, at, id],
    );
    const message = await this.get(id);
    if (!message) return { kind: 'NotFound' };
    return { kind: updated.length > 0 ? 'Confirmed' : 'AlreadyConfirmed', message };
  }

  async recordFirstOpen(id: string, address: string, atMs: number, channel?: OpenChannel): Promise<boolean> {
    messageId(id);
    const { key } = v.normaliseEmail(address, 'address');
    if (channel !== undefined && channel !== 'zimbra' && channel !== 'portal') throw new StoreInputError('channel', 'must be zimbra or portal');
    const rows = await this.#sql.query(
      `UPDATE secure_message_recipients SET first_opened_at_ms = ?, first_opened_channel = ?
       WHERE message_id = ? AND address_key = ? AND first_opened_at_ms IS NULL AND revoked_at_ms IS NULL RETURNING address_key`,
      [ms(atMs, 'atMs'), channel ?? null, id, key],
    );
    return rows.length > 0;
  }

  async revoke(id: string, addressKey: string | null, atMs: number): Promise<string[]> {
    messageId(id);
    const one = addressKey === null ? null : v.normaliseEmail(addressKey, 'addressKey').key;
    const rows = await this.#sql.query(
      `UPDATE secure_message_recipients SET revoked_at_ms = ?
       WHERE message_id = ? AND revoked_at_ms IS NULL${one === null ? '' : ' AND address_key = ?'} RETURNING address_key`,
      one === null ? [ms(atMs, 'atMs'), id] : [ms(atMs, 'atMs'), id, one],
    );
    return rows.map((r) => String(r['address_key'])).sort();
  }

  async setRecipientDates(id: string, addressKey: string | null, change: { readDeadlineMs?: number; accessUntilMs?: number | null }): Promise<string[]> {
    messageId(id);
    const one = addressKey === null ? null : v.normaliseEmail(addressKey, 'addressKey').key;
    const sets: string[] = [];
    const values: SqlValue[] = [];
    if (change.readDeadlineMs !== undefined) {
      sets.push('read_deadline_ms = ?');
      values.push(ms(change.readDeadlineMs, 'readDeadlineMs'));
    }
    if (change.accessUntilMs !== undefined) {
      sets.push('access_until_ms = ?');
      values.push(change.accessUntilMs === null ? null : ms(change.accessUntilMs, 'accessUntilMs'));
    }
    if (sets.length === 0) throw new StoreInputError('change', 'nothing to change');
    const rows = await this.#sql.query(
      `UPDATE secure_message_recipients SET ${sets.join(', ')}
       WHERE message_id = ? AND revoked_at_ms IS NULL${one === null ? '' : ' AND address_key = ?'} RETURNING address_key`,
      [...values, id, ...(one === null ? [] : [one])],
    );
    // For all recipients the message's own values follow, so listings (ListSentSecureMessages) show
    // them; what releases and the deadline scan read are the recipients' values set just above.
    if (one === null && rows.length > 0) {
      await this.#sql.query(`UPDATE secure_messages SET ${sets.join(', ')} WHERE id = ?`, [...values, id]);
    }
    return rows.map((r) => String(r['address_key'])).sort();
  }

  async listBySender(senderEmail: string, offset: number, limit: number): Promise<{ total: number; messages: SentMessageSummary[] }> {
    const { key } = v.normaliseEmail(senderEmail, 'senderEmail');
    if (!Number.isSafeInteger(offset) || offset < 0) throw new StoreInputError('offset', 'must be 0 or more');
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > 1000) throw new StoreInputError('limit', 'must be 1 to 1000');
    const count = await this.#sql.query('SELECT COUNT(*) AS n FROM secure_messages WHERE sender_key = ?', [key]);
    const rows = await this.#sql.query(
      `SELECT m.id, m.subject_sealed, m.sent_at_ms, m.read_deadline_ms,
         (SELECT COUNT(*) FROM secure_message_recipients r WHERE r.message_id = m.id) AS recipients,
         (SELECT COUNT(*) FROM secure_message_recipients r WHERE r.message_id = m.id AND r.first_opened_at_ms IS NOT NULL) AS opened
       FROM secure_messages m WHERE m.sender_key = ? ORDER BY m.created_at_ms DESC, m.id DESC LIMIT ? OFFSET ?`,
      [key, limit, offset],
    );
    return {
      total: int(count[0]?.['n'] ?? 0),
      messages: rows.map((r) => ({
        id: String(r['id']),
        subjectSealed: String(r['subject_sealed']),
        sentAt: optionalMs(r['sent_at_ms']),
        readDeadline: isoFromMs(r['read_deadline_ms']),
        recipients: int(r['recipients']),
        opened: int(r['opened']),
      })),
    };
  }

  async listWrapped(afterId: string | null, limit: number): Promise<WrappedMessageValues[]> {
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > 10_000) throw new StoreInputError('limit', 'must be 1 to 10000');
    const rows = await this.#sql.query(
      `SELECT id, wrapped_key, subject_sealed FROM secure_messages${afterId === null ? '' : ' WHERE id > ?'} ORDER BY id LIMIT ?`,
      afterId === null ? [limit] : [messageId(afterId, 'afterId'), limit],
    );
    return rows.map((r) => ({ id: String(r['id']), wrappedKey: String(r['wrapped_key']), subjectSealed: String(r['subject_sealed']) }));
  }

  async replaceWrapped(before: WrappedMessageValues, after: Omit<WrappedMessageValues, 'id'>): Promise<boolean> {
    const rows = await this.#sql.query(
      'UPDATE secure_messages SET wrapped_key = ?, subject_sealed = ? WHERE id = ? AND wrapped_key = ? AND subject_sealed = ? RETURNING id',
      [sealed(after.wrappedKey, 'wrappedKey'), sealed(after.subjectSealed, 'subjectSealed'), messageId(before.id, 'id'), before.wrappedKey, before.subjectSealed],
    );
    return rows.length > 0;
  }
}

// ---------------------------------------------------------------------------------------------

const JOB_COLUMNS = 'id, job_key, kind, message_id, recipient_key, due_at_ms, state, attempts, claimed_by, lease_until_ms, sent_at_ms';
const KINDS: readonly NotificationKind[] = ['transmission', 'read', 'deadline'];

function toJob(row: SqlRow): NotificationJob {
  return {
    id: int(row['id']),
    jobKey: String(row['job_key']),
    kind: String(row['kind']) as NotificationKind,
    messageId: String(row['message_id']),
    recipientKey: row['recipient_key'] === null ? null : String(row['recipient_key']),
    dueAt: isoFromMs(row['due_at_ms']),
    state: String(row['state']) as NotificationState,
    attempts: int(row['attempts']),
    claimedBy: row['claimed_by'] === null ? null : String(row['claimed_by']),
    leaseUntil: optionalMs(row['lease_until_ms']),
    sentAt: optionalMs(row['sent_at_ms']),
  };
}

export class SqlNotificationJobRepository implements NotificationJobRepository {
  readonly #sql: SqlClient;

  constructor(sql: SqlClient) {
    this.#sql = sql;
  }

  async enqueue(job: NewNotificationJob): Promise<boolean> {
    if (!KINDS.includes(job.kind)) throw new StoreInputError('kind', 'unknown notification kind');
    const key = v.text(job.jobKey, 'jobKey', 400);
    const recipient = job.recipientKey === null ? null : v.normaliseEmail(job.recipientKey, 'recipientKey').key;
    const rows = await this.#sql.query(
      `INSERT INTO notification_jobs (job_key, kind, message_id, recipient_key, due_at_ms, state, attempts, created_at_ms)
       VALUES (?, ?, ?, ?, ?, 'pending', 0, ?) ON CONFLICT (job_key) DO NOTHING RETURNING id`,
      [key, job.kind, messageId(job.messageId), recipient, ms(job.dueAtMs, 'dueAtMs'), ms(job.nowMs, 'nowMs')],
    );
    return rows.length > 0;
  }

  async enqueueDueDeadlines(nowMs: number): Promise<number> {
    const now = ms(nowMs, 'nowMs');
    // SQLite needs the WHERE clause before ON CONFLICT (otherwise "ON" would be read as a join's).
    const rows = await this.#sql.query(
      `INSERT INTO notification_jobs (job_key, kind, message_id, recipient_key, due_at_ms, state, attempts, created_at_ms)
       SELECT 'deadline:' || m.id || ':' || r.address_key, 'deadline', m.id, r.address_key, COALESCE(r.read_deadline_ms, m.read_deadline_ms), 'pending', 0, ?
       FROM secure_messages m JOIN secure_message_recipients r ON r.message_id = m.id
       WHERE m.sent_at_ms IS NOT NULL AND COALESCE(r.read_deadline_ms, m.read_deadline_ms) <= ? AND m.notify_deadline = ?
         AND r.first_opened_at_ms IS NULL AND r.revoked_at_ms IS NULL
       ON CONFLICT (job_key) DO NOTHING RETURNING id`,
      [now, now, true],
    );
    return rows.length;
  }

  async claim(worker: string, nowMs: number, leaseMs: number, limit: number): Promise<NotificationJob[]> {
    const who = v.text(worker, 'worker', 200);
    const now = ms(nowMs, 'nowMs');
    if (!Number.isSafeInteger(leaseMs) || leaseMs < 1) throw new StoreInputError('leaseMs', 'must be positive');
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > 1000) throw new StoreInputError('limit', 'must be 1 to 1000');
    // The outer WHERE repeats the conditions: under PostgreSQL's READ COMMITTED, a row another
    // instance claimed and committed meanwhile is re-checked against them and left alone.
    const lock = this.#sql.dialect === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : '';
    const claimable = "state = 'pending' AND due_at_ms <= ? AND (lease_until_ms IS NULL OR lease_until_ms <= ?)";
    // The pick is a CTE: PostgreSQL evaluates it exactly once (a plain `IN (SELECT … LIMIT n)` may
    // be re-run by the planner and claim more than n rows).
    const rows = await this.#sql.query(
      `WITH picked AS (SELECT id FROM notification_jobs WHERE ${claimable} ORDER BY id LIMIT ?${lock})
       UPDATE notification_jobs SET claimed_by = ?, lease_until_ms = ?, attempts = attempts + 1
       WHERE id IN (SELECT id FROM picked) AND ${claimable}
       RETURNING ${JOB_COLUMNS}`,
      [now, now, limit, who, now + leaseMs, now, now],
    );
    return rows.map(toJob).sort((a, b) => a.id - b.id);
  }

  async markSent(id: number, worker: string, atMs: number): Promise<boolean> {
    const rows = await this.#sql.query(
      `UPDATE notification_jobs SET state = 'sent', sent_at_ms = ?, lease_until_ms = NULL, last_error = NULL
       WHERE id = ? AND claimed_by = ? AND state = 'pending' RETURNING id`,
      [ms(atMs, 'atMs'), v.positiveId(id, 'id'), worker],
    );
    return rows.length > 0;
  }

  async markFailed(id: number, worker: string, error: string, retryAtMs: number, final: boolean): Promise<boolean> {
    const rows = await this.#sql.query(
      `UPDATE notification_jobs SET state = ?, claimed_by = NULL, lease_until_ms = ?, last_error = ?
       WHERE id = ? AND claimed_by = ? AND state = 'pending' RETURNING id`,
      [final ? 'failed' : 'pending', ms(retryAtMs, 'retryAtMs'), String(error).slice(0, 500), v.positiveId(id, 'id'), worker],
    );
    return rows.length > 0;
  }

  async dropPendingDeadlines(id: string, recipientKeys: readonly string[], nowMs: number): Promise<number> {
    messageId(id);
    if (recipientKeys.length === 0) return 0;
    const keys = recipientKeys.map((k, i) => v.normaliseEmail(k, `recipientKeys[${i}]`).key);
    const now = ms(nowMs, 'nowMs');
    // A claimed job whose lease is live is being sent by some instance right now: it stays (sent
    // once). markFailed clears claimed_by (its lease_until_ms is then the retry time): droppable.
    const rows = await this.#sql.query(
      `DELETE FROM notification_jobs
       WHERE message_id = ? AND kind = 'deadline' AND state = 'pending' AND (claimed_by IS NULL OR lease_until_ms <= ?)
         AND recipient_key IN (${keys.map(() => '?').join(', ')}) RETURNING id`,
      [id, now, ...keys],
    );
    return rows.length;
  }

  async forMessage(id: string): Promise<NotificationJob[]> {
    const rows = await this.#sql.query(`SELECT ${JOB_COLUMNS} FROM notification_jobs WHERE message_id = ? ORDER BY id`, [messageId(id)]);
    return rows.map(toJob);
  }
}

// ---------------------------------------------------------------------------------------------

const TOKEN_HASH = /^[A-Za-z0-9_-]{43}$/;
const LIMIT_KEY = /^[A-Za-z0-9_:.-]{1,200}$/;
/** 30 days: no portal counter needs a longer window. */
const LIMIT_WINDOW_MAX_MS = 30 * 86_400_000;

function limitKey(value: unknown): string {
  if (typeof value !== 'string' || !LIMIT_KEY.test(value)) throw new StoreInputError('key', 'not a rate-limit key');
  return value;
}

function windowMs(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1 || value > LIMIT_WINDOW_MAX_MS) {
    throw new StoreInputError('windowMs', 'must be 1 ms to 30 days');
  }
  return value;
}

function toLimit(r: SqlRow): PortalLimitState {
  const blocked = r['blocked_until_ms'];
  return { hits: int(r['hits']), windowStartMs: int(r['window_start_ms']), blockedUntilMs: blocked === null || blocked === undefined ? null : int(blocked) };
}

function tokenHash(value: unknown): string {
  if (typeof value !== 'string' || !TOKEN_HASH.test(value)) throw new StoreInputError('tokenHash', 'not a SHA-256 in base64url');
  return value;
}

export class SqlPortalRepository implements PortalRepository {
  readonly #sql: SqlClient;

  constructor(sql: SqlClient) {
    this.#sql = sql;
  }

  async putCode(email: string, codeSealed: string, nowMs: number, expiresAtMs: number): Promise<void> {
    const { key } = v.normaliseEmail(email);
    await this.#sql.query(
      `INSERT INTO portal_codes (email_key, code_sealed, expires_at_ms, attempts, created_at_ms) VALUES (?, ?, ?, 0, ?)
       ON CONFLICT (email_key) DO UPDATE SET code_sealed = excluded.code_sealed, expires_at_ms = excluded.expires_at_ms,
         attempts = 0, created_at_ms = excluded.created_at_ms`,
      [key, sealed(codeSealed, 'codeSealed'), ms(expiresAtMs, 'expiresAtMs'), ms(nowMs, 'nowMs')],
    );
  }

  async getCode(email: string): Promise<PortalCode | null> {
    const { key } = v.normaliseEmail(email);
    const rows = await this.#sql.query('SELECT email_key, code_sealed, expires_at_ms, attempts, created_at_ms FROM portal_codes WHERE email_key = ?', [key]);
    const r = rows[0];
    return r
      ? {
          emailKey: String(r['email_key']),
          codeSealed: String(r['code_sealed']),
          expiresAt: isoFromMs(r['expires_at_ms']),
          attempts: int(r['attempts']),
          createdAt: isoFromMs(r['created_at_ms']),
        }
      : null;
  }

  async recordCodeAttempt(email: string): Promise<number> {
    const { key } = v.normaliseEmail(email);
    const rows = await this.#sql.query('UPDATE portal_codes SET attempts = attempts + 1 WHERE email_key = ? RETURNING attempts', [key]);
    return rows[0] ? int(rows[0]['attempts']) : 0;
  }

  async deleteCode(email: string): Promise<void> {
    const { key } = v.normaliseEmail(email);
    await this.#sql.query('DELETE FROM portal_codes WHERE email_key = ?', [key]);
  }

  async liveSealedCodes(nowMs: number): Promise<string[]> {
    const rows = await this.#sql.query('SELECT code_sealed FROM portal_codes WHERE expires_at_ms > ? ORDER BY email_key', [ms(nowMs, 'nowMs')]);
    return rows.map((r) => String(r['code_sealed']));
  }

  async createSession(hash: string, email: string, nowMs: number, expiresAtMs: number): Promise<void> {
    const { key } = v.normaliseEmail(email);
    await this.#sql.query('INSERT INTO portal_sessions (token_hash, email_key, created_at_ms, expires_at_ms) VALUES (?, ?, ?, ?)', [
      tokenHash(hash), key, ms(nowMs, 'nowMs'), ms(expiresAtMs, 'expiresAtMs'),
    ]);
  }

  async getSession(hash: string, nowMs: number): Promise<string | null> {
    if (typeof hash !== 'string' || !TOKEN_HASH.test(hash)) return null;
    const rows = await this.#sql.query('SELECT email_key FROM portal_sessions WHERE token_hash = ? AND expires_at_ms > ?', [hash, ms(nowMs, 'nowMs')]);
    return rows[0] ? String(rows[0]['email_key']) : null;
  }

  async deleteSession(hash: string): Promise<void> {
    if (typeof hash !== 'string' || !TOKEN_HASH.test(hash)) return;
    await this.#sql.query('DELETE FROM portal_sessions WHERE token_hash = ?', [hash]);
  }

  async deleteSessionsOf(email: string): Promise<number> {
    const { key } = v.normaliseEmail(email);
    const rows = await this.#sql.query('DELETE FROM portal_sessions WHERE email_key = ? RETURNING token_hash', [key]);
    return rows.length;
  }

  async hitLimit(key: string, nowMs: number, window: number): Promise<PortalLimitState> {
    const k = limitKey(key);
    const now = ms(nowMs, 'nowMs');
    const w = windowMs(window);
    // One statement, so concurrent hits (several instances) never lose a count. In both dialects the
    // SET expressions read the row as it was before the update, so every CASE tests the old window.
    const stale = now - w;
    const rows = await this.#sql.query(
      `INSERT INTO portal_limits (limit_key, window_start_ms, hits, blocked_until_ms, expires_at_ms) VALUES (?, ?, 1, NULL, ?)
       ON CONFLICT (limit_key) DO UPDATE SET
         hits = CASE WHEN portal_limits.window_start_ms <= ? THEN 1 ELSE portal_limits.hits + 1 END,
         blocked_until_ms = CASE WHEN portal_limits.window_start_ms <= ? THEN NULL ELSE portal_limits.blocked_until_ms END,
         expires_at_ms = CASE WHEN portal_limits.window_start_ms <= ? THEN excluded.expires_at_ms ELSE portal_limits.expires_at_ms END,
         window_start_ms = CASE WHEN portal_limits.window_start_ms <= ? THEN excluded.window_start_ms ELSE portal_limits.window_start_ms END
       RETURNING hits, window_start_ms, blocked_until_ms`,
      [k, now, now + w, stale, stale, stale, stale],
    );
    return toLimit(rows[0]!);
  }

  async peekLimit(key: string, nowMs: number, window: number): Promise<PortalLimitState | null> {
    const k = limitKey(key);
    const now = ms(nowMs, 'nowMs');
    const w = windowMs(window);
    const rows = await this.#sql.query('SELECT hits, window_start_ms, blocked_until_ms FROM portal_limits WHERE limit_key = ?', [k]);
    const row = rows[0];
    if (!row) return null;
    const state = toLimit(row);
    const windowOver = state.windowStartMs <= now - w;
    const blockOver = state.blockedUntilMs === null || state.blockedUntilMs <= now;
    if (windowOver && blockOver) return null;
    return windowOver ? { hits: 0, windowStartMs: now, blockedUntilMs: state.blockedUntilMs } : state;
  }

  async blockLimit(key: string, untilMs: number): Promise<void> {
    const until = ms(untilMs, 'untilMs');
    await this.#sql.query(
      `UPDATE portal_limits SET
         blocked_until_ms = CASE WHEN blocked_until_ms IS NULL OR blocked_until_ms < ? THEN ? ELSE blocked_until_ms END,
         expires_at_ms = CASE WHEN expires_at_ms < ? THEN ? ELSE expires_at_ms END
       WHERE limit_key = ?`,
      [until, until, until, until, limitKey(key)],
    );
  }

  async clearLimit(key: string): Promise<void> {
    await this.#sql.query('DELETE FROM portal_limits WHERE limit_key = ?', [limitKey(key)]);
  }

  async deleteExpired(nowMs: number): Promise<number> {
    const now = ms(nowMs, 'nowMs');
    const a = await this.#sql.query('DELETE FROM portal_sessions WHERE expires_at_ms <= ? RETURNING token_hash', [now]);
    const b = await this.#sql.query('DELETE FROM portal_codes WHERE expires_at_ms <= ? RETURNING email_key', [now]);
    const c = await this.#sql.query('DELETE FROM portal_limits WHERE expires_at_ms <= ? RETURNING limit_key', [now]);
    return a.length + b.length + c.length;
  }
}
