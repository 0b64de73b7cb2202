/**
 * The sandbox's persistent state: one SQLite file (better-sqlite3) under dataDir, surviving restarts.
 * Items (folders, messages, contacts, appointments) are numbered per mailbox like Zimbra's
 * (zm-mailbox `store/src/java/com/zimbra/cs/mailbox/Mailbox.java`: system folders 1–16,
 * user items from FIRST_USER_ID + 1 = 257).
 */
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { hashPassword } from './secrets.ts';

/** System folder ids (Mailbox.ID_FOLDER_*). */
export const Folder = {
  USER_ROOT: 1,
  INBOX: 2,
  TRASH: 3,
  SPAM: 4,
  SENT: 5,
  DRAFTS: 6,
  CONTACTS: 7,
  CALENDAR: 10,
  AUTO_CONTACTS: 13,
} as const;

const SYSTEM_FOLDERS: ReadonlyArray<{ id: number; name: string; view: string }> = [
  { id: Folder.USER_ROOT, name: 'USER_ROOT', view: '' },
  { id: Folder.INBOX, name: 'Inbox', view: 'message' },
  { id: Folder.TRASH, name: 'Trash', view: '' },
  { id: Folder.SPAM, name: 'Junk', view: 'message' },
  { id: Folder.SENT, name: 'Sent', view: 'message' },
  { id: Folder.DRAFTS, name: 'Drafts', view: 'message' },
  { id: Folder.CONTACTS, name: 'Contacts', view: 'contact' },
  { id: Folder.CALENDAR, name: 'Calendar', view: 'appointment' },
  { id: Folder.AUTO_CONTACTS, name: 'Emailed Contacts', view: 'contact' },
];
const FIRST_USER_ID = 256;

export interface AccountRow {
  id: string;
  name: string;
  password_hash: string;
  is_admin: number;
  attrs: string;
}
export interface Account {
  id: string;
  name: string;
  isAdmin: boolean;
  attrs: Record<string, string>;
}
export interface SessionRow {
  account_id: string;
  auth_method: string | null;
  csrf_secured: number;
  is_admin: number;
  created_at: number;
  expires_at: number;
}
export interface FolderRow {
  id: number;
  parent_id: number;
  name: string;
  view: string;
}
export interface MessageRow {
  id: number;
  folder_id: number;
  raw: Buffer;
  date: number;
  subject: string;
  addrs: string;
  fragment: string;
  body_text: string;
  flags: string;
  message_id: string | null;
  size: number;
}
export interface ContactRow {
  id: number;
  folder_id: number;
  attrs: string;
  created_at: number;
}
export interface UploadRow {
  aid: string;
  account_id: string;
  filename: string;
  content_type: string;
  data: Buffer;
}
export interface OutboxRow {
  id: number;
  mail_from: string;
  rcpt: string;
  raw: Buffer;
  received_at: number;
}

/** One seeded user as in sandbox/seed/users.json. */
export interface SeedUser {
  givenName: string;
  sn: string;
  mail: string;
  lang: string;
  [extra: string]: unknown;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS accounts (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE COLLATE NOCASE,
  password_hash TEXT NOT NULL,
  is_admin INTEGER NOT NULL DEFAULT 0,
  attrs TEXT NOT NULL DEFAULT '{}',
  next_item_id INTEGER NOT NULL DEFAULT ${FIRST_USER_ID + 1},
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
  token_hash TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  auth_method TEXT,
  csrf_secured INTEGER NOT NULL,
  is_admin INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS folders (
  account_id TEXT NOT NULL REFERENCES accounts(id),
  id INTEGER NOT NULL,
  parent_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  view TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (account_id, id)
);
CREATE UNIQUE INDEX IF NOT EXISTS folders_name ON folders (account_id, parent_id, name COLLATE NOCASE);
CREATE TABLE IF NOT EXISTS messages (
  account_id TEXT NOT NULL REFERENCES accounts(id),
  id INTEGER NOT NULL,
  folder_id INTEGER NOT NULL,
  raw BLOB NOT NULL,
  date INTEGER NOT NULL,
  subject TEXT NOT NULL DEFAULT '',
  addrs TEXT NOT NULL DEFAULT '[]',
  fragment TEXT NOT NULL DEFAULT '',
  body_text TEXT NOT NULL DEFAULT '',
  flags TEXT NOT NULL DEFAULT '',
  message_id TEXT,
  size INTEGER NOT NULL,
  PRIMARY KEY (account_id, id)
);
CREATE INDEX IF NOT EXISTS messages_folder ON messages (account_id, folder_id, date);
CREATE TABLE IF NOT EXISTS contacts (
  account_id TEXT NOT NULL REFERENCES accounts(id),
  id INTEGER NOT NULL,
  folder_id INTEGER NOT NULL,
  attrs TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (account_id, id)
);
CREATE TABLE IF NOT EXISTS appointments (
  account_id TEXT NOT NULL REFERENCES accounts(id),
  id INTEGER NOT NULL,
  folder_id INTEGER NOT NULL,
  data TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (account_id, id)
);
CREATE TABLE IF NOT EXISTS props (
  account_id TEXT NOT NULL REFERENCES accounts(id),
  zimlet TEXT NOT NULL,
  name TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (account_id, zimlet, name)
);
CREATE TABLE IF NOT EXISTS uploads (
  aid TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  filename TEXT NOT NULL,
  content_type TEXT NOT NULL,
  data BLOB NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  mail_from TEXT NOT NULL,
  rcpt TEXT NOT NULL,
  raw BLOB NOT NULL,
  received_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value BLOB NOT NULL
);
`;

export function toAccount(row: AccountRow): Account {
  return { id: row.id, name: row.name, isAdmin: row.is_admin === 1, attrs: JSON.parse(row.attrs) as Record<string, string> };
}

export class Store {
  readonly db: Database.Database;

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    this.db = new Database(join(dataDir, 'sandbox.sqlite'));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('foreign_keys = ON');
    this.db.exec(SCHEMA);
  }

  close(): void {
    this.db.close();
  }

  /** A value kept across restarts (e.g. the CSRF/preauth secrets), created by `make` the first time. */
  meta(key: string, make: () => Buffer): Buffer {
    const row = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: Buffer } | undefined;
    if (row) return row.value;
    const value = make();
    this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run(key, value);
    return value;
  }

  // ── accounts ──────────────────────────────────────────────────────────────

  /** Creates the seeded users the first time only (an existing account is left as it is). */
  seed(users: readonly SeedUser[], password: string): void {
    const tx = this.db.transaction(() => {
      for (const u of users) {
        if (this.accountByName(u.mail)) continue;
        this.createAccount(u.mail, password, {
          displayName: `${u.givenName} ${u.sn}`,
          givenName: u.givenName,
          sn: u.sn,
          zimbraPrefLocale: u.lang,
        });
      }
    });
    tx();
  }

  createAccount(name: string, password: string, attrs: Record<string, string>, isAdmin = false): Account {
    const id = randomUUID();
    const tx = this.db.transaction(() => {
      this.db
        .prepare('INSERT INTO accounts (id, name, password_hash, is_admin, attrs, created_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(id, name.toLowerCase(), hashPassword(password), isAdmin ? 1 : 0, JSON.stringify(attrs), Date.now());
      const ins = this.db.prepare('INSERT INTO folders (account_id, id, parent_id, name, view) VALUES (?, ?, ?, ?, ?)');
      for (const f of SYSTEM_FOLDERS) ins.run(id, f.id, f.id === Folder.USER_ROOT ? 0 : Folder.USER_ROOT, f.name, f.view);
    });
    tx();
    return this.accountById(id)!;
  }

  accountRowByName(name: string): AccountRow | undefined {
    return this.one<AccountRow>('SELECT * FROM accounts WHERE name = ?', name.toLowerCase());
  }
  accountByName(name: string): Account | undefined {
    const row = this.accountRowByName(name);
    return row && toAccount(row);
  }
  accountById(id: string): Account | undefined {
    const row = this.one<AccountRow>('SELECT * FROM accounts WHERE id = ?', id);
    return row && toAccount(row);
  }

  setAccountAttrs(id: string, attrs: Record<string, string>): void {
    this.db.prepare('UPDATE accounts SET attrs = ? WHERE id = ?').run(JSON.stringify(attrs), id);
  }

  /** Every row a query answers, typed as the caller reads it (better-sqlite3 answers `unknown[]`). */
  private all<T>(sql: string, ...params: unknown[]): T[] {
    return this.db.prepare(sql).all(...params) as T[];
  }
  /** The first row a query answers, if any. */
  private one<T>(sql: string, ...params: unknown[]): T | undefined {
    return this.db.prepare(sql).get(...params) as T | undefined;
  }

  nextItemId(accountId: string): number {
    const row = this.db
      .prepare('UPDATE accounts SET next_item_id = next_item_id + 1 WHERE id = ? RETURNING next_item_id - 1 AS id')
      .get(accountId) as { id: number };
    return row.id;
  }

  // ── sessions ──────────────────────────────────────────────────────────────

  createSession(tokenHash: string, s: SessionRow): void {
    this.db
      .prepare(
        'INSERT INTO sessions (token_hash, account_id, auth_method, csrf_secured, is_admin, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(tokenHash, s.account_id, s.auth_method, s.csrf_secured, s.is_admin, s.created_at, s.expires_at);
  }
  session(tokenHash: string): SessionRow | undefined {
    return this.one<SessionRow>('SELECT * FROM sessions WHERE token_hash = ?', tokenHash);
  }
  deleteSession(tokenHash: string): void {
    this.db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(tokenHash);
  }

  // ── folders ───────────────────────────────────────────────────────────────

  folders(accountId: string): FolderRow[] {
    return this.all<FolderRow>('SELECT id, parent_id, name, view FROM folders WHERE account_id = ? ORDER BY id', accountId);
  }
  folder(accountId: string, id: number): FolderRow | undefined {
    return this.one<FolderRow>('SELECT id, parent_id, name, view FROM folders WHERE account_id = ? AND id = ?', accountId, id);
  }
  createFolder(accountId: string, parentId: number, name: string, view: string): FolderRow {
    const id = this.nextItemId(accountId);
    this.db.prepare('INSERT INTO folders (account_id, id, parent_id, name, view) VALUES (?, ?, ?, ?, ?)').run(accountId, id, parentId, name, view);
    return { id, parent_id: parentId, name, view };
  }

  // ── messages ──────────────────────────────────────────────────────────────

  addMessage(accountId: string, m: Omit<MessageRow, 'id'>): number {
    const id = this.nextItemId(accountId);
    this.db
      .prepare(
        `INSERT INTO messages (account_id, id, folder_id, raw, date, subject, addrs, fragment, body_text, flags, message_id, size)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(accountId, id, m.folder_id, m.raw, m.date, m.subject, m.addrs, m.fragment, m.body_text, m.flags, m.message_id, m.size);
    return id;
  }
  /** Replaces a draft's content in place (SaveDraftRequest with an id). */
  replaceMessage(accountId: string, id: number, m: Omit<MessageRow, 'id' | 'folder_id'>): void {
    this.db
      .prepare(
        `UPDATE messages SET raw = ?, date = ?, subject = ?, addrs = ?, fragment = ?, body_text = ?, flags = ?, message_id = ?, size = ?
         WHERE account_id = ? AND id = ?`,
      )
      .run(m.raw, m.date, m.subject, m.addrs, m.fragment, m.body_text, m.flags, m.message_id, m.size, accountId, id);
  }
  message(accountId: string, id: number): MessageRow | undefined {
    return this.one<MessageRow>('SELECT * FROM messages WHERE account_id = ? AND id = ?', accountId, id);
  }
  messagesIn(accountId: string, folderId: number | null): Omit<MessageRow, 'raw'>[] {
    const cols = 'id, folder_id, date, subject, addrs, fragment, body_text, flags, message_id, size';
    return folderId === null
      ? this.all(`SELECT ${cols} FROM messages WHERE account_id = ? AND folder_id NOT IN (3, 4) ORDER BY date DESC, id DESC`, accountId)
      : this.all(`SELECT ${cols} FROM messages WHERE account_id = ? AND folder_id = ? ORDER BY date DESC, id DESC`, accountId, folderId);
  }
  setMessageFlags(accountId: string, id: number, flags: string): void {
    this.db.prepare('UPDATE messages SET flags = ? WHERE account_id = ? AND id = ?').run(flags, accountId, id);
  }
  moveMessage(accountId: string, id: number, folderId: number): void {
    this.db.prepare('UPDATE messages SET folder_id = ? WHERE account_id = ? AND id = ?').run(folderId, accountId, id);
  }
  deleteMessage(accountId: string, id: number): void {
    this.db.prepare('DELETE FROM messages WHERE account_id = ? AND id = ?').run(accountId, id);
  }

  // ── contacts, appointments, properties ───────────────────────────────────

  addContact(accountId: string, folderId: number, attrs: Record<string, string>): ContactRow {
    const id = this.nextItemId(accountId);
    const now = Date.now();
    this.db.prepare('INSERT INTO contacts (account_id, id, folder_id, attrs, created_at) VALUES (?, ?, ?, ?, ?)').run(accountId, id, folderId, JSON.stringify(attrs), now);
    return { id, folder_id: folderId, attrs: JSON.stringify(attrs), created_at: now };
  }
  contactsIn(accountId: string, folderId: number | null): ContactRow[] {
    return folderId === null
      ? this.all('SELECT id, folder_id, attrs, created_at FROM contacts WHERE account_id = ? AND folder_id <> 3 ORDER BY id', accountId)
      : this.all('SELECT id, folder_id, attrs, created_at FROM contacts WHERE account_id = ? AND folder_id = ? ORDER BY id', accountId, folderId);
  }
  addAppointment(accountId: string, folderId: number, data: unknown): number {
    const id = this.nextItemId(accountId);
    this.db.prepare('INSERT INTO appointments (account_id, id, folder_id, data, created_at) VALUES (?, ?, ?, ?, ?)').run(accountId, id, folderId, JSON.stringify(data), Date.now());
    return id;
  }
  appointments(accountId: string): Array<{ id: number; folder_id: number; data: string }> {
    return this.all<{ id: number; folder_id: number; data: string }>('SELECT id, folder_id, data FROM appointments WHERE account_id = ? ORDER BY id', accountId);
  }
  props(accountId: string): Array<{ zimlet: string; name: string; value: string }> {
    return this.all<{ zimlet: string; name: string; value: string }>('SELECT zimlet, name, value FROM props WHERE account_id = ? ORDER BY zimlet, name', accountId);
  }
  setProps(accountId: string, props: ReadonlyArray<{ zimlet: string; name: string; value: string }>): void {
    const up = this.db.prepare(
      'INSERT INTO props (account_id, zimlet, name, value) VALUES (?, ?, ?, ?) ON CONFLICT (account_id, zimlet, name) DO UPDATE SET value = excluded.value',
    );
    const del = this.db.prepare('DELETE FROM props WHERE account_id = ? AND zimlet = ? AND name = ?');
    this.db.transaction(() => {
      // ModifyProperties with an empty value removes the property (zm-mailbox Account.ModifyProperties -> ZimletUserProperties.setProperty).
      for (const p of props) (p.value === '' ? del.run(accountId, p.zimlet, p.name) : up.run(accountId, p.zimlet, p.name, p.value));
    })();
  }

  // ── uploads and the outside world ────────────────────────────────────────

  addUpload(u: UploadRow): void {
    this.db
      .prepare('INSERT INTO uploads (aid, account_id, filename, content_type, data, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(u.aid, u.account_id, u.filename, u.content_type, u.data, Date.now());
  }
  upload(accountId: string, aid: string): UploadRow | undefined {
    return this.one<UploadRow>('SELECT aid, account_id, filename, content_type, data FROM uploads WHERE aid = ? AND account_id = ?', aid, accountId);
  }
  deleteUpload(aid: string): void {
    this.db.prepare('DELETE FROM uploads WHERE aid = ?').run(aid);
  }
  addOutbox(mailFrom: string, rcpt: string, raw: Buffer): void {
    this.db.prepare('INSERT INTO outbox (mail_from, rcpt, raw, received_at) VALUES (?, ?, ?, ?)').run(mailFrom, rcpt.toLowerCase(), raw, Date.now());
  }
  outbox(rcpt: string | null): OutboxRow[] {
    return rcpt ? this.all('SELECT * FROM outbox WHERE rcpt = ? ORDER BY id', rcpt.toLowerCase()) : this.all('SELECT * FROM outbox ORDER BY id');
  }
}
