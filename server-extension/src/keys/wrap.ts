/**
 * Wrapping at rest: each message's data key, and small secrets such as an account's unlock code,
 * are stored only as AES-256-GCM ciphertext under a master key. Pure crypto, no storage: the store
 * keeps the returned strings as they are.
 *
 * A wrapped value is one ASCII string:  ek1.<master key id>.<base64url(iv ‖ ciphertext ‖ tag)>
 * - the master key id lets the keyring pick the right key, so values written before and after a
 *   rotation coexist and a half-finished rotation loses nothing (rotation.ts);
 * - the associated data binds the value to where it belongs: the message id for a data key, the
 *   purpose and owner for a secret, plus the key id. A value copied onto another message or account
 *   row does not open: a database writer cannot hand one message's key to another message's readers.
 *
 * IVs are random (96 bits): safe for far more values than one master key will ever wrap (NIST SP
 * 800-38D §8.3 bounds it at 2^32 per key); rotate the master key long before that.
 */
import { randomBytes } from 'node:crypto';
import { KeyCryptoError } from './errors.ts';
import type { MasterKey, MasterKeyring } from './master-key.ts';

/** Size of a message's data key: AES-256. */
export const DATA_KEY_BYTES = 32;
const PREFIX = 'ek1';
const WRAPPED = /^ek1\.(mk-[0-9a-f]{16})\.([A-Za-z0-9_-]+)$/;

/** Where a wrapped value belongs; part of its associated data. */
export type WrapContext =
  | { kind: 'data-key'; messageId: string }
  /** `purpose` names the kind of secret (e.g. 'unlock-code'), `owner` whose it is (e.g. the account address). */
  | { kind: 'secret'; purpose: string; owner: string };

/** A fresh random 256-bit data key for one message. The caller wipes it (`fill(0)`) after use. */
export function generateDataKey(): Buffer {
  return randomBytes(DATA_KEY_BYTES);
}

/** JSON of an array: an unambiguous encoding whatever characters the ids contain. */
function associatedData(keyId: string, context: WrapContext): Buffer {
  const parts =
    context.kind === 'data-key' ? [context.kind, context.messageId] : [context.kind, context.purpose, context.owner];
  return Buffer.from(JSON.stringify(['esante-key-wrap', 1, keyId, ...parts]), 'utf8');
}

function checkContext(context: WrapContext): void {
  const values = context.kind === 'data-key' ? [context.messageId] : [context.purpose, context.owner];
  if (values.some((v) => typeof v !== 'string' || v.length === 0)) {
    throw new TypeError(`wrap context ${context.kind} needs non-empty identifiers`);
  }
}

/** The master key id a wrapped value was made with (e.g. to find values still under an old key). */
export function wrappedKeyId(wrapped: string): string {
  const m = WRAPPED.exec(wrapped);
  if (!m) throw new KeyCryptoError('malformed_wrapped', 'not a wrapped value');
  return m[1]!;
}

/** Wraps under a given master key (normally the keyring's current key). */
export function wrapWith(key: MasterKey, context: WrapContext, plaintext: Uint8Array): string {
  checkContext(context);
  return `${PREFIX}.${key.id}.${key.seal(plaintext, associatedData(key.id, context)).toString('base64url')}`;
}

export function wrap(keyring: MasterKeyring, context: WrapContext, plaintext: Uint8Array): string {
  return wrapWith(keyring.current, context, plaintext);
}

/** Unwraps with whichever key of the keyring the value names. The caller wipes the result after use. */
export function unwrap(keyring: MasterKeyring, context: WrapContext, wrapped: string): Buffer {
  checkContext(context);
  const m = WRAPPED.exec(wrapped);
  if (!m) throw new KeyCryptoError('malformed_wrapped', 'not a wrapped value');
  const keyId = m[1]!;
  const key = keyring.get(keyId);
  if (!key) throw new KeyCryptoError('unknown_master_key', `master key ${keyId} is not in the keyring`);
  return key.open(Buffer.from(m[2]!, 'base64url'), associatedData(keyId, context));
}

// ---------------------------------------------------------------------------------------------
// The two uses, named.

export function wrapDataKey(keyring: MasterKeyring, messageId: string, dataKey: Uint8Array): string {
  if (dataKey.length !== DATA_KEY_BYTES) throw new TypeError(`a data key is ${DATA_KEY_BYTES} bytes`);
  return wrap(keyring, { kind: 'data-key', messageId }, dataKey);
}

/**
 * Registration of a message: a fresh data key, and its wrapped form for the store. The caller sends
 * `dataKey` to the sender once (base64 in the SOAP response), stores `wrapped`, then wipes `dataKey`.
 */
export function newMessageKey(keyring: MasterKeyring, messageId: string): { dataKey: Buffer; wrapped: string } {
  const dataKey = generateDataKey();
  return { dataKey, wrapped: wrapDataKey(keyring, messageId, dataKey) };
}

export function unwrapDataKey(keyring: MasterKeyring, messageId: string, wrapped: string): Buffer {
  const key = unwrap(keyring, { kind: 'data-key', messageId }, wrapped);
  if (key.length !== DATA_KEY_BYTES) {
    key.fill(0);
    throw new KeyCryptoError('unwrap_failed', 'wrapped value is not a data key');
  }
  return key;
}

/** Encrypts a small secret (text as UTF-8, or bytes), e.g. sealSecret(ring, 'unlock-code', account, code). */
export function sealSecret(keyring: MasterKeyring, purpose: string, owner: string, secret: string | Uint8Array): string {
  const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret;
  try {
    return wrap(keyring, { kind: 'secret', purpose, owner }, bytes);
  } finally {
    if (typeof secret === 'string') (bytes as Buffer).fill(0);
  }
}

export function openSecret(keyring: MasterKeyring, purpose: string, owner: string, sealed: string): Buffer {
  return unwrap(keyring, { kind: 'secret', purpose, owner }, sealed);
}

/** `openSecret` for text secrets. (JS strings cannot be wiped: prefer bytes where it matters.) */
export function openSecretText(keyring: MasterKeyring, purpose: string, owner: string, sealed: string): string {
  const bytes = openSecret(keyring, purpose, owner, sealed);
  try {
    return bytes.toString('utf8');
  } finally {
    bytes.fill(0);
  }
}
