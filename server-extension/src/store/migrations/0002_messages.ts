/**
 * 0002 — encrypted messages (key service), their notification outbox and the recipients' portal.
 *
 * Same portable conventions as 0001 (instants in `*_ms` integers, addresses through `*_key`
 * columns lower-cased by the service, booleans 0/1 in SQLite).
 *
 * - secure_messages: one row per registered message. The data key is only ever stored WRAPPED under
 *   a master key (`ek1.…`, keys/wrap.ts) with the message id as associated data; the subject, kept
 *   only to name the message in the sender's notifications, is sealed the same way. The options and
 *   identity level are those of the sender's account AT REGISTRATION (what the sender chose for
 *   this message).
 * - secure_message_recipients: To/Cc; `first_opened_at_ms` is set once, by the first key release
 *   (`UPDATE … WHERE first_opened_at_ms IS NULL`), which is what makes "first open" exactly once.
 * - notification_jobs: the persistent outbox. `job_key` is UNIQUE (`transmission:<id>`,
 *   `read:<id>:<address>`, `deadline:<id>:<address>`): creating a job twice is a no-op. A worker claims
 *   a job by writing `claimed_by` and `lease_until_ms`; `state` becomes 'sent' once SMTP accepted it.
 * - portal_codes / portal_sessions: e-mail proof codes (sealed under the master key) and portal
 *   sessions (only the SHA-256 of the cookie's random token is stored).
 */
import type { Migration } from './index.ts';

export const migration: Migration = {
  version: 2,
  name: 'messages',
  sqlite: `
CREATE TABLE secure_messages (
  id                  TEXT    PRIMARY KEY,
  sender_key          TEXT    NOT NULL,
  sender_email        TEXT    NOT NULL,
  sender_name         TEXT,
  sender_level        INTEGER NOT NULL CHECK (sender_level IN (0, 1, 3, 5, 7)),
  sender_lang         TEXT    NOT NULL CHECK (sender_lang IN ('fr', 'de', 'en')),
  subject_sealed      TEXT    NOT NULL,
  wrapped_key         TEXT    NOT NULL,
  created_at_ms       INTEGER NOT NULL,
  read_deadline_ms    INTEGER NOT NULL,
  notify_transmission INTEGER NOT NULL CHECK (notify_transmission IN (0, 1)),
  notify_read         INTEGER NOT NULL CHECK (notify_read IN (0, 1)),
  notify_deadline     INTEGER NOT NULL CHECK (notify_deadline IN (0, 1)),
  container_digest    TEXT,
  container_size      INTEGER,
  sent_at_ms          INTEGER
);
CREATE INDEX secure_messages_sender ON secure_messages (sender_key, created_at_ms);
CREATE INDEX secure_messages_deadline ON secure_messages (read_deadline_ms);

CREATE TABLE secure_message_recipients (
  message_id         TEXT    NOT NULL REFERENCES secure_messages (id),
  address_key        TEXT    NOT NULL,
  address            TEXT    NOT NULL,
  kind               TEXT    NOT NULL CHECK (kind IN ('to', 'cc')),
  position           INTEGER NOT NULL,
  first_opened_at_ms INTEGER,
  PRIMARY KEY (message_id, address_key)
);
CREATE INDEX secure_message_recipients_unopened ON secure_message_recipients (first_opened_at_ms, message_id);

CREATE TABLE notification_jobs (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  job_key        TEXT    NOT NULL UNIQUE,
  kind           TEXT    NOT NULL CHECK (kind IN ('transmission', 'read', 'deadline')),
  message_id     TEXT    NOT NULL REFERENCES secure_messages (id),
  recipient_key  TEXT,
  due_at_ms      INTEGER NOT NULL,
  state          TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
  attempts       INTEGER NOT NULL DEFAULT 0,
  claimed_by     TEXT,
  lease_until_ms INTEGER,
  last_error     TEXT,
  created_at_ms  INTEGER NOT NULL,
  sent_at_ms     INTEGER
);
CREATE INDEX notification_jobs_pending ON notification_jobs (state, due_at_ms, id);
CREATE INDEX notification_jobs_message ON notification_jobs (message_id);

CREATE TABLE portal_codes (
  email_key     TEXT    PRIMARY KEY,
  code_sealed   TEXT    NOT NULL,
  expires_at_ms INTEGER NOT NULL,
  attempts      INTEGER NOT NULL DEFAULT 0,
  created_at_ms INTEGER NOT NULL
);

CREATE TABLE portal_sessions (
  token_hash    TEXT    PRIMARY KEY,
  email_key     TEXT    NOT NULL,
  created_at_ms INTEGER NOT NULL,
  expires_at_ms INTEGER NOT NULL
);
CREATE INDEX portal_sessions_expiry ON portal_sessions (expires_at_ms);
`,
  postgres: `
CREATE TABLE secure_messages (
  id                  TEXT     PRIMARY KEY,
  sender_key          TEXT     NOT NULL,
  sender_email        TEXT     NOT NULL,
  sender_name         TEXT,
  sender_level        SMALLINT NOT NULL CHECK (sender_level IN (0, 1, 3, 5, 7)),
  sender_lang         TEXT     NOT NULL CHECK (sender_lang IN ('fr', 'de', 'en')),
  subject_sealed      TEXT     NOT NULL,
  wrapped_key         TEXT     NOT NULL,
  created_at_ms       BIGINT   NOT NULL,
  read_deadline_ms    BIGINT   NOT NULL,
  notify_transmission BOOLEAN  NOT NULL,
  notify_read         BOOLEAN  NOT NULL,
  notify_deadline     BOOLEAN  NOT NULL,
  container_digest    TEXT,
  container_size      BIGINT,
  sent_at_ms          BIGINT
);
CREATE INDEX secure_messages_sender ON secure_messages (sender_key, created_at_ms);
CREATE INDEX secure_messages_deadline ON secure_messages (read_deadline_ms);

CREATE TABLE secure_message_recipients (
  message_id         TEXT    NOT NULL REFERENCES secure_messages (id),
  address_key        TEXT    NOT NULL,
  address            TEXT    NOT NULL,
  kind               TEXT    NOT NULL CHECK (kind IN ('to', 'cc')),
  position           INTEGER NOT NULL,
  first_opened_at_ms BIGINT,
  PRIMARY KEY (message_id, address_key)
);
CREATE INDEX secure_message_recipients_unopened ON secure_message_recipients (first_opened_at_ms, message_id);

CREATE TABLE notification_jobs (
  id             BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  job_key        TEXT    NOT NULL UNIQUE,
  kind           TEXT    NOT NULL CHECK (kind IN ('transmission', 'read', 'deadline')),
  message_id     TEXT    NOT NULL REFERENCES secure_messages (id),
  recipient_key  TEXT,
  due_at_ms      BIGINT  NOT NULL,
  state          TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
  attempts       INTEGER NOT NULL DEFAULT 0,
  claimed_by     TEXT,
  lease_until_ms BIGINT,
  last_error     TEXT,
  created_at_ms  BIGINT  NOT NULL,
  sent_at_ms     BIGINT
);
CREATE INDEX notification_jobs_pending ON notification_jobs (state, due_at_ms, id);
CREATE INDEX notification_jobs_message ON notification_jobs (message_id);

CREATE TABLE portal_codes (
  email_key     TEXT    PRIMARY KEY,
  code_sealed   TEXT    NOT NULL,
  expires_at_ms BIGINT  NOT NULL,
  attempts      INTEGER NOT NULL DEFAULT 0,
  created_at_ms BIGINT  NOT NULL
);

CREATE TABLE portal_sessions (
  token_hash    TEXT    PRIMARY KEY,
  email_key     TEXT    NOT NULL,
  created_at_ms BIGINT  NOT NULL,
  expires_at_ms BIGINT  NOT NULL
);
CREATE INDEX portal_sessions_expiry ON portal_sessions (expires_at_ms);
`,
};
