/**
 * Password hashing, auth tokens and CSRF tokens of the sandbox.
 * Secrets are never stored in clear: passwords as scrypt hashes, auth tokens as SHA-256 digests;
 * CSRF tokens are derived from the auth token with an HMAC (like zm-mailbox
 * `store/src/java/com/zimbra/cs/service/util/CsrfUtil.java`, which binds the CSRF token to the auth token),
 * so the webmail shell can re-inject `window.csrfToken` on every page load without storing it.
 */
import { createHash, createHmac, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';

const SCRYPT_N = 16384;
const SCRYPT_r = 8;
const SCRYPT_p = 1;
const KEY_LEN = 32;

/** `scrypt$N$r$p$salt$hash` (base64url parts). */
export function hashPassword(password: string): string {
  const salt = randomBytes(16);
  const hash = scryptSync(password.normalize('NFC'), salt, KEY_LEN, { N: SCRYPT_N, r: SCRYPT_r, p: SCRYPT_p });
  return ['scrypt', SCRYPT_N, SCRYPT_r, SCRYPT_p, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

export function verifyPassword(password: string, stored: string): boolean {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, salt, hash] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(hash, 'base64url');
  const actual = scryptSync(password.normalize('NFC'), Buffer.from(salt, 'base64url'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return timingSafeEqual(expected, actual);
}

/** A new opaque auth token. Zimbra's look like `0_<hex>`; ours keep the prefix so logs/tests can tell them apart. */
export function newToken(): string {
  return `0_${randomBytes(32).toString('hex')}`;
}

export function sha256(value: string | Buffer): string {
  return createHash('sha256').update(value).digest('hex');
}

export function hmacHex(key: Buffer | string, algorithm: 'sha1' | 'sha256', data: string): string {
  return createHmac(algorithm, key).update(data).digest('hex');
}

/** Constant-time comparison of two strings (false when lengths differ). */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/** The CSRF token bound to an auth token (see file comment). */
export function csrfTokenFor(secret: Buffer, authToken: string): string {
  return `0_${hmacHex(secret, 'sha256', `csrf:${authToken}`).slice(0, 40)}`;
}
