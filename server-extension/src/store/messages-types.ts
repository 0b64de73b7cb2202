/**
 * Port types of the encrypted-messages repositories (tables of migrations/0002_messages.ts):
 * registered messages and their recipients, the notification outbox, and the recipients' portal
 * (e-mail proof codes, sessions). Re-exported by types.ts; implemented once over portable SQL in
 * messages.ts. Instants follow the store's conventions (ISO strings out, epoch ms in `*Ms` inputs):
 * every method takes "now" from its caller, because the service's clock (ctx.clock) is the one
 * tests move, not the database's.
 */
import type { IdentityLevel, Instant } from './types.ts';

export type RecipientKind = 'to' | 'cc';
export type MessageLang = 'fr' | 'de' | 'en';

export interface NewSecureMessage {
  id: string;
  senderEmail: string;
  senderName: string | null;
  senderLevel: IdentityLevel;
  /** The sender's Zimbra locale at registration: the language of their notifications. */
  senderLang: MessageLang;
  /** `ek1.…` sealed subject (keys/wrap.ts sealSecret, purpose 'message-subject', owner = id). */
  subjectSealed: string;
  /** `ek1.…` wrapped data key (keys/wrap.ts wrapDataKey, AAD = id). */
  wrappedKey: string;
  createdAtMs: number;
  readDeadlineMs: number;
  notifyTransmission: boolean;
  notifyRead: boolean;
  notifyDeadline: boolean;
  /** The access end set at registration from the sender's default access period (issue 12); absent or null = no end. */
  accessUntilMs?: number | null;
  recipients: ReadonlyArray<{ address: string; kind: RecipientKind }>;
}

export interface SecureMessageRecipient {
  address: string;
  /** Lower-cased comparison key of `address`. */
  addressKey: string;
  kind: RecipientKind;
  firstOpenedAt: Instant | null;
  // Migration 0006 (issue 12). Optional in the type so that values built by hand (tests) stay valid;
  // the store always fills them (null when unset).
  /** How the first open happened: 'zimbra' (webmail) or 'portal'; null before 0006 or unopened. */
  openedChannel?: OpenChannel | null;
  /** This recipient's own read deadline (an update); null = the message's `readDeadline`. */
  readDeadlineOverride?: Instant | null;
  /** This recipient's own access end; null = the message's `accessUntil`. */
  accessUntilOverride?: Instant | null;
  /** When the sender revoked the message for this recipient (set once, never cleared). */
  revokedAt?: Instant | null;
}

export type OpenChannel = 'zimbra' | 'portal';

export interface SecureMessage {
  id: string;
  senderEmail: string;
  /** Lower-cased comparison key of the sender's address. */
  senderKey: string;
  senderName: string | null;
  senderLevel: IdentityLevel;
  senderLang: MessageLang;
  subjectSealed: string;
  wrappedKey: string;
  createdAt: Instant;
  readDeadline: Instant;
  notifyTransmission: boolean;
  notifyRead: boolean;
  notifyDeadline: boolean;
  containerDigest: string | null;
  containerSize: number | null;
  sentAt: Instant | null;
  /** Migration 0006: after it no key is released to any recipient (null: no end). */
  accessUntil?: Instant | null;
  /** In the order the sender wrote them (To first, then Cc). */
  recipients: SecureMessageRecipient[];
}

export interface SentMessageSummary {
  id: string;
  subjectSealed: string;
  sentAt: Instant | null;
  readDeadline: Instant;
  recipients: number;
  opened: number;
}

/** The two sealed values of a message, for master key rotation. */
export interface WrappedMessageValues {
  id: string;
  wrappedKey: string;
  subjectSealed: string;
}

export type ConfirmResult =
  | { readonly kind: 'Confirmed'; readonly message: SecureMessage }
  /** Confirmed earlier (the stored digest and time are returned unchanged). */
  | { readonly kind: 'AlreadyConfirmed'; readonly message: SecureMessage }
  | { readonly kind: 'NotFound' };

export interface SecureMessageRepository {
  /** Inserts the message, then its recipients (one statement each). Ids are the caller's (random). */
  create(message: NewSecureMessage): Promise<void>;
  get(id: string): Promise<SecureMessage | null>;
  /** Sets digest, size and sentAt once; a second call changes nothing and says so. */
  confirmSent(id: string, digest: string, size: number, sentAtMs: number): Promise<ConfirmResult>;
  /**
   * Records the first open of a listed recipient: true only for the one call that set it (atomic
   * `UPDATE … WHERE first_opened_at_ms IS NULL`), false when already opened, not a recipient or
   * revoked for them (0006: a revoke that won the race leaves no first open, hence no read notice).
   */
  recordFirstOpen(id: string, address: string, atMs: number, channel?: OpenChannel): Promise<boolean>;
  /**
   * Issue 12: revokes the message for one recipient (its address key) or, with null, for every
   * recipient not yet revoked: one `UPDATE … WHERE revoked_at_ms IS NULL RETURNING`, so of two
   * concurrent revokes exactly one gets each recipient. Returns the address keys revoked by this call.
   */
  revoke(id: string, addressKey: string | null, atMs: number): Promise<string[]>;
  /**
   * Issue 12: sets the read deadline and/or the access end (null = no end) of one recipient or, with
   * null, of every recipient not revoked (one UPDATE); for all, the message row's own values follow
   * (a second statement, what listings show). Returns the address keys changed.
   */
  setRecipientDates(id: string, addressKey: string | null, change: { readDeadlineMs?: number; accessUntilMs?: number | null }): Promise<string[]>;
  /** The sender's messages, newest first. */
  listBySender(senderEmail: string, offset: number, limit: number): Promise<{ total: number; messages: SentMessageSummary[] }>;
  /** For rotation: messages in id order, after `afterId` (exclusive). */
  listWrapped(afterId: string | null, limit: number): Promise<WrappedMessageValues[]>;
  /** Compare-and-set of both sealed values: false (nothing written) when either changed meanwhile. */
  replaceWrapped(before: WrappedMessageValues, after: Omit<WrappedMessageValues, 'id'>): Promise<boolean>;
}

// ---------------------------------------------------------------------------------------------
// Notification outbox

export type NotificationKind = 'transmission' | 'read' | 'deadline';
export type NotificationState = 'pending' | 'sent' | 'failed';

export interface NewNotificationJob {
  /** Unique: a second enqueue with the same key is a no-op. */
  jobKey: string;
  kind: NotificationKind;
  messageId: string;
  recipientKey: string | null;
  dueAtMs: number;
  nowMs: number;
}

export interface NotificationJob {
  id: number;
  jobKey: string;
  kind: NotificationKind;
  messageId: string;
  recipientKey: string | null;
  dueAt: Instant;
  state: NotificationState;
  attempts: number;
  claimedBy: string | null;
  leaseUntil: Instant | null;
  sentAt: Instant | null;
}

export interface NotificationJobRepository {
  /** True when this call created the job. */
  enqueue(job: NewNotificationJob): Promise<boolean>;
  /**
   * One INSERT … SELECT … ON CONFLICT DO NOTHING: a deadline job for every recipient of a sent
   * message whose deadline is past, who has not opened it, when the sender asked for it. Atomic and
   * idempotent, so instances running it at once, or a run interrupted and restarted, neither lose
   * nor duplicate a job. Returns how many jobs were created.
   */
  enqueueDueDeadlines(nowMs: number): Promise<number>;
  /**
   * Claims up to `limit` due pending jobs whose lease (if any) has expired, for `worker`, until
   * `nowMs + leaseMs`; `attempts` is incremented. PostgreSQL skips rows another instance is claiming
   * (`FOR UPDATE SKIP LOCKED`); SQLite runs the one statement under its write lock.
   */
  claim(worker: string, nowMs: number, leaseMs: number, limit: number): Promise<NotificationJob[]>;
  /** Marks a job this worker still holds as sent. False when the claim was lost (lease expired and re-claimed). */
  markSent(id: number, worker: string, atMs: number): Promise<boolean>;
  /** Gives a failed attempt back: retried from `retryAtMs`, or 'failed' for good when `final`. */
  markFailed(id: number, worker: string, error: string, retryAtMs: number, final: boolean): Promise<boolean>;
  forMessage(messageId: string): Promise<NotificationJob[]>;
  /**
   * Issue 12: deletes the deadline jobs of these recipients of a message that are still pending and
   * not held by a worker (no live lease), so that a moved deadline is scanned again at its new time.
   * A job already sent, or being sent right now, stays: it is never sent twice. Returns how many went.
   */
  dropPendingDeadlines(messageId: string, recipientKeys: readonly string[], nowMs: number): Promise<number>;
}

// ---------------------------------------------------------------------------------------------
// Recipients' portal

export interface PortalCode {
  emailKey: string;
  /** `ek1.…` sealed code (purpose 'portal-code', owner = emailKey). */
  codeSealed: string;
  expiresAt: Instant;
  attempts: number;
  createdAt: Instant;
}

/** A rate-limit counter of the portal (migration 0004): hits in the current window, and any back-off. */
export interface PortalLimitState {
  hits: number;
  windowStartMs: number;
  /** The portal's back-off after failed log-ins; null when none (or when the window started again). */
  blockedUntilMs: number | null;
}

export interface PortalRepository {
  /** Replaces any previous code of the address (attempts back to 0). */
  putCode(email: string, codeSealed: string, nowMs: number, expiresAtMs: number): Promise<void>;
  getCode(email: string): Promise<PortalCode | null>;
  /** Atomic +1; returns the new count (0 when there is no code). */
  recordCodeAttempt(email: string): Promise<number>;
  deleteCode(email: string): Promise<void>;
  /** Master-key rotation: the sealed values of the codes still valid at `nowMs` (a few, short-lived). */
  liveSealedCodes(nowMs: number): Promise<string[]>;
  createSession(tokenHash: string, email: string, nowMs: number, expiresAtMs: number): Promise<void>;
  /** The session's address key, or null when unknown or expired at `nowMs`. */
  getSession(tokenHash: string, nowMs: number): Promise<string | null>;
  deleteSession(tokenHash: string): Promise<void>;
  /** Ends every session of the address (a lock or a password change); returns how many went. */
  deleteSessionsOf(email: string): Promise<number>;
  /**
   * Counts one hit on the counter `key` (atomic, shared by every instance): when its window started
   * `windowMs` or more before `nowMs`, a new window starts at `nowMs` with 1 hit and no back-off.
   * Keys are the caller's (`kind:opaque`, at most 200 characters of [A-Za-z0-9_:.-]).
   */
  hitLimit(key: string, nowMs: number, windowMs: number): Promise<PortalLimitState>;
  /** The counter as it stands, or null when it has none or it expired (window and back-off both over). */
  peekLimit(key: string, nowMs: number, windowMs: number): Promise<PortalLimitState | null>;
  /** Sets the back-off to `untilMs` unless a later one is set; the row lives at least until then. */
  blockLimit(key: string, untilMs: number): Promise<void>;
  /** Forgets the counter (e.g. failed log-ins after a successful one). */
  clearLimit(key: string): Promise<void>;
  /** Housekeeping: drops expired sessions, codes and rate-limit counters; returns how many rows went. */
  deleteExpired(nowMs: number): Promise<number>;
}
