/**
 * The MIME side of S/MIME signing (RFC 8551 §3.1, §3.5; RFC 1847 multipart/signed; RFC 2045/2046).
 * Everything here works on the canonical form: CRLF line endings. Signing canonicalises the whole
 * message first; that is safe because mail never carries Content-Transfer-Encoding: binary without
 * the BINARYMIME SMTP extension, which Zimbra does not produce for drafts.
 */
import { randomBytes } from 'node:crypto';
import { SigningError } from './errors.ts';

const CR = 0x0d;
const LF = 0x0a;
export const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');
/** RFC 5322 §2.1.1: lines of at most 998 octets. */
const MAX_LINE = 998;

/** A message that is not valid MIME: sign.message_invalid, with the (English) detail as its argument. */
export class MimeError extends SigningError {
  override readonly name = 'MimeError';
  constructor(detail: string) {
    super('sign.message_invalid', [detail], { detail });
  }
}

/** Converts every line ending (LF, CR, CRLF) to CRLF, the canonical form signatures cover. */
export function toCrlf(buf: Buffer): Buffer {
  // Fast path with native scans: most messages (Zimbra's) are already CRLF.
  let canonical = true;
  for (let i = buf.indexOf(LF); i >= 0; i = buf.indexOf(LF, i + 1)) {
    if (i === 0 || buf[i - 1] !== CR) { canonical = false; break; }
  }
  if (canonical) {
    for (let i = buf.indexOf(CR); i >= 0; i = buf.indexOf(CR, i + 1)) {
      if (buf[i + 1] !== LF) { canonical = false; break; }
    }
  }
  if (canonical) return buf;
  const out = Buffer.allocUnsafe(buf.length * 2);
  let o = 0;
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i]!;
    if (b === CR) {
      out[o++] = CR;
      out[o++] = LF;
      if (buf[i + 1] === LF) i++;
    } else if (b === LF) {
      out[o++] = CR;
      out[o++] = LF;
    } else out[o++] = b;
  }
  return out.subarray(0, o);
}

export interface HeaderField {
  /** Lowercased field name. */
  name: string;
  /** The field as it was, folding kept, ending with CRLF. */
  raw: Buffer;
  /** Unfolded value, trimmed (decoded as UTF-8: RFC 6532 allows it; ASCII otherwise). */
  value: string;
}

export interface Entity {
  fields: HeaderField[];
  body: Buffer;
}

/** Splits a canonical (CRLF) entity into its header fields and body. */
export function parseEntity(buf: Buffer): Entity {
  let headerEnd: number;
  let bodyStart: number;
  if (buf.subarray(0, 2).equals(CRLF)) {
    headerEnd = 0;
    bodyStart = 2;
  } else {
    const i = buf.indexOf(HEADER_END);
    if (i < 0) {
      headerEnd = buf.length;
      bodyStart = buf.length;
    } else {
      headerEnd = i + 2;
      bodyStart = i + 4;
    }
  }
  return { fields: parseFields(buf.subarray(0, headerEnd)), body: buf.subarray(bodyStart) };
}

function parseFields(header: Buffer): HeaderField[] {
  const fields: HeaderField[] = [];
  let start = 0;
  while (start < header.length) {
    // A field ends at a CRLF not followed by folding whitespace.
    let end = start;
    for (;;) {
      const nl = header.indexOf(CRLF, end);
      if (nl < 0) { end = header.length; break; }
      end = nl + 2;
      const next = header[end];
      if (next !== 0x20 && next !== 0x09) break;
    }
    let raw = header.subarray(start, end);
    if (!raw.subarray(-2).equals(CRLF)) raw = Buffer.concat([raw, CRLF]);
    const text = raw.toString('utf8');
    const colon = text.indexOf(':');
    if (colon <= 0 || /[\s]/.test(text.slice(0, colon))) throw new MimeError(`invalid header line: ${JSON.stringify(text.slice(0, 40))}`);
    fields.push({ name: text.slice(0, colon).toLowerCase(), raw, value: text.slice(colon + 1).replace(/\r\n([ \t])/g, '$1').trim() });
    start = end;
  }
  return fields;
}

export function field(fields: readonly HeaderField[], name: string): string | undefined {
  return fields.find((f) => f.name === name)?.value;
}

export function makeField(name: string, value: string): HeaderField {
  return { name: name.toLowerCase(), raw: Buffer.from(`${name}: ${value}\r\n`, 'utf8'), value };
}

export function serializeEntity(e: Entity): Buffer {
  return Buffer.concat([...e.fields.map((f) => f.raw), CRLF, e.body]);
}

export interface ContentType {
  /** `type/subtype`, lowercased. */
  mediaType: string;
  /** Parameter names lowercased, values unquoted. */
  params: Record<string, string>;
}

/** Parses a Content-Type value (RFC 2045 §5.1); RFC 2231 continuations are not needed here. */
export function parseContentType(value: string | undefined): ContentType {
  if (!value) return { mediaType: 'text/plain', params: { charset: 'us-ascii' } };
  const m = value.match(/^\s*([^\s;/]+)\s*\/\s*([^\s;]+)\s*/);
  if (!m) return { mediaType: 'text/plain', params: { charset: 'us-ascii' } };
  const params: Record<string, string> = {};
  const re = /;\s*([^\s=;]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s;]*))/g;
  let p: RegExpExecArray | null;
  while ((p = re.exec(value))) params[p[1]!.toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3]!;
  return { mediaType: `${m[1]}/${m[2]}`.toLowerCase(), params };
}

export interface MultipartBody {
  /** Each body part's bytes, without the CRLF that precedes the next delimiter (RFC 2046 §5.1.1). */
  parts: Buffer[];
  /** Whether the close delimiter `--boundary--` was found. */
  closed: boolean;
}

/** Splits a canonical multipart body on its boundary. */
export function splitMultipart(body: Buffer, boundary: string): MultipartBody {
  const dash = Buffer.from(`--${boundary}`, 'latin1');
  const delims: Array<{ lineStart: number; contentStart: number; close: boolean }> = [];
  let from = 0;
  while (from <= body.length) {
    const i = body.indexOf(dash, from);
    if (i < 0) break;
    from = i + 1;
    if (i !== 0 && !(body[i - 1] === LF && body[i - 2] === CR)) continue;
    let j = i + dash.length;
    const close = body[j] === 0x2d && body[j + 1] === 0x2d;
    if (close) j += 2;
    while (body[j] === 0x20 || body[j] === 0x09) j++; // transport padding
    if (j < body.length && !(body[j] === CR && body[j + 1] === LF)) continue; // boundary text inside a line
    delims.push({ lineStart: i === 0 ? 0 : i - 2, contentStart: Math.min(j + 2, body.length), close });
    if (close) break;
  }
  const parts: Buffer[] = [];
  for (let k = 0; k + 1 < delims.length; k++) {
    if (delims[k]!.close) break;
    parts.push(body.subarray(delims[k]!.contentStart, Math.max(delims[k]!.contentStart, delims[k + 1]!.lineStart)));
  }
  return { parts, closed: delims.some((d) => d.close) };
}

/** The addr-spec of a From/Sender value: `"Marie" <marie@x>` → `marie@x`, lowercased. */
export function addressOf(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const angle = value.match(/<\s*([^<>\s]+@[^<>\s]+)\s*>/);
  if (angle) return angle[1]!.toLowerCase();
  const bare = value.match(/([^\s<>",;:]+@[^\s<>",;:]+)/);
  return bare ? bare[1]!.toLowerCase() : undefined;
}

function isSevenBitClean(buf: Buffer): boolean {
  // latin1 maps bytes 1:1 to code units, so a native regex scan finds 8-bit bytes and NULs.
  if (/[\x00\x80-\xff]/.test(buf.toString('latin1'))) return false;
  let start = 0;
  for (let i = buf.indexOf(LF); i >= 0; i = buf.indexOf(LF, i + 1)) {
    if (i - start > MAX_LINE + 1) return false;
    start = i + 1;
  }
  return buf.length - start <= MAX_LINE;
}

export function base64Lines(buf: Buffer): Buffer {
  const b64 = buf.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 76) lines.push(b64.slice(i, i + 76));
  return Buffer.from(lines.join('\r\n') + '\r\n', 'latin1');
}

/**
 * Makes an entity safe to sign: 7-bit with short lines (RFC 8551 §3.1.2, §3.1.3). A signature on
 * 8-bit content breaks when a relay downgrades it to 7-bit, so such leaves are re-encoded in base64;
 * multiparts are walked, 7-bit parts are kept byte for byte.
 */
export function toSevenBit(e: Entity, depth = 0): Entity {
  if (depth > 32) throw new MimeError('MIME nesting too deep');
  if (isSevenBitClean(e.body)) return e;
  const ct = parseContentType(field(e.fields, 'content-type'));
  if (ct.mediaType.startsWith('multipart/')) {
    const boundary = ct.params['boundary'];
    if (!boundary) throw new MimeError('multipart without boundary');
    const { parts } = splitMultipart(e.body, boundary);
    if (parts.length === 0) throw new MimeError('multipart without parts');
    const rebuilt = parts.map((p) => serializeEntity(toSevenBit(parseEntity(p), depth + 1)));
    const body: Buffer[] = [];
    for (const p of rebuilt) body.push(Buffer.from(`--${boundary}\r\n`, 'latin1'), p, CRLF);
    body.push(Buffer.from(`--${boundary}--\r\n`, 'latin1'));
    return { fields: e.fields, body: Buffer.concat(body) };
  }
  if (ct.mediaType === 'message/rfc822' || ct.mediaType === 'message/global') {
    // RFC 2046 §5.2.1: a message part cannot be base64-encoded; make its inner entity 7-bit.
    return { fields: e.fields, body: serializeEntity(toSevenBit(parseEntity(e.body), depth + 1)) };
  }
  const cte = (field(e.fields, 'content-transfer-encoding') ?? '7bit').toLowerCase();
  if (cte === 'base64' || cte === 'quoted-printable') throw new MimeError(`8-bit data in a ${cte} part`);
  const fields = e.fields.filter((f) => f.name !== 'content-transfer-encoding');
  fields.push(makeField('Content-Transfer-Encoding', 'base64'));
  return { fields, body: base64Lines(e.body) };
}

/** A boundary that cannot occur in `content` (RFC 2046 §5.1.1: at most 70 characters). */
export function newBoundary(content: Buffer): string {
  for (;;) {
    const b = `----=_esante_signed_${randomBytes(18).toString('base64url')}`;
    if (content.indexOf(b) < 0) return b;
  }
}
