/**
 * Building the MIME of SendMsg/SaveDraft from Zimbra's JSON `m` element with nodemailer's MailComposer
 * (zm-mailbox `store/src/java/com/zimbra/cs/service/mail/ParseMimeMessage.java` does the same from `e`,
 * `su`, `mp`, `attach`).
 */
import MailComposer from 'nodemailer/lib/mail-composer';
import type { Account, Store } from './store.ts';
import { Faults, list, text } from './soap.ts';
import { attachmentPart } from './mime.ts';

const ADDRESS = /^[^\s@<>()",;:\\[\]]{1,64}@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}$/i;
const MAX_RECIPIENTS = 500;
const MAX_SUBJECT = 998;

export interface Recipients {
  to: Array<{ name: string; address: string }>;
  cc: Array<{ name: string; address: string }>;
  bcc: Array<{ name: string; address: string }>;
}

export function allRecipients(r: Recipients): string[] {
  return [...r.to, ...r.cc, ...r.bcc].map((x) => x.address);
}

/** `e: [{t, a, p}]`: t = t(o) | c(c) | b(cc) | f(rom, must be the account itself). */
export function parseRecipients(m: Record<string, unknown>, account: Account): Recipients {
  const r: Recipients = { to: [], cc: [], bcc: [] };
  const bad: string[] = [];
  for (const e of list(m['e'] as Record<string, unknown> | Record<string, unknown>[] | undefined)) {
    const t = text(e['t']) ?? 't';
    const a = (text(e['a']) ?? '').trim();
    const p = (text(e['p']) ?? '').trim();
    if (t === 'f' || t === 's' || t === 'r' || t === 'n') {
      // Only the account's own address may be the sender (MailSender "can't send as", PERM_DENIED).
      if (t === 'f' && a && a.toLowerCase() !== account.name) throw Faults.permDenied(`can't send as ${a}`);
      continue;
    }
    if (!ADDRESS.test(a)) {
      bad.push(a || '(empty)');
      continue;
    }
    const target = t === 'c' ? r.cc : t === 'b' ? r.bcc : t === 't' ? r.to : null;
    if (!target) throw Faults.invalidRequest(`unknown address type: ${t}`);
    target.push({ name: p, address: a });
  }
  if (bad.length) throw Faults.sendAddressFailure(bad.join(', '));
  if (allRecipients(r).length > MAX_RECIPIENTS) throw Faults.invalidRequest(`too many recipients (max ${MAX_RECIPIENTS})`);
  return r;
}

/** The text and HTML bodies of `mp` (possibly nested multipart/alternative), Zimbra's `content` being `{_content}` or a string. */
function bodies(mp: unknown): { text?: string; html?: string } {
  const out: { text?: string; html?: string } = {};
  const walk = (parts: unknown): void => {
    for (const p of list(parts as Record<string, unknown> | Record<string, unknown>[] | undefined)) {
      const ct = (text(p['ct']) ?? 'text/plain').toLowerCase();
      if (ct.startsWith('multipart/')) walk(p['mp']);
      else if (ct === 'text/plain' && out.text === undefined) out.text = text(p['content']) ?? '';
      else if (ct === 'text/html' && out.html === undefined) out.html = text(p['content']) ?? '';
    }
  };
  walk(mp);
  return out;
}

export interface ComposedMessage {
  recipients: Recipients;
  /** What goes over SMTP: no Bcc header. */
  wire: Buffer;
  /** The sender's copy (Sent/Drafts): keeps Bcc, as Zimbra does. */
  copy: Buffer;
  /** Upload ids consumed, deleted after a successful send. */
  usedUploads: string[];
}

export async function composeFromJson(store: Store, account: Account, m: Record<string, unknown>, forDraft: boolean): Promise<ComposedMessage> {
  const recipients = parseRecipients(m, account);
  if (!forDraft && allRecipients(recipients).length === 0) throw Faults.invalidRequest('no recipients');
  const subject = text(m['su']) ?? '';
  if (subject.length > MAX_SUBJECT) throw Faults.invalidRequest('subject too long');
  const { text: plain, html } = bodies(m['mp']);

  const attachments: Array<{ filename: string; contentType: string; content: Buffer }> = [];
  const usedUploads: string[] = [];
  const attach = m['attach'] as Record<string, unknown> | undefined;
  if (attach) {
    for (const aid of (text(attach['aid']) ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
      const up = store.upload(account.id, aid);
      if (!up) throw Faults.noSuchUpload(aid);
      attachments.push({ filename: up.filename, contentType: up.content_type, content: up.data });
      usedUploads.push(aid);
    }
    // Forwarded attachments of a stored message: attach.mp = [{mid, part}] (ParseMimeMessage.attachPart).
    for (const ref of list(attach['mp'] as Record<string, unknown> | Record<string, unknown>[] | undefined)) {
      const mid = Number(text(ref['mid']));
      const part = text(ref['part']) ?? '';
      const msg = Number.isInteger(mid) ? store.message(account.id, mid) : undefined;
      if (!msg) throw Faults.noSuchMsg(String(text(ref['mid'])));
      const a = await attachmentPart(msg.raw, part);
      if (!a) throw Faults.invalidRequest(`no part ${part} in message ${mid}`);
      attachments.push(a);
    }
  }

  const displayName = account.attrs['displayName'];
  const composer = new MailComposer({
    from: displayName ? { name: displayName, address: account.name } : account.name,
    to: recipients.to,
    cc: recipients.cc,
    bcc: recipients.bcc,
    subject,
    date: new Date(),
    ...(plain !== undefined || html === undefined ? { text: plain ?? '' } : {}),
    ...(html !== undefined ? { html } : {}),
    ...(text(m['irt']) ? { inReplyTo: text(m['irt']) } : {}),
    attachments,
    headers: { 'X-Mailer': 'eSante sandbox (Zimbra stand-in)' },
  });
  const node = composer.compile();
  node.messageId();
  const wire = await node.build();
  node.keepBcc = true;
  const copy = await node.build();
  return { recipients, wire, copy, usedUploads };
}
