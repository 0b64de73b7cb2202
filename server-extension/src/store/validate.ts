/**
 * Normalisation and checks of everything that enters the store. The SOAP layer validates user
 * input first and answers in the user's language; these checks are the last line, so a bug
 * upstream cannot write an unusable or dangerous row.
 */
import { tryNormaliseAddress } from '../../../shared/address/address.ts';
import { StoreInputError } from './errors.ts';
import {
  AUDIT_LIST_MAX_LIMIT,
  AUDIT_OUTCOMES,
  IDENTITY_LEVELS,
  READ_DEADLINE_DAYS_MAX,
  ACCESS_DAYS_MAX,
  READ_DEADLINE_DAYS_MIN,
  type AccountOptions,
  type AuditDetail,
  type AuditOutcome,
  type IdentityLevel,
  type InstantInput,
} from './types.ts';

// Control characters (C0, DEL, C1) have no place in names or identifiers and break log viewers.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** RFC 5321 caps a path at 256 octets, so a usable address has at most 254 characters. */
const EMAIL_MAX = 254;
// Deliberately simple: one @, no spaces, a dot in the domain. Full RFC 5322 is the SOAP layer's job.
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface NormalisedEmail {
  /** As written (trimmed, NFC): what is shown. */
  display: string;
  /** The comparison key: shared/address normal form. Computed in JS, not SQL, so both databases agree on non-ASCII. */
  key: string;
}

export function normaliseEmail(email: unknown, field = 'email'): NormalisedEmail {
  if (typeof email !== 'string') throw new StoreInputError(field, 'must be a string');
  const display = email.trim().normalize('NFC');
  if (display.length === 0 || display.length > EMAIL_MAX) throw new StoreInputError(field, 'length out of range');
  if (CONTROL.test(display) || !EMAIL_SHAPE.test(display)) throw new StoreInputError(field, 'not an e-mail address');
  // The key is the service's one normal form (issue 15 a): IDNA domain, NFC, lower case, and look-alikes
  // whose case folding is ASCII refused, so no two spellings of one address make two rows.
  const key = tryNormaliseAddress(display);
  if (key === null) throw new StoreInputError(field, 'not an e-mail address');
  return { display, key };
}

export function text(value: unknown, field: string, max: number): string {
  if (typeof value !== 'string') throw new StoreInputError(field, 'must be a string');
  const v = value.trim().normalize('NFC');
  if (v.length === 0 || v.length > max) throw new StoreInputError(field, 'length out of range');
  if (CONTROL.test(v)) throw new StoreInputError(field, 'control characters are not allowed');
  return v;
}

export function identityLevel(value: unknown): IdentityLevel {
  if (!IDENTITY_LEVELS.includes(value as IdentityLevel)) throw new StoreInputError('identityLevel', 'must be 0, 1, 3, 5 or 7');
  return value as IdentityLevel;
}

/** An opaque hash made elsewhere. Only its form is checked: printable, single line, bounded. */
export function passwordHash(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 1024 || !/^[\x21-\x7e]+$/.test(value)) {
    throw new StoreInputError('passwordHash', 'must be a printable ASCII string of 1 to 1024 characters');
  }
  return value;
}

export function sealedBytes(value: unknown, field: string): Uint8Array | null {
  if (value === null || value === undefined) return null;
  if (!(value instanceof Uint8Array) || value.byteLength === 0 || value.byteLength > 4096) {
    throw new StoreInputError(field, 'must be 1 to 4096 bytes');
  }
  return new Uint8Array(value); // our own copy: the caller may reuse its buffer
}

/** Epoch milliseconds of an instant input. */
export function instantMs(value: unknown, field: string): number {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms)) throw new StoreInputError(field, 'not a valid date and time');
  return ms;
}

export function optionsPatch(value: unknown): Partial<AccountOptions> {
  if (typeof value !== 'object' || value === null) throw new StoreInputError('options', 'must be an object');
  const o = value as Record<string, unknown>;
  const out: Partial<AccountOptions> = {};
  for (const key of Object.keys(o)) {
    if (!['readDeadlineDays', 'notifyTransmission', 'notifyRead', 'notifyDeadline', 'accessDays'].includes(key)) {
      throw new StoreInputError(`options.${key}`, 'unknown option');
    }
  }
  if (o['readDeadlineDays'] !== undefined) {
    const d = o['readDeadlineDays'];
    if (typeof d !== 'number' || !Number.isInteger(d) || d < READ_DEADLINE_DAYS_MIN || d > READ_DEADLINE_DAYS_MAX) {
      throw new StoreInputError('options.readDeadlineDays', `must be a whole number from ${READ_DEADLINE_DAYS_MIN} to ${READ_DEADLINE_DAYS_MAX}`);
    }
    out.readDeadlineDays = d;
  }
  if (o['accessDays'] !== undefined) {
    const d = o['accessDays'];
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0 || d > ACCESS_DAYS_MAX) {
      throw new StoreInputError('options.accessDays', `must be a whole number from 0 to ${ACCESS_DAYS_MAX}`);
    }
    out.accessDays = d;
  }
  for (const key of ['notifyTransmission', 'notifyRead', 'notifyDeadline'] as const) {
    const b = o[key];
    if (b === undefined) continue;
    if (typeof b !== 'boolean') throw new StoreInputError(`options.${key}`, 'must be true or false');
    out[key] = b;
  }
  return out;
}

export function boolean(value: unknown, field: string): boolean {
  if (typeof value !== 'boolean') throw new StoreInputError(field, 'must be true or false');
  return value;
}

// ---------------------------------------------------------------------------------------------
// Audit

const ACTION_SHAPE = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/;
const DETAIL_KEY_SHAPE = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
const DETAIL_MAX_KEYS = 32;
const DETAIL_MAX_STRING = 1024;
export const REDACTED = '[redacted]';

/** Words that, in a detail key, mean its value is a secret. Matched on whole words of the key. */
const SECRET_WORDS = new Set(['password', 'passwd', 'pwd', 'passphrase', 'secret', 'token', 'pin', 'otp',
  'passcode', 'cookie', 'authorization', 'credential', 'credentials', 'preauth', 'salt', 'hash']);
/** Two-word secrets whose words alone are harmless (`keyId`, `errorCode` stay readable). */
const SECRET_PAIRS = new Set(['unlock code', 'private key', 'data key', 'api key', 'session key', 'secret key', 'auth key']);

/** Splits `unlockCode`, `unlock_code`, `Unlock-Code`, `data.key` into lower-case words. */
function words(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[\s_.-]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

export function isSecretKey(key: string): boolean {
  const w = words(key);
  if (w.some((x) => SECRET_WORDS.has(x))) return true;
  for (let i = 0; i + 1 < w.length; i++) if (SECRET_PAIRS.has(`${w[i]} ${w[i + 1]}`)) return true;
  // A key written as one word (`unlockcode`, `privatekey`).
  const joined = w.join('');
  for (const pair of SECRET_PAIRS) if (joined.includes(pair.replace(' ', ''))) return true;
  return false;
}

export function auditOutcome(value: unknown): AuditOutcome {
  if (!AUDIT_OUTCOMES.includes(value as AuditOutcome)) throw new StoreInputError('outcome', 'must be allowed, denied or error');
  return value as AuditOutcome;
}

export function auditAction(value: unknown): string {
  const v = text(value, 'action', 100);
  if (!ACTION_SHAPE.test(v)) throw new StoreInputError('action', 'must be dotted lower-case words (key.release)');
  return v;
}

/** Checks the shape and redacts secrets; returns the detail as it will be stored. */
export function auditDetail(value: unknown): AuditDetail | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value) || value instanceof Date) {
    throw new StoreInputError('detail', 'must be a flat object');
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > DETAIL_MAX_KEYS) throw new StoreInputError('detail', `at most ${DETAIL_MAX_KEYS} keys`);
  const out: Record<string, string | number | boolean | null> = {};
  for (const [k, v] of entries) {
    if (!DETAIL_KEY_SHAPE.test(k)) throw new StoreInputError('detail', 'keys must be short identifiers');
    if (isSecretKey(k)) {
      out[k] = REDACTED;
      continue;
    }
    if (v === null || typeof v === 'boolean') out[k] = v;
    else if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new StoreInputError(`detail.${k}`, 'must be a finite number');
      out[k] = v;
    } else if (typeof v === 'string') {
      if (v.length > DETAIL_MAX_STRING) throw new StoreInputError(`detail.${k}`, `at most ${DETAIL_MAX_STRING} characters`);
      out[k] = v;
    } else throw new StoreInputError(`detail.${k}`, 'must be a string, number, boolean or null');
  }
  return out;
}

export function auditLimit(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > AUDIT_LIST_MAX_LIMIT) {
    throw new StoreInputError('limit', `must be a whole number from 1 to ${AUDIT_LIST_MAX_LIMIT}`);
  }
  return value;
}

export function positiveId(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) throw new StoreInputError(field, 'must be a positive whole number');
  return value;
}
