/**
 * The Store port: everything the service keeps between requests, behind one async interface so the
 * service code is identical on the embedded SQLite default and on PostgreSQL (several instances).
 *
 * Conventions shared by every repository:
 * - Instants cross this port as UTC ISO 8601 strings (`2026-11-29T05:34:35.000Z`, what
 *   `Date#toISOString()` produces); inputs also accept a `Date`. They are stored as epoch
 *   milliseconds (integers), so they sort and compare the same way in both databases.
 * - E-mail addresses are keys compared without regard to case: `Dr.Bond@esante.lu` and
 *   `dr.bond@esante.lu` are the same account. The address is kept as first written, for display.
 * - Every method is a single SQL statement, hence atomic on its own: no caller needs a transaction.
 * - Bad input is refused with a `StoreInputError` (code `request.invalid`) before anything is written.
 */
import type { DspFilingRepository } from './dsp.ts';
import type { NotificationJobRepository, PortalRepository, SecureMessageRepository } from './messages-types.ts';

/** Encrypted messages, notification outbox and portal (migration 0002): see messages-types.ts. */
export * from './messages-types.ts';

/** An instant: UTC ISO 8601 string on output; a `Date` or any string `Date.parse` reads on input. */
export type Instant = string;
export type InstantInput = string | Date;

// ---------------------------------------------------------------------------------------------
// Audit trail

export type AuditOutcome = 'allowed' | 'denied' | 'error';
export const AUDIT_OUTCOMES: readonly AuditOutcome[] = ['allowed', 'denied', 'error'];

/**
 * Extra facts about an audited event: a flat record of scalars (message id, recipient count, error
 * code …). Values under keys that name a secret (password, token, PIN, unlock code, cookie, private
 * or data key …) are replaced by `[redacted]` before they are stored: the audit trail must never
 * hold a secret, even when a caller passes one by mistake.
 */
export type AuditDetail = Readonly<Record<string, string | number | boolean | null>>;

export interface AuditEventInput {
  /** When it happened (usually now). */
  at: InstantInput;
  /** Who acted: the authenticated account name, or `system` / `scheduler` for the service itself. */
  actor: string;
  /** What was attempted, dotted lower case: `key.release`, `account.create`, `login.failed` … */
  action: string;
  /** What it was done to: a message id, an account e-mail, a patient reference … */
  subject: string;
  outcome: AuditOutcome;
  detail?: AuditDetail;
}

export interface AuditEvent {
  /** Increases with every append; the order of the trail. */
  id: number;
  at: Instant;
  actor: string;
  action: string;
  subject: string;
  outcome: AuditOutcome;
  detail: AuditDetail | null;
}

export interface AuditQuery {
  subject?: string;
  actor?: string;
  action?: string;
  /** Only events older than this id (to page backwards: pass the last id of the previous page). */
  beforeId?: number;
  /** 1 … AUDIT_LIST_MAX_LIMIT. */
  limit: number;
}

export const AUDIT_LIST_MAX_LIMIT = 1000;

/**
 * The append-only audit trail. There is deliberately no update or delete: the databases also
 * refuse them (triggers), so not even a bug or a hand-written query can rewrite history.
 */
export interface AuditRepository {
  /** Records one event and returns it as stored (with its id and any redaction applied). */
  append(event: AuditEventInput): Promise<AuditEvent>;
  /** Newest first, filters combined with AND. */
  list(query: AuditQuery): Promise<AuditEvent[]>;
}

// ---------------------------------------------------------------------------------------------
// Encryption (Regify-like) accounts

/**
 * How sure the provider is of the account holder's identity (Regify provider authentication 5.3):
 * 0 e-mail confirmed, 1 checked by phone, 3 copy of an ID document checked, 5 checked against a
 * public register or a known relationship, 7 verified in person. The seed's banner
 * "authentifié de niveau 3" shows this number.
 */
export type IdentityLevel = 0 | 1 | 3 | 5 | 7;
export const IDENTITY_LEVELS: readonly IdentityLevel[] = [0, 1, 3, 5, 7];

/** The Options tab of the seed guide (p. 6). */
export interface AccountOptions {
  /** "Délai de lecture (en jours)": days a recipient has to open before the sender is told. */
  readDeadlineDays: number;
  /** "Notification de transmission": mail the sender once the message is encrypted and sent. */
  notifyTransmission: boolean;
  /** "Notification de lecture": mail the sender when a recipient opens the message. */
  notifyRead: boolean;
  /** "Notification du dépassement du délai de lecture". */
  notifyDeadline: boolean;
  /**
   * "Durée d'accès par défaut (en jours)" (issue 12): a message sent by this account has its key
   * released for this many days after sending, then no more (its access end); 0 = no end. Never shorter
   * than the read deadline.
   */
  accessDays: number;
}

export const READ_DEADLINE_DAYS_MIN = 1;
export const READ_DEADLINE_DAYS_MAX = 365;
/** The longest default access period (the same bound as a read deadline). */
export const ACCESS_DAYS_MAX = 365;

/**
 * Defaults of a new account. The guide shows 5 days; it does not show the boxes' initial state.
 * We turn on the two notices a sender of patient data needs (opened, not opened in time) and leave
 * off the per-message "sent" confirmation, which only repeats what the compose window already said.
 */
export const DEFAULT_ACCOUNT_OPTIONS: Readonly<AccountOptions> = Object.freeze({
  readDeadlineDays: 5,
  notifyTransmission: false,
  notifyRead: true,
  notifyDeadline: true,
  accessDays: 0,
});

export interface EncryptionAccount {
  /** As first written (for display); look-ups ignore case. */
  email: string;
  fullName: string;
  identityLevel: IdentityLevel;
  /** An opaque hash made by the password module (never a password); returned only so it can be verified. */
  passwordHash: string;
  createdAt: Instant;
  options: AccountOptions;
  /**
   * The unlock code ("Code de déblocage", seed p. 9), encrypted by its owner module before it gets
   * here: the store only ever sees these opaque bytes. Null when none was issued.
   */
  unlockCodeSealed: Uint8Array | null;
  /** "Nb de transactions" of the Informations tab. */
  transactions: number;
  /** Failed log-ins since the last success (or reset). */
  failedAttempts: number;
  /** Log-ins are refused until this instant; null when not locked. */
  lockedUntil: Instant | null;
  updatedAt: Instant;
}

export interface NewEncryptionAccount {
  email: string;
  fullName: string;
  identityLevel: IdentityLevel;
  passwordHash: string;
  /** Defaults to now (the store's clock). */
  createdAt?: InstantInput;
  /** Missing fields take DEFAULT_ACCOUNT_OPTIONS. */
  options?: Partial<AccountOptions>;
  unlockCodeSealed?: Uint8Array | null;
}

/** One account's sealed unlock code, as master-key rotation walks them. */
export interface SealedUnlockCode {
  /** The look-up key (lower-cased address): the paging cursor. */
  emailKey: string;
  /** The address as first written: the owner the code was sealed for. */
  email: string;
  sealed: Uint8Array;
}

/** Exactly one of two concurrent creates for the same address (in any case) gets `Created`. */
export type CreateAccountResult =
  | { readonly kind: 'Created'; readonly account: EncryptionAccount }
  | { readonly kind: 'AlreadyExists'; readonly email: string };

/**
 * Per-address preferences that exist with or without an account. "Ne plus me poser la question au
 * démarrage" (seed p. 5) is chosen precisely by people who have no account, so it cannot be a
 * column of the account: it lives in its own table keyed by the address.
 */
export interface AccountPreferences {
  dontAskAgain: boolean;
  /** When the preference was last set; null when it never was (the defaults apply). */
  updatedAt: Instant | null;
}

/**
 * Mutators return the account as it is after the change, or null when there is no account for
 * the address (nothing is created implicitly).
 */
export interface EncryptionAccountRepository {
  get(email: string): Promise<EncryptionAccount | null>;
  create(account: NewEncryptionAccount): Promise<CreateAccountResult>;
  /** Changes only the fields given. */
  updateOptions(email: string, options: Partial<AccountOptions>): Promise<EncryptionAccount | null>;
  setPasswordHash(email: string, passwordHash: string): Promise<EncryptionAccount | null>;
  setUnlockCodeSealed(email: string, sealed: Uint8Array | null): Promise<EncryptionAccount | null>;
  /**
   * Master-key rotation: the sealed unlock codes, in address-key order after `afterEmailKey`
   * (null: from the start), `limit` (1–10 000) at most; accounts without a code are skipped.
   */
  listSealedUnlockCodes(afterEmailKey: string | null, limit: number): Promise<SealedUnlockCode[]>;
  /** Compare-and-set: writes `after` only if the stored code is still exactly `before`. */
  replaceUnlockCodeSealed(email: string, before: Uint8Array, after: Uint8Array): Promise<boolean>;
  /** Atomic `+1`: concurrent calls never lose a count. */
  incrementTransactions(email: string): Promise<EncryptionAccount | null>;
  /** Atomic `+1` on failedAttempts; the caller decides from the returned count whether to lock. */
  recordFailedAttempt(email: string): Promise<EncryptionAccount | null>;
  /** After a successful log-in or an unlock: zero attempts and no lock. */
  resetFailedAttempts(email: string): Promise<EncryptionAccount | null>;
  /** Locks log-ins until the instant given; null lifts the lock (attempts are kept). */
  lockUntil(email: string, until: InstantInput | null): Promise<EncryptionAccount | null>;
  getPreferences(email: string): Promise<AccountPreferences>;
  /** Works whether or not an account exists for the address. */
  setDontAskAgain(email: string, dontAskAgain: boolean): Promise<AccountPreferences>;
}

/** True when log-ins for this account must be refused at `now`. */
export function isLocked(account: Pick<EncryptionAccount, 'lockedUntil'>, now: Date = new Date()): boolean {
  return account.lockedUntil !== null && Date.parse(account.lockedUntil) > now.getTime();
}

// ---------------------------------------------------------------------------------------------
// The store


export interface Store {
  /** Applies the pending migrations, in order; safe to call on every start, by several instances at once. */
  migrate(): Promise<void>;
  /** The highest migration applied (0 on an empty database). */
  schemaVersion(): Promise<number>;
  /** True when the database answers (for the health check); never throws. */
  ping(): Promise<boolean>;
  /** Releases the connection(s); calling it twice is harmless. */
  close(): Promise<void>;
  readonly audit: AuditRepository;
  readonly accounts: EncryptionAccountRepository;
  /** Encrypted messages of the key service (messages-types.ts). */
  readonly messages: SecureMessageRepository;
  /** The persistent notification outbox. */
  readonly notifications: NotificationJobRepository;
  /** E-mail proof codes and sessions of the recipients' portal. */
  readonly portal: PortalRepository;
  /** First login through the eSanté portal: used assertions, mailbox of each directory entry (sso.ts). */
  readonly sso: SsoRepository;
  /** Filings into the DSP: (patient, document hash) → uniqueId (dsp.ts). */
  readonly dsp: DspFilingRepository;
  /** Operators' views of the outbox: queue depth and age, failed jobs, retry (operations.ts). */
  readonly operations: OperationsRepository;
  /** Connection pool use (PostgreSQL); absent on a store without a pool (SQLite). */
  poolStats?(): { size: number; idle: number; waiting: number; max: number };
}

export type OperationsRepository = import('./operations.ts').SqlOperationsRepository;

/** The mailbox address chosen for a directory entry at its first login. */
export interface MailboxBinding {
  professionalId: string;
  mail: string;
  createdAt: string;
}

export interface SsoRepository {
  /**
   * Records a SAML assertion as used (`key` = issuer + ID) until `expiresAt`. True the first time;
   * false when it was already used, whichever instance used it (one atomic INSERT).
   */
  useAssertion(key: string, expiresAt: InstantInput): Promise<boolean>;
  /** Deletes the records of assertions that expired before `before`; returns how many. */
  forgetExpiredAssertions(before: InstantInput): Promise<number>;
  /** The mailbox of a directory entry, if one was chosen. */
  mailboxOf(professionalId: string): Promise<MailboxBinding | null>;
  /** Which directory entry holds an address (case-insensitive), if any. */
  ownerOf(mail: string): Promise<MailboxBinding | null>;
  /**
   * Gives `mail` to `professionalId` unless the entry already has a mailbox or the address is
   * already someone's. Returns the binding that holds: the entry's own (possibly another address
   * chosen earlier or concurrently), or the address's holder. Never overwrites.
   */
  bindMailbox(professionalId: string, mail: string): Promise<MailboxBinding>;
}

export type StoreConfig =
  | {
      kind: 'sqlite';
      /** A file path (created if missing) or ':memory:'. */
      path: string;
      /** Defaults to `Date.now`; tests pass a fixed clock. */
      clock?: () => number;
    }
  | {
      kind: 'postgres';
      /** `postgres://user:password@host:port/db`; never logged (it may carry a password). */
      url: string;
      /** Connections in the pool; default 10. */
      poolSize?: number;
      clock?: () => number;
      /** Told about errors of idle pooled connections (which the pool then drops); default: ignored. */
      onBackgroundError?: (error: Error) => void;
    };
