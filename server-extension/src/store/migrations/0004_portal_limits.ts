/**
 * 0004 — rate limits of the recipients' portal (security review findings #2–#6), kept in the store
 * so that several service instances behind one nginx share them.
 *
 * portal_limits: one row per counter. `limit_key` is `<kind>:<SHA-256 of the subject>` (the subject
 * being an address key, a client IP, or both): the table holds no address or IP in clear. A counter
 * counts `hits` in a fixed window that starts with its first hit (`window_start_ms`); the first hit
 * after the window has passed starts a new one (one atomic `INSERT … ON CONFLICT DO UPDATE`).
 * `blocked_until_ms` is the back-off the portal sets after failed log-ins. `expires_at_ms` (window end
 * or block end, whichever is later) is when the row means nothing any more: housekeeping deletes it.
 *
 * portal_sessions gets an index on email_key: a lock or a password change ends every session of the
 * address (finding #8).
 */
import type { Migration } from './index.ts';

export const migration: Migration = {
  version: 4,
  name: 'portal_limits',
  sqlite: `
CREATE TABLE portal_limits (
  limit_key        TEXT    PRIMARY KEY,
  window_start_ms  INTEGER NOT NULL,
  hits             INTEGER NOT NULL,
  blocked_until_ms INTEGER,
  expires_at_ms    INTEGER NOT NULL
);
CREATE INDEX portal_limits_expiry ON portal_limits (expires_at_ms);
CREATE INDEX portal_sessions_email ON portal_sessions (email_key);
`,
  postgres: `
CREATE TABLE portal_limits (
  limit_key        TEXT   PRIMARY KEY,
  window_start_ms  BIGINT NOT NULL,
  hits             INTEGER NOT NULL,
  blocked_until_ms BIGINT,
  expires_at_ms    BIGINT NOT NULL
);
CREATE INDEX portal_limits_expiry ON portal_limits (expires_at_ms);
CREATE INDEX portal_sessions_email ON portal_sessions (email_key);
`,
};
