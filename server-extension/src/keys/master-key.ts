/**
 * Master keys of the key service: the keys under which every message's data key and every small
 * secret is wrapped at rest (wrap.ts). A keyring holds the current key (used to wrap) and any older
 * keys still needed to unwrap values written before a rotation (rotation.ts).
 *
 * Sources, in order (see `loadMasterKeyring`):
 *   ESANTE_MASTER_KEY            base64 of 32 bytes: the current key (e.g. from a secret manager);
 *   ESANTE_MASTER_KEY_PREVIOUS   optional, comma-separated base64 keys kept for unwrapping only;
 *   ESANTE_MASTER_KEY_FILE       a keyring file (JSON, mode 0600) that must exist;
 *   otherwise the embedded default: a keyring file in the data directory, created on first start.
 *
 * The key bytes live only in a private field of `MasterKey`: inspecting, logging or serialising a key
 * or keyring shows its id alone.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { link, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { inspect } from 'node:util';
import { KeyCryptoError } from './errors.ts';

export const MASTER_KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const KEYRING_FILE_FORMAT = 'esante-master-keys';
export const KEYRING_FILE_VERSION = 1;

/** Environment variables read by `loadMasterKeyring`. */
export const MASTER_KEY_ENV = 'ESANTE_MASTER_KEY';
export const MASTER_KEY_PREVIOUS_ENV = 'ESANTE_MASTER_KEY_PREVIOUS';
export const MASTER_KEY_FILE_ENV = 'ESANTE_MASTER_KEY_FILE';

/**
 * One 256-bit master key. Its id is a fingerprint (HMAC of a fixed label under the key), so the same
 * key has the same id everywhere, whatever its source, and an id reveals nothing about the key.
 */
export class MasterKey {
  readonly id: string;
  readonly #bytes: Buffer;

  private constructor(bytes: Uint8Array) {
    if (bytes.length !== MASTER_KEY_BYTES) throw new KeyCryptoError('config', `a master key must be ${MASTER_KEY_BYTES} bytes`);
    this.#bytes = Buffer.from(bytes); // our own copy: the caller may wipe theirs
    this.id = 'mk-' + createHmac('sha256', this.#bytes).update('esante master key id v1').digest('hex').slice(0, 16);
  }

  static generate(): MasterKey {
    const bytes = randomBytes(MASTER_KEY_BYTES);
    const key = new MasterKey(bytes);
    bytes.fill(0);
    return key;
  }

  static fromBytes(bytes: Uint8Array): MasterKey {
    return new MasterKey(bytes);
  }

  /** Accepts standard or URL-safe base64, as secret managers and `openssl rand -base64 32` produce. */
  static fromBase64(text: string): MasterKey {
    const trimmed = text.trim();
    if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) throw new KeyCryptoError('config', 'a master key must be base64');
    const bytes = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    try {
      return new MasterKey(bytes);
    } finally {
      bytes.fill(0);
    }
  }

  /** AES-256-GCM with a random 96-bit IV; returns iv ‖ ciphertext ‖ tag. */
  seal(plaintext: Uint8Array, aad: Uint8Array): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#bytes, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad);
    const body = cipher.update(plaintext);
    const last = cipher.final();
    return Buffer.concat([iv, body, last, cipher.getAuthTag()]);
  }

  /** Inverse of `seal`; throws `unwrap_failed` when the value or its associated data was altered. */
  open(sealed: Uint8Array, aad: Uint8Array): Buffer {
    if (sealed.length < IV_BYTES + TAG_BYTES) throw new KeyCryptoError('malformed_wrapped', 'wrapped value too short');
    const iv = sealed.subarray(0, IV_BYTES);
    const tag = sealed.subarray(sealed.length - TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.#bytes, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    const body = decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES));
    try {
      return Buffer.concat([body, decipher.final()]);
    } catch (cause) {
      throw new KeyCryptoError('unwrap_failed', `authentication failed under master key ${this.id}`, { cause });
    } finally {
      body.fill(0);
    }
  }

  equals(other: MasterKey): boolean {
    return timingSafeEqual(this.#bytes, other.#bytes);
  }

  /** Only for writing the keyring file (below); nothing else may see the bytes. */
  static exportBase64(key: MasterKey): string {
    return key.#bytes.toString('base64');
  }

  toJSON(): { id: string } {
    return { id: this.id };
  }

  toString(): string {
    return `MasterKey(${this.id})`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/** The current key (wraps new values) and every key that may still be needed to unwrap. */
export class MasterKeyring {
  readonly current: MasterKey;
  readonly #byId: ReadonlyMap<string, MasterKey>;

  /** `others` may include `current` or duplicates; order does not matter. */
  constructor(current: MasterKey, others: Iterable<MasterKey> = []) {
    this.current = current;
    const byId = new Map<string, MasterKey>([[current.id, current]]);
    for (const key of others) byId.set(key.id, key);
    this.#byId = byId;
  }

  get(id: string): MasterKey | undefined {
    return this.#byId.get(id);
  }

  get ids(): string[] {
    return [...this.#byId.keys()];
  }

  keys(): MasterKey[] {
    return [...this.#byId.values()];
  }

  toJSON(): { current: string; ids: string[] } {
    return { current: this.current.id, ids: this.ids };
  }

  toString(): string {
    return `MasterKeyring(current ${this.current.id}; ${this.ids.join(', ')})`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

// ---------------------------------------------------------------------------------------------
// Keyring file.

interface KeyringFile {
  format: typeof KEYRING_FILE_FORMAT;
  version: typeof KEYRING_FILE_VERSION;
  current: string;
  keys: Array<{ id: string; key: string }>;
}

/** Reads and checks a keyring file: owner-only permissions, known format, ids matching their keys. */
export async function readKeyringFile(file: string): Promise<MasterKeyring> {
  const info = await stat(file).catch((cause: unknown) => {
    throw new KeyCryptoError('config', `master key file ${file} cannot be read`, { cause });
  });
  // Like ssh with private keys: a key file others can read is refused rather than trusted.
  if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) {
    throw new KeyCryptoError('config', `master key file ${file} is accessible to others (mode ${(info.mode & 0o777).toString(8)}); run chmod 600`);
  }
  let parsed: KeyringFile;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8')) as KeyringFile;
  } catch (cause) {
    throw new KeyCryptoError('config', `master key file ${file} is not valid JSON`, { cause });
  }
  if (parsed?.format !== KEYRING_FILE_FORMAT || parsed.version !== KEYRING_FILE_VERSION || !Array.isArray(parsed.keys)) {
    throw new KeyCryptoError('config', `master key file ${file} is not a ${KEYRING_FILE_FORMAT} v${KEYRING_FILE_VERSION} file`);
  }
  const keys = parsed.keys.map((entry) => {
    const key = MasterKey.fromBase64(String(entry?.key ?? ''));
    if (key.id !== entry.id) throw new KeyCryptoError('config', `master key file ${file}: key ${String(entry.id)} does not match its id`);
    return key;
  });
  const current = keys.find((k) => k.id === parsed.current);
  if (!current) throw new KeyCryptoError('config', `master key file ${file}: current key ${String(parsed.current)} is missing`);
  return new MasterKeyring(current, keys);
}

/**
 * Writes a keyring file atomically with mode 0600: the content goes to a temporary file in the same
 * directory, flushed to disk, which then replaces the target in one step (rename), so a crash leaves
 * the old or the new keyring, never half of one. With `exclusive` the step is a hard link instead,
 * which fails with EEXIST when the file exists: two instances starting together cannot both create
 * a key, and neither can observe a half-written file.
 */
export async function writeKeyringFile(file: string, keyring: MasterKeyring, options: { exclusive?: boolean } = {}): Promise<void> {
  const dir = dirname(file);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const content: KeyringFile = {
    format: KEYRING_FILE_FORMAT,
    version: KEYRING_FILE_VERSION,
    current: keyring.current.id,
    keys: keyring.keys().map((k) => ({ id: k.id, key: MasterKey.exportBase64(k) })),
  };
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(tmp, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, 0o600);
  try {
    await handle.writeFile(JSON.stringify(content, null, 2) + '\n');
    await handle.chmod(0o600); // a strict umask may have removed the owner's write bit: exactly 0600
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    if (options.exclusive) await link(tmp, file);
    else await rename(tmp, file);
  } finally {
    await unlink(tmp).catch(() => undefined); // after a link, or after a failed rename
  }
  await syncDirectory(dir);
}

/** Makes the new directory entry durable too (best effort: not every platform can open a directory). */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, fsConstants.O_RDONLY);
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Windows and some network file systems refuse: the rename itself is still atomic.
  }
}

export type MasterKeySource = 'env' | 'file' | 'created';

export interface LoadedMasterKeys {
  keyring: MasterKeyring;
  source: MasterKeySource;
  /** The keyring file used or created (absent when the keys came from the environment). */
  file?: string;
}

/**
 * Loads the master keys at startup (sources in the module comment). `defaultFile` is the embedded
 * default's keyring path, e.g. `<data dir>/master-keys.json`; it is created with a fresh key when
 * missing. An explicitly configured ESANTE_MASTER_KEY_FILE is never created: a missing mount must stop
 * the service rather than silently start a new key under which no existing message opens.
 */
export async function loadMasterKeyring(options: { env?: Record<string, string | undefined>; defaultFile: string }): Promise<LoadedMasterKeys> {
  const env = options.env ?? process.env;
  const fromEnv = env[MASTER_KEY_ENV]?.trim();
  if (fromEnv) {
    const previous = (env[MASTER_KEY_PREVIOUS_ENV] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '')
      .map((s) => MasterKey.fromBase64(s));
    return { keyring: new MasterKeyring(MasterKey.fromBase64(fromEnv), previous), source: 'env' };
  }
  const explicitFile = env[MASTER_KEY_FILE_ENV]?.trim();
  if (explicitFile) return { keyring: await readKeyringFile(explicitFile), source: 'file', file: explicitFile };

  const file = options.defaultFile;
  try {
    return { keyring: await readKeyringFile(file), source: 'file', file };
  } catch (err) {
    const missing = err instanceof KeyCryptoError && (err.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
    if (!missing) throw err;
  }
  const keyring = new MasterKeyring(MasterKey.generate());
  try {
    await writeKeyringFile(file, keyring, { exclusive: true });
    return { keyring, source: 'created', file };
  } catch (err) {
    // Another instance created it between our read and our create: use theirs.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return { keyring: await readKeyringFile(file), source: 'file', file };
    throw new KeyCryptoError('config', `cannot create master key file ${file}`, { cause: err });
  }
}

/**
 * Step 1 of a rotation with a keyring file: a fresh key becomes current, every older key stays for
 * unwrapping. From now on new values are wrapped under the new key; run `rotateMasterKey` next.
 */
export async function addNewMasterKeyToFile(file: string): Promise<MasterKeyring> {
  const old = await readKeyringFile(file);
  const next = new MasterKeyring(MasterKey.generate(), old.keys());
  await writeKeyringFile(file, next);
  return next;
}

/**
 * Last step of a rotation: drops from the file every non-current key that no stored value still
 * names. `stillReferenced` is the set of master key ids found in the store (see `wrappedKeyId`);
 * a key that is still referenced is kept, so retiring too early cannot lose a message.
 */
export async function retireMasterKeysInFile(file: string, stillReferenced: Iterable<string>): Promise<{ keyring: MasterKeyring; retired: string[] }> {
  const ring = await readKeyringFile(file);
  const keep = new Set(stillReferenced);
  const kept = ring.keys().filter((k) => k.id === ring.current.id || keep.has(k.id));
  const retired = ring.ids.filter((id) => !kept.some((k) => k.id === id));
  const next = new MasterKeyring(ring.current, kept);
  if (retired.length > 0) await writeKeyringFile(file, next);
  return { keyring: next, retired };
}
