/**
 * Where the embedded soft token keeps its PINs. Each user's PKCS#12 is protected by its own random
 * PIN; the PINs are stored encrypted (AES-256-GCM, the mail address as associated data so entries
 * cannot be swapped) under a 256-bit master key kept in a separate file (mode 0600). Whoever copies
 * the data directory without the master key file gets PKCS#12 files they cannot open. PINs are never
 * logged, returned by an API or written in clear.
 *
 * Why a stored random PIN and not one the user types: in embedded mode the soft token stands in for
 * the LuxTrust card that, in production, unlocks the key on the signer's side (CSC credentials/
 * authorize). There is no PIN dialog in Zimbra's compose flow to mirror, so the service unlocks
 * the test key itself, only for a session that the auth-method port says was opened by card.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

interface SealedPin {
  iv: string;
  tag: string;
  ct: string;
}

/** Reads the master key, creating it (32 random bytes, mode 0600) when absent. */
export function loadOrCreateMasterKey(file: string): Buffer {
  if (existsSync(file)) {
    const key = readFileSync(file);
    if (key.length !== 32) throw new Error(`signing master key ${file} must hold 32 bytes`);
    return key;
  }
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  // 'wx': if another process created it meanwhile, fail and read theirs instead of overwriting.
  try {
    writeFileSync(file, key, { mode: 0o600, flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateMasterKey(file);
    throw e;
  }
  chmodSync(file, 0o600);
  return key;
}

/** A random PIN: 16 characters of an unambiguous alphabet, ~80 bits. */
export function newPin(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  return [...randomBytes(16)].map((b) => alphabet[b % alphabet.length]).join('');
}

export class PinVault {
  readonly #key: Buffer;
  readonly #file: string;
  #entries: Record<string, SealedPin>;

  constructor(file: string, masterKey: Buffer) {
    this.#file = file;
    this.#key = masterKey;
    this.#entries = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, SealedPin>) : {};
  }

  has(mail: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.#entries, mail.toLowerCase());
  }

  /** The PIN of a user's PKCS#12: a secret, for the soft token / CSC stand-in only. */
  pin(mail: string): string | undefined {
    const id = mail.toLowerCase();
    const e = this.#entries[id];
    if (!e) return undefined;
    const d = createDecipheriv('aes-256-gcm', this.#key, Buffer.from(e.iv, 'base64'));
    d.setAAD(Buffer.from(id, 'utf8'));
    d.setAuthTag(Buffer.from(e.tag, 'base64'));
    return Buffer.concat([d.update(Buffer.from(e.ct, 'base64')), d.final()]).toString('utf8');
  }

  set(mail: string, pin: string): void {
    const id = mail.toLowerCase();
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.#key, iv);
    c.setAAD(Buffer.from(id, 'utf8'));
    const ct = Buffer.concat([c.update(pin, 'utf8'), c.final()]);
    this.#entries[id] = { iv: iv.toString('base64'), tag: c.getAuthTag().toString('base64'), ct: ct.toString('base64') };
    const tmp = `${this.#file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.#entries, null, 1), { mode: 0o600 });
    renameSync(tmp, this.#file);
  }

  /** Never print PINs, even by accident (console.log(vault), JSON.stringify(vault)). */
  toJSON(): string {
    return '[PinVault]';
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return '[PinVault]';
  }
}
