/**
 * Sealing and opening `.esmsg` containers with WebCrypto only (`globalThis.crypto.subtle`), so the
 * same code runs in the zimlet and the portal (browser) and in Node 20 (tests, tools). The format is
 * specified in docs/container-format.md; byte layout helpers are in format.ts.
 *
 * Memory: sealContainerParts holds the input and the segments WebCrypto returns (the output itself:
 * about 2× the message in all); sealContainer copies them into one contiguous file besides, and
 * opening holds the input, one preallocated output and the segments in flight. Never several copies
 * of the whole message. Nothing of the plaintext is handed out before every segment
 * has been authenticated: opening is all or nothing.
 */
import { ContainerError } from './errors.ts';
import {
  CIPHER_ALG,
  DEFAULT_SEGMENT_SIZE,
  FORMAT_VERSION,
  KEY_BYTES,
  KEY_CHECK_AAD,
  KEY_CHECK_BYTES,
  KEY_CHECK_INDEX,
  MAX_SEGMENTS,
  NONCE_BYTES,
  PAYLOAD_CONTENT_TYPE,
  TAG_BYTES,
  type ContainerHeader,
  type HeaderFields,
  checkHeaderFields,
  encodePreamble,
  fromBase64Url,
  parseLayout,
  segmentAad,
  segmentCountFor,
  segmentIv,
  toBase64Url,
} from './format.ts';

export { ContainerError } from './errors.ts';
export type { ContainerHeader } from './format.ts';
export { CONTAINER_EXTENSION, CONTAINER_MEDIA_TYPE, FORMAT_VERSION, hasMagic } from './format.ts';

/** A message's data key: a WebCrypto AES-GCM key, or its 32 raw bytes as the key service sends them. */
export type DataKey = CryptoKey | Uint8Array;
/** Called after each segment with plaintext bytes done and the total. */
export type Progress = (done: number, total: number) => void;

export interface SealParams {
  messageId: string;
  keyService: string;
  sender: string;
  /** Defaults to now. */
  created?: Date;
  /** The whole original MIME message (body and attachments), as read from the mail server. */
  mime: Uint8Array;
  key: DataKey;
  /** Plaintext bytes per segment; defaults to 1 MiB. */
  segmentSize?: number;
  onProgress?: Progress;
}

export interface Opened {
  header: ContainerHeader;
  mime: Uint8Array;
}

/**
 * Segments in flight at once. WebCrypto runs AES off the main thread (Node's thread pool, Chromium's
 * crypto worker), so a few concurrent calls use more than one core; more would only hold memory.
 */
const CONCURRENCY = 4;

function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle;
  // Browsers hide `crypto.subtle` outside secure contexts (plain http on a non-localhost origin).
  if (!s) throw new ContainerError('request.invalid', 'WebCrypto is unavailable (secure context required)', ['WebCrypto']);
  return s;
}

/** Imports raw key bytes as a non-extractable AES-256-GCM key; checks a given CryptoKey fits. */
export async function importDataKey(key: DataKey): Promise<CryptoKey> {
  // ArrayBuffer.isView rather than instanceof: a key decoded in another frame has another Uint8Array.
  if (ArrayBuffer.isView(key)) {
    if (key.length !== KEY_BYTES) throw new ContainerError('request.invalid', `data key must be ${KEY_BYTES} bytes`, ['key']);
    return subtle().importKey('raw', key as Uint8Array<ArrayBuffer>, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
  }
  const alg = key.algorithm as Partial<AesKeyAlgorithm>;
  // Both usages, also for opening: the key check value (docs §5) is recomputed by encrypting.
  if (alg.name !== 'AES-GCM' || alg.length !== KEY_BYTES * 8 || !key.usages.includes('encrypt') || !key.usages.includes('decrypt')) {
    throw new ContainerError('request.invalid', 'data key must be an AES-GCM 256-bit CryptoKey for encrypt and decrypt', ['key']);
  }
  return key;
}

/**
 * Decodes a data key sent as base64 (SOAP `xsd:base64Binary`) or base64url, padded or not.
 * Throws request.invalid unless it is exactly 32 bytes.
 */
export function dataKeyFromBase64(text: string): Uint8Array {
  const bytes = fromBase64Url(text.trim().replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''));
  if (!bytes || bytes.length !== KEY_BYTES) throw new ContainerError('request.invalid', `data key must be ${KEY_BYTES} bytes of base64`, ['key']);
  return bytes;
}

/** The AES-GCM parameters of segment `i` of `count` (its IV from the nonce and index; the preamble, index and final flag as AAD). */
function segmentParams(nonce: Uint8Array, preamble: Uint8Array, i: number, count: number): AesGcmParams {
  return { name: 'AES-GCM', iv: segmentIv(nonce, i), additionalData: segmentAad(preamble, i, i === count - 1), tagLength: TAG_BYTES * 8 };
}

/** AES-GCM of 32 zero bytes under the reserved IV, without its tag: a commitment to the key (docs §5). */
async function keyCheck(key: CryptoKey, nonce: Uint8Array): Promise<Uint8Array> {
  const out = await subtle().encrypt(
    { name: 'AES-GCM', iv: segmentIv(nonce, KEY_CHECK_INDEX), additionalData: KEY_CHECK_AAD as Uint8Array<ArrayBuffer>, tagLength: TAG_BYTES * 8 },
    key,
    new Uint8Array(KEY_CHECK_BYTES),
  );
  return new Uint8Array(out, 0, KEY_CHECK_BYTES);
}

/**
 * Runs `count` segment jobs with at most CONCURRENCY in flight, in index order of start.
 * On the first failure it stops starting new jobs, waits for those in flight, and rethrows.
 */
async function forEachSegment(count: number, job: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  let firstError: unknown;
  const worker = async (): Promise<void> => {
    while (!failed && next < count) {
      const index = next++;
      try {
        await job(index);
      } catch (err) {
        if (!failed) firstError = err;
        failed = true;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, count) }, worker));
  if (failed) throw firstError;
}

/** A sealed container as its parts in file order: the preamble, then each segment (ciphertext ‖ tag). */
export interface SealedParts {
  parts: Uint8Array[];
  /** Total bytes of the container. */
  length: number;
}

/**
 * Encrypts a MIME message into a container kept as its parts: each segment is the very buffer
 * WebCrypto returned (ciphertext followed by its tag is the file's layout, docs/container-format.md),
 * so sealing adds no copy of the whole message. Upload them as they are (`new Blob(parts)`).
 */
export async function sealContainerParts(params: SealParams): Promise<SealedParts> {
  const { mime, onProgress } = params;
  const segmentSize = params.segmentSize ?? DEFAULT_SEGMENT_SIZE;
  const key = await importDataKey(params.key);
  const nonce = globalThis.crypto.getRandomValues(new Uint8Array(NONCE_BYTES));

  const fields: HeaderFields = {
    messageId: params.messageId,
    keyService: params.keyService,
    sender: params.sender,
    created: (params.created ?? new Date()).toISOString(),
    contentType: PAYLOAD_CONTENT_TYPE,
    cipher: {
      alg: CIPHER_ALG,
      segmentSize,
      tagBytes: TAG_BYTES,
      nonce: toBase64Url(nonce),
      keyCheck: toBase64Url(await keyCheck(key, nonce)),
    },
  };
  const problem = checkHeaderFields(fields);
  if (problem) throw new ContainerError('request.invalid', problem, [problem]);
  const segmentCount = segmentCountFor(mime.length, segmentSize);
  if (segmentCount > MAX_SEGMENTS) throw new ContainerError('request.invalid', 'message too large', ['mime']);

  const preamble = encodePreamble(fields);
  const parts = new Array<Uint8Array>(segmentCount + 1);
  parts[0] = preamble;
  let done = 0;
  await forEachSegment(segmentCount, async (i) => {
    const start = i * segmentSize;
    const end = Math.min(start + segmentSize, mime.length);
    const sealed = await subtle().encrypt(
      segmentParams(nonce, preamble, i, segmentCount),
      key,
      // A view, not a copy: WebCrypto copies its input itself.
      mime.subarray(start, end) as Uint8Array<ArrayBuffer>,
    );
    parts[i + 1] = new Uint8Array(sealed);
    done += end - start;
    onProgress?.(done, mime.length);
  });
  return { parts, length: preamble.length + mime.length + segmentCount * TAG_BYTES };
}

/** Encrypts a MIME message into a container, as one contiguous file (one copy more than sealContainerParts). */
export async function sealContainer(params: SealParams): Promise<Uint8Array> {
  const { parts, length } = await sealContainerParts(params);
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Parses and checks the readable header without any key (e.g. to find the message id and key service). */
export function readHeader(bytes: Uint8Array): ContainerHeader {
  return parseLayout(bytes).header;
}

/**
 * SHA-256 of the whole container, base64url. The key service records it when the sender uploads the
 * file and returns it with the key, so a reader can check it holds the very file the sender sealed
 * (any recipient has the data key and could otherwise seal another file under the same header).
 */
export async function containerDigest(bytes: Uint8Array): Promise<string> {
  return toBase64Url(new Uint8Array(await subtle().digest('SHA-256', bytes as Uint8Array<ArrayBuffer>)));
}

function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** An opened container whose plaintext is kept as its segments, in order (no contiguous copy). */
export interface OpenedParts {
  header: ContainerHeader;
  parts: Uint8Array[];
  /** Total plaintext bytes. */
  length: number;
}

/**
 * Decrypts every segment, handing each plaintext to `take(index, plain)` as it comes (any order), with
 * at most CONCURRENCY in flight; `wipe()` runs on any failure, before the error is thrown. Shared by
 * openContainerParts (keeps the segments) and openContainer (copies each into one buffer while the
 * next ones decrypt, so the copy overlaps the crypto instead of following it).
 */
async function decryptSegments(
  bytes: Uint8Array,
  getKey: (header: ContainerHeader) => Promise<DataKey>,
  onProgress: Progress | undefined,
  start: (layout: ReturnType<typeof parseLayout>) => void,
  take: (index: number, plain: Uint8Array) => void,
  wipe: () => void,
): Promise<ContainerHeader> {
  const layout = parseLayout(bytes);
  const { header, preamble, bodyOffset, segmentCount, plaintextLength } = layout;
  const key = await importDataKey(await getKey(header));
  // parseLayout has validated both as base64url of the right length.
  const nonce = fromBase64Url(header.cipher.nonce)!;
  const expectedCheck = fromBase64Url(header.cipher.keyCheck)!;
  // The key check runs alongside the first segments rather than before them (one round trip to the
  // crypto thread less); its verdict still comes first: a wrong key is container.wrong_key, not tampered.
  const keyFits = keyCheck(key, nonce).then((check) => constantTimeEqual(check, expectedCheck));
  keyFits.catch(() => undefined);
  start(layout);

  const stride = header.cipher.segmentSize + TAG_BYTES;
  let done = 0;
  try {
    await forEachSegment(segmentCount, async (i) => {
      const from = bodyOffset + i * stride;
      const to = Math.min(from + stride, bytes.length);
      let plain: ArrayBuffer;
      try {
        plain = await subtle().decrypt(segmentParams(nonce, preamble, i, segmentCount), key, bytes.subarray(from, to) as Uint8Array<ArrayBuffer>);
      } catch (cause) {
        // WebCrypto reports every authentication failure as an OperationError, without detail.
        throw new ContainerError('container.tampered', `segment ${i} of ${segmentCount} failed authentication`, [], { cause });
      }
      take(i, new Uint8Array(plain));
      done += plain.byteLength;
      onProgress?.(done, plaintextLength);
    });
    if (!(await keyFits)) throw new ContainerError('container.wrong_key', 'key check value differs');
  } catch (err) {
    // Do not leave unauthenticated plaintext of the other segments lying in memory.
    wipe();
    if (!(err instanceof ContainerError && err.code === 'container.wrong_key') && !(await keyFits)) {
      throw new ContainerError('container.wrong_key', 'key check value differs');
    }
    throw err;
  }
  return header;
}

/**
 * Decrypts a container, keeping the plaintext as the segments WebCrypto returned (see openContainer
 * for `getKey` and the errors). All or nothing: on any failure the segments decrypted so far are wiped.
 */
export async function openContainerParts(
  bytes: Uint8Array,
  getKey: (header: ContainerHeader) => Promise<DataKey>,
  onProgress?: Progress,
): Promise<OpenedParts> {
  let parts: Uint8Array[] = [];
  let length = 0;
  const header = await decryptSegments(
    bytes,
    getKey,
    onProgress,
    (layout) => {
      parts = new Array<Uint8Array>(layout.segmentCount);
      length = layout.plaintextLength;
    },
    (i, plain) => void (parts[i] = plain),
    () => {
      for (const part of parts) part?.fill(0);
    },
  );
  return { header, parts, length };
}

/**
 * Decrypts a container into one contiguous MIME message. `getKey` receives the parsed (not yet
 * authenticated) header and returns the data key, typically by asking `header.keyService` to release
 * the key of `header.messageId`; its own errors (refusal, service down) propagate unchanged.
 *
 * Errors: container.malformed (not a container, cut short, bad header), container.unsupported_version,
 * container.wrong_key (the key does not fit this file), container.tampered (any authentication failure).
 */
export async function openContainer(
  bytes: Uint8Array,
  getKey: (header: ContainerHeader) => Promise<DataKey>,
  onProgress?: Progress,
): Promise<Opened> {
  let mime = new Uint8Array(0);
  let segmentSize = 0;
  const header = await decryptSegments(
    bytes,
    getKey,
    onProgress,
    (layout) => {
      mime = new Uint8Array(layout.plaintextLength);
      segmentSize = layout.header.cipher.segmentSize;
    },
    // Each segment into its place as soon as it is decrypted; its own buffer is then garbage.
    (i, plain) => mime.set(plain, i * segmentSize),
    () => mime.fill(0),
  );
  return { header, mime };
}
