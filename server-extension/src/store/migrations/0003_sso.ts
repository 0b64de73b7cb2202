/**
 * 0003 — first login through the eSanté portal (server-extension/src/provisioning/).
 *
 * - sso_assertions: the IDs of SAML assertions already used, kept until they expire, so a captured
 *   assertion cannot open a session twice (SAML Profiles §4.1.4.5 "one-time use" of bearer
 *   assertions). The key is issuer + ID (`assertion_key`), the row is inserted with
 *   `ON CONFLICT DO NOTHING RETURNING`: of two instances receiving the same assertion, exactly one
 *   gets a row back. Expired rows are deleted by the service (they cannot be replayed anyway).
 * - sso_mailboxes: which mailbox address belongs to which directory entry, written when the first
 *   login chooses it. `professional_id` is the primary key (one mailbox per person) and
 *   `mail_key` is unique (one person per mailbox): two namesakes logging in for the first time
 *   at the same moment cannot both get prenom.nom@.
 */
import type { Migration } from './index.ts';

export const migration: Migration = {
  version: 3,
  name: 'sso',
  sqlite: `
CREATE TABLE sso_assertions (
  assertion_key TEXT    PRIMARY KEY,
  expires_at_ms INTEGER NOT NULL,
  used_at_ms    INTEGER NOT NULL
);
CREATE INDEX sso_assertions_expiry ON sso_assertions (expires_at_ms);

CREATE TABLE sso_mailboxes (
  professional_id TEXT    PRIMARY KEY,
  mail_key        TEXT    NOT NULL UNIQUE,
  mail            TEXT    NOT NULL,
  created_at_ms   INTEGER NOT NULL
);
`,
  postgres: `
CREATE TABLE sso_assertions (
  assertion_key TEXT   PRIMARY KEY,
  expires_at_ms BIGINT NOT NULL,
  used_at_ms    BIGINT NOT NULL
);
CREATE INDEX sso_assertions_expiry ON sso_assertions (expires_at_ms);

CREATE TABLE sso_mailboxes (
  professional_id TEXT   PRIMARY KEY,
  mail_key        TEXT   NOT NULL UNIQUE,
  mail            TEXT   NOT NULL,
  created_at_ms   BIGINT NOT NULL
);
`,
};
