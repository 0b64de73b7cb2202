/**
 * urn:zimbraMail handlers: Search, GetMsg, SendMsg, SaveDraft, MsgAction, CreateContact,
 * CreateFolder, GetFolder, CreateAppointment. Each names the zm-mailbox handler it follows
 * (`store/src/java/com/zimbra/cs/service/mail/*.java`); JSON shapes from ToXML.java.
 */
import { simpleParser } from 'mailparser';
import type { SandboxDeps, SoapHandler } from '../context.ts';
import { userHandler } from '../context.ts';
import { Faults, bool, list, text } from '../soap.ts';
import { Folder, type Account, type ContactRow, type FolderRow } from '../store.ts';
import { indexMessage, messageFull, messageSummary, type ZAddress } from '../mime.ts';
import { allRecipients, composeFromJson } from '../compose.ts';

const MAIL_NS = 'urn:zimbraMail';
const MAX_SEARCH_LIMIT = 1000;
/** ZimbraMail folder names may not contain these (Folder.validateItemName / MailItem.validateItemName). */
const INVALID_NAME = /[:/"\t\r\n\u0000-\u001f\u007f]/;
const MAX_NAME = 128;
const MAX_CONTACT_ATTRS = 100;
const MAX_CONTACT_VALUE = 4096;

type Json = Record<string, unknown>;
type Obj = Record<string, unknown>;

function one(v: unknown): Obj {
  const x = Array.isArray(v) ? v[0] : v;
  return x && typeof x === 'object' ? (x as Obj) : {};
}

function itemId(v: unknown, what: 'msg' | 'folder'): number {
  const s = text(v) ?? '';
  // Zimbra ids may be qualified "accountId:itemId"; the sandbox only serves the caller's own mailbox.
  const local = s.includes(':') ? s.slice(s.lastIndexOf(':') + 1) : s;
  const n = Number(local);
  if (!/^\d+$/.test(local) || !Number.isSafeInteger(n)) throw what === 'msg' ? Faults.noSuchMsg(s) : Faults.noSuchFolder(s);
  return n;
}

function folderPath(folders: FolderRow[], f: FolderRow): string {
  if (f.id === Folder.USER_ROOT) return '/';
  const parts: string[] = [];
  let cur: FolderRow | undefined = f;
  while (cur && cur.id !== Folder.USER_ROOT) {
    parts.unshift(cur.name);
    cur = folders.find((x) => x.id === cur!.parent_id);
  }
  return `/${parts.join('/')}`;
}

/** `in:inbox`, `in:"/Professionnels"`, `in:sent`…: a folder by (case-insensitive) path or top-level name. */
function resolveFolderName(folders: FolderRow[], name: string): FolderRow {
  const want = name.replace(/^\//, '').toLowerCase();
  const byPath = folders.find((f) => f.id !== Folder.USER_ROOT && folderPath(folders, f).slice(1).toLowerCase() === want);
  if (byPath) return byPath;
  throw Faults.noSuchFolder(name);
}

interface ParsedQuery {
  folderId: number | null;
  unread: boolean | null;
  words: string[];
}

/**
 * The query subset the sandbox understands (zm-mailbox `store/docs/querygrammar.txt`): `in:NAME`,
 * `in:"NAME WITH SPACES"`, `inid:ID`, `is:unread`, `is:read`, and free words/phrases (all must match).
 */
export function parseQuery(query: string, folders: FolderRow[]): ParsedQuery {
  const out: ParsedQuery = { folderId: null, unread: null, words: [] };
  const re = /\s*(?:(in|inid|is):)?(?:"((?:[^"\\]|\\.)*)"|(\S+))/gy;
  let m: RegExpExecArray | null;
  while ((m = re.exec(query)) !== null) {
    const op = m[1]?.toLowerCase();
    const value = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '');
    if (op === 'in') out.folderId = resolveFolderName(folders, value).id;
    else if (op === 'inid') {
      const id = itemId(value, 'folder');
      if (!folders.some((f) => f.id === id)) throw Faults.noSuchFolder(value);
      out.folderId = id;
    } else if (op === 'is') {
      if (value.toLowerCase() === 'unread') out.unread = true;
      else if (value.toLowerCase() === 'read') out.unread = false;
      else throw Faults.invalidRequest(`unsupported query term is:${value}`);
    } else if (value) out.words.push(value.toLowerCase());
    if (re.lastIndex >= query.length) break;
  }
  return out;
}

/** ToXML.encodeContact: `{id, l, d, fileAsStr, _attrs}`. */
function contactJson(c: ContactRow): Json {
  const attrs = JSON.parse(c.attrs) as Record<string, string>;
  const fileAs = [attrs['lastName'], attrs['firstName']].filter(Boolean).join(', ') || attrs['company'] || attrs['email'] || '';
  return { id: String(c.id), l: String(c.folder_id), d: c.created_at, rev: c.id, fileAsStr: fileAs, _attrs: attrs };
}

/**
 * Conversations. Zimbra threads a reply into its conversation (zimbraMailThreadingAlgorithm, default
 * "references": References/In-Reply-To, then the normalized subject, Mailbox.getConversationIdFromReferent;
 * ParsedMessage.normalizeSubject strips "Re:", "Fwd:"…). The sandbox threads on the normalized subject
 * only. A message alone has the virtual conversation id `-<msg id>` (as Zimbra's VirtualConversation).
 */
export function normalizeSubject(subject: string): string {
  let s = subject.trim();
  for (;;) {
    const next = s.replace(/^(?:re|fwd?|tr|aw|wg|r[ée]f)\s*(?:\[\d+\])?\s*:\s*/i, '').replace(/^\[fwd:\s*(.*)\]$/i, '$1').trim();
    if (next === s) return s.toLowerCase();
    s = next;
  }
}

/** Message id -> conversation id for the account (Trash and Junk excluded, as messagesIn(null)). */
function conversationIds(deps: SandboxDeps, account: Account): Map<number, string> {
  const groups = new Map<string, number[]>();
  for (const m of deps.store.messagesIn(account.id, null)) {
    const key = normalizeSubject(m.subject);
    const g = groups.get(key);
    if (g) g.push(m.id);
    else groups.set(key, [m.id]);
  }
  const out = new Map<number, string>();
  for (const ids of groups.values()) {
    const cid = ids.length > 1 ? String(Math.min(...ids)) : String(-ids[0]!);
    for (const id of ids) out.set(id, cid);
  }
  return out;
}

function withCid<T extends Record<string, unknown>>(convs: Map<number, string>, json: T): T {
  const cid = convs.get(Number(json['id']));
  return cid ? { ...json, cid } : json;
}

/**
 * GetConvRequest `{c: {id, html, fetch}}` (mail/GetConv.java, ToXML.encodeConversation): the messages
 * of a conversation, newest first, as `{c: [{id, n, su, m: [...]}]}`. The sandbox answers every
 * message in full (Zimbra expands only those `fetch` names: "u!" = unread or else the first).
 */
function getConv(deps: SandboxDeps): SoapHandler {
  return userHandler(MAIL_NS, async (body, { account }) => {
    const c = one(body['c']);
    const raw = text(c['id']) ?? '';
    const n = Number(raw);
    if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(n) || n === 0) throw Faults.noSuchConv(raw);
    const convs = conversationIds(deps, account);
    const ids = n < 0 ? (convs.get(-n) === raw ? [-n] : []) : [...convs.entries()].filter(([, cid]) => cid === raw).map(([id]) => id);
    if (!ids.length) throw Faults.noSuchConv(raw);
    const rows = ids.map((id) => deps.store.message(account.id, id)!).sort((a, b) => b.date - a.date || b.id - a.id);
    const m = await Promise.all(rows.map(async (r) => withCid(convs, await messageFull(r, { html: bool(c['html']), raw: false }))));
    return { c: [{ id: raw, n: rows.length, su: rows.at(-1)?.subject ?? '', m }] };
  });
}

/** SearchRequest (mail/Search.java): messages of a folder or contacts of an address book; `{more, offset, sortBy, m|cn}`. */
function search(deps: SandboxDeps): SoapHandler {
  return userHandler(MAIL_NS, (body, { account }) => {
    const types = (text(body['types']) ?? 'conversation').split(',').map((s) => s.trim());
    const limit = Math.min(Math.max(Number(text(body['limit']) ?? 10) || 10, 1), MAX_SEARCH_LIMIT);
    const offset = Math.max(Number(text(body['offset']) ?? 0) || 0, 0);
    const sortBy = text(body['sortBy']) ?? 'dateDesc';
    const folders = deps.store.folders(account.id);
    const q = parseQuery(text(body['query']) ?? '', folders);
    const matches = (haystack: string): boolean => q.words.every((w) => haystack.includes(w));

    if (types.includes('contact')) {
      const all = deps.store.contactsIn(account.id, q.folderId).filter((c) => matches(Object.values(JSON.parse(c.attrs) as Json).join(' ').toLowerCase()));
      const sorted = all.map(contactJson).sort((a, b) => String(a['fileAsStr']).localeCompare(String(b['fileAsStr'])));
      if (sortBy === 'nameDesc') sorted.reverse();
      return { sortBy, offset, more: offset + limit < sorted.length, cn: sorted.slice(offset, offset + limit) };
    }
    if (!types.some((t) => t === 'message' || t === 'conversation')) throw Faults.invalidRequest(`unsupported types: ${types.join(',')}`);
    const rows = deps.store
      .messagesIn(account.id, q.folderId)
      .filter((m) => q.unread === null || m.flags.includes('u') === q.unread)
      .filter((m) => q.words.length === 0 || matches(`${m.subject}\n${m.body_text}\n${m.addrs}`.toLowerCase()));
    if (sortBy === 'dateAsc') rows.reverse();
    // Conversations are not modelled: a conversation search answers messages (one per conversation).
    const convs = conversationIds(deps, account);
    return { sortBy, offset, more: offset + limit < rows.length, m: rows.slice(offset, offset + limit).map((r) => withCid(convs, messageSummary(r))) };
  });
}

/** GetMsgRequest `{m: {id, html, raw, read}}` (mail/GetMsg.java). */
function getMsg(deps: SandboxDeps): SoapHandler {
  return userHandler(MAIL_NS, async (body, { account }) => {
    const m = one(body['m']);
    const id = itemId(m['id'], 'msg');
    const row = deps.store.message(account.id, id);
    if (!row) throw Faults.noSuchMsg(String(text(m['id'])));
    if (bool(m['read']) && row.flags.includes('u')) {
      row.flags = row.flags.replace('u', '');
      deps.store.setMessageFlags(account.id, id, row.flags);
    }
    return { m: [withCid(conversationIds(deps, account), await messageFull(row, { html: bool(m['html']), raw: bool(m['raw']) }))] };
  });
}

async function storeCopy(deps: SandboxDeps, account: Account, raw: Buffer, folderId: number, flags: string): Promise<number> {
  return deps.store.addMessage(account.id, await indexMessage(raw, folderId, flags));
}

/** Recipients the sandbox MTA would refuse (unknown users of a local domain): Zimbra aborts the whole send. */
function refusedRecipients(deps: SandboxDeps, rcpts: string[]): string[] {
  return rcpts.filter((a) => deps.mail.isLocal(a) && !deps.store.accountByName(a));
}

/** The recipients of a stored or uploaded RFC 822 message, from its To/Cc/Bcc headers (SendMsg.parseUploadedMessage). */
async function rawRecipients(account: Account, raw: Buffer): Promise<string[]> {
  const parsed = await simpleParser(raw, { skipTextToHtml: true, skipImageLinks: true });
  const fromAddr = parsed.from?.value[0]?.address?.toLowerCase();
  if (fromAddr && fromAddr !== account.name) throw Faults.permDenied(`can't send as ${fromAddr}`);
  const addrs = (f: typeof parsed.to): string[] =>
    (f === undefined ? [] : Array.isArray(f) ? f : [f]).flatMap((o) => o.value.flatMap((v) => v.group ?? [v])).flatMap((v) => (v.address ? [v.address.toLowerCase()] : []));
  const rcpts = [...new Set([...addrs(parsed.to), ...addrs(parsed.cc), ...addrs(parsed.bcc)])];
  if (rcpts.length === 0) throw Faults.invalidRequest('no recipients in the message');
  return rcpts;
}

/** RFC 822 without its Bcc header (what goes over SMTP; the sender's copy keeps it, as Zimbra's does). */
function withoutBcc(raw: Buffer): Buffer {
  const text = raw.toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  if (end < 0) return raw;
  const head = text.slice(0, end).replace(/^Bcc:.*(?:\r?\n[ \t].*)*(?:\r?\n)?/gim, '');
  return Buffer.from(head + text.slice(end), 'latin1');
}

/** Submits, refusing unknown local users first (Zimbra aborts the whole send), and files the copy in Sent (unless noSave). */
async function submitAndFile(deps: SandboxDeps, account: Account, wire: Buffer, copy: Buffer, rcpts: string[], noSave: boolean): Promise<number | null> {
  const refused = refusedRecipients(deps, rcpts);
  if (refused.length) throw Faults.sendAddressFailure(refused.join(', '));
  const result = await deps.mail.submit({ from: account.name, to: rcpts }, wire);
  if (result.rejected.length) throw Faults.sendAddressFailure(result.rejected.join(', '));
  return noSave ? null : storeCopy(deps, account, copy, Folder.SENT, 's');
}

/**
 * SendMsg.deleteDraft (zm-mailbox SendMsg.java:467-487): after the send, `did` is deleted as a
 * MESSAGE wherever it is (not only in Drafts); a failure to delete never fails the send.
 */
function deleteDraftQuietly(deps: SandboxDeps, account: Account, did: string | undefined): void {
  if (!did) return;
  try {
    const id = itemId(did, 'msg');
    if (deps.store.message(account.id, id)) deps.store.deleteMessage(account.id, id);
  } catch {
    deps.log('failed to delete draft after message send', { did });
  }
}

/**
 * Flags the message replied to / forwarded (SendMsg.doSendMessage -> MailSender with `origid` and
 * `rt`: "r" replied, "w" forwarded; zm-mailbox SendMsg.java:139-141, MailConstants A_ORIG_ID/A_REPLY_TYPE).
 */
function flagOriginal(deps: SandboxDeps, account: Account, m: Obj): void {
  const origid = text(m['origid']);
  if (!origid) return;
  const row = deps.store.message(account.id, itemId(origid, 'msg'));
  if (!row) return;
  const flag = (text(m['rt']) ?? 'r') === 'w' ? 'w' : 'r';
  if (!row.flags.includes(flag)) deps.store.setMessageFlags(account.id, row.id, [...new Set((row.flags + flag).split(''))].sort().join(''));
}

/**
 * SendMsgRequest, as zm-mailbox `SendMsg.java` handle() (lines 125-280):
 * - `m.aid`: an uploaded RFC 822 message is sent as it is (recipients from its headers, :217);
 * - `m.did` + `m.sfd="1"`: the stored draft's own MIME is sent (:218-220);
 * - else the MIME is built from `e`, `su`, `mp`, `attach` (ParseMimeMessage);
 * - after a successful send, `m.did` is deleted (any folder; failures ignored, :262-264, :467-487);
 *   `m.id` is NOT read by SendMsg (the web client sends both `id` and `did` for a draft,
 *   ZmMailMsg.js:1572-1617, and only `did` deletes it). A failed send deletes nothing.
 * - `noSave="1"` on the request: no copy in Sent (:132); `origid`/`rt` flag the original.
 * Answers `{m: [{id}]}` (the copy in Sent) or `{m: [{}]}` when none was saved (:270-278).
 */
function sendMsg(deps: SandboxDeps): SoapHandler {
  return userHandler(MAIL_NS, async (body, { account }) => {
    const m = one(body['m']);
    const noSave = bool(body['noSave']);
    const did = text(m['did']);
    let wire: Buffer;
    let copy: Buffer;
    let rcpts: string[];
    let used: string[] = [];
    const aid = text(m['aid']);
    if (aid) {
      const up = deps.store.upload(account.id, aid);
      if (!up) throw Faults.noSuchUpload(aid);
      rcpts = await rawRecipients(account, up.data);
      wire = withoutBcc(up.data);
      copy = up.data;
      used = [aid];
    } else if (did && bool(m['sfd'])) {
      const draft = deps.store.message(account.id, itemId(did, 'msg'));
      if (!draft) throw Faults.noSuchMsg(did);
      rcpts = await rawRecipients(account, draft.raw);
      wire = withoutBcc(draft.raw);
      copy = draft.raw;
    } else {
      const composed = await composeFromJson(deps.store, account, m, false);
      wire = composed.wire;
      copy = composed.copy;
      rcpts = [...new Set(allRecipients(composed.recipients))];
      used = composed.usedUploads;
    }
    const sentId = await submitAndFile(deps, account, wire, copy, rcpts, noSave);
    for (const u of used) deps.store.deleteUpload(u);
    flagOriginal(deps, account, m);
    deleteDraftQuietly(deps, account, did);
    return { m: [sentId === null ? {} : { id: String(sentId) }] };
  });
}

/**
 * Drafts scheduled with `autoSendTime` (SaveDraft.java:254-265 -> AutoSendDraftTask): at that time
 * the draft's MIME is sent, filed in Sent, and the draft deleted. Saving the draft again reschedules
 * (or, without autoSendTime, cancels) it. Timers are per sandbox process (Zimbra persists them).
 */
class AutoSendDrafts {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  constructor(private readonly deps: SandboxDeps) {}
  cancel(account: Account, id: number): void {
    const key = `${account.id}:${id}`;
    const t = this.timers.get(key);
    if (t) clearTimeout(t);
    this.timers.delete(key);
  }
  schedule(account: Account, id: number, at: number): void {
    this.cancel(account, id);
    const key = `${account.id}:${id}`;
    const delay = Math.min(Math.max(at - Date.now(), 0), 2 ** 31 - 1);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      void this.fire(account, id);
    }, delay);
    timer.unref();
    this.timers.set(key, timer);
  }
  /** Number of scheduled sends (tests). */
  pending(): number {
    return this.timers.size;
  }
  private async fire(account: Account, id: number): Promise<void> {
    const draft = this.deps.store.message(account.id, id);
    if (!draft || !draft.flags.includes('d')) return;
    try {
      const rcpts = await rawRecipients(account, draft.raw);
      await submitAndFile(this.deps, account, withoutBcc(draft.raw), draft.raw, rcpts, false);
      this.deps.store.deleteMessage(account.id, id);
    } catch (e) {
      // AutoSendDraftTask logs and leaves the draft in place for the user to see.
      this.deps.log('scheduled send failed', { id, error: String((e as Error)?.message ?? e) });
    }
  }
}

/**
 * SaveDraftRequest (zm-mailbox SaveDraft.java, Mailbox.saveDraft:6756-6800): without `m.id` a new
 * message flagged draft in Drafts; with `m.id` that message is replaced in place, wherever it is,
 * if it exists (else mail.NO_SUCH_MSG) and is flagged draft (else mail.IMMUTABLE_OBJECT).
 * `autoSendTime` (ms since epoch) schedules the send of the draft ("Envoyer plus tard").
 */
function saveDraft(deps: SandboxDeps, autoSend: AutoSendDrafts): SoapHandler {
  return userHandler(MAIL_NS, async (body, { account }) => {
    const m = one(body['m']);
    const autoSendTime = Number(text(m['autoSendTime']) ?? 0);
    if (!Number.isFinite(autoSendTime) || autoSendTime < 0) throw Faults.invalidRequest('invalid autoSendTime');
    const composed = await composeFromJson(deps.store, account, m, true);
    const idText = text(m['id']);
    let id: number;
    if (idText) {
      id = itemId(idText, 'msg');
      const existing = deps.store.message(account.id, id);
      if (!existing) throw Faults.noSuchMsg(idText);
      if (!existing.flags.includes('d')) throw Faults.immutableObject(idText);
      const { folder_id: _f, ...fields } = await indexMessage(composed.copy, existing.folder_id, existing.flags);
      deps.store.replaceMessage(account.id, id, fields);
      autoSend.cancel(account, id);
    } else {
      id = await storeCopy(deps, account, composed.copy, Folder.DRAFTS, 'd');
    }
    if (autoSendTime > 0) autoSend.schedule(account, id, autoSendTime);
    // Uploads stay attached to the draft's MIME; the upload itself is consumed like Zimbra does.
    for (const u of composed.usedUploads) deps.store.deleteUpload(u);
    const row = deps.store.message(account.id, id)!;
    const out = await messageFull(row, { html: false, raw: false });
    return { m: [autoSendTime > 0 ? { ...out, autoSendTime } : out] };
  });
}

/** MsgActionRequest `{action: {op, id: "1,2", l}}` (mail/MsgAction.java, ItemAction.java): read, !read, flag, !flag, move, trash, delete. */
function msgAction(deps: SandboxDeps): SoapHandler {
  return userHandler(MAIL_NS, (body, { account }) => {
    const action = one(body['action']);
    const op = text(action['op']) ?? '';
    const ids = (text(action['id']) ?? '').split(',').filter(Boolean).map((s) => itemId(s, 'msg'));
    if (ids.length === 0) throw Faults.invalidRequest('missing id');
    const rows = ids.map((id) => deps.store.message(account.id, id) ?? (() => { throw Faults.noSuchMsg(String(id)); })());
    let target: number | null = null;
    if (op === 'move') {
      target = itemId(action['l'], 'folder');
      const f = deps.store.folder(account.id, target);
      if (!f || f.view === 'contact' || f.view === 'appointment' || f.id === Folder.USER_ROOT) throw Faults.noSuchFolder(String(target));
    }
    const tx = deps.store.db.transaction(() => {
      for (const r of rows) {
        const flags = new Set(r.flags.split('').filter(Boolean));
        switch (op) {
          case 'read': flags.delete('u'); break;
          case '!read': flags.add('u'); break;
          case 'flag': flags.add('f'); break;
          case '!flag': flags.delete('f'); break;
          case 'move': deps.store.moveMessage(account.id, r.id, target!); continue;
          case 'trash': deps.store.moveMessage(account.id, r.id, Folder.TRASH); continue;
          case 'delete': deps.store.deleteMessage(account.id, r.id); continue;
          default: throw Faults.invalidRequest(`unknown operation: ${op}`);
        }
        deps.store.setMessageFlags(account.id, r.id, [...flags].sort().join(''));
      }
    });
    tx();
    return { action: { op, id: ids.join(',') } };
  });
}

/** CreateContactRequest `{cn: {l, a: [{n, _content}]}}` (mail/CreateContact.java; fields as ZmContact.js names them). */
function createContact(deps: SandboxDeps): SoapHandler {
  return userHandler(MAIL_NS, (body, { account }) => {
    const cn = one(body['cn']);
    const folderId = cn['l'] !== undefined ? itemId(cn['l'], 'folder') : Folder.CONTACTS;
    const folder = deps.store.folder(account.id, folderId);
    if (!folder || folder.view !== 'contact') throw Faults.noSuchFolder(String(folderId));
    const attrs: Record<string, string> = {};
    const a = list(cn['a'] as Obj | Obj[] | undefined);
    if (a.length === 0) throw Faults.invalidRequest('contact has no attributes');
    if (a.length > MAX_CONTACT_ATTRS) throw Faults.invalidRequest(`too many contact attributes (max ${MAX_CONTACT_ATTRS})`);
    for (const attr of a) {
      const n = text(attr['n']) ?? '';
      const v = text(attr) ?? '';
      if (!/^[A-Za-z][\w-]{0,63}$/.test(n)) throw Faults.invalidRequest(`invalid contact attribute name: ${n}`);
      if (v.length > MAX_CONTACT_VALUE) throw Faults.invalidRequest(`contact attribute ${n} is too long`);
      attrs[n] = v;
    }
    return { cn: [contactJson(deps.store.addContact(account.id, folderId, attrs))] };
  });
}

/** ToXML.encodeFolder: `{id, name, l, absFolderPath, view, n, u, s, folder: [...]}`. */
function folderJson(deps: SandboxDeps, account: Account, folders: FolderRow[], f: FolderRow, depth: number): Json {
  const out: Json = { id: String(f.id), name: f.name, l: String(f.parent_id === 0 ? 11 : f.parent_id), absFolderPath: folderPath(folders, f) };
  if (f.view) out['view'] = f.view;
  if (f.view === 'contact') out['n'] = deps.store.contactsIn(account.id, f.id).length;
  else if (f.id !== Folder.USER_ROOT) {
    const msgs = deps.store.messagesIn(account.id, f.id);
    out['n'] = msgs.length;
    out['u'] = msgs.filter((m) => m.flags.includes('u')).length;
    out['s'] = msgs.reduce((s, m) => s + m.size, 0);
  }
  const children = folders.filter((c) => c.parent_id === f.id && c.id !== f.id);
  if (children.length && depth !== 0) out['folder'] = children.map((c) => folderJson(deps, account, folders, c, depth - 1));
  return out;
}

/** CreateFolderRequest `{folder: {name, view, l, fie}}` (mail/CreateFolder.java). */
function createFolder(deps: SandboxDeps): SoapHandler {
  return userHandler(MAIL_NS, (body, { account }) => {
    const f = one(body['folder']);
    const name = (text(f['name']) ?? '').trim();
    if (!name || name.length > MAX_NAME || INVALID_NAME.test(name)) throw Faults.invalidName(name);
    const view = text(f['view']) ?? 'message';
    if (!['message', 'contact', 'appointment', 'conversation'].includes(view)) throw Faults.invalidRequest(`unsupported view: ${view}`);
    const parentId = f['l'] !== undefined ? itemId(f['l'], 'folder') : Folder.USER_ROOT;
    if (!deps.store.folder(account.id, parentId)) throw Faults.noSuchFolder(String(parentId));
    const folders = deps.store.folders(account.id);
    const existing = folders.find((x) => x.parent_id === parentId && x.name.toLowerCase() === name.toLowerCase());
    let row: FolderRow;
    if (existing) {
      // fie="1" (fetch-if-exists) answers the existing folder instead of failing.
      if (!bool(f['fie'])) throw Faults.alreadyExists(name);
      row = existing;
    } else row = deps.store.createFolder(account.id, parentId, name, view === 'conversation' ? 'message' : view);
    return { folder: [folderJson(deps, account, deps.store.folders(account.id), row, 0)] };
  });
}

/** GetFolderRequest (mail/GetFolder.java): the folder tree from the root, or from `folder.l` / `folder.path`. */
function getFolder(deps: SandboxDeps): SoapHandler {
  return userHandler(MAIL_NS, (body, { account }) => {
    const folders = deps.store.folders(account.id);
    const sel = one(body['folder']);
    let start = folders.find((f) => f.id === Folder.USER_ROOT)!;
    if (sel['l'] !== undefined) {
      const id = itemId(sel['l'], 'folder');
      start = folders.find((f) => f.id === id) ?? (() => { throw Faults.noSuchFolder(String(id)); })();
    } else if (text(sel['path'])) start = resolveFolderName(folders, text(sel['path'])!);
    const depth = body['depth'] !== undefined ? Number(text(body['depth'])) : -1;
    return { folder: [folderJson(deps, account, folders, start, Number.isFinite(depth) ? depth : -1)] };
  });
}

/**
 * CreateAppointmentRequest (mail/CreateAppointment.java, `store/docs/soap-calendar.txt`), minimal:
 * the `m` element is stored as given in the calendar; no invitations are sent. Answers
 * `{calItemId, apptId, invId}` like Zimbra.
 */
function createAppointment(deps: SandboxDeps): SoapHandler {
  return userHandler(MAIL_NS, (body, { account }) => {
    const m = one(body['m']);
    const inv = one(m['inv']);
    const comp = one(inv['comp']);
    const name = text(comp['name']) ?? text(m['su']);
    const start = text(one(comp['s'])['d']);
    if (!name || !start) throw Faults.invalidRequest('appointment needs inv.comp.name and inv.comp.s.d');
    const folderId = m['l'] !== undefined ? itemId(m['l'], 'folder') : Folder.CALENDAR;
    const folder = deps.store.folder(account.id, folderId);
    if (!folder || folder.view !== 'appointment') throw Faults.noSuchFolder(String(folderId));
    const id = deps.store.addAppointment(account.id, folderId, m);
    return { calItemId: String(id), apptId: String(id), invId: `${id}-${id}`, rev: id, ms: id };
  });
}

export function mailHandlers(deps: SandboxDeps): Record<string, SoapHandler> {
  const autoSend = new AutoSendDrafts(deps);
  return {
    SearchRequest: search(deps),
    GetMsgRequest: getMsg(deps),
    GetConvRequest: getConv(deps),
    SendMsgRequest: sendMsg(deps),
    SaveDraftRequest: saveDraft(deps, autoSend),
    MsgActionRequest: msgAction(deps),
    CreateContactRequest: createContact(deps),
    CreateFolderRequest: createFolder(deps),
    GetFolderRequest: getFolder(deps),
    CreateAppointmentRequest: createAppointment(deps),
  };
}

export type { ZAddress };
