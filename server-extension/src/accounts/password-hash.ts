/**
 * Password hashing of encryption accounts: scrypt (RFC 7914) from node:crypto, with a random salt per
 * password and the parameters written into the hash so they can be raised later without breaking the
 * hashes already stored.
 *
 * Parameters (defaults): N = 2^17 (cost), r = 8 (block size), p = 1 (parallelism), 16-byte salt,
 * 32-byte key: 128 MiB of memory and ~0.2–0.5 s per hash on one core — OWASP's Password Storage
 * Cheat Sheet recommendation for scrypt. Tests and small machines may lower the cost with
 * ESANTE_ACCOUNT_SCRYPT_LOG2N (never below 2^14).
 *
 * Format (one ASCII string, like PHC strings): `scrypt$ln=17,r=8,p=1$<salt base64url>$<key base64url>`
 *
 * Comparison is constant-time (timingSafeEqual). At most MAX_CONCURRENT hashes run at once: each
 * takes 128 MiB, and a burst of log-ins must not exhaust the memory of a shared machine. At most
 * MAX_QUEUED more wait for a slot; beyond that a hash is refused at once with `service.unavailable`
 * (HTTP 503): an anonymous flood of portal log-ins must get a quick refusal, not make everyone wait
 * for minutes behind it (security review #5). The portal's rate limits sit in front of this.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { ServiceUnavailableError } from '../errors.ts';

export const SCRYPT_DEFAULT_LOG2N = 17;
export const SCRYPT_MIN_LOG2N = 14;
export const SCRYPT_MAX_LOG2N = 20;
const R = 8;
const P = 1;
const SALT_BYTES = 16;
const KEY_BYTES = 32;
const MAX_CONCURRENT = 2;
/** 16 waiting × ~0.5–1.2 s / 2 slots: nobody waits more than about 10 s for a slot. */
const MAX_QUEUED = 16;
const FORMAT = /^scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9_-]{16,64})\$([A-Za-z0-9_-]{32,128})$/;

const limits = { concurrent: MAX_CONCURRENT, queued: MAX_QUEUED };
let running = 0;
const waiting: Array<() => void> = [];

/** TESTS ONLY: smaller limits, to fill the queue without hundreds of hashes; no argument restores the defaults. */
export function setHashLimitsForTests(next: { concurrent: number; queued: number } = { concurrent: MAX_CONCURRENT, queued: MAX_QUEUED }): void {
  limits.concurrent = next.concurrent;
  limits.queued = next.queued;
}

async function limited<T>(work: () => Promise<T>): Promise<T> {
  if (running >= limits.concurrent) {
    if (waiting.length >= limits.queued) {
      throw new ServiceUnavailableError({ message: `password hashing saturated (${running} running, ${waiting.length} waiting)` });
    }
    // The finishing hash hands its slot over directly (running is not decremented for it), so a
    // newcomer arriving in between cannot overtake the queue.
    await new Promise<void>((resolve) => waiting.push(resolve));
  } else {
    running++;
  }
  try {
    return await work();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

function derive(password: string, salt: Buffer, log2n: number, r: number, p: number): Promise<Buffer> {
  const N = 2 ** log2n;
  // Node refuses N*r*128 above maxmem (32 MiB by default): allow what these parameters need.
  const options: ScryptOptions = { N, r, p, maxmem: 128 * N * r * p + 1024 * 1024 };
  return limited(
    () =>
      new Promise<Buffer>((resolve, reject) => {
        scrypt(password.normalize('NFC'), salt, KEY_BYTES, options, (err, key) => (err ? reject(err) : resolve(key)));
      }),
  );
}

/** Hashes a password with a fresh salt. `log2n` is the scrypt cost exponent (default 17). */
export async function hashPassword(password: string, log2n: number = SCRYPT_DEFAULT_LOG2N): Promise<string> {
  if (typeof password !== 'string') throw new TypeError('password must be a string');
  if (!Number.isInteger(log2n) || log2n < SCRYPT_MIN_LOG2N || log2n > SCRYPT_MAX_LOG2N) {
    throw new RangeError(`scrypt cost exponent must be ${SCRYPT_MIN_LOG2N}…${SCRYPT_MAX_LOG2N}`);
  }
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, log2n, R, P);
  return `scrypt$ln=${log2n},r=${R},p=${P}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/**
 * True when `password` matches `hash`. A malformed hash, or one with parameters outside the bounds
 * (a tampered row must not make us allocate gigabytes), is a plain mismatch.
 */
export async function verifyPasswordHash(password: string, hash: string): Promise<boolean> {
  if (typeof password !== 'string' || typeof hash !== 'string') return false;
  const m = FORMAT.exec(hash);
  if (!m) return false;
  const [log2n, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (log2n < SCRYPT_MIN_LOG2N || log2n > SCRYPT_MAX_LOG2N || r < 1 || r > 16 || p < 1 || p > 4) return false;
  const expected = Buffer.from(m[5]!, 'base64url');
  const actual = await derive(password, Buffer.from(m[4]!, 'base64url'), log2n, r, p);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/**
 * A valid hash of a random password, verified against when an address has no account, so that
 * "no such account" takes as long as "wrong password" (no timing oracle on who has an account).
 */
export function decoyHash(log2n: number): Promise<string> {
  return hashPassword(randomBytes(18).toString('base64url'), log2n);
}
