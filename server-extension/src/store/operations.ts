/**
 * What operators look at and act on in the notification outbox (issue 16): the queue's depth and
 * oldest age for /metrics, the failed jobs and their retry for `esante-admin notifications`.
 * Same SQL on SQLite and PostgreSQL (repositories.ts). Retrying only ever moves a job from 'failed'
 * back to 'pending' (attempts reset; it was due already, so the next run takes it): a 'sent' job is never touched, so a retry cannot
 * send anything twice.
 */
import { int, type SqlClient } from './sql.ts';
import { StoreInputError } from './errors.ts';

export interface NotificationQueueStats {
  /** Waiting to be sent, due or not. */
  pending: number;
  /** Pending and due now (what the schedulers should be working through). */
  due: number;
  /** Pending jobs a worker holds a live lease on (being sent right now). */
  leased: number;
  /** Given up after the maximum attempts: need an operator. */
  failed: number;
  sent: number;
  /** Age of the oldest due pending job, in ms (0 when none is due). */
  oldestDueAgeMs: number;
}

export interface FailedNotification {
  id: number;
  kind: string;
  messageId: string;
  attempts: number;
  dueAtMs: number;
  lastError: string | null;
}

export class SqlOperationsRepository {
  readonly #sql: SqlClient;
  constructor(sql: SqlClient) {
    this.#sql = sql;
  }

  async notificationQueue(nowMs: number): Promise<NotificationQueueStats> {
    const [row] = await this.#sql.query(
      `SELECT
         SUM(CASE WHEN state = 'pending' THEN 1 ELSE 0 END) AS pending,
         SUM(CASE WHEN state = 'pending' AND due_at_ms <= ? THEN 1 ELSE 0 END) AS due,
         SUM(CASE WHEN state = 'pending' AND lease_until_ms > ? AND claimed_by IS NOT NULL THEN 1 ELSE 0 END) AS leased,
         SUM(CASE WHEN state = 'failed' THEN 1 ELSE 0 END) AS failed,
         SUM(CASE WHEN state = 'sent' THEN 1 ELSE 0 END) AS sent,
         MIN(CASE WHEN state = 'pending' AND due_at_ms <= ? THEN due_at_ms END) AS oldest
       FROM notification_jobs`,
      [nowMs, nowMs, nowMs],
    );
    const n = (v: unknown) => (v === null || v === undefined ? 0 : int(v));
    const oldest = row?.['oldest'];
    return {
      pending: n(row?.['pending']),
      due: n(row?.['due']),
      leased: n(row?.['leased']),
      failed: n(row?.['failed']),
      sent: n(row?.['sent']),
      oldestDueAgeMs: oldest === null || oldest === undefined ? 0 : Math.max(0, nowMs - int(oldest)),
    };
  }

  async failedNotifications(limit: number): Promise<FailedNotification[]> {
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > 10_000) throw new StoreInputError('limit', 'must be 1 to 10000');
    const rows = await this.#sql.query(
      `SELECT id, kind, message_id, attempts, due_at_ms, last_error FROM notification_jobs WHERE state = 'failed' ORDER BY id LIMIT ?`,
      [limit],
    );
    return rows.map((r) => ({
      id: int(r['id']),
      kind: String(r['kind']),
      messageId: String(r['message_id']),
      attempts: int(r['attempts']),
      dueAtMs: int(r['due_at_ms']),
      lastError: r['last_error'] === null ? null : String(r['last_error']),
    }));
  }

  /** Failed jobs (all, or these ids) back to pending, attempts from 0, for the next run. Returns the ids moved. */
  async retryFailedNotifications(ids: readonly number[] | 'all'): Promise<number[]> {
    if (ids !== 'all') {
      if (ids.length === 0 || ids.length > 1000 || !ids.every((id) => Number.isSafeInteger(id) && id > 0)) throw new StoreInputError('ids', 'must be 1 to 1000 positive ids');
    }
    const only = ids === 'all' ? '' : ` AND id IN (${ids.map(() => '?').join(', ')})`;
    const rows = await this.#sql.query(
      `UPDATE notification_jobs SET state = 'pending', attempts = 0, claimed_by = NULL, lease_until_ms = NULL
       WHERE state = 'failed'${only} RETURNING id`,
      ids === 'all' ? [] : ids,
    );
    return rows.map((r) => int(r['id'])).sort((a, b) => a - b);
  }
}
