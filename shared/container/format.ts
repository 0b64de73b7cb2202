/**
 * The `.esmsg` container, format version 1: constants, the readable header and the segment layout.
 * Pure byte logic without crypto, shared by container.ts (browser and Node) and by tools that only
 * need to read a header. The normative description is docs/container-format.md: keep both in step.
 *
 *   magic (8) | version u16 BE (2) | header length u32 BE (4) | header JSON UTF-8 | segment 0 | … | segment n-1
 *
 * The bytes from the magic to the end of the header JSON ("preamble") are, verbatim, part of the
 * associated data of every segment, so readers never re-serialise the header: what was sealed is
 * exactly what is authenticated.
 */
import { ContainerError } from './errors.ts';

/** File extension and media type: our own, never Regify's `.rgf` / `application/vnd.regify`. */
export const CONTAINER_EXTENSION = '.esmsg';
export const CONTAINER_MEDIA_TYPE = 'application/vnd.esante.secure-message';

/**
 * "\x89ESMSG\r\n": the high byte catches 7-bit transports, CR LF catches newline conversion
 * (the same trick as PNG's signature), "ESMSG" makes the file recognisable in a hex dump.
 */
export const MAGIC = Uint8Array.of(0x89, 0x45, 0x53, 0x4d, 0x53, 0x47, 0x0d, 0x0a);
export const FORMAT_VERSION = 1;
/** Bytes before the header JSON: magic, version, header length. */
export const FIXED_PREFIX_LENGTH = MAGIC.length + 2 + 4;
/** A header is a few hundred bytes; the cap keeps a hostile file from making readers allocate much. */
export const MAX_HEADER_LENGTH = 64 * 1024;

export const CIPHER_ALG = 'AES-256-GCM';
export const TAG_BYTES = 16;
export const NONCE_BYTES = 8;
export const KEY_BYTES = 32;
export const KEY_CHECK_BYTES = 32;
/** 1 MiB: large enough that per-call overhead vanishes, small enough to keep memory flat in a browser. */
export const DEFAULT_SEGMENT_SIZE = 1024 * 1024;
export const MIN_SEGMENT_SIZE = 1024;
export const MAX_SEGMENT_SIZE = 16 * 1024 * 1024;
/**
 * Segment index 0xFFFFFFFF is reserved for the key check value, so segments use 0 … 0xFFFFFFFE.
 * (At 1 MiB per segment that is 4 PiB: never the limit in practice; memory is.)
 */
export const KEY_CHECK_INDEX = 0xffffffff;
export const MAX_SEGMENTS = KEY_CHECK_INDEX;
/** The only payload of version 1: the whole original message as the mail server stored it. */
export const PAYLOAD_CONTENT_TYPE = 'message/rfc822';

export const MAX_MESSAGE_ID_LENGTH = 256;
export const MAX_ADDRESS_LENGTH = 320;
export const MAX_URL_LENGTH = 2048;

/** Cipher parameters, in the header; every value here is authenticated. */
export interface CipherParams {
  alg: typeof CIPHER_ALG;
  /** Plaintext bytes per segment; every segment but the last holds exactly this many. */
  segmentSize: number;
  tagBytes: typeof TAG_BYTES;
  /** base64url (no padding) of NONCE_BYTES random bytes; segment i uses IV = nonce ‖ u32be(i). */
  nonce: string;
  /** base64url of KEY_CHECK_BYTES: AES-GCM of zeros under IV nonce ‖ FFFFFFFF (see docs). */
  keyCheck: string;
}

/** The readable header, as it appears in the JSON (field order is the order written). */
export interface HeaderFields {
  messageId: string;
  /** Address of the key service that releases this message's key (our SOAP endpoint URL). */
  keyService: string;
  /** The sender's e-mail address, as registered with the key service. */
  sender: string;
  /** Creation time, ISO 8601 UTC with milliseconds (`Date.prototype.toISOString`). */
  created: string;
  contentType: typeof PAYLOAD_CONTENT_TYPE;
  cipher: CipherParams;
}

export interface ContainerHeader extends HeaderFields {
  /** From the binary prefix, not from the JSON. */
  formatVersion: typeof FORMAT_VERSION;
}

/** Where things are inside a container, computed from its length and header alone. */
export interface Layout {
  header: ContainerHeader;
  /** Magic through end of header JSON: the associated-data prefix of every segment. */
  preamble: Uint8Array;
  /** Offset of segment 0. */
  bodyOffset: number;
  segmentCount: number;
  /** Total plaintext length (the MIME message). */
  plaintextLength: number;
}

// ---------------------------------------------------------------------------------------------
// base64url without padding (RFC 4648 §5), without `Buffer` or `atob` so it runs everywhere alike.

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const B64_INDEX = new Map([...B64].map((c, i) => [c, i]));

export function toBase64Url(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += B64[n >> 18]! + B64[(n >> 12) & 63]! + B64[(n >> 6) & 63]! + B64[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += B64[n >> 18]! + B64[(n >> 12) & 63]!;
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += B64[n >> 18]! + B64[(n >> 12) & 63]! + B64[(n >> 6) & 63]!;
  }
  return out;
}

/** Strict: only the alphabet, no padding, canonical trailing bits; null otherwise. */
export function fromBase64Url(text: string): Uint8Array | null {
  if (text.length % 4 === 1) return null;
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let bits = 0;
  let value = 0;
  let o = 0;
  for (const c of text) {
    const v = B64_INDEX.get(c);
    if (v === undefined) return null;
    value = (value << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (value >> bits) & 0xff;
    }
  }
  // Leftover bits must be zero, so every byte string has exactly one encoding.
  if ((value & ((1 << bits) - 1)) !== 0) return null;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Header validation: the same rules for writing and reading, so a writer cannot produce what a
// reader refuses.

// No control characters anywhere in the header text fields (they would be displayed to users).
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z$/;
// Deliberately loose: the key service checks the sender for real; this only rejects garbage.
const ADDRESS = /^[^\s@]+@[^\s@]+$/;

/** Returns a problem description, or null when the fields are valid. */
export function checkHeaderFields(h: Partial<Record<keyof HeaderFields, unknown>>): string | null {
  const { messageId, keyService, sender, created, contentType, cipher } = h;
  if (typeof messageId !== 'string' || messageId.length === 0 || messageId.length > MAX_MESSAGE_ID_LENGTH || CONTROL.test(messageId)) {
    return 'messageId must be 1–256 printable characters';
  }
  if (typeof keyService !== 'string' || keyService.length > MAX_URL_LENGTH || !isHttpUrl(keyService)) {
    return 'keyService must be an absolute http(s) URL';
  }
  if (typeof sender !== 'string' || sender.length > MAX_ADDRESS_LENGTH || CONTROL.test(sender) || !ADDRESS.test(sender)) {
    return 'sender must be an e-mail address';
  }
  if (typeof created !== 'string' || !ISO_UTC.test(created) || Number.isNaN(Date.parse(created))) {
    return 'created must be an ISO 8601 UTC time';
  }
  if (contentType !== PAYLOAD_CONTENT_TYPE) return `contentType must be ${PAYLOAD_CONTENT_TYPE}`;
  if (typeof cipher !== 'object' || cipher === null || Array.isArray(cipher)) return 'cipher must be an object';
  const c = cipher as Partial<Record<keyof CipherParams, unknown>>;
  if (c.alg !== CIPHER_ALG) return `cipher.alg must be ${CIPHER_ALG}`;
  if (c.tagBytes !== TAG_BYTES) return `cipher.tagBytes must be ${TAG_BYTES}`;
  if (
    typeof c.segmentSize !== 'number' ||
    !Number.isInteger(c.segmentSize) ||
    c.segmentSize < MIN_SEGMENT_SIZE ||
    c.segmentSize > MAX_SEGMENT_SIZE
  ) {
    return `cipher.segmentSize must be an integer in ${MIN_SEGMENT_SIZE}…${MAX_SEGMENT_SIZE}`;
  }
  if (typeof c.nonce !== 'string' || fromBase64Url(c.nonce)?.length !== NONCE_BYTES) return 'cipher.nonce must be 8 bytes, base64url';
  if (typeof c.keyCheck !== 'string' || fromBase64Url(c.keyCheck)?.length !== KEY_CHECK_BYTES) {
    return 'cipher.keyCheck must be 32 bytes, base64url';
  }
  return null;
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return (u.protocol === 'https:' || u.protocol === 'http:') && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Writing and reading the preamble.

/** Magic, version, length and the header JSON, ready to be both written and used as associated data. */
export function encodePreamble(fields: HeaderFields): Uint8Array {
  // Build the object explicitly so the JSON has exactly these keys in this order, whatever the caller passed.
  const ordered: HeaderFields = {
    messageId: fields.messageId,
    keyService: fields.keyService,
    sender: fields.sender,
    created: fields.created,
    contentType: fields.contentType,
    cipher: {
      alg: fields.cipher.alg,
      segmentSize: fields.cipher.segmentSize,
      tagBytes: fields.cipher.tagBytes,
      nonce: fields.cipher.nonce,
      keyCheck: fields.cipher.keyCheck,
    },
  };
  const json = new TextEncoder().encode(JSON.stringify(ordered));
  if (json.length > MAX_HEADER_LENGTH) throw new ContainerError('request.invalid', 'header too long', ['header']);
  const out = new Uint8Array(FIXED_PREFIX_LENGTH + json.length);
  out.set(MAGIC, 0);
  const view = new DataView(out.buffer);
  view.setUint16(MAGIC.length, FORMAT_VERSION);
  view.setUint32(MAGIC.length + 2, json.length);
  out.set(json, FIXED_PREFIX_LENGTH);
  return out;
}

/** True when the bytes start with our magic (cheap sniffing of an attachment). */
export function hasMagic(bytes: Uint8Array): boolean {
  if (bytes.length < MAGIC.length) return false;
  for (let i = 0; i < MAGIC.length; i++) if (bytes[i] !== MAGIC[i]) return false;
  return true;
}

/**
 * Parses the prefix and header and checks that the rest has the exact shape of a segment sequence.
 * Authenticity is NOT established here: only opening the segments proves the header genuine.
 */
export function parseLayout(bytes: Uint8Array): Layout {
  if (!hasMagic(bytes)) throw new ContainerError('container.malformed', 'no container signature');
  if (bytes.length < FIXED_PREFIX_LENGTH) throw new ContainerError('container.malformed', 'truncated before header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint16(MAGIC.length);
  // The version comes first so that a later format may change anything after it.
  if (version !== FORMAT_VERSION) {
    throw new ContainerError('container.unsupported_version', `format version ${version}`, [version]);
  }
  const headerLength = view.getUint32(MAGIC.length + 2);
  if (headerLength === 0 || headerLength > MAX_HEADER_LENGTH) throw new ContainerError('container.malformed', 'header length out of range');
  const bodyOffset = FIXED_PREFIX_LENGTH + headerLength;
  if (bytes.length < bodyOffset + TAG_BYTES) throw new ContainerError('container.malformed', 'truncated header or body');

  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(FIXED_PREFIX_LENGTH, bodyOffset)));
  } catch (cause) {
    throw new ContainerError('container.malformed', 'header is not UTF-8 JSON', [], { cause });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ContainerError('container.malformed', 'header is not a JSON object');
  }
  // JSON.parse keeps the last of duplicate names, other parsers the first: refuse them so that every
  // implementation reads the same header from the same bytes.
  if (hasDuplicateNames(new TextDecoder().decode(bytes.subarray(FIXED_PREFIX_LENGTH, bodyOffset)))) {
    throw new ContainerError('container.malformed', 'header has duplicate member names');
  }
  const problem = checkHeaderFields(parsed as Record<string, unknown>);
  if (problem) throw new ContainerError('container.malformed', `header: ${problem}`);
  const fields = parsed as HeaderFields;

  const { segmentSize } = fields.cipher;
  const bodyLength = bytes.length - bodyOffset;
  const stride = segmentSize + TAG_BYTES;
  const segmentCount = Math.ceil(bodyLength / stride);
  const lastLength = bodyLength - (segmentCount - 1) * stride;
  // A last segment shorter than a tag cannot exist: cut in the middle of a tag.
  if (lastLength < TAG_BYTES) throw new ContainerError('container.malformed', 'body ends inside a segment tag');
  if (segmentCount > MAX_SEGMENTS) throw new ContainerError('container.malformed', 'too many segments');

  // Unknown header fields are ignored (they are still authenticated), so version 1 can grow.
  const header: ContainerHeader = {
    formatVersion: FORMAT_VERSION,
    messageId: fields.messageId,
    keyService: fields.keyService,
    sender: fields.sender,
    created: fields.created,
    contentType: fields.contentType,
    cipher: { ...fields.cipher },
  };
  return {
    header,
    preamble: bytes.subarray(0, bodyOffset),
    bodyOffset,
    segmentCount,
    plaintextLength: bodyLength - segmentCount * TAG_BYTES,
  };
}

/** For text already known to be valid JSON: true when some object repeats a member name. */
export function hasDuplicateNames(json: string): boolean {
  // One entry per open container: the names seen so far for objects, null for arrays.
  const stack: Array<Set<string> | null> = [];
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (c === '{') stack.push(new Set());
    else if (c === '[') stack.push(null);
    else if (c === '}' || c === ']') stack.pop();
    else if (c === '"') {
      let j = i + 1;
      while (json[j] !== '"') j += json[j] === '\\' ? 2 : 1;
      const top = stack[stack.length - 1];
      let k = j + 1;
      while (json[k] === ' ' || json[k] === '\t' || json[k] === '\n' || json[k] === '\r') k++;
      if (top && json[k] === ':') {
        // Compare decoded names: "a" and "\u0061" are the same member.
        const name = JSON.parse(json.slice(i, j + 1)) as string;
        if (top.has(name)) return true;
        top.add(name);
      }
      i = j;
    }
  }
  return false;
}

/** Number of segments a plaintext of this length is cut into (at least one, possibly empty). */
export function segmentCountFor(plaintextLength: number, segmentSize: number): number {
  return Math.max(1, Math.ceil(plaintextLength / segmentSize));
}

/** IV of segment `index`: nonce ‖ u32be(index). Distinct for every segment and for the key check. */
export function segmentIv(nonce: Uint8Array, index: number): Uint8Array<ArrayBuffer> {
  const iv = new Uint8Array(NONCE_BYTES + 4);
  iv.set(nonce, 0);
  new DataView(iv.buffer).setUint32(NONCE_BYTES, index);
  return iv;
}

/** Associated data of segment `index`: preamble ‖ u32be(index) ‖ u8(final ? 1 : 0). */
export function segmentAad(preamble: Uint8Array, index: number, final: boolean): Uint8Array<ArrayBuffer> {
  const aad = new Uint8Array(preamble.length + 5);
  aad.set(preamble, 0);
  const view = new DataView(aad.buffer);
  view.setUint32(preamble.length, index);
  view.setUint8(preamble.length + 4, final ? 1 : 0);
  return aad;
}

/** Associated data of the key check value; distinct from every segment AAD by its length and text. */
export const KEY_CHECK_AAD = new TextEncoder().encode('esante.secure-message key check v1');
