/**
 * Reply, reply all and forward as Zimbra's compose view fills them (zm-web-client,
 * WebRoot/js/zimbraMail/mail/view/ZmComposeView.js), pure so unit tests check them:
 * - addresses: ZmComposeView.getReplyAddresses (:1941-2018): Reply-To, else From, to "À"; reply all adds
 *   the original's To and Cc to "Cc"; the user's own addresses never become recipients; duplicates go;
 *   a forward starts with no recipient.
 * - subject: ZmComposeView._setSubject (:2020-2059): prefixes stripped (ZmMailMsg.stripSubjectPrefixes),
 *   then "Re: " or "Fwd: " (literal, not translated).
 * - body: ZmComposeView._setBody → _getBodyComponent/_getDivider/_getHeaders (:2062, :2410-2500) with the
 *   default zimbraPrefReplyIncludeOriginalText / zimbraPrefForwardIncludeOriginalText = "includeBody"
 *   (ZmMailApp.js:173, :232), which ZmMailApp.INC_MAP (:109) reads as [INC_BODY, no prefix, headers]:
 *   the user's (empty) text first, two blank lines (BC_SPACING NOTHING→DIVIDER = 2), the divider
 *   "----- Message d’origine -----" (AjxMsg.origMsg, AjxMsg.forwardedMessage for a forward), the
 *   headers From/To/Cc/Date/Subject as "key: value" (ZmMailMsg.getHeaderStr :375-399, HDR_KEY :88-95),
 *   a blank line, then the original text as is.
 * - a forward carries the original's attachments (ZmComposeView._isIncludingOriginalAttachments, sent
 *   as attach.mp {mid, part}, zm-mailbox ParseMimeMessage.attachPart).
 */
import { t } from '../i18n.ts';

export type ReplyAction = 'REPLY' | 'REPLY_ALL' | 'FORWARD';

export function isReplyAction(action: unknown): action is ReplyAction {
  return action === 'REPLY' || action === 'REPLY_ALL' || action === 'FORWARD';
}

/** What the original message gives (the sandbox's ZmMailMsg reduced). */
export interface OriginalMessage {
  from: Address[];
  replyTo: Address[];
  to: Address[];
  cc: Address[];
  subject: string;
  /** Epoch ms of the message's date. */
  date: number;
  text: string;
}

export interface Address {
  address: string;
  name?: string;
}

const show = (a: Address) => (a.name ? `${a.name} <${a.address}>` : a.address);
export const addressList = (list: readonly Address[]): string => list.map(show).join(', ');

/** ZmComposeView.getReplyAddresses: To (and Cc for reply all), without the user's own addresses and duplicates. */
export function replyAddresses(action: ReplyAction, msg: OriginalMessage, own: readonly string[]): { to: Address[]; cc: Address[] } {
  if (action === 'FORWARD') return { to: [], cc: [] };
  const mine = new Set(own.map((a) => a.toLowerCase()));
  const used = new Set<string>();
  const keep = (list: readonly Address[]) =>
    list.filter((a) => {
      const key = a.address.toLowerCase();
      if (mine.has(key) || used.has(key)) return false;
      used.add(key);
      return true;
    });
  // ZmMailMsg.getReplyAddresses: the Reply-To when there is one, else the sender.
  let to = keep(msg.replyTo.length ? msg.replyTo : msg.from);
  // A reply to one's own message goes to its first recipient (ZmComposeView._setAddresses :1928-1931).
  if (!to.length) to = keep(msg.to.slice(0, 1));
  const cc = action === 'REPLY_ALL' ? keep([...msg.to, ...msg.cc]) : [];
  return { to, cc };
}

/** ZmMailMsg.SUBJ_PREFIX_RE: "Re:", "Fw:", "Fwd:" and their translations (ZmMsg re/fwd/fw: AW, WG, TR). */
const SUBJECT_PREFIX = /^\s*(re|fw|fwd|aw|wg|tr)\s*:\s*/i;

export function stripSubjectPrefixes(subject: string): string {
  let s = subject;
  while (SUBJECT_PREFIX.test(s)) s = s.replace(SUBJECT_PREFIX, '');
  return s;
}

export function replySubject(action: ReplyAction, subject: string): string {
  return `${action === 'FORWARD' ? 'Fwd: ' : 'Re: '}${stripSubjectPrefixes(subject)}`;
}

/** The compose body: room for the user's text, the divider, the headers and the original text. */
export function quotedBody(action: ReplyAction, msg: OriginalMessage, lang: string): string {
  const crlf = '\r\n';
  const headers: string[] = [];
  const header = (key: Parameters<typeof t>[0], value: string) => {
    if (value) headers.push(`${t(key)}: ${value}`);
  };
  header('quote_from', addressList(msg.from));
  header('quote_to', addressList(msg.to));
  header('quote_cc', addressList(msg.cc));
  header('quote_sent', msg.date ? new Date(msg.date).toLocaleString(lang, { dateStyle: 'full', timeStyle: 'medium' }) : '');
  header('quote_subject', msg.subject);
  const divider = `----- ${t(action === 'FORWARD' ? 'quote_fwd_msg' : 'quote_orig_msg')} -----`;
  return `${crlf}${crlf}${divider}${crlf}${headers.join(crlf)}${crlf}${crlf}${msg.text.replace(/\r?\n/g, crlf).trim()}${crlf}`;
}
