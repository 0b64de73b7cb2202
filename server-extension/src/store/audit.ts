/** The audit trail over portable SQL (table `audit_log`, see migrations/0001_init.ts). */
import { int, isoFromMs, type SqlClient, type SqlRow, type SqlValue } from './sql.ts';
import type { AuditDetail, AuditEvent, AuditEventInput, AuditOutcome, AuditQuery, AuditRepository } from './types.ts';
import * as v from './validate.ts';

const COLUMNS = 'id, at_ms, actor, action, subject, outcome, detail';

/** Actors and subjects are identifiers (account names, message ids), never free text. */
const IDENTIFIER_MAX = 320;

function toEvent(row: SqlRow): AuditEvent {
  return {
    id: int(row['id']),
    at: isoFromMs(row['at_ms']),
    actor: String(row['actor']),
    action: String(row['action']),
    subject: String(row['subject']),
    outcome: row['outcome'] as AuditOutcome,
    detail: row['detail'] === null ? null : (JSON.parse(String(row['detail'])) as AuditDetail),
  };
}

export class SqlAuditRepository implements AuditRepository {
  readonly #sql: SqlClient;

  constructor(sql: SqlClient) {
    this.#sql = sql;
  }

  async append(event: AuditEventInput): Promise<AuditEvent> {
    if (typeof event !== 'object' || event === null) throw new TypeError('audit event expected');
    const atMs = v.instantMs(event.at, 'at');
    const actor = v.text(event.actor, 'actor', IDENTIFIER_MAX);
    const action = v.auditAction(event.action);
    const subject = v.text(event.subject, 'subject', IDENTIFIER_MAX);
    const outcome = v.auditOutcome(event.outcome);
    const detail = v.auditDetail(event.detail);
    const rows = await this.#sql.query(
      `INSERT INTO audit_log (at_ms, actor, action, subject, outcome, detail) VALUES (?, ?, ?, ?, ?, ?) RETURNING ${COLUMNS}`,
      [atMs, actor, action, subject, outcome, detail === null ? null : JSON.stringify(detail)],
    );
    return toEvent(rows[0]!);
  }

  async list(query: AuditQuery): Promise<AuditEvent[]> {
    if (typeof query !== 'object' || query === null) throw new TypeError('audit query expected');
    const limit = v.auditLimit(query.limit);
    const where: string[] = [];
    const params: SqlValue[] = [];
    if (query.subject !== undefined) {
      where.push('subject = ?');
      params.push(v.text(query.subject, 'subject', IDENTIFIER_MAX));
    }
    if (query.actor !== undefined) {
      where.push('actor = ?');
      params.push(v.text(query.actor, 'actor', IDENTIFIER_MAX));
    }
    if (query.action !== undefined) {
      where.push('action = ?');
      params.push(v.auditAction(query.action));
    }
    if (query.beforeId !== undefined) {
      where.push('id < ?');
      params.push(v.positiveId(query.beforeId, 'beforeId'));
    }
    params.push(limit);
    const rows = await this.#sql.query(
      `SELECT ${COLUMNS} FROM audit_log${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`,
      params,
    );
    return rows.map(toEvent);
  }
}
