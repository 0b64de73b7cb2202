/**
 * SOAP operations of encrypted messages: the key service the regify zimlet talks to (architecture
 * flows 1–3). The data key travels base64-encoded inside TLS to the caller only; the service never
 * sees the message itself. The recipients' portal (outside recipients, flow 4) has no Zimbra session:
 * its small JSON API, with an HttpOnly session cookie SOAP handlers cannot see, is in portal-api.ts.
 */
import type { OperationSpec } from '../soap/schema.ts';

const sender = {
  fields: {
    mail: 'string',
    displayName: { type: 'string', optional: true },
    /** The sender's identity level (0/1/3/5/7, Regify's scale), from the key service's record. */
    level: 'int',
    /** True when `level` meets the configured threshold: the zimlet shows "… est authentifié de niveau N". */
    levelBanner: 'boolean',
  },
} as const;

export const messageOperations = {
  RegisterSecureMessage: {
    doc: 'Registers a message about to be encrypted by the caller (the sender): recipients, read deadline, access end (the default access period, if any) and notification options from the sender’s encryption account. Returns a fresh 256-bit data key.',
    auth: 'user',
    request: {
      to: { type: 'string', list: true, max: 100 },
      cc: { type: 'string', list: true, max: 100 },
      /** Kept (sealed at rest) only to name the message in the sender's notifications. */
      subject: { type: 'string', max: 998 },
    },
    response: {
      messageId: 'string',
      /** base64 of the 32-byte AES-256-GCM data key. */
      dataKey: 'string',
      /** Written into the container header (`keyService`). */
      keyService: 'string',
      /** The recipients' portal (ESANTE_PORTAL_ORIGIN, its own origin): the cover mail's link. */
      portalUrl: { type: 'string', optional: true },
      readDeadline: 'dateTime',
      /** From the sender's default access period (Options tab); absent = no access end. */
      accessUntil: { type: 'dateTime', optional: true },
      sender,
    },
  },
  ConfirmSecureMessageSent: {
    doc: 'Called once the cover mail carrying the container was sent: records the container digest (readers check it) and starts the transmission notification and the read deadline.',
    auth: 'user',
    request: {
      messageId: { type: 'string', max: 64 },
      /** shared/container containerDigest(): SHA-256 of the whole container, base64url. */
      containerDigest: { type: 'string', max: 64 },
      size: 'int',
    },
    response: { messageId: 'string', sentAt: 'dateTime' },
  },
  ReleaseMessageKey: {
    doc: 'Releases the data key of a message to a listed recipient or its sender; anyone else is refused (message.not_recipient) and audited. The first release to each recipient triggers the read notification.',
    auth: 'user',
    request: { messageId: { type: 'string', max: 64 } },
    response: {
      messageId: 'string',
      dataKey: 'string',
      containerDigest: { type: 'string', optional: true },
      sentAt: { type: 'dateTime', optional: true },
      sender,
    },
  },
  GetSecureMessageStatus: {
    doc: 'For the sender: each recipient of the message, whether and when they opened it.',
    auth: 'user',
    request: { messageId: { type: 'string', max: 64 } },
    response: {
      messageId: 'string',
      subject: 'string',
      sentAt: { type: 'dateTime', optional: true },
      readDeadline: 'dateTime',
      recipients: {
        list: true,
        fields: {
          address: 'string',
          kind: { type: 'string', doc: "'to' | 'cc'" },
          openedAt: { type: 'dateTime', optional: true },
          deadlineNotifiedAt: { type: 'dateTime', optional: true },
        },
      },
    },
  },
  ListSentSecureMessages: {
    doc: 'The caller’s own encrypted messages, newest first, with how many recipients opened each.',
    auth: 'user',
    request: { offset: { type: 'int', optional: true }, limit: { type: 'int', optional: true } },
    response: {
      total: 'int',
      messages: {
        list: true,
        fields: {
          messageId: 'string',
          subject: 'string',
          sentAt: { type: 'dateTime', optional: true },
          readDeadline: 'dateTime',
          recipients: 'int',
          opened: 'int',
        },
      },
    },
  },
} as const satisfies Record<string, OperationSpec>;
