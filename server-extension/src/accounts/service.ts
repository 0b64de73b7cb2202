/**
 * The encryption-account service: creation, password checks with lockout, options, the unlock code.
 * The SOAP handlers (handlers.ts) and the recipients' portal (messages feature) both call it, so the
 * rules live in one place. Callers pass the account address they have PROVED (the Zimbra session, or
 * the portal's e-mail proof); nothing here trusts an address from a request body.
 *
 * Secrets: passwords are hashed (password-hash.ts) and never kept; the unlock code is sealed under the
 * service master key (keys/wrap.ts, purpose 'unlock-code', owner = the address) and only opened for
 * RevealUnlockCode or to check an unlock. Neither is ever put in a log line, an error or an audit detail.
 *
 * Lockout (README "Lockout"): each wrong secret from a caller Zimbra has proved to be the owner (a wrong
 * unlock code in the zimlet, or `verifyPassword` with `countFailures`) adds one to `failedAttempts`
 * (atomically in the store); when the count reaches `maxAttempts` the account is locked for
 * `lockMinutes`, and the address's portal sessions end. A lock that has expired counts for nothing:
 * the next failure starts again from 1. A right password (counted check), or the unlock code, resets
 * the count and lifts the lock.
 *
 * Anonymous callers (the recipients' portal) check passwords WITHOUT counting: anyone may type any
 * address there, so a count there would let anyone lock anyone out (security review #2). The portal
 * slows guessers with its own back-off per address and per client instead (messages/portal.ts). For
 * them the check costs one hash whatever the outcome (Ok, wrong, locked, no account), so neither the
 * answer nor its time tells who has an account or who is locked (#3).
 */
import { randomBytes, timingSafeEqual, createHash } from 'node:crypto';
import { assessPassword, PASSWORD_MAX_LENGTH } from '../../../shared/password/policy.ts';
import { CodedError } from '../errors.ts';
import type { Clock } from '../feature.ts';
import type { Logger } from '../log.ts';
import { openSecretText, sealSecret, type MasterKeyring } from '../keys/index.ts';
import {
  isLocked,
  READ_DEADLINE_DAYS_MAX,
  ACCESS_DAYS_MAX,
  READ_DEADLINE_DAYS_MIN,
  type AccountOptions,
  type AccountPreferences,
  type EncryptionAccount,
  type IdentityLevel,
  type Store,
} from '../store/index.ts';
import { decoyHash, hashPassword, verifyPasswordHash } from './password-hash.ts';
import type { AccountsSettings } from './settings.ts';

/** Sealing purpose of unlock codes (part of the associated data: a sealed code opens for nothing else). */
export const UNLOCK_CODE_PURPOSE = 'unlock-code';
const FULL_NAME_MAX = 256;
/** Crockford's base32: no I, L, O, U, so a code read aloud or copied by hand is unambiguous. */
const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** 12 symbols = 60 random bits, shown in three groups of four (e.g. 7K3Q-M9XA-P2DW). */
const CODE_LENGTH = 12;

export type VerifyPasswordResult =
  | { readonly kind: 'Ok'; readonly account: EncryptionAccount }
  /** `attemptsLeft` only for counted checks (`countFailures`); anonymous checks never count. */
  | { readonly kind: 'WrongPassword'; readonly attemptsLeft?: number }
  | { readonly kind: 'Locked'; readonly until: string }
  | { readonly kind: 'NoAccount' };

export interface AccountsServiceDeps {
  /** The opened store (a function: features get it only once the service has started). */
  store: () => Store;
  /** The service master keys (keys/loadMasterKeyring). */
  keyring: () => MasterKeyring;
  clock: Clock;
  log: Logger;
  settings: Pick<AccountsSettings, 'maxAttempts' | 'lockMinutes' | 'scryptLog2n'>;
}

export interface NewAccountInput {
  /** The PROVED address of the account holder. */
  email: string;
  fullName: string;
  password: string;
  /** When given (forms), must equal `password`. */
  confirmation?: string;
  identityLevel: IdentityLevel;
}

/** A random unlock code in three groups of four symbols. 32 divides 256, so `byte % 32` is unbiased. */
export function generateUnlockCode(): string {
  const bytes = randomBytes(CODE_LENGTH);
  const symbols = [...bytes].map((b) => CODE_ALPHABET[b % 32]!).join('');
  bytes.fill(0);
  return `${symbols.slice(0, 4)}-${symbols.slice(4, 8)}-${symbols.slice(8)}`;
}

/** What a person may type for a code: any case, spaces or dashes, O for 0 and I/L for 1 (Crockford). */
export function normaliseUnlockCode(input: string): string {
  return input
    .toUpperCase()
    .replace(/[\s-]+/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
}

/** The address as the store keys it (owner of sealed secrets): trimmed, NFC, lower case. */
export function ownerOf(email: string): string {
  return email.trim().normalize('NFC').toLowerCase();
}

/** "Utilisateur Regify" (guide p.5 shows agent.sqli@esante.lu as agent.sqli.esante.lu). */
export function regifyUserOf(email: string): string {
  return email.trim().toLowerCase().replace('@', '.');
}

/** Refuses a password the shared policy refuses, or a confirmation that differs: the wizard's own verdicts. */
export function checkNewPassword(password: string, confirmation: string | undefined, userInputs: readonly string[]): void {
  if ([...password].length > PASSWORD_MAX_LENGTH) throw new CodedError('password.too_long');
  const verdict = assessPassword(password, userInputs);
  if (verdict.problem) throw new CodedError(verdict.problem);
  if (confirmation !== undefined && confirmation !== password) throw new CodedError('password.mismatch');
}

export function checkFullName(fullName: string): string {
  const v = typeof fullName === 'string' ? fullName.trim().normalize('NFC') : '';
  // Control characters would break the cover mails and the Informations tab.
  if (v.length === 0 || [...v].length > FULL_NAME_MAX || /[\u0000-\u001f\u007f]/.test(v)) throw new CodedError('account.full_name_required');
  return v;
}

/**
 * The Options tab as saved. `accessDays` absent (an older client) keeps the stored value, which must
 * then still be compatible with the new read deadline (`current`).
 */
export function checkOptions(options: OptionsInput, current?: AccountOptions): Partial<AccountOptions> & Omit<AccountOptions, 'accessDays'> {
  const days = options.readDeadlineDays;
  if (!Number.isInteger(days) || days < READ_DEADLINE_DAYS_MIN || days > READ_DEADLINE_DAYS_MAX) {
    throw new CodedError('account.read_deadline_invalid');
  }
  const access = options.accessDays ?? current?.accessDays ?? 0;
  // An access end before the read deadline would make every message "not read in time".
  if (!Number.isInteger(access) || (access !== 0 && (access < days || access > ACCESS_DAYS_MAX))) {
    throw new CodedError('account.access_days_invalid', { args: [String(days)] });
  }
  return {
    readDeadlineDays: days,
    notifyTransmission: options.notifyTransmission === true,
    notifyRead: options.notifyRead === true,
    notifyDeadline: options.notifyDeadline === true,
    ...(options.accessDays !== undefined ? { accessDays: access } : {}),
  };
}

/** What SetEncryptionOptions carries: every option, `accessDays` optional (absent = unchanged). */
export type OptionsInput = Omit<AccountOptions, 'accessDays'> & { accessDays?: number | undefined };

export class AccountsService {
  readonly #deps: AccountsServiceDeps;
  #decoy: Promise<string> | undefined;

  constructor(deps: AccountsServiceDeps) {
    this.#deps = deps;
  }

  get(email: string): Promise<EncryptionAccount | null> {
    return this.#deps.store().accounts.get(email);
  }

  getPreferences(email: string): Promise<AccountPreferences> {
    return this.#deps.store().accounts.getPreferences(email);
  }

  isLocked(account: EncryptionAccount): boolean {
    return isLocked(account, this.#deps.clock.now());
  }

  /**
   * Creates the account with a fresh unlock code. Throws `password.*`, `account.full_name_required`,
   * or `account.already_exists` (also for the loser of two simultaneous creations: the store's insert
   * is atomic on the address).
   */
  async createAccount(input: NewAccountInput): Promise<EncryptionAccount> {
    const fullName = checkFullName(input.fullName);
    checkNewPassword(input.password, input.confirmation, [input.email, fullName]);
    const store = this.#deps.store();
    // Cheap pre-check: most duplicates stop here without paying for a hash.
    if (await store.accounts.get(input.email)) throw new CodedError('account.already_exists');
    const passwordHash = await hashPassword(input.password, this.#deps.settings.scryptLog2n);
    const sealed = sealSecret(this.#deps.keyring(), UNLOCK_CODE_PURPOSE, ownerOf(input.email), generateUnlockCode());
    const result = await store.accounts.create({
      email: input.email,
      fullName,
      identityLevel: input.identityLevel,
      passwordHash,
      createdAt: this.#deps.clock.now(),
      unlockCodeSealed: Buffer.from(sealed, 'ascii'),
    });
    if (result.kind === 'AlreadyExists') throw new CodedError('account.already_exists');
    await this.#audit(input.email, 'account.create', input.email, 'allowed', { identityLevel: input.identityLevel });
    return result.account;
  }

  /**
   * Checks a password. Never throws for a wrong password: the caller maps the result (`errorOf`) or,
   * e.g. the portal, words it its own way.
   *
   * - `countFailures: true` (a caller proved to be the owner): the lockout rules of the module comment
   *   apply; while locked nothing is checked.
   * - `countFailures: false` (anonymous, the portal): the account's lockout state is neither changed
   *   nor reset, and every outcome costs exactly one hash (a decoy one for NoAccount and Locked).
   */
  async verifyPassword(email: string, password: string, options: { countFailures: boolean }): Promise<VerifyPasswordResult> {
    const store = this.#deps.store();
    const account = await store.accounts.get(email);
    if (!account) {
      // Same work as a real check: the answer time must not tell who has an account.
      await this.#decoyCheck(password);
      return { kind: 'NoAccount' };
    }
    if (this.isLocked(account)) {
      if (!options.countFailures) await this.#decoyCheck(password);
      return { kind: 'Locked', until: account.lockedUntil! };
    }
    if (await verifyPasswordHash(password, account.passwordHash)) {
      if (!options.countFailures) return { kind: 'Ok', account };
      const fresh = account.failedAttempts > 0 || account.lockedUntil !== null ? await store.accounts.resetFailedAttempts(email) : account;
      return { kind: 'Ok', account: fresh ?? account };
    }
    if (!options.countFailures) return { kind: 'WrongPassword' };
    return this.#failedAttempt(account, 'account.password.wrong');
  }

  async #decoyCheck(password: string): Promise<void> {
    this.#decoy ??= decoyHash(this.#deps.settings.scryptLog2n).catch((err: unknown) => {
      this.#decoy = undefined; // e.g. the hash queue was full: try again next time
      throw err;
    });
    await verifyPasswordHash(password, await this.#decoy);
  }

  async changePassword(email: string, password: string, confirmation: string): Promise<EncryptionAccount> {
    const account = await this.#require(email);
    checkNewPassword(password, confirmation, [email, account.fullName]);
    const store = this.#deps.store();
    const updated = await store.accounts.setPasswordHash(email, await hashPassword(password, this.#deps.settings.scryptLog2n));
    if (!updated) throw new CodedError('account.not_found');
    // Whoever logged in to the portal with the old password is logged out (security review #8).
    const ended = await store.portal.deleteSessionsOf(email);
    await this.#audit(email, 'account.password.change', email, 'allowed', { portalSessionsEnded: ended });
    return updated;
  }

  async setOptions(email: string, options: OptionsInput): Promise<EncryptionAccount> {
    const current = options.accessDays === undefined ? await this.#deps.store().accounts.get(email) : null;
    const checked = checkOptions(options, current?.options);
    const updated = await this.#deps.store().accounts.updateOptions(email, checked);
    if (!updated) throw new CodedError('account.not_found');
    await this.#audit(email, 'account.options.change', email, 'allowed', { ...checked });
    return updated;
  }

  setDontAskAgain(email: string, dontAskAgain: boolean): Promise<AccountPreferences> {
    return this.#deps.store().accounts.setDontAskAgain(email, dontAskAgain);
  }

  /** The account's unlock code in clear, for its owner only; every reveal is audited. */
  async revealUnlockCode(email: string): Promise<string> {
    const account = await this.#require(email);
    const code = this.#openCode(account);
    await this.#audit(email, 'account.unlock_code.reveal', email, 'allowed');
    return code;
  }

  /** Lifts a lockout with the unlock code. A wrong code counts as a wrong password (it is a secret too). */
  async unlock(email: string, unlockCode: string): Promise<EncryptionAccount> {
    const account = await this.#require(email);
    const expected = Buffer.from(normaliseUnlockCode(this.#openCode(account)), 'utf8');
    const given = Buffer.from(normaliseUnlockCode(unlockCode), 'utf8');
    // Hash both sides so the comparison is constant-time whatever the lengths.
    const same = timingSafeEqual(createHash('sha256').update(expected).digest(), createHash('sha256').update(given).digest());
    expected.fill(0);
    given.fill(0);
    if (!same) {
      await this.#failedAttempt(account, 'account.unlock.wrong_code');
      throw new CodedError('account.unlock_code_invalid');
    }
    const updated = await this.#deps.store().accounts.resetFailedAttempts(email);
    if (!updated) throw new CodedError('account.not_found');
    await this.#audit(email, 'account.unlock', email, 'allowed');
    return updated;
  }

  /** The error a non-Ok verification means for an interactive caller. */
  errorOf(result: Exclude<VerifyPasswordResult, { kind: 'Ok' }>): CodedError {
    switch (result.kind) {
      case 'NoAccount':
        return new CodedError('account.not_found');
      case 'Locked':
        return new CodedError('account.locked', { args: [result.until] });
      case 'WrongPassword':
        return new CodedError('account.wrong_password', { args: [result.attemptsLeft ?? this.#deps.settings.maxAttempts] });
    }
  }

  async #failedAttempt(account: EncryptionAccount, action: string): Promise<Exclude<VerifyPasswordResult, { kind: 'Ok' | 'NoAccount' }>> {
    const store = this.#deps.store();
    const email = account.email;
    // A lock that has run out counts for nothing: start again from zero, so one wrong secret after
    // the expiry does not lock again at once (security review #2). Two concurrent failures at that
    // moment may both reset, which costs one count at most.
    if (account.lockedUntil !== null && !this.isLocked(account)) await store.accounts.resetFailedAttempts(email);
    const after = await store.accounts.recordFailedAttempt(email);
    if (!after) throw new CodedError('account.not_found');
    const { maxAttempts, lockMinutes } = this.#deps.settings;
    if (after.failedAttempts >= maxAttempts) {
      const until = new Date(this.#deps.clock.now().getTime() + lockMinutes * 60_000);
      const locked = await store.accounts.lockUntil(email, until);
      // A locked account has no portal session left (security review #8).
      const ended = await store.portal.deleteSessionsOf(email);
      await this.#audit(email, action, email, 'denied', { failedAttempts: after.failedAttempts, locked: true, portalSessionsEnded: ended });
      this.#deps.log.warn({ account: ownerOf(email), failedAttempts: after.failedAttempts }, 'encryption account locked');
      return { kind: 'Locked', until: locked?.lockedUntil ?? until.toISOString() };
    }
    await this.#audit(email, action, email, 'denied', { failedAttempts: after.failedAttempts });
    return { kind: 'WrongPassword', attemptsLeft: maxAttempts - after.failedAttempts };
  }

  #openCode(account: EncryptionAccount): string {
    if (!account.unlockCodeSealed) throw new CodedError('account.not_found', { message: 'account has no unlock code' });
    return openSecretText(this.#deps.keyring(), UNLOCK_CODE_PURPOSE, ownerOf(account.email), Buffer.from(account.unlockCodeSealed).toString('ascii'));
  }

  async #require(email: string): Promise<EncryptionAccount> {
    const account = await this.#deps.store().accounts.get(email);
    if (!account) throw new CodedError('account.not_found');
    return account;
  }

  async #audit(actor: string, action: string, subject: string, outcome: 'allowed' | 'denied', detail?: Record<string, string | number | boolean>): Promise<void> {
    // Addresses in their key form, so one account's trail is found whatever case a caller used.
    await this.#deps.store().audit.append({
      at: this.#deps.clock.now(),
      actor: ownerOf(actor),
      action,
      subject: ownerOf(subject),
      outcome,
      ...(detail ? { detail } : {}),
    });
  }
}
