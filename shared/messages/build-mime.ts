/**
 * Builds an RFC 5322 / MIME message in the browser, for the messages whose plaintext must never reach a
 * server: the reply or forward of a message decrypted in the page (regify zimlet, issue 12), and an
 * outside recipient's answer from the portal. Elsewhere Zimbra builds the MIME (from a draft) and we only
 * read it back (zimlets/regify/src/messages/send-flow.ts).
 *
 * What it writes, and the rule it follows:
 * - CRLF line ends, header lines folded before 78 characters (RFC 5322 §2.1.1, §2.2.3);
 * - non-ASCII header text as UTF-8 "B" encoded-words of at most 75 characters, split on whole
 *   characters (RFC 2047 §2, §5(1), §5(3));
 * - Date in the RFC 5322 §3.3 form, a fresh Message-ID (§3.6.4) on the sender's domain;
 * - the text as text/plain; charset=utf-8, base64 (RFC 2045 §6.8: lines of 76); with attachments a
 *   multipart/mixed (RFC 2046 §5.1.3) whose boundary cannot occur in base64 content;
 * - attachment names as an ASCII `filename=` fallback plus RFC 2231 `filename*=utf-8''…` (§4), which
 *   our reader (shared/messages/mime.ts) and common mail clients read.
 */

export interface BuiltAttachment {
  fileName: string;
  mimeType: string;
  bytes: Uint8Array;
}

export interface BuiltMessage {
  from: string;
  to: readonly string[];
  cc?: readonly string[];
  subject: string;
  text: string;
  attachments?: readonly BuiltAttachment[];
  date?: Date;
  /** Message-ID of the message answered (In-Reply-To and References, RFC 5322 §3.6.4). */
  inReplyTo?: string;
}

const CRLF = '\r\n';
const encoder = new TextEncoder();

function base64(bytes: Uint8Array): string {
  let out = '';
  // Chunks keep String.fromCharCode's argument list small; 3-byte multiples keep the output contiguous.
  for (let i = 0; i < bytes.length; i += 0x8000 * 3) {
    out += btoa(String.fromCharCode(...bytes.subarray(i, i + 0x8000 * 3)));
  }
  return out;
}

function base64Lines(bytes: Uint8Array): string {
  const b = base64(bytes);
  const lines: string[] = [];
  for (let i = 0; i < b.length; i += 76) lines.push(b.slice(i, i + 76));
  return lines.join(CRLF);
}

const isAscii = (s: string) => /^[\x20-\x7e]*$/.test(s);

/** RFC 2047 encoded-words for a header value (whole value when not printable ASCII). */
export function encodeHeaderText(value: string): string {
  const clean = value.replace(/[\r\n]+/g, ' ');
  if (isAscii(clean)) return clean;
  // "=?utf-8?B?" + "?=" = 12 characters; 39 bytes of UTF-8 = 52 base64 characters: a 64-character word,
  // which leaves room for the header's name on the first line ("Subject: " + word ≤ 78).
  const words: string[] = [];
  let chunk = '';
  for (const ch of clean) {
    if (encoder.encode(chunk + ch).length > 39) {
      words.push(chunk);
      chunk = '';
    }
    chunk += ch;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?utf-8?B?${base64(encoder.encode(w))}?=`).join(`${CRLF} `);
}

/** An address header: display names are not written (the addresses are what the key service checks). */
function addressHeader(name: string, list: readonly string[]): string {
  return `${name}: ${list.join(`,${CRLF} `)}`;
}

function rfc5322Date(d: Date): string {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]}, ${p(d.getUTCDate())} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

function randomToken(bytes = 12): string {
  const b = crypto.getRandomValues(new Uint8Array(bytes));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

function quotedParam(value: string): string {
  return `"${value.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_')}"`;
}

function attachmentHeaders(a: BuiltAttachment): string[] {
  const type = /^[\w.+-]+\/[\w.+-]+$/.test(a.mimeType) ? a.mimeType : 'application/octet-stream';
  const lines = [`Content-Type: ${type}; name=${quotedParam(a.fileName)}`, `Content-Disposition: attachment; filename=${quotedParam(a.fileName)}`];
  if (!isAscii(a.fileName)) lines[1] += `;${CRLF} filename*=utf-8''${encodeURIComponent(a.fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
  lines.push('Content-Transfer-Encoding: base64');
  return lines;
}

export function buildMimeMessage(m: BuiltMessage): Uint8Array {
  const domain = m.from.slice(m.from.lastIndexOf('@') + 1) || 'localhost';
  const head = [
    `From: ${m.from}`,
    addressHeader('To', m.to),
    ...(m.cc && m.cc.length ? [addressHeader('Cc', m.cc)] : []),
    `Subject: ${encodeHeaderText(m.subject)}`,
    `Date: ${rfc5322Date(m.date ?? new Date())}`,
    `Message-ID: <${randomToken()}@${domain}>`,
    ...(m.inReplyTo ? [`In-Reply-To: ${m.inReplyTo}`, `References: ${m.inReplyTo}`] : []),
    'MIME-Version: 1.0',
  ];
  const textPart = ['Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: base64', '', base64Lines(encoder.encode(m.text.replace(/\r?\n/g, CRLF)))];
  const attachments = m.attachments ?? [];
  if (!attachments.length) return encoder.encode([...head, ...textPart, ''].join(CRLF));
  // "=_" cannot occur in base64 nor in our header lines: the boundary never appears inside a part.
  const boundary = `=_esante_${randomToken()}`;
  const parts = [textPart.join(CRLF), ...attachments.map((a) => [...attachmentHeaders(a), '', base64Lines(a.bytes)].join(CRLF))];
  const body = parts.map((p) => `--${boundary}${CRLF}${p}${CRLF}`).join('') + `--${boundary}--${CRLF}`;
  return encoder.encode([...head, `Content-Type: multipart/mixed; boundary="${boundary}"`, '', body].join(CRLF));
}
