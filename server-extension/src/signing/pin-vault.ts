/**
 * Where the embedded soft token keeps its secrets: each user's PKCS#12 PIN and the test CAs' private
 * keys. They are sealed with the service's ONE master keyring (server-extension/src/keys/,
 * `sealSecret`: AES-256-GCM, a string `ek1.<key id>.<…>`, the purpose and the owner — the mail
 * address or the CA's name — as associated data, so entries cannot be swapped). One master key to
 * protect and rotate for the whole service: after `rotate-master-key add-key` and a restart,
 * `reseal()` (run at every start) moves every entry under the new current key, before `retire`.
 * Whoever copies the data directory without the master key gets PKCS#12 files they cannot open.
 * PINs are never logged, returned by an API or written in clear.
 *
 * Why a stored random PIN and not one the user types: in embedded mode the soft token stands in for
 * the LuxTrust card that, in production, unlocks the key on the signer's side (CSC credentials/
 * authorize). There is no PIN dialog in Zimbra's compose flow to mirror, so the service unlocks
 * the test key itself, only for a session that the auth-method port says was opened by card.
 *
 * Before the keyring, PINs were sealed under a separate `signing/master.key` (file format 1: a flat
 * `{mail: {iv, tag, ct}}`). Given that key (`legacyKey`), such entries still open and `reseal()`
 * converts them. `loadOrCreateMasterKey` stays for stand-alone use (tests, bench) without a keyring.
 */
import { createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { MasterKey, MasterKeyring, openSecret, openSecretText, sealSecret, wrappedKeyId } from '../keys/index.ts';

/** An entry of the old format 1 (AES-256-GCM under signing/master.key, the mail as associated data). */
interface LegacySealed {
  iv: string;
  tag: string;
  ct: string;
}

interface VaultFile {
  format: 2;
  /** mail (lowercase) → sealSecret(…, 'signing-pin', mail, pin) */
  pins: Record<string, string>;
  /** name → sealSecret(…, 'signing-secret', name, bytes), e.g. the test CAs' PKCS#8 keys */
  secrets: Record<string, string>;
}

const PIN_PURPOSE = 'signing-pin';
const SECRET_PURPOSE = 'signing-secret';

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

/** A keyring of one key, for stand-alone use of a raw 32-byte key (tests, bench, legacy data dirs). */
export function keyringFromBytes(key: Buffer): MasterKeyring {
  return new MasterKeyring(MasterKey.fromBytes(key));
}

/** A random PIN: 16 characters of an unambiguous alphabet, ~80 bits. */
export function newPin(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  return [...randomBytes(16)].map((b) => alphabet[b % alphabet.length]).join('');
}

function openLegacy(key: Buffer, id: string, e: LegacySealed): Buffer {
  const d = createDecipheriv('aes-256-gcm', key, Buffer.from(e.iv, 'base64'));
  d.setAAD(Buffer.from(id, 'utf8'));
  d.setAuthTag(Buffer.from(e.tag, 'base64'));
  return Buffer.concat([d.update(Buffer.from(e.ct, 'base64')), d.final()]);
}

export class PinVault {
  readonly #keyring: MasterKeyring;
  readonly #legacyKey: Buffer | undefined;
  readonly #file: string;
  #pins: Record<string, string | LegacySealed>;
  #secrets: Record<string, string>;

  /**
   * `keys`: the service's master keyring (or, stand-alone, a raw 32-byte key). `legacyKey`: the old
   * signing/master.key, to open format-1 entries until `reseal()` converted them.
   */
  constructor(file: string, keys: MasterKeyring | Buffer, opts: { legacyKey?: Buffer } = {}) {
    this.#file = file;
    this.#keyring = Buffer.isBuffer(keys) ? keyringFromBytes(keys) : keys;
    this.#legacyKey = opts.legacyKey ?? (Buffer.isBuffer(keys) ? keys : undefined);
    const json = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<VaultFile> & Record<string, unknown>) : undefined;
    if (json?.format === 2) {
      this.#pins = { ...json.pins };
      this.#secrets = { ...json.secrets };
    } else {
      this.#pins = (json ?? {}) as Record<string, LegacySealed>;
      this.#secrets = {};
    }
  }

  has(mail: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.#pins, mail.toLowerCase());
  }

  /** The PIN of a user's PKCS#12: a secret, for the soft token / CSC stand-in only. */
  pin(mail: string): string | undefined {
    const id = mail.toLowerCase();
    const e = this.#pins[id];
    if (e === undefined) return undefined;
    if (typeof e === 'string') return openSecretText(this.#keyring, PIN_PURPOSE, id, e);
    if (!this.#legacyKey) throw new Error('a PIN is sealed under the old signing master key, which is not available');
    return openLegacy(this.#legacyKey, id, e).toString('utf8');
  }

  set(mail: string, pin: string): void {
    const id = mail.toLowerCase();
    this.#pins[id] = sealSecret(this.#keyring, PIN_PURPOSE, id, pin);
    this.#save();
  }

  /** A named secret (bytes), e.g. a test CA's private key; the caller wipes it after use. */
  secret(name: string): Buffer | undefined {
    const s = this.#secrets[name];
    return s === undefined ? undefined : openSecret(this.#keyring, SECRET_PURPOSE, name, s);
  }

  setSecret(name: string, value: Uint8Array): void {
    this.#secrets[name] = sealSecret(this.#keyring, SECRET_PURPOSE, name, value);
    this.#save();
  }

  /**
   * Re-seals under the keyring's current key every entry that is not yet (format 1, or an older
   * master key after a rotation). Returns how many were re-sealed. Run at start.
   */
  reseal(): number {
    const current = this.#keyring.current.id;
    let n = 0;
    for (const [id, e] of Object.entries(this.#pins)) {
      if (typeof e === 'string' && wrappedKeyId(e) === current) continue;
      const pin = this.pin(id)!;
      this.#pins[id] = sealSecret(this.#keyring, PIN_PURPOSE, id, pin);
      n++;
    }
    for (const [name, s] of Object.entries(this.#secrets)) {
      if (wrappedKeyId(s) === current) continue;
      const value = openSecret(this.#keyring, SECRET_PURPOSE, name, s);
      this.#secrets[name] = sealSecret(this.#keyring, SECRET_PURPOSE, name, value);
      value.fill(0);
      n++;
    }
    if (n > 0) this.#save();
    return n;
  }

  /** Master key ids the vault's entries use (all the current one after `reseal()`). */
  keyIds(): string[] {
    const ids = new Set<string>();
    for (const e of [...Object.values(this.#pins), ...Object.values(this.#secrets)]) ids.add(typeof e === 'string' ? wrappedKeyId(e) : 'legacy');
    return [...ids];
  }

  #save(): void {
    const content: VaultFile = { format: 2, pins: this.#pins as Record<string, string>, secrets: this.#secrets };
    // Legacy entries only remain until reseal(); writing them as they are keeps them readable.
    const tmp = `${this.#file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(content, null, 1), { mode: 0o600 });
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
