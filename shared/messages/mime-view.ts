/**
 * A small MIME reader for SHOWING a decrypted message in a browser (the portal; usable by the
 * regify zimlet too): headers (RFC 5322, RFC 2047 encoded words), multipart (RFC 2046),
 * base64 / quoted-printable, charsets via TextDecoder, attachment names (RFC 2183, RFC 2231).
 * It reads; it never renders: HTML bodies must be sanitised (DOMPurify) by the caller.
 * Works on bytes: a part's body is decoded with its own charset, attachments stay binary.
 */

export interface MimeAttachment {
  filename: string;
  contentType: string;
  data: Uint8Array;
}

export interface MimeView {
  subject: string;
  from: string;
  to: string;
  cc: string;
  date: string;
  text: string | null;
  /** Unsanitised HTML: sanitise before display. */
  html: string | null;
  attachments: MimeAttachment[];
}

const MAX_DEPTH = 20;

/** Bytes to a "binary" string (one char per byte), so offsets and byte values survive parsing. */
function binary(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return s;
}

function bytesOf(bin: string): Uint8Array {
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i) & 0xff;
  return out;
}

function decodeCharset(bytes: Uint8Array, charset: string | undefined): string {
  const label = (charset || 'utf-8').trim().toLowerCase();
  try {
    return new TextDecoder(label === 'us-ascii' ? 'utf-8' : label).decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes); // unknown charset: best effort
  }
}

function base64Bytes(text: string): Uint8Array {
  const clean = text.replace(/[^A-Za-z0-9+/]/g, '');
  const padded = clean + '='.repeat((4 - (clean.length % 4)) % 4);
  try {
    return bytesOf(atob(padded.length % 4 === 0 ? padded : clean.slice(0, clean.length - (clean.length % 4))));
  } catch {
    return new Uint8Array(0);
  }
}

function quotedPrintableBytes(text: string): Uint8Array {
  const bin = text.replace(/=\r?\n/g, '').replace(/=([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  return bytesOf(bin);
}

/** RFC 2047 encoded words inside a header value (header bytes read as UTF-8 otherwise). */
export function decodeHeader(raw: string): string {
  const utf8 = decodeCharset(bytesOf(raw), 'utf-8');
  return utf8
    .replace(/(=\?[^?]+\?[BbQq]\?[^?]*\?=)\s+(?==\?)/g, '$1') // whitespace between encoded words is dropped
    .replace(/=\?([^?*]+)(?:\*[^?]*)?\?([BbQq])\?([^?]*)\?=/g, (_, charset: string, enc: string, text: string) => {
      const bytes = enc.toUpperCase() === 'B' ? base64Bytes(text) : quotedPrintableBytes(text.replace(/_/g, ' '));
      return decodeCharset(bytes, charset);
    });
}

interface Headers {
  get(name: string): string | undefined;
}

function parseHeaders(block: string): Headers {
  const map = new Map<string, string>();
  const unfolded = block.replace(/\r?\n[ \t]+/g, ' ');
  for (const line of unfolded.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const name = line.slice(0, i).trim().toLowerCase();
    if (!map.has(name)) map.set(name, line.slice(i + 1).trim());
  }
  return { get: (name) => map.get(name.toLowerCase()) };
}

/** `type/sub; a=b; c="d"` → value and parameters (RFC 2231 `name*=charset''…` and continuations included). */
export function parseParams(value: string | undefined): { value: string; params: Record<string, string> } {
  if (!value) return { value: '', params: {} };
  const [first, ...rest] = value.split(/;(?=(?:[^"]*"[^"]*")*[^"]*$)/);
  const params: Record<string, string> = {};
  const continued: Record<string, string[]> = {};
  for (const part of rest) {
    const m = /^\s*([^=\s]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|(\S*))\s*$/.exec(part);
    if (!m) continue;
    const key = m[1]!.toLowerCase();
    const val = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!;
    const c = /^(.+?)\*(\d+)\*?$/.exec(key);
    if (c) (continued[c[1]!] ??= [])[Number(c[2])] = val;
    else params[key] = val;
  }
  for (const [k, parts] of Object.entries(continued)) params[`${k}*`] = parts.join('');
  for (const [k, v] of Object.entries(params)) {
    if (!k.endsWith('*')) continue;
    const m = /^([^']*)'[^']*'(.*)$/.exec(v);
    const base = k.slice(0, -1);
    params[base] = m ? decodeCharset(bytesOf(m[2]!.replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)))), m[1] || 'utf-8') : v;
  }
  return { value: first!.trim().toLowerCase(), params };
}

function partBody(headers: Headers, body: string): Uint8Array {
  const enc = (headers.get('content-transfer-encoding') ?? '7bit').trim().toLowerCase();
  if (enc === 'base64') return base64Bytes(body);
  if (enc === 'quoted-printable') return quotedPrintableBytes(body);
  return bytesOf(body);
}

function splitHead(bin: string): { head: string; body: string } {
  const m = /\r?\n\r?\n/.exec(bin);
  if (!m) return { head: bin, body: '' };
  return { head: bin.slice(0, m.index), body: bin.slice(m.index + m[0].length) };
}

function walk(bin: string, view: MimeView, depth: number, inAlternative: boolean): void {
  const { head, body } = splitHead(bin);
  const headers = parseHeaders(head);
  const type = parseParams(headers.get('content-type') ?? 'text/plain; charset=us-ascii');
  const disposition = parseParams(headers.get('content-disposition'));
  // An RFC 2231 value (`name*`) is already decoded text; a plain one is header bytes, maybe RFC 2047 words.
  const param = (p: Record<string, string>, k: string): string | undefined =>
    p[`${k}*`] !== undefined ? p[k] : p[k] !== undefined ? decodeHeader(p[k]!) : undefined;
  const filename = param(disposition.params, 'filename') ?? param(type.params, 'name') ?? '';

  if (type.value.startsWith('multipart/') && type.params['boundary'] && depth < MAX_DEPTH) {
    const boundary = `--${type.params['boundary']}`.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    // Everything from the close delimiter on is the epilogue, which is not content (RFC 2046 §5.1.1).
    const close = new RegExp(`(?:^|\\r?\\n)${boundary}--[ \\t]*(?:\\r?\\n|$)`).exec(body);
    const content = close ? body.slice(0, close.index) : body;
    const chunks = content.split(new RegExp(`(?:^|\\r?\\n)${boundary}[ \\t]*(?=\\r?\\n|$)`));
    // chunks[0] is the preamble.
    const parts = chunks.slice(1).map((c) => c.replace(/^\r?\n/, '')).filter((c) => c.trim() !== '');
    const alternative = type.value === 'multipart/alternative';
    for (const p of parts) walk(p, view, depth + 1, alternative);
    return;
  }
  const data = partBody(headers, body);
  const isAttachment = disposition.value === 'attachment' || (filename !== '' && !type.value.startsWith('text/'));
  if (!isAttachment && type.value === 'text/html' && view.html === null) {
    view.html = decodeCharset(data, type.params['charset']);
  } else if (!isAttachment && type.value === 'text/plain' && (view.text === null || !inAlternative)) {
    const text = decodeCharset(data, type.params['charset']);
    view.text = view.text === null || inAlternative ? text : `${view.text}\n\n${text}`;
  } else if (type.value === 'message/rfc822' && !isAttachment) {
    view.attachments.push({ filename: 'message.eml', contentType: 'message/rfc822', data });
  } else {
    view.attachments.push({ filename: filename || 'attachment', contentType: type.value || 'application/octet-stream', data });
  }
}

/** Reads a whole RFC 822 message. */
export function parseMime(bytes: Uint8Array): MimeView {
  const bin = binary(bytes);
  const headers = parseHeaders(splitHead(bin).head);
  const view: MimeView = {
    subject: decodeHeader(headers.get('subject') ?? ''),
    from: decodeHeader(headers.get('from') ?? ''),
    to: decodeHeader(headers.get('to') ?? ''),
    cc: decodeHeader(headers.get('cc') ?? ''),
    date: headers.get('date') ?? '',
    text: null,
    html: null,
    attachments: [],
  };
  walk(bin, view, 0, false);
  return view;
}
