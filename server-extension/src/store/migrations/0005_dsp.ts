/**
 * 0005 — filings into the DSP (server-extension/src/dsp/).
 *
 * dsp_filings: one row per (patient, SHA-1 of the document bytes): a document is filed at most once.
 * The row is claimed BEFORE the ITI-41 request with the uniqueId and entryUUID that request carries
 * (`INSERT … ON CONFLICT DO NOTHING RETURNING`: of two concurrent filings exactly one claims), so a
 * retry after a lost answer sends the SAME uniqueId and the registry itself refuses a double
 * (XDSDuplicateUniqueIdInRegistry). status: pending (sent, answer not yet known), filed, refused.
 * Only the hash is kept: the bytes never reach the store.
 */
import type { Migration } from './index.ts';

/** The one table; only the 64-bit integer type differs between the two engines. */
const dspFilings = (int64: 'INTEGER' | 'BIGINT') => `
CREATE TABLE dsp_filings (
  patient_id    TEXT NOT NULL,
  doc_hash      TEXT NOT NULL,
  unique_id     TEXT NOT NULL UNIQUE,
  entry_uuid    TEXT NOT NULL,
  status        TEXT NOT NULL,
  filed_by      TEXT NOT NULL,
  created_at_ms ${int64} NOT NULL,
  updated_at_ms ${int64} NOT NULL,
  PRIMARY KEY (patient_id, doc_hash)
);
`;

export const migration: Migration = {
  version: 5,
  name: 'dsp',
  sqlite: dspFilings('INTEGER'),
  postgres: dspFilings('BIGINT'),
};
