/**
 * urn:zimbraMail handlers: Search, GetMsg, SendMsg, SaveDraft, MsgAction, CreateContact,
 * CreateFolder, GetFolder, CreateAppointment. Each names the zm-mailbox handler it follows
 * (`store/src/java/com/zimbra/cs/service/mail/*.java`); JSON shapes from ToXML.java.
 */
import { simpleParser } from 'mailparser';
import type { SandboxDeps, SoapHandler } from '../context.ts';
import { need } from '../context.ts';
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

/** SearchRequest (mail/Search.java): messages of a folder or contacts of an address book; `{more, offset, sortBy, m|cn}`. */
function search(deps: SandboxDeps): SoapHandler {
  return {
    auth: 'user',
    jsns: MAIL_NS,
    handle(body, call) {
      const { account } = need(call);
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
      return { sortBy, offset, more: offset + limit < rows.length, m: rows.slice(offset, offset + limit).map(messageSummary) };
    },
  };
}

/** GetMsgRequest `{m: {id, html, raw, read}}` (mail/GetMsg.java). */
function getMsg(deps: SandboxDeps): SoapHandler {
  return {
    auth: 'user',
    jsns: MAIL_NS,
    async handle(body, call) {
      const { account } = need(call);
      const m = one(body['m']);
      const id = itemId(m['id'], 'msg');
      const row = deps.store.message(account.id, id);
      if (!row) throw Faults.noSuchMsg(String(text(m['id'])));
      if (bool(m['read']) && row.flags.includes('u')) {
        row.flags = row.flags.replace('u', '');
        deps.store.setMessageFlags(account.id, id, row.flags);
      }
      return { m: [await messageFull(row, { html: bool(m['html']), raw: bool(m['raw']) })] };
    },
  };
}

async function storeCopy(deps: SandboxDeps, account: Account, raw: Buffer, folderId: number, flags: string): Promise<number> {
  return deps.store.addMessage(account.id, await indexMessage(raw, folderId, flags));
}

/** Recipients the sandbox MTA would refuse (unknown users of a local domain): Zimbra aborts the whole send. */
function refusedRecipients(deps: SandboxDeps, rcpts: string[]): string[] {
  return rcpts.filter((a) => deps.mail.isLocal(a) && !deps.store.accountByName(a));
}

/**
 * SendMsgRequest (mail/SendMsg.java + mail/ParseMimeMessage.java + MailSender.java):
 * `{m: {e, su, mp, attach}}` builds the MIME; `{m: {aid}}` sends an uploaded RFC 822 message as it is,
 * recipients taken from its To/Cc/Bcc headers. Either way it goes over SMTP and the sender's copy is
 * filed in Sent. `m.id` of a draft deletes the draft once sent.
 */
function sendMsg(deps: SandboxDeps): SoapHandler {
  return {
    auth: 'user',
    jsns: MAIL_NS,
    async handle(body, call) {
      const { account } = need(call);
      const m = one(body['m']);
      let wire: Buffer;
      let copy: Buffer;
      let rcpts: string[];
      let used: string[];
      const aid = text(m['aid']);
      if (aid) {
        const up = deps.store.upload(account.id, aid);
        if (!up) throw Faults.noSuchUpload(aid);
        const parsed = await simpleParser(up.data, { skipTextToHtml: true, skipImageLinks: true });
        const fromAddr = parsed.from?.value[0]?.address?.toLowerCase();
        if (fromAddr && fromAddr !== account.name) throw Faults.permDenied(`can't send as ${fromAddr}`);
        const addrs = (f: typeof parsed.to): string[] =>
          (f === undefined ? [] : Array.isArray(f) ? f : [f]).flatMap((o) => o.value.flatMap((v) => v.group ?? [v])).flatMap((v) => (v.address ? [v.address.toLowerCase()] : []));
        rcpts = [...new Set([...addrs(parsed.to), ...addrs(parsed.cc), ...addrs(parsed.bcc)])];
        if (rcpts.length === 0) throw Faults.invalidRequest('no recipients in the uploaded message');
        wire = up.data;
        copy = up.data;
        used = [aid];
      } else {
        const composed = await composeFromJson(deps.store, account, m, false);
        wire = composed.wire;
        copy = composed.copy;
        rcpts = [...new Set(allRecipients(composed.recipients))];
        used = composed.usedUploads;
      }
      const refused = refusedRecipients(deps, rcpts);
      if (refused.length) throw Faults.sendAddressFailure(refused.join(', '));
      const result = await deps.mail.submit({ from: account.name, to: rcpts }, wire);
      if (result.rejected.length) throw Faults.sendAddressFailure(result.rejected.join(', '));
      const sentId = await storeCopy(deps, account, copy, Folder.SENT, 's');
      for (const u of used) deps.store.deleteUpload(u);
      const draftId = text(m['id']);
      if (draftId) {
        const d = deps.store.message(account.id, itemId(draftId, 'msg'));
        if (d && d.folder_id === Folder.DRAFTS) deps.store.deleteMessage(account.id, d.id);
      }
      return { m: [{ id: String(sentId) }] };
    },
  };
}

/** SaveDraftRequest (mail/SaveDraft.java): creates or replaces a draft in Drafts; answers the saved message. */
function saveDraft(deps: SandboxDeps): SoapHandler {
  return {
    auth: 'user',
    jsns: MAIL_NS,
    async handle(body, call) {
      const { account } = need(call);
      const m = one(body['m']);
      const composed = await composeFromJson(deps.store, account, m, true);
      const idText = text(m['id']);
      let id: number;
      if (idText) {
        id = itemId(idText, 'msg');
        const existing = deps.store.message(account.id, id);
        if (!existing || existing.folder_id !== Folder.DRAFTS) throw Faults.noSuchMsg(idText);
        const { folder_id: _f, ...fields } = await indexMessage(composed.copy, Folder.DRAFTS, 'd');
        deps.store.replaceMessage(account.id, id, fields);
      } else {
        id = await storeCopy(deps, account, composed.copy, Folder.DRAFTS, 'd');
      }
      // Uploads stay attached to the draft's MIME; the upload itself is consumed like Zimbra does.
      for (const u of composed.usedUploads) deps.store.deleteUpload(u);
      const row = deps.store.message(account.id, id)!;
      return { m: [await messageFull(row, { html: false, raw: false })] };
    },
  };
}

/** MsgActionRequest `{action: {op, id: "1,2", l}}` (mail/MsgAction.java, ItemAction.java): read, !read, flag, !flag, move, trash, delete. */
function msgAction(deps: SandboxDeps): SoapHandler {
  return {
    auth: 'user',
    jsns: MAIL_NS,
    handle(body, call) {
      const { account } = need(call);
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
    },
  };
}

/** CreateContactRequest `{cn: {l, a: [{n, _content}]}}` (mail/CreateContact.java; fields as ZmContact.js names them). */
function createContact(deps: SandboxDeps): SoapHandler {
  return {
    auth: 'user',
    jsns: MAIL_NS,
    handle(body, call) {
      const { account } = need(call);
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
    },
  };
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
  return {
    auth: 'user',
    jsns: MAIL_NS,
    handle(body, call) {
      const { account } = need(call);
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
    },
  };
}

/** GetFolderRequest (mail/GetFolder.java): the folder tree from the root, or from `folder.l` / `folder.path`. */
function getFolder(deps: SandboxDeps): SoapHandler {
  return {
    auth: 'user',
    jsns: MAIL_NS,
    handle(body, call) {
      const { account } = need(call);
      const folders = deps.store.folders(account.id);
      const sel = one(body['folder']);
      let start = folders.find((f) => f.id === Folder.USER_ROOT)!;
      if (sel['l'] !== undefined) {
        const id = itemId(sel['l'], 'folder');
        start = folders.find((f) => f.id === id) ?? (() => { throw Faults.noSuchFolder(String(id)); })();
      } else if (text(sel['path'])) start = resolveFolderName(folders, text(sel['path'])!);
      const depth = body['depth'] !== undefined ? Number(text(body['depth'])) : -1;
      return { folder: [folderJson(deps, account, folders, start, Number.isFinite(depth) ? depth : -1)] };
    },
  };
}

/**
 * CreateAppointmentRequest (mail/CreateAppointment.java, `store/docs/soap-calendar.txt`), minimal:
 * the `m` element is stored as given in the calendar; no invitations are sent. Answers
 * `{calItemId, apptId, invId}` like Zimbra.
 */
function createAppointment(deps: SandboxDeps): SoapHandler {
  return {
    auth: 'user',
    jsns: MAIL_NS,
    handle(body, call) {
      const { account } = need(call);
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
    },
  };
}

export function mailHandlers(deps: SandboxDeps): Record<string, SoapHandler> {
  return {
    SearchRequest: search(deps),
    GetMsgRequest: getMsg(deps),
    SendMsgRequest: sendMsg(deps),
    SaveDraftRequest: saveDraft(deps),
    MsgActionRequest: msgAction(deps),
    CreateContactRequest: createContact(deps),
    CreateFolderRequest: createFolder(deps),
    GetFolderRequest: getFolder(deps),
    CreateAppointmentRequest: createAppointment(deps),
  };
}

export type { ZAddress };
