/**
 * Parsing stored RFC 822 messages (mailparser) into the index columns and into Zimbra's message JSON
 * (zm-mailbox `store/src/java/com/zimbra/cs/service/mail/ToXML.java`: encodeMessageSummary for
 * SearchResponse, encodeMessageAsMP for GetMsgResponse; address `e` elements `{a, d, p, t}`).
 */
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import type { MessageRow } from './store.ts';

export interface ZAddress {
  /** f from, t to, c cc, b bcc, r reply-to, s sender (ToXML.encodeEmail / EmailType). */
  t: 'f' | 't' | 'c' | 'b' | 'r' | 's';
  a: string;
  p?: string;
  d?: string;
}

const FRAGMENT_LEN = 150;

function addressesOf(field: AddressObject | AddressObject[] | undefined, t: ZAddress['t']): ZAddress[] {
  const out: ZAddress[] = [];
  for (const obj of field === undefined ? [] : Array.isArray(field) ? field : [field]) {
    for (const v of obj.value) {
      for (const m of v.group ?? [v]) {
        if (!m.address) continue;
        const e: ZAddress = { t, a: m.address };
        if (m.name) {
          e.p = m.name;
          e.d = m.name.split(/\s+/)[0]!;
        } else e.d = m.address.split('@')[0]!;
        out.push(e);
      }
    }
  }
  return out;
}

export function addressesOfMail(mail: ParsedMail): ZAddress[] {
  return [
    ...addressesOf(mail.from, 'f'),
    ...addressesOf(mail.to, 't'),
    ...addressesOf(mail.cc, 'c'),
    ...addressesOf(mail.bcc, 'b'),
    ...addressesOf(mail.replyTo, 'r'),
  ];
}

/** The columns the store keeps next to the raw message, for listing and searching without re-parsing. */
export async function indexMessage(raw: Buffer, folderId: number, flags: string): Promise<Omit<MessageRow, 'id'>> {
  const mail = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true });
  const text = (mail.text ?? '').trim();
  const hasAttachment = mail.attachments.some((a) => !a.related);
  const f = new Set(flags.split(''));
  if (hasAttachment) f.add('a');
  return {
    folder_id: folderId,
    raw,
    date: (mail.date ?? new Date()).getTime(),
    subject: mail.subject ?? '',
    addrs: JSON.stringify(addressesOfMail(mail)),
    fragment: text.replace(/\s+/g, ' ').slice(0, FRAGMENT_LEN),
    body_text: text,
    flags: [...f].sort().join(''),
    message_id: mail.messageId ?? null,
    size: raw.length,
  };
}

/** SearchResponse `m` element (ToXML.encodeMessageSummary). */
export function messageSummary(m: Omit<MessageRow, 'raw'>): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: String(m.id),
    l: String(m.folder_id),
    d: m.date,
    s: m.size,
    cid: String(-m.id),
    e: JSON.parse(m.addrs) as ZAddress[],
    su: m.subject,
    fr: m.fragment,
  };
  if (m.flags) out['f'] = m.flags;
  return out;
}

export interface GetMsgOptions {
  /** `html="1"`: the HTML body when there is one (else the text). */
  html: boolean;
  /** `raw="1"`: the whole RFC 822 message as `content`, no `mp` (ToXML.encodeMessageAsMIME). */
  raw: boolean;
}

/**
 * GetMsgResponse `m` element. The sandbox flattens the MIME tree to one body part plus the attachments
 * (with mailparser's IMAP-style part ids, which `/service/home/~/?id=&part=` accepts); Zimbra returns
 * the full tree, the web client reads the same fields (`part`, `ct`, `s`, `body`, `content`, `cd`, `filename`).
 * The HTML body is returned as the sender wrote it: the webmail must sanitise it (DOMPurify) before display.
 */
export async function messageFull(m: MessageRow, opts: GetMsgOptions): Promise<Record<string, unknown>> {
  const out = messageSummary(m);
  if (m.message_id) out['mid'] = m.message_id;
  if (opts.raw) {
    out['content'] = { _content: m.raw.toString('utf8') };
    return out;
  }
  const mail = await simpleParser(m.raw, { skipImageLinks: true });
  const useHtml = opts.html && typeof mail.html === 'string';
  const body: Record<string, unknown> = {
    part: '1',
    ct: useHtml ? 'text/html' : 'text/plain',
    body: true,
    content: useHtml ? (mail.html as string) : (mail.text ?? ''),
  };
  body['s'] = Buffer.byteLength(String(body['content']));
  const attachments = mail.attachments.map((a) => {
    const part: Record<string, unknown> = { part: a.partId ?? '', ct: a.contentType, s: a.size, cd: a.contentDisposition === 'inline' ? 'inline' : 'attachment' };
    if (a.filename) part['filename'] = a.filename;
    if (a.contentId) part['ci'] = a.contentId;
    const cl = a.headers.get('content-location');
    if (typeof cl === 'string' && cl) part['cl'] = cl;
    return part;
  });
  out['mp'] = attachments.length === 0 ? [body] : [{ part: 'TEXT', ct: 'multipart/mixed', mp: [body, ...attachments] }];
  return out;
}

/** One attachment of a stored message by part id, for `/service/home/~/?id=ID&part=N`. */
export async function attachmentPart(raw: Buffer, part: string): Promise<{ filename: string; contentType: string; content: Buffer } | undefined> {
  const mail = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true });
  const a = mail.attachments.find((x) => x.partId === part);
  return a && { filename: a.filename ?? `part-${part}`, contentType: a.contentType, content: a.content };
}
