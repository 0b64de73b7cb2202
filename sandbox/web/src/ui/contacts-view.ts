/**
 * The contacts app: the contacts of one address book (SearchRequest `types: "contact"`, zm-mailbox
 * ToXML.encodeContact: `cn[] {id, l, _attrs}`), each with a "write to" action opening compose.
 */
import { h } from './dom.ts';
import { t } from '../i18n.ts';
import { ZmButtonToolBar } from '../zimbra/dwt.ts';
import { ZmOperation, ZmId } from '../zimbra/app-ctxt.ts';
import type { FolderInfo, WebmailServices } from './types.ts';

export class ContactsView {
  readonly root: HTMLElement;
  private readonly table: HTMLTableSectionElement;
  private readonly heading: HTMLHeadingElement;
  private folder: FolderInfo | null = null;
  /** ZmContactListController's toolbar (view "CNS"); zimlets get it in initializeToolbar. */
  readonly toolbar: InstanceType<typeof ZmButtonToolBar>;
  /** A ZmContactListController-like object (what initializeToolbar's `controller` is here). */
  readonly controller = { getCurrentViewId: () => ZmId.VIEW_CONTACT_SIMPLE, toString: () => 'ZmContactListController' };

  constructor(
    private readonly svc: WebmailServices,
    private readonly writeTo: (address: string) => void,
  ) {
    this.toolbar = new ZmButtonToolBar({ context: ZmId.VIEW_CONTACT_SIMPLE, id: 'zm-contacts-toolbar', ariaLabel: t('tab_contacts') });
    this.toolbar.createOp(ZmOperation.NEW_MESSAGE, { text: t('op_new_message'), image: 'NewMessage' }).addSelectionListener(() => this.writeTo(''));
    this.heading = h('h2', { id: 'zm-contacts-title', class: 'ZmContactsTitle' }, t('contacts_label'));
    this.table = h('tbody', { id: 'zm-contact-rows' });
    this.root = h(
      'section',
      { id: 'zm-contacts-app', class: 'ZmContactsApp', 'aria-labelledby': 'zm-contacts-title' },
      this.toolbar.getHtmlElement(),
      this.heading,
      h(
        'table',
        { id: 'zm-contact-list', class: 'ZmContactList' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('contacts_name')), h('th', { scope: 'col' }, t('contacts_email')), h('th', { scope: 'col' }, t('contacts_company')), h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, t('op_new_message'))))),
        this.table,
      ),
    );
  }

  getFolder(): FolderInfo | null {
    return this.folder;
  }

  async showFolder(folder: FolderInfo): Promise<void> {
    this.folder = folder;
    this.heading.textContent = folder.label;
    this.table.replaceChildren(h('tr', {}, h('td', { colspan: 4 }, t('loading'))));
    let contacts: Array<{ id: string; _attrs?: Record<string, string> }> = [];
    try {
      const res = await this.svc.soap('SearchRequest', { query: folder.query, types: 'contact', limit: 500, offset: 0, sortBy: 'nameAsc' });
      contacts = res?.cn ?? [];
    } catch {
      contacts = [];
    }
    if (this.folder !== folder) return;
    if (!contacts.length) {
      this.table.replaceChildren(h('tr', { id: 'zm-contacts-empty' }, h('td', { colspan: 4 }, t('contacts_empty'))));
      return;
    }
    this.table.replaceChildren(
      ...contacts.map((c) => {
        const a = c._attrs ?? {};
        const name = [a['firstName'], a['lastName']].filter(Boolean).join(' ') || a['fullName'] || a['email'] || '';
        const email = a['email'] ?? '';
        return h(
          'tr',
          { id: `zm-contact-${c.id}`, 'data-contact-id': c.id },
          h('td', { class: 'name' }, name),
          h('td', { class: 'email' }, email),
          h('td', { class: 'company' }, [a['company'], a['jobTitle']].filter(Boolean).join(' – ')),
          h(
            'td',
            {},
            email
              ? h('button', { type: 'button', class: 'ZButton', id: `zm-contact-${c.id}-write`, onclick: () => this.writeTo(name ? `"${name.replace(/"/g, '')}" <${email}>` : email) }, t('contacts_write', name || email))
              : null,
          ),
        );
      }),
    );
  }
}
