/**
 * A small DER/BER reader and DER writer for the CMS and X.509 structures of S/MIME.
 * Why our own: the reader must hand back the exact bytes of what was signed (signed attributes,
 * TBSCertificate), which node-forge's object model re-encodes, and it must refuse anything odd
 * with a clean error rather than guess. BER indefinite lengths are read because OpenSSL streams
 * detached S/MIME signatures that way (apps/cms.c sets CMS_STREAM for S/MIME output).
 */
import { InternalError } from '../errors.ts';

/** Bad DER. Callers turn it into their own error or report (cms.ts, crl.ts, x509.ts); escaped, it is service.internal. */
export class DerError extends InternalError {
  override readonly name = 'DerError';
  constructor(message: string) {
    super({ message });
  }
}

/** One TLV. `value` is the content octets (for indefinite lengths: without the end-of-contents). */
export interface Tlv {
  /** The identifier octet (single-byte tags only: every tag CMS/X.509 use is < 31). */
  tag: number;
  constructed: boolean;
  /** Offset of the identifier octet in the buffer it was read from. */
  start: number;
  /** Offset just after the whole TLV (after the end-of-contents octets for indefinite lengths). */
  end: number;
  value: Buffer;
  /** The whole TLV, header included. */
  raw: Buffer;
}

const MAX_DEPTH = 64;

/** Reads the TLV at `offset` of `buf`. Throws DerError on anything truncated or malformed. */
export function readTlv(buf: Buffer, offset = 0, depth = 0): Tlv {
  if (depth > MAX_DEPTH) throw new DerError('nesting too deep');
  if (offset + 2 > buf.length) throw new DerError('truncated header');
  const tag = buf[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError('multi-byte tags are not supported');
  const constructed = (tag & 0x20) !== 0;
  let pos = offset + 1;
  const first = buf[pos++]!;
  if (first === 0x80) {
    // Indefinite length (BER): children follow until the end-of-contents octets 00 00.
    if (!constructed) throw new DerError('indefinite length on a primitive');
    const contentStart = pos;
    for (;;) {
      if (pos + 2 > buf.length) throw new DerError('truncated indefinite-length value');
      if (buf[pos] === 0 && buf[pos + 1] === 0) break;
      pos = readTlv(buf, pos, depth + 1).end;
    }
    return { tag, constructed, start: offset, end: pos + 2, value: buf.subarray(contentStart, pos), raw: buf.subarray(offset, pos + 2) };
  }
  let len = first;
  if (first & 0x80) {
    const n = first & 0x7f;
    if (n > 4 || n === 0) throw new DerError('length too long');
    if (pos + n > buf.length) throw new DerError('truncated length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[pos++]!;
  }
  const end = pos + len;
  if (end > buf.length) throw new DerError('truncated value');
  return { tag, constructed, start: offset, end, value: buf.subarray(pos, end), raw: buf.subarray(offset, end) };
}

/** Reads a whole buffer that must hold exactly one TLV (trailing garbage is an error). */
export function readOne(buf: Buffer): Tlv {
  const t = readTlv(buf, 0);
  if (t.end !== buf.length) throw new DerError('trailing data after the structure');
  return t;
}

/**
 * The readers below take `Tlv | undefined`: a structure that lacks an element its callers index
 * (`children(x)[1]`) is malformed input, reported as a DerError like any other (found by fuzz/).
 */
function present(t: Tlv | undefined, what: string): Tlv {
  if (!t) throw new DerError(`missing ${what}`);
  return t;
}

/** The children of a constructed TLV. */
export function children(tlv: Tlv | undefined): Tlv[] {
  const t = present(tlv, 'constructed element');
  if (!t.constructed) throw new DerError(`tag 0x${t.tag.toString(16)} is not constructed`);
  const out: Tlv[] = [];
  let pos = 0;
  while (pos < t.value.length) {
    const c = readTlv(t.value, pos, 1);
    out.push(c);
    pos = c.end;
  }
  return out;
}

/** A constructed TLV's children, checking its tag. */
export function expect(tlv: Tlv | undefined, tag: number, what: string): Tlv {
  const t = present(tlv, what);
  if (t.tag !== tag) throw new DerError(`${what}: expected tag 0x${tag.toString(16)}, got 0x${t.tag.toString(16)}`);
  return t;
}

/** The content of an OCTET STRING, joining BER constructed segments. */
export function octets(tlv: Tlv | undefined): Buffer {
  const t = present(tlv, 'OCTET STRING');
  if (t.tag === 0x04) return t.value;
  if (t.tag === 0x24) return Buffer.concat(children(t).map(octets));
  throw new DerError('expected an OCTET STRING');
}

export function decodeOid(tlv: Tlv | undefined): string {
  const t = present(tlv, 'OBJECT IDENTIFIER');
  if (t.tag !== 0x06 || t.value.length === 0) throw new DerError('expected an OBJECT IDENTIFIER');
  const v = t.value;
  const parts: number[] = [];
  let n = 0;
  for (let i = 0; i < v.length; i++) {
    n = n * 128 + (v[i]! & 0x7f);
    if (!(v[i]! & 0x80)) {
      if (parts.length === 0) {
        const a = n < 80 ? Math.floor(n / 40) : 2;
        parts.push(a, n - a * 40);
      } else parts.push(n);
      n = 0;
    }
  }
  return parts.join('.');
}

/** Parses UTCTime / GeneralizedTime (the forms X.509 and CMS allow: seconds, 'Z'). */
export function decodeTime(tlv: Tlv | undefined): Date {
  const t = present(tlv, 'time');
  const s = t.value.toString('latin1');
  let m: RegExpMatchArray | null;
  if (t.tag === 0x17 && (m = s.match(/^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?Z$/))) {
    const yy = Number(m[1]);
    // RFC 5280 §4.1.2.5.1: YY >= 50 is 19YY, else 20YY.
    return new Date(Date.UTC(yy >= 50 ? 1900 + yy : 2000 + yy, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0)));
  }
  if (t.tag === 0x18 && (m = s.match(/^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.\d+)?Z$/))) {
    return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
  }
  throw new DerError('unsupported time encoding');
}

/** Decodes the string types used in X.500 names. */
export function decodeString(tlv: Tlv | undefined): string {
  const t = present(tlv, 'string');
  switch (t.tag) {
    case 0x0c: // UTF8String
      return t.value.toString('utf8');
    case 0x13: // PrintableString
    case 0x16: // IA5String
    case 0x12: // NumericString
    case 0x1a: // VisibleString
      return t.value.toString('latin1');
    case 0x14: // TeletexString: in practice Latin-1
      return t.value.toString('latin1');
    case 0x1e: {
      // BMPString: UCS-2 big endian
      const b = Buffer.from(t.value);
      return b.swap16().toString('utf16le');
    }
    default:
      return t.value.toString('latin1');
  }
}

// ---- writer --------------------------------------------------------------------------------

function lengthBytes(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  while (n > 0) {
    bytes.unshift(n & 0xff);
    n = Math.floor(n / 256);
  }
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), lengthBytes(body.length), body]);
}
export const seq = (...c: Buffer[]): Buffer => tlv(0x30, ...c);
/** A DER SET OF: members sorted by their encodings (X.690 §11.6), as signed attributes require. */
export const setOf = (...c: Buffer[]): Buffer => tlv(0x31, ...[...c].sort(Buffer.compare));
export const octetString = (b: Buffer): Buffer => tlv(0x04, b);
export const nullValue = (): Buffer => Buffer.from([0x05, 0x00]);
/** [n] EXPLICIT or IMPLICIT constructed context tag. */
export const context = (n: number, ...c: Buffer[]): Buffer => tlv(0xa0 | n, ...c);

export function integer(value: number | Buffer): Buffer {
  let b: Buffer;
  if (typeof value === 'number') {
    const bytes: number[] = [];
    let n = value;
    do {
      bytes.unshift(n & 0xff);
      n = Math.floor(n / 256);
    } while (n > 0);
    b = Buffer.from(bytes);
  } else b = value;
  let i = 0;
  while (i < b.length - 1 && b[i] === 0 && !(b[i + 1]! & 0x80)) i++;
  b = b.subarray(i);
  if (b[0]! & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return tlv(0x02, b);
}

export function oid(dotted: string): Buffer {
  const p = dotted.split('.').map(Number);
  const out: number[] = [];
  const push = (n: number): void => {
    const stack = [n & 0x7f];
    n = Math.floor(n / 128);
    while (n > 0) {
      stack.unshift((n & 0x7f) | 0x80);
      n = Math.floor(n / 128);
    }
    out.push(...stack);
  };
  push(p[0]! * 40 + p[1]!);
  for (const n of p.slice(2)) push(n);
  return tlv(0x06, Buffer.from(out));
}

/** UTCTime for 1950–2049 and GeneralizedTime otherwise (RFC 5652 §11.3 for signingTime). */
export function time(d: Date): Buffer {
  const y = d.getUTCFullYear();
  const p2 = (n: number): string => String(n).padStart(2, '0');
  const rest = `${p2(d.getUTCMonth() + 1)}${p2(d.getUTCDate())}${p2(d.getUTCHours())}${p2(d.getUTCMinutes())}${p2(d.getUTCSeconds())}Z`;
  if (y >= 1950 && y < 2050) return tlv(0x17, Buffer.from(`${p2(y % 100)}${rest}`, 'latin1'));
  return tlv(0x18, Buffer.from(`${y}${rest}`, 'latin1'));
}
