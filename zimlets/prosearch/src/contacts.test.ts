import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ZimletHost } from '../../../shared/host/zimlet-host.ts';
import type { Professional } from '../../../shared/directory/operations.ts';
import { addToProfessionalContacts } from './contacts.ts';

/** A mailbox with folders and contacts, answering the four requests like Zimbra (shapes of zm-mailbox ToXML). */
function fakeMailbox(books: Array<{ id: string; name: string; view?: string; parent?: string }>) {
  const contacts: Array<{ id: string; l: string; attrs: Record<string, string> }> = [];
  const sent: Array<[string, Record<string, unknown>]> = [];
  let next = 300;
  const host = {
    async zimbra(name: string, body: Record<string, unknown>) {
      sent.push([name, body]);
      if (name === 'GetFolderRequest') {
        const node = (id: string): Record<string, unknown> => {
          const kids = books.filter((b) => (b.parent ?? '1') === id);
          const self = books.find((b) => b.id === id);
          return { id, name: self?.name ?? 'USER_ROOT', ...(self?.view ? { view: self.view } : {}), ...(kids.length ? { folder: kids.map((k) => node(k.id)) } : {}) };
        };
        return { folder: [node('1')] };
      }
      if (name === 'CreateFolderRequest') {
        const f = body['folder'] as { name: string; view: string; l: string };
        const id = String(next++);
        books.push({ id, name: f.name, view: f.view, parent: f.l });
        return { folder: [{ id, name: f.name, view: f.view }] };
      }
      if (name === 'SearchRequest') {
        const q = String(body['query']);
        const folder = /inid:(\d+)/.exec(q)![1];
        const word = /"(.*)"/.exec(q)![1]!.toLowerCase();
        return { cn: contacts.filter((c) => c.l === folder && Object.values(c.attrs).join(' ').toLowerCase().includes(word)).map((c) => ({ id: c.id, _attrs: c.attrs })) };
      }
      if (name === 'CreateContactRequest') {
        const cn = body['cn'] as { l: string; a: Array<{ n: string; _content: string }> };
        const id = String(next++);
        contacts.push({ id, l: cn.l, attrs: Object.fromEntries(cn.a.map((x) => [x.n, x._content])) });
        return { cn: [{ id }] };
      }
      throw new Error(`unexpected ${name}`);
    },
  } as unknown as ZimletHost;
  return { host, books, contacts, sent };
}

const pro: Professional = {
  id: 'pro-1',
  sn: 'Kieffer-Dellé',
  givenName: 'Renée',
  displayName: 'Dr Renée Kieffer-Dellé',
  profession: 'medecin-specialiste',
  mail: 'Renee.Kieffer-Delle@esante.lu',
  confidentiality: 'public',
  practices: [{ establishment: 'CHEM', street: '1, rue Émile Mayrisch', postalCode: '4240', city: 'Esch-sur-Alzette' }],
};
const labels = { profession: 'Médecin spécialiste', specialty: 'Cardiologie' };

test('creates the "Professionnels" address book when missing, then the contact with its fields', async () => {
  const m = fakeMailbox([{ id: '7', name: 'Contacts', view: 'contact' }]);
  const r = await addToProfessionalContacts(m.host, pro, labels, 'Professionnels');
  assert.equal(r.status, 'added');
  assert.equal(r.folderCreated, true);
  assert.deepEqual(m.sent.map(([n]) => n), ['GetFolderRequest', 'CreateFolderRequest', 'SearchRequest', 'CreateContactRequest']);
  assert.deepEqual(m.sent[1]![1], { folder: { name: 'Professionnels', view: 'contact', l: '1', fie: '1' } });
  assert.deepEqual(m.contacts[0]!.attrs, {
    firstName: 'Renée',
    lastName: 'Kieffer-Dellé',
    email: 'Renee.Kieffer-Delle@esante.lu',
    jobTitle: 'Médecin spécialiste – Cardiologie',
    company: 'CHEM',
    workStreet: '1, rue Émile Mayrisch',
    workPostalCode: '4240',
    workCity: 'Esch-sur-Alzette',
  });
  assert.equal(m.contacts[0]!.l, r.folderId);
});

test('uses an existing book (any case, even nested) and never adds the same mail twice', async () => {
  const m = fakeMailbox([
    { id: '7', name: 'Contacts', view: 'contact' },
    { id: '20', name: 'Archives', view: 'message' },
    { id: '21', name: 'professionnels', view: 'contact', parent: '20' },
  ]);
  const first = await addToProfessionalContacts(m.host, pro, labels, 'Professionnels');
  assert.deepEqual([first.status, first.folderId, first.folderCreated], ['added', '21', false]);
  const again = await addToProfessionalContacts(m.host, { ...pro, mail: 'renee.kieffer-delle@ESANTE.lu' }, labels, 'Professionnels');
  assert.deepEqual([again.status, again.contactId], ['exists', first.contactId]);
  assert.equal(m.contacts.length, 1);
  assert.ok(!m.sent.some(([n]) => n === 'CreateFolderRequest'));
});

test('a mail folder with the same name is not an address book', async () => {
  const m = fakeMailbox([{ id: '30', name: 'Professionnels', view: 'message' }]);
  const r = await addToProfessionalContacts(m.host, pro, labels, 'Professionnels');
  assert.equal(r.folderCreated, true);
  assert.notEqual(r.folderId, '30');
});

test('a Zimbra failure is not swallowed', async () => {
  const host = { zimbra: async () => Promise.reject(Object.assign(new Error('denied'), { code: 'service.PERM_DENIED' })) } as unknown as ZimletHost;
  await assert.rejects(addToProfessionalContacts(host, pro, labels, 'Professionnels'), /denied/);
});
