/**
 * 0006 — the sender keeps control after sending (issue 12): revoke, change the read deadline, an
 * access end date, and how each recipient opened.
 *
 * - secure_messages.access_until_ms: after it no key is released to any recipient (NULL: no end).
 *   Distinct from read_deadline_ms, which only triggers the sender's "not read" notification.
 * - secure_message_recipients.read_deadline_ms / access_until_ms: one recipient's own value, set by
 *   an update naming that recipient; NULL = the message's. The effective value is
 *   COALESCE(recipient, message), which is what the deadline scan and the key release read.
 * - secure_message_recipients.revoked_at_ms: set once (`UPDATE … WHERE revoked_at_ms IS NULL`), so of
 *   two instances revoking at once exactly one applies it; never cleared.
 * - secure_message_recipients.first_opened_channel: 'zimbra' (webmail) or 'portal', written by the
 *   same atomic UPDATE that records the first open.
 * Only ADD COLUMN: existing rows keep NULL (= behaviour before this migration).
 */
import type { Migration } from './index.ts';

const columns = (int64: 'INTEGER' | 'BIGINT') => `
ALTER TABLE secure_messages ADD COLUMN access_until_ms ${int64};
ALTER TABLE secure_message_recipients ADD COLUMN read_deadline_ms ${int64};
ALTER TABLE secure_message_recipients ADD COLUMN access_until_ms ${int64};
ALTER TABLE secure_message_recipients ADD COLUMN revoked_at_ms ${int64};
ALTER TABLE secure_message_recipients ADD COLUMN first_opened_channel TEXT CHECK (first_opened_channel IN ('zimbra', 'portal'));
`;

export const migration: Migration = {
  version: 6,
  name: 'message_control',
  sqlite: columns('INTEGER'),
  postgres: columns('BIGINT'),
};
