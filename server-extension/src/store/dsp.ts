/**
 * DSP filings over portable SQL (table of migrations/0005_dsp.ts): (patient, document hash) →
 * the uniqueId it is filed under, so a document is filed at most once (server-extension/src/dsp/).
 */
import { StoreInputError } from './errors.ts';
import { int, isoFromMs, type SqlClient, type SqlRow } from './sql.ts';

export type FilingStatus = 'pending' | 'filed' | 'refused';

export interface DspFiling {
  patientId: string;
  hash: string;
  uniqueId: string;
  entryUUID: string;
  status: FilingStatus;
  filedBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface DspFilingRepository {
  /** Claims (patient, hash) with these ids; answers the row that holds it and whether this call created it. */
  claim(f: { patientId: string; hash: string; uniqueId: string; entryUUID: string; filedBy: string }): Promise<{ filing: DspFiling; created: boolean }>;
  get(patientId: string, hash: string): Promise<DspFiling | null>;
  /** Moves a filing to a status; `filedBy` re-owns a pending or refused row retried by another user. */
  setStatus(patientId: string, hash: string, status: FilingStatus, filedBy?: string): Promise<void>;
}

const CONTROL = /[\u0000-\u001f\u007f]/;
function key(v: string, field: string): string {
  if (typeof v !== 'string' || !v || v.length > 256 || CONTROL.test(v)) throw new StoreInputError(field, 'must be a short string without control characters');
  return v;
}

function row(r: SqlRow): DspFiling {
  return {
    patientId: String(r['patient_id']),
    hash: String(r['doc_hash']),
    uniqueId: String(r['unique_id']),
    entryUUID: String(r['entry_uuid']),
    status: String(r['status']) as FilingStatus,
    filedBy: String(r['filed_by']),
    createdAt: isoFromMs(r['created_at_ms']),
    updatedAt: isoFromMs(int(r['updated_at_ms'])),
  };
}

const COLS = 'patient_id, doc_hash, unique_id, entry_uuid, status, filed_by, created_at_ms, updated_at_ms';

export class SqlDspFilingRepository implements DspFilingRepository {
  constructor(private readonly sql: SqlClient, private readonly now: () => number) {}

  async claim(f: { patientId: string; hash: string; uniqueId: string; entryUUID: string; filedBy: string }): Promise<{ filing: DspFiling; created: boolean }> {
    const t = this.now();
    const rows = await this.sql.query(
      `INSERT INTO dsp_filings (${COLS}) VALUES (?, ?, ?, ?, 'pending', ?, ?, ?) ON CONFLICT DO NOTHING RETURNING ${COLS}`,
      [key(f.patientId, 'patientId'), key(f.hash, 'hash'), key(f.uniqueId, 'uniqueId'), key(f.entryUUID, 'entryUUID'), key(f.filedBy, 'filedBy'), t, t],
    );
    if (rows[0]) return { filing: row(rows[0]), created: true };
    const existing = await this.get(f.patientId, f.hash);
    if (!existing) throw new StoreInputError('uniqueId', 'already used by another filing');
    return { filing: existing, created: false };
  }

  async get(patientId: string, hash: string): Promise<DspFiling | null> {
    const rows = await this.sql.query(`SELECT ${COLS} FROM dsp_filings WHERE patient_id = ? AND doc_hash = ?`, [key(patientId, 'patientId'), key(hash, 'hash')]);
    return rows[0] ? row(rows[0]) : null;
  }

  async setStatus(patientId: string, hash: string, status: FilingStatus, filedBy?: string): Promise<void> {
    if (filedBy) {
      await this.sql.query('UPDATE dsp_filings SET status = ?, filed_by = ?, updated_at_ms = ? WHERE patient_id = ? AND doc_hash = ?', [status, key(filedBy, 'filedBy'), this.now(), patientId, hash]);
    } else {
      await this.sql.query('UPDATE dsp_filings SET status = ?, updated_at_ms = ? WHERE patient_id = ? AND doc_hash = ?', [status, this.now(), patientId, hash]);
    }
  }
}
