/**
 * 0001 — the audit trail and the encryption accounts.
 *
 * Portable choices, used the same way in both dialects:
 * - instants are epoch milliseconds in `*_ms` integer columns (BIGINT in PostgreSQL);
 * - e-mail look-ups go through `email_key`, the address lower-cased by the service (not by SQL,
 *   whose LOWER differs between the two databases for non-ASCII letters);
 * - booleans are BOOLEAN in PostgreSQL and 0/1 integers (with a CHECK) in SQLite.
 * The audit log refuses UPDATE, DELETE (and TRUNCATE in PostgreSQL) with triggers: append-only is
 * enforced by the database, not only by the absence of a method.
 */
import type { Migration } from './index.ts';

export const migration: Migration = {
  version: 1,
  name: 'init',
  sqlite: `
CREATE TABLE audit_log (
  id         INTEGER PRIMARY KEY AUTOINCREMENT, -- AUTOINCREMENT: an id is never reused
  at_ms      INTEGER NOT NULL,
  actor      TEXT    NOT NULL,
  action     TEXT    NOT NULL,
  subject    TEXT    NOT NULL,
  outcome    TEXT    NOT NULL CHECK (outcome IN ('allowed', 'denied', 'error')),
  detail     TEXT             -- JSON object of scalars, secrets already redacted
);
CREATE INDEX audit_log_subject ON audit_log (subject, id);
CREATE INDEX audit_log_actor   ON audit_log (actor, id);
CREATE INDEX audit_log_action  ON audit_log (action, id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

CREATE TABLE encryption_accounts (
  email_key           TEXT    PRIMARY KEY,
  email               TEXT    NOT NULL,
  full_name           TEXT    NOT NULL,
  identity_level      INTEGER NOT NULL CHECK (identity_level IN (0, 1, 3, 5, 7)),
  password_hash       TEXT    NOT NULL,
  created_at_ms       INTEGER NOT NULL,
  read_deadline_days  INTEGER NOT NULL DEFAULT 5 CHECK (read_deadline_days BETWEEN 1 AND 365),
  notify_transmission INTEGER NOT NULL DEFAULT 0 CHECK (notify_transmission IN (0, 1)),
  notify_read         INTEGER NOT NULL DEFAULT 1 CHECK (notify_read IN (0, 1)),
  notify_deadline     INTEGER NOT NULL DEFAULT 1 CHECK (notify_deadline IN (0, 1)),
  unlock_code_sealed  BLOB,
  transactions        INTEGER NOT NULL DEFAULT 0 CHECK (transactions >= 0),
  failed_attempts     INTEGER NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
  locked_until_ms     INTEGER,
  updated_at_ms       INTEGER NOT NULL
);

CREATE TABLE account_preferences (
  email_key      TEXT    PRIMARY KEY, -- no foreign key: the preference exists before any account
  dont_ask_again INTEGER NOT NULL CHECK (dont_ask_again IN (0, 1)),
  updated_at_ms  INTEGER NOT NULL
);
`,
  postgres: `
CREATE TABLE audit_log (
  id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at_ms      BIGINT NOT NULL,
  actor      TEXT   NOT NULL,
  action     TEXT   NOT NULL,
  subject    TEXT   NOT NULL,
  outcome    TEXT   NOT NULL CHECK (outcome IN ('allowed', 'denied', 'error')),
  detail     TEXT             -- JSON object of scalars, secrets already redacted
);
CREATE INDEX audit_log_subject ON audit_log (subject, id);
CREATE INDEX audit_log_actor   ON audit_log (actor, id);
CREATE INDEX audit_log_action  ON audit_log (action, id);
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END
$$;
CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

CREATE TABLE encryption_accounts (
  email_key           TEXT     PRIMARY KEY,
  email               TEXT     NOT NULL,
  full_name           TEXT     NOT NULL,
  identity_level      SMALLINT NOT NULL CHECK (identity_level IN (0, 1, 3, 5, 7)),
  password_hash       TEXT     NOT NULL,
  created_at_ms       BIGINT   NOT NULL,
  read_deadline_days  INTEGER  NOT NULL DEFAULT 5 CHECK (read_deadline_days BETWEEN 1 AND 365),
  notify_transmission BOOLEAN  NOT NULL DEFAULT FALSE,
  notify_read         BOOLEAN  NOT NULL DEFAULT TRUE,
  notify_deadline     BOOLEAN  NOT NULL DEFAULT TRUE,
  unlock_code_sealed  BYTEA,
  transactions        BIGINT   NOT NULL DEFAULT 0 CHECK (transactions >= 0),
  failed_attempts     INTEGER  NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
  locked_until_ms     BIGINT,
  updated_at_ms       BIGINT   NOT NULL
);

CREATE TABLE account_preferences (
  email_key      TEXT    PRIMARY KEY, -- no foreign key: the preference exists before any account
  dont_ask_again BOOLEAN NOT NULL,
  updated_at_ms  BIGINT  NOT NULL
);
`,
};
