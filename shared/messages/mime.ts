/**
 * A small MIME reader (RFC 2045–2047, 2231, 2387, 1847) for the decrypted inner message of a secure
 * container: the zimlet and the portal show that message themselves, in the browser, so the
 * plaintext never goes back to a server to be parsed. Pure: Uint8Array in, plain objects out, no DOM.
 *
 * Scope: what mail clients send (multipart/mixed|alternative|related|signed, nested; 7bit, 8bit,
 * binary, base64, quoted-printable; encoded words in headers; RFC 2231 parameters with continuations
 * and charsets; any charset the platform's TextDecoder knows). Malformed input never throws: a part
 * that cannot be understood is kept as an opaque attachment, so nothing the sender sent is hidden.
 *
 * Offsets: the message is read as a "binary string" (one UTF-16 unit per byte, windows-1252 as
 * WHATWG defines it maps every byte to exactly one unit), so string indices are byte offsets and
 * bodies are sliced from the original bytes without copying the whole message twice.
 */

export interface MimeHeader {
  /** Lower-cased field name. */
  name: string;
  /** Unfolded raw value (bytes above 0x7F read as UTF-8, RFC 6532). */
  value: string;
}

export interface MimeEntity {
  headers: MimeHeader[];
  /** Lower-cased `type/subtype`; `text/plain` when absent or unreadable (RFC 2045 §5.2). */
  contentType: string;
  /** Content-Type parameters, names lower-cased, RFC 2231 values decoded. */
  params: Record<string, string>;
  disposition: 'inline' | 'attachment' | undefined;
  /** From Content-Disposition `filename` or Content-Type `name`, decoded (RFC 2231 / RFC 2047). */
  filename: string | undefined;
  /** Content-ID without angle brackets. */
  contentId: string | undefined;
  /** The decoded body (after Content-Transfer-Encoding) of a leaf; empty for multiparts. */
  body: Uint8Array;
  /** The entity exactly as it appears in the message (headers and body), e.g. for signature checks. */
  raw: Uint8Array;
  parts: MimeEntity[];
}

/** Nesting and part limits: a hostile message must not exhaust the browser. */
const MAX_DEPTH = 20;
const MAX_PARTS = 2000;

// Created on first use, not at module load: bundles are loaded (and checked) before any message is read.
let binaryDecoderInstance: TextDecoder | undefined;
const binaryDecoder = {
  decode(bytes: Uint8Array): string {
    binaryDecoderInstance ??= new TextDecoder('windows-1252');
    return binaryDecoderInstance.decode(bytes);
  },
};

function toBinaryString(bytes: Uint8Array): string {
  return binaryDecoder.decode(bytes);
}

/** Decodes bytes in `charset`; unknown charsets fall back to UTF-8, then windows-1252. */
export function decodeCharset(bytes: Uint8Array, charset: string | undefined): string {
  const label = (charset ?? 'utf-8').trim().toLowerCase() || 'utf-8';
  try {
    return new TextDecoder(label === 'us-ascii' ? 'utf-8' : label).decode(bytes);
  } catch {
    // An unknown label (RangeError): UTF-8 if the bytes are valid UTF-8, else Latin-1-like.
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      return binaryDecoder.decode(bytes);
    }
  }
}

/** Bytes of a binary string (each unit one byte) back into a Uint8Array. */
function binaryToBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // windows-1252 maps 0x80–0x9F to other code points: map them back through the table.
    out[i] = c < 0x100 ? c : (cp1252Reverse().get(c) ?? 0x3f);
  }
  return out;
}

let cp1252ReverseMap: Map<number, number> | undefined;
function cp1252Reverse(): Map<number, number> {
  if (cp1252ReverseMap) return cp1252ReverseMap;
  const m = new Map<number, number>();
  const bytes = new Uint8Array(32).map((_, i) => 0x80 + i);
  const text = binaryDecoder.decode(bytes);
  for (let i = 0; i < text.length; i++) m.set(text.charCodeAt(i), 0x80 + i);
  return (cp1252ReverseMap = m);
}

const B64 = new Int16Array(256).fill(-1);
'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.split('').forEach((c, i) => (B64[c.charCodeAt(0)] = i));

/** base64 (RFC 2045 §6.8): characters outside the alphabet are ignored, stops at padding. */
export function decodeBase64(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.floor((bytes.length * 3) / 4) + 3);
  let acc = 0;
  let bits = 0;
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x3d) break; // '='
    const v = B64[b]!;
    if (v < 0) continue;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (acc >> bits) & 0xff;
    }
  }
  return out.slice(0, n);
}

function hexVal(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x41 && b <= 0x46) return b - 0x37;
  if (b >= 0x61 && b <= 0x66) return b - 0x57;
  return -1;
}

/** quoted-printable (RFC 2045 §6.7): `=XX`, soft line breaks `=\r\n`; a stray `=` is kept as is. */
export function decodeQuotedPrintable(bytes: Uint8Array, underscoreIsSpace = false): Uint8Array {
  const out = new Uint8Array(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x3d) {
      const h1 = i + 1 < bytes.length ? hexVal(bytes[i + 1]!) : -1;
      const h2 = i + 2 < bytes.length ? hexVal(bytes[i + 2]!) : -1;
      if (h1 >= 0 && h2 >= 0) {
        out[n++] = (h1 << 4) | h2;
        i += 2;
        continue;
      }
      // Soft line break: "=" then optional trailing whitespace then CRLF or LF.
      let j = i + 1;
      while (j < bytes.length && (bytes[j] === 0x20 || bytes[j] === 0x09)) j++;
      if (j < bytes.length && bytes[j] === 0x0d && bytes[j + 1] === 0x0a) {
        i = j + 1;
        continue;
      }
      if (j < bytes.length && bytes[j] === 0x0a) {
        i = j;
        continue;
      }
      if (j >= bytes.length) break;
      out[n++] = b;
      continue;
    }
    out[n++] = underscoreIsSpace && b === 0x5f ? 0x20 : b;
  }
  return out.slice(0, n);
}

const ENCODED_WORD = /=\?([^?\s*]+)(?:\*[^?\s]*)?\?([bBqQ])\?([^?\s]*)\?=/g;

/**
 * Decodes RFC 2047 encoded words in an unfolded header value. Whitespace between two adjacent
 * encoded words is dropped (§6.2); words of one charset are joined before decoding, so a multi-byte
 * character split across two words survives.
 */
export function decodeWords(value: string): string {
  if (!value.includes('=?')) return value;
  let out = '';
  let last = 0;
  let pending: { charset: string; bytes: number[] } | undefined;
  const flush = () => {
    if (pending) out += decodeCharset(Uint8Array.from(pending.bytes), pending.charset);
    pending = undefined;
  };
  for (const m of value.matchAll(ENCODED_WORD)) {
    const between = value.slice(last, m.index);
    const adjacent = pending !== undefined && /^[ \t\r\n]*$/.test(between);
    if (!adjacent) {
      flush();
      out += between;
    }
    const charset = m[1]!.toLowerCase();
    const text = m[3]!;
    const raw = Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
    const bytes = m[2]!.toLowerCase() === 'b' ? decodeBase64(raw) : decodeQuotedPrintable(raw, true);
    if (pending && pending.charset !== charset) flush();
    if (!pending) pending = { charset, bytes: [] };
    for (const b of bytes) pending.bytes.push(b);
    last = m.index + m[0].length;
  }
  flush();
  return out + value.slice(last);
}

/** Splits `a; b="x;y"; c` on semicolons outside quotes. */
function splitParams(value: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\\' && quoted && i + 1 < value.length) {
      cur += c + value[++i];
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === ';' && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

function unquote(v: string): string {
  const t = v.trim();
  if (t.length >= 2 && t.startsWith('"') && t.endsWith('"')) return t.slice(1, -1).replace(/\\(.)/g, '$1');
  return t;
}

function percentDecode(text: string, charset: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '%' && i + 2 < text.length && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      for (const b of new TextEncoder().encode(c)) bytes.push(b);
    }
  }
  return decodeCharset(Uint8Array.from(bytes), charset || 'utf-8');
}

/**
 * Parses `value; p1=v1; p2*=utf-8''%E2%82%AC; p3*0*=…; p3*1=…` into the value and its parameters,
 * joining RFC 2231 continuations in order and decoding charsets; plain values may also carry RFC 2047
 * words (what many clients wrongly send for file names).
 */
export function parseHeaderParams(headerValue: string): { value: string; params: Record<string, string> } {
  const [first, ...rest] = splitParams(headerValue);
  const params: Record<string, string> = {};
  const continued = new Map<string, Array<{ index: number; text: string; encoded: boolean }>>();
  for (const item of rest) {
    const eq = item.indexOf('=');
    if (eq < 0) continue;
    const rawName = item.slice(0, eq).trim().toLowerCase();
    const rawValue = item.slice(eq + 1);
    const m = /^([^*]+)(?:\*(\d+))?(\*)?$/.exec(rawName);
    if (!m) continue;
    const name = m[1]!;
    if (m[2] === undefined && !m[3]) {
      if (!(name in params)) params[name] = decodeWords(unquote(rawValue));
      continue;
    }
    const list = continued.get(name) ?? [];
    list.push({ index: m[2] === undefined ? 0 : Number(m[2]), text: unquote(rawValue), encoded: !!m[3] });
    continued.set(name, list);
  }
  for (const [name, list] of continued) {
    list.sort((a, b) => a.index - b.index);
    let charset = 'utf-8';
    let text = '';
    list.forEach((seg, i) => {
      let t = seg.text;
      if (i === 0 && seg.encoded) {
        // charset'language'value (RFC 2231 §4)
        const q1 = t.indexOf("'");
        const q2 = q1 >= 0 ? t.indexOf("'", q1 + 1) : -1;
        if (q1 >= 0 && q2 >= 0) {
          charset = t.slice(0, q1) || 'utf-8';
          t = t.slice(q2 + 1);
        }
      }
      text += seg.encoded ? percentDecode(t, charset) : t;
    });
    // An RFC 2231 value wins over a plain one of the same name (it is the precise form).
    params[name] = text;
  }
  return { value: (first ?? '').trim(), params };
}

/** Raw header block → unfolded headers (RFC 5322 §2.2.3). */
function parseHeaderBlock(block: string): MimeHeader[] {
  const headers: MimeHeader[] = [];
  const lines = block.split(/\r?\n/);
  for (const line of lines) {
    if (/^[ \t]/.test(line) && headers.length > 0) {
      headers[headers.length - 1]!.value += ' ' + line.trim();
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    headers.push({ name: line.slice(0, colon).trim().toLowerCase(), value: line.slice(colon + 1).trim() });
  }
  // Header values may carry raw UTF-8 (RFC 6532): re-read each value's bytes as UTF-8 when valid.
  for (const h of headers) {
    if (/[\x80-\uffff]/.test(h.value)) {
      try {
        h.value = new TextDecoder('utf-8', { fatal: true }).decode(binaryToBytes(h.value));
      } catch {
        // Not UTF-8: keep the windows-1252 reading.
      }
    }
  }
  return headers;
}

export function headerValue(entity: Pick<MimeEntity, 'headers'>, name: string): string | undefined {
  const n = name.toLowerCase();
  return entity.headers.find((h) => h.name === n)?.value;
}

/** Index just after the header block: the blank line (CRLF CRLF or LF LF). */
function headerEnd(s: string, start: number, end: number): { headerStop: number; bodyStart: number } {
  const re = /\r?\n\r?\n/g;
  re.lastIndex = start;
  // A body-less entity whose headers start directly with a blank line.
  if (s.startsWith('\r\n', start)) return { headerStop: start, bodyStart: start + 2 };
  if (s.startsWith('\n', start)) return { headerStop: start, bodyStart: start + 1 };
  const m = re.exec(s);
  if (!m || m.index >= end) return { headerStop: end, bodyStart: end };
  return { headerStop: m.index, bodyStart: m.index + m[0].length };
}

/** Finds the body ranges of each part between `--boundary` lines (RFC 2046 §5.1.1). */
function splitMultipart(s: string, start: number, end: number, boundary: string): Array<[number, number]> {
  const delimiter = '--' + boundary;
  const parts: Array<[number, number]> = [];
  let partStart = -1;
  let pos = start;
  while (pos < end) {
    const i = s.indexOf(delimiter, pos);
    if (i < 0 || i >= end) break;
    const atLineStart = i === start || s[i - 1] === '\n';
    // The delimiter is the whole line: "--" boundary, then "--", or transport padding up to the line's
    // end (RFC 2046 §5.1.1 BNF). "--b10" is not a delimiter of boundary "b1".
    const next = s.slice(i + delimiter.length, i + delimiter.length + 2);
    const wholeLine = next === '--' || /^[ \t]*(\r|\n|$)/.test(s.slice(i + delimiter.length, Math.min(end, i + delimiter.length + 1000)));
    if (!atLineStart || !wholeLine) {
      pos = i + delimiter.length;
      continue;
    }
    // The CRLF before the delimiter belongs to the delimiter (§5.1.1).
    let before = i;
    if (s[before - 1] === '\n') before--;
    if (s[before - 1] === '\r') before--;
    const afterDelim = i + delimiter.length;
    const closing = s.startsWith('--', afterDelim);
    if (partStart >= 0) parts.push([partStart, Math.max(partStart, before)]);
    if (closing) return parts;
    // Skip transport padding up to the end of the delimiter line.
    const nl = s.indexOf('\n', afterDelim);
    if (nl < 0 || nl >= end) return parts;
    partStart = nl + 1;
    pos = partStart;
  }
  // No closing delimiter: keep what was there (a truncated message still shows its parts).
  if (partStart >= 0 && partStart < end) parts.push([partStart, end]);
  return parts;
}

interface ParseState {
  count: number;
}

function parseEntity(bytes: Uint8Array, s: string, start: number, end: number, depth: number, state: ParseState, defaultType: string): MimeEntity {
  state.count++;
  const { headerStop, bodyStart } = headerEnd(s, start, end);
  const headers = parseHeaderBlock(s.slice(start, headerStop));
  const ctHeader = headers.find((h) => h.name === 'content-type')?.value;
  const ct = parseHeaderParams(ctHeader ?? defaultType);
  let contentType = ct.value.toLowerCase();
  if (!/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(contentType)) contentType = ctHeader ? 'text/plain' : defaultType;
  const cdHeader = headers.find((h) => h.name === 'content-disposition')?.value;
  const cd = cdHeader ? parseHeaderParams(cdHeader) : undefined;
  const dispValue = cd?.value.toLowerCase();
  const disposition = dispValue === 'attachment' ? 'attachment' : dispValue === 'inline' ? 'inline' : undefined;
  const filename = cd?.params['filename'] ?? ct.params['name'];
  const cid = headers.find((h) => h.name === 'content-id')?.value.trim().replace(/^<|>$/g, '');
  const entity: MimeEntity = {
    headers,
    contentType,
    params: ct.params,
    disposition,
    filename: filename ? filename.replace(/[\\/]/g, '_') : undefined,
    contentId: cid || undefined,
    body: new Uint8Array(0),
    raw: bytes.subarray(start, end),
    parts: [],
  };
  const boundary = ct.params['boundary'];
  if (contentType.startsWith('multipart/') && boundary && depth < MAX_DEPTH) {
    // multipart/digest parts default to message/rfc822 (RFC 2046 §5.1.5).
    const childDefault = contentType === 'multipart/digest' ? 'message/rfc822' : 'text/plain; charset=us-ascii';
    const ranges = splitMultipart(s, bodyStart, end, boundary);
    for (const [ps, pe] of ranges) {
      if (state.count >= MAX_PARTS) {
        // Past the part limit the rest is not parsed but kept, as one opaque attachment: nothing is hidden.
        entity.parts.push(opaqueRest(bytes.subarray(ps, ranges.at(-1)![1])));
        break;
      }
      entity.parts.push(parseEntity(bytes, s, ps, pe, depth + 1, state, childDefault));
    }
    return entity;
  }
  // A multipart without a boundary, or nested deeper than MAX_DEPTH, is a leaf: toDisplay offers it whole (raw).
  const cte = (headers.find((h) => h.name === 'content-transfer-encoding')?.value ?? '').trim().toLowerCase();
  const rawBody = bytes.subarray(bodyStart, end);
  entity.body = cte === 'base64' ? decodeBase64(rawBody) : cte === 'quoted-printable' ? decodeQuotedPrintable(rawBody) : rawBody;
  return entity;
}

/** The unparsed rest of a multipart past MAX_PARTS, as bytes (its delimiters included). */
function opaqueRest(raw: Uint8Array): MimeEntity {
  return { headers: [], contentType: 'application/octet-stream', params: {}, disposition: 'attachment', filename: undefined, contentId: undefined, body: raw, raw, parts: [] };
}

/** Parses a whole RFC 822 message (or any MIME entity). Never throws on malformed content. */
export function parseMime(bytes: Uint8Array): MimeEntity {
  const s = toBinaryString(bytes);
  return parseEntity(bytes, s, 0, s.length, 0, { count: 0 }, 'text/plain; charset=us-ascii');
}

/** The text of a text/* leaf in its declared charset. */
export function textOf(entity: MimeEntity): string {
  return decodeCharset(entity.body, entity.params['charset']);
}

export interface MimeAttachment {
  filename: string;
  contentType: string;
  data: Uint8Array;
  contentId: string | undefined;
  /** True for parts referenced by the HTML body (cid:), shown inline rather than listed. */
  inline: boolean;
}

/** What a reader shows of a message: headers, one body (HTML and/or text), attachments. */
export interface DisplayMessage {
  subject: string;
  from: string;
  to: string;
  cc: string;
  date: string;
  html: string | undefined;
  text: string | undefined;
  attachments: MimeAttachment[];
  /** The message (or its content) is multipart/signed: the caller verifies the raw message. */
  signed: boolean;
}

function isAttachment(e: MimeEntity): boolean {
  return e.disposition === 'attachment' || (!!e.filename && !e.contentType.startsWith('multipart/'));
}

/** A file name for a part without one, from its type (e.g. "piece-jointe-2.pdf" is up to the caller). */
function fallbackName(e: MimeEntity, n: number): string {
  const ext: Record<string, string> = {
    'message/rfc822': 'eml',
    'text/plain': 'txt',
    'text/html': 'html',
    'application/pdf': 'pdf',
    'image/png': 'png',
    'image/jpeg': 'jpg',
  };
  return `part-${n}.${e.contentType.startsWith('multipart/') ? 'eml' : (ext[e.contentType] ?? 'bin')}`;
}

/**
 * Picks the body and the attachments the way mail clients do: in multipart/alternative the richest
 * known alternative (HTML, else text), in multipart/related the root plus its inline resources, in
 * multipart/mixed the first body part and every other part as an attachment; multipart/signed shows
 * its first part (the second is the signature, not an attachment).
 */
/**
 * The address of a From-like header value ("Name <a@b>" or "a@b"), lower-cased; '' when none. Used to
 * compare the From a sender wrote inside an encrypted message with the key service's record of who
 * sent it (the only one the reader can trust).
 */
export function mailboxAddress(value: string): string {
  const angle = /<\s*([^<>\s]+@[^<>\s]+)\s*>/.exec(value);
  const bare = angle ? angle[1]! : /[^\s<>",;:]+@[^\s<>",;:]+/.exec(value)?.[0] ?? '';
  return bare.toLowerCase();
}

export function toDisplay(root: MimeEntity): DisplayMessage {
  const out: DisplayMessage = {
    subject: decodeWords(headerValue(root, 'subject') ?? ''),
    from: decodeWords(headerValue(root, 'from') ?? ''),
    to: decodeWords(headerValue(root, 'to') ?? ''),
    cc: decodeWords(headerValue(root, 'cc') ?? ''),
    date: headerValue(root, 'date') ?? '',
    html: undefined,
    text: undefined,
    attachments: [],
    signed: false,
  };
  let counter = 0;
  const attach = (e: MimeEntity, inline = false) => {
    counter++;
    const data = e.contentType.startsWith('multipart/') ? e.raw : e.body;
    out.attachments.push({ filename: e.filename ?? fallbackName(e, counter), contentType: e.contentType, data, contentId: e.contentId, inline });
  };
  const setBody = (e: MimeEntity): boolean => {
    if (e.contentType === 'text/html' && out.html === undefined) {
      out.html = textOf(e);
      return true;
    }
    if (e.contentType === 'text/plain' && out.text === undefined && out.html === undefined) {
      out.text = textOf(e);
      return true;
    }
    return false;
  };
  const hasBody = () => out.html !== undefined || out.text !== undefined;

  const visit = (e: MimeEntity): void => {
    // A multipart that could not be split (no boundary, too deep, no delimiter): offered whole, never dropped.
    if (e.contentType.startsWith('multipart/') && e.parts.length === 0) {
      attach(e);
      return;
    }
    if (e.contentType === 'multipart/signed') {
      out.signed = true;
      if (e.parts[0]) visit(e.parts[0]);
      return;
    }
    if (e.contentType === 'multipart/alternative') {
      const html = e.parts.find((p) => p.contentType === 'text/html');
      const nested = e.parts.find((p) => p.contentType.startsWith('multipart/'));
      const text = e.parts.find((p) => p.contentType === 'text/plain');
      // The last alternative is the preferred one (RFC 2046 §5.1.4); we only render HTML or text.
      const preferred = [...e.parts].reverse().find((p) => p === html || p === nested) ?? text;
      if (preferred) visit(preferred);
      // No alternative we can show (e.g. only application/*): each is offered as an attachment.
      else for (const p of e.parts) attach(p);
      if (text && preferred !== text && out.text === undefined) out.text = textOf(text);
      return;
    }
    if (e.contentType === 'multipart/related') {
      const startCid = e.params['start']?.replace(/^<|>$/g, '');
      const rootPart = (startCid && e.parts.find((p) => p.contentId === startCid)) || e.parts[0];
      if (rootPart) visit(rootPart);
      for (const p of e.parts) if (p !== rootPart) attach(p, !!p.contentId);
      return;
    }
    if (e.contentType.startsWith('multipart/')) {
      for (const p of e.parts) {
        if (!hasBody() && !isAttachment(p) && (p.contentType.startsWith('multipart/') || p.contentType.startsWith('text/'))) visit(p);
        else if (p.contentType.startsWith('multipart/') && !isAttachment(p)) visit(p);
        else attach(p);
      }
      return;
    }
    if (!isAttachment(e) && !hasBody() && setBody(e)) return;
    attach(e);
  };
  visit(root);
  return out;
}
