/**
 * Where words occur in a sandbox user's mailbox, as the user's own search would find them: every mail
 * folder (GetFolderRequest's whole tree), one SearchRequest `inid:<folder> <token>` each (Zimbra's query
 * grammar, zm-mailbox querygrammar.txt), answered as "<folder path>: <token>". Used to show that no
 * plaintext stays anywhere (issues 10 and 12); each spec that uses it also shows it CAN find a leak.
 */
import { expect } from '@playwright/test';
import { loginAs, soapAs } from '../../sandbox/server/testing.ts';
import { E2E_PORT } from '../playwright.config.ts';
import { SANDBOX_PASSWORD } from './session.ts';

const BASE = `http://127.0.0.1:${E2E_PORT}`;

interface FolderNode {
  id: string;
  absFolderPath?: string;
  view?: string;
  folder?: FolderNode[];
}

export async function plaintextLeft(mail: string, tokens: string[]): Promise<string[]> {
  const login = await loginAs(BASE, mail, SANDBOX_PASSWORD, 'card');
  const tree = await soapAs<{ folder?: FolderNode[] }>(BASE, login, 'GetFolderRequest', {});
  const folders: FolderNode[] = [];
  const walk = (list: FolderNode[] | undefined) => {
    for (const f of list ?? []) {
      if (f.view !== 'contact' && f.view !== 'appointment' && f.view !== 'task') folders.push(f);
      walk(f.folder);
    }
  };
  walk(tree.folder);
  expect(folders.map((f) => f.absFolderPath), 'the walk sees the system folders').toEqual(expect.arrayContaining(['/Inbox', '/Drafts', '/Sent', '/Trash']));
  const hits: string[] = [];
  for (const f of folders) {
    for (const token of tokens) {
      const res = await soapAs<{ m?: unknown[] }>(BASE, login, 'SearchRequest', { query: `inid:${f.id} ${token}`, types: 'message', limit: 10 });
      if ((res.m ?? []).length > 0) hits.push(`${f.absFolderPath}: ${token}`);
    }
  }
  return hits;
}
