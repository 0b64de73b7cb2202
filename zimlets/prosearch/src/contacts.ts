/**
 * "Ajouter aux contacts Professionnels" (guide p. 8) through Zimbra SOAP, via the ZimletHost:
 * 1. GetFolderRequest: find the address book (a folder with view "contact") named "Professionnels";
 * 2. CreateFolderRequest {folder: {name, view: "contact", l: "1", fie: "1"}} when it is missing
 *    (zm-mailbox mail/CreateFolder.java; `fie` = fetch-if-exists, so two tabs racing get one folder);
 * 3. SearchRequest {types: "contact", query: `inid:ID "mail"`} then an exact comparison of the e-mail
 *    fields: the professional is never added twice;
 * 4. CreateContactRequest {cn: {l, a: [{n, _content}]}} with ZmContact.js field names
 *    (firstName, lastName, email, jobTitle, company, workCity, workPostalCode, workStreet).
 */
import type { ZimletHost } from '../../../shared/host/zimlet-host.ts';

/** The root of a mailbox's folder tree is id 1 (zm-mailbox Mailbox.ID_FOLDER_USER_ROOT). */
const USER_ROOT = '1';

interface ZimbraFolder {
  id: string;
  name?: string;
  view?: string;
  folder?: ZimbraFolder[];
}
interface ZimbraContact {
  id: string;
  _attrs?: Record<string, string>;
}

export type AddContactResult = { status: 'added' | 'exists'; folderId: string; contactId: string; folderCreated: boolean };

function findAddressBook(folder: ZimbraFolder | undefined, name: string): ZimbraFolder | undefined {
  if (!folder) return undefined;
  const want = name.toLowerCase();
  // Top-level books first (where we create it), then anywhere a user may have moved it.
  const children = folder.folder ?? [];
  const top = children.find((f) => f.view === 'contact' && f.name?.toLowerCase() === want);
  if (top) return top;
  for (const child of children) {
    const found = findAddressBook(child, name);
    if (found) return found;
  }
  return undefined;
}

/** Zimbra query phrases are double-quoted; a quote or backslash inside is escaped (zm-mailbox querygrammar.txt). */
function phrase(text: string): string {
  return `"${text.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** What the contact is made of: a result row or an identity card (with its practice places). */
export interface ContactSource {
  sn: string;
  givenName: string;
  mail: string;
  city?: string | undefined;
  establishment?: string | undefined;
  practices?: Array<{ establishment?: string | undefined; street?: string | undefined; postalCode: string; city: string }> | undefined;
}

/** Attributes of the new contact; labels (profession…) are the user's language's, as shown in the panel. */
export interface ContactLabels {
  profession: string;
  specialty?: string;
}

export async function addToProfessionalContacts(
  host: ZimletHost,
  pro: ContactSource,
  labels: ContactLabels,
  folderName: string,
): Promise<AddContactResult> {
  const tree = await host.zimbra<{ folder?: ZimbraFolder[] }>('GetFolderRequest', {});
  let book = findAddressBook(tree.folder?.[0], folderName);
  let folderCreated = false;
  if (!book) {
    const created = await host.zimbra<{ folder?: ZimbraFolder[] }>('CreateFolderRequest', {
      folder: { name: folderName, view: 'contact', l: USER_ROOT, fie: '1' },
    });
    book = created.folder?.[0];
    if (!book?.id) throw new Error('CreateFolderResponse without a folder');
    folderCreated = true;
  }
  const mail = pro.mail.toLowerCase();
  const found = await host.zimbra<{ cn?: ZimbraContact[] }>('SearchRequest', {
    types: 'contact',
    query: `inid:${book.id} ${phrase(pro.mail)}`,
    limit: 100,
  });
  const existing = (found.cn ?? []).find((c) =>
    ['email', 'email2', 'email3', 'workEmail1'].some((k) => c._attrs?.[k]?.toLowerCase() === mail),
  );
  if (existing) return { status: 'exists', folderId: book.id, contactId: existing.id, folderCreated };

  const place = pro.practices?.[0];
  const attrs: Array<[string, string | undefined]> = [
    ['firstName', pro.givenName],
    ['lastName', pro.sn],
    ['email', pro.mail],
    ['jobTitle', labels.specialty ? `${labels.profession} – ${labels.specialty}` : labels.profession],
    ['company', place?.establishment ?? pro.establishment],
    ['workStreet', place?.street],
    ['workPostalCode', place?.postalCode],
    ['workCity', place?.city ?? pro.city],
  ];
  const created = await host.zimbra<{ cn?: ZimbraContact[] }>('CreateContactRequest', {
    cn: { l: book.id, a: attrs.filter(([, v]) => v).map(([n, v]) => ({ n, _content: v })) },
  });
  return { status: 'added', folderId: book.id, contactId: created.cn?.[0]?.id ?? '', folderCreated };
}
