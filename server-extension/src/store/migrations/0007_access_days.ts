/**
 * 0007 — a default access period (issue 12, "A default access period is a user option (none by
 * default)"): encryption_accounts.access_days, the days after registration until which the key of a
 * message the account sends is released (0 = no end, the behaviour before this migration). A message
 * registered with it gets secure_messages.access_until_ms (0006) at registration; the sender can still
 * change it after sending (UpdateSecureMessage).
 */
import type { Migration } from './index.ts';

const column = 'ALTER TABLE encryption_accounts ADD COLUMN access_days INTEGER NOT NULL DEFAULT 0 CHECK (access_days >= 0);';

export const migration: Migration = {
  version: 7,
  name: 'access_days',
  sqlite: column,
  postgres: column,
};
