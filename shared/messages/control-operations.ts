/**
 * SOAP operations by which the sender keeps control of an encrypted message after sending it
 * (issue 12): revoke, change the read deadline or the access end, and the sender's history (one
 * message, or all of the caller's as CSV). All are the sender's only (`message.not_sender`), audited,
 * and refuse bad input with a translated error changing nothing (docs/key-service.md, "After sending").
 * Contract for the zimlet's "Messages envoyés" tab: /work/notes/e3.md and docs/key-service.md.
 */
import type { OperationSpec } from '../soap/schema.ts';

/** One recipient as the sender's view shows them. */
const recipientHistory = {
  list: true,
  fields: {
    address: 'string',
    kind: { type: 'string', doc: "'to' | 'cc'" },
    /** The single word a list shows, in this order of precedence: revoked, access_ended, opened, deadline_passed, delivered, not_sent. */
    state: { type: 'string', doc: "'not_sent' | 'delivered' | 'opened' | 'deadline_passed' | 'access_ended' | 'revoked'" },
    /** The cover mail was sent (the sender confirmed it): the recipient can open it. */
    delivered: 'boolean',
    openedAt: { type: 'dateTime', optional: true },
    /** How the first open happened: 'webmail' (the eSanté webmail) or 'portal' (outside recipients' portal). */
    openedVia: { type: 'string', optional: true, doc: "'webmail' | 'portal'" },
    /** This recipient's read deadline (after an update, their own). */
    readDeadline: 'dateTime',
    /** The deadline passed without an open. */
    deadlinePassed: 'boolean',
    /** After it no key is released to this recipient. */
    accessUntil: { type: 'dateTime', optional: true },
    revokedAt: { type: 'dateTime', optional: true },
  },
} as const;

export const messageControlOperations = {
  RevokeSecureMessage: {
    doc: 'The sender withdraws a sent encrypted message for one recipient or, without `recipient`, for every recipient not yet revoked. From then on their key requests (webmail and portal) are refused with message.revoked; no read notification can follow. A second revoke is refused (message.already_revoked).',
    auth: 'user',
    request: {
      messageId: { type: 'string', max: 64 },
      recipient: { type: 'string', optional: true, max: 254 },
    },
    response: {
      messageId: 'string',
      revokedAt: 'dateTime',
      /** The addresses revoked by this call. */
      revoked: { type: 'string', list: true },
    },
  },
  UpdateSecureMessage: {
    doc: 'The sender changes the read deadline (when the "not read" notification is due) and/or the access end date (after it no key is released) of one recipient or, without `recipient`, of every recipient not revoked. Dates must be in the future and within the allowed maximum (ESANTE_MESSAGE_MAX_DAYS after sending). A deadline notification already sent is not sent again.',
    auth: 'user',
    request: {
      messageId: { type: 'string', max: 64 },
      recipient: { type: 'string', optional: true, max: 254 },
      readDeadline: { type: 'dateTime', optional: true },
      accessUntil: { type: 'dateTime', optional: true },
      /** true: no access end any more (cannot be combined with accessUntil). */
      clearAccessUntil: { type: 'boolean', optional: true },
    },
    response: {
      messageId: 'string',
      /** The recipients changed, with their values now. */
      recipients: recipientHistory,
    },
  },
  GetSecureMessageHistory: {
    doc: 'For the sender: per recipient delivered / opened (when, webmail or portal) / deadline passed / access ended / revoked, and the notifications of the message.',
    auth: 'user',
    request: { messageId: { type: 'string', max: 64 } },
    response: {
      messageId: 'string',
      subject: 'string',
      createdAt: 'dateTime',
      sentAt: { type: 'dateTime', optional: true },
      recipients: recipientHistory,
      notifications: {
        list: true,
        fields: {
          kind: { type: 'string', doc: "'transmission' | 'read' | 'deadline'" },
          recipient: { type: 'string', optional: true },
          state: { type: 'string', doc: "'pending' | 'sent' | 'failed'" },
          dueAt: 'dateTime',
          sentAt: { type: 'dateTime', optional: true },
        },
      },
    },
  },
  ExportSecureMessageHistory: {
    doc: 'The caller’s own encrypted messages’ history as CSV (RFC 4180, UTF-8 with BOM, one row per message and recipient, newest first, at most 5000 messages), column names in the caller’s language.',
    auth: 'user',
    request: {},
    response: {
      fileName: 'string',
      mimeType: 'string',
      csv: 'string',
      rows: 'int',
    },
  },
} as const satisfies Record<string, OperationSpec>;
