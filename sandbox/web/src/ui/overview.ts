/**
 * The left column ("overview" in Zimbra): mail folders, address books, and the "Zimlets" accordion
 * whose items are the deployed zimlets' `zimletPanelItem`s (zm-web-client
 * `WebRoot/js/zimbraMail/share/controller/ZmZimletTreeController.js`: selection -> `singleClicked`,
 * double click -> `doubleClicked`, the item's context menu -> ZmZimletContext._handleMenuItemSelected
 * -> `menuItemSelected(itemId, data, ev)`). The context menu opens with a right click, Shift+F10 or
 * the ContextMenu key on the item, or with the item's "▾" button; arrows move in it, Escape closes it.
 */
import { h } from './dom.ts';
import { t } from '../i18n.ts';
import type { FolderInfo } from './types.ts';
import type { ZmZimletContext } from '../zimbra/zimlet-context.ts';

/** GetFolderResponse -> the folders the webmail shows (mail folders, then address books). */
export function flattenFolders(root: any): FolderInfo[] {
  const out: FolderInfo[] = [];
  const SYSTEM: Record<string, { key: Parameters<typeof t>[0]; slug: string; query: string }> = {
    '2': { key: 'folder_inbox', slug: 'inbox', query: 'in:inbox' },
    '5': { key: 'folder_sent', slug: 'sent', query: 'in:sent' },
    '6': { key: 'folder_drafts', slug: 'drafts', query: 'in:drafts' },
    '3': { key: 'folder_trash', slug: 'trash', query: 'in:trash' },
    '4': { key: 'folder_junk', slug: 'junk', query: 'in:junk' },
    '7': { key: 'folder_contacts', slug: 'contacts', query: 'in:contacts' },
    '13': { key: 'folder_emailed', slug: 'emailed', query: 'in:"emailed contacts"' },
  };
  const visit = (f: any) => {
    for (const c of (f?.folder ?? []) as any[]) {
      const id = String(c.id);
      const view = String(c.view ?? 'message');
      const sys = SYSTEM[id];
      if (view === 'message' || view === 'contact') {
        const name = String(c.name ?? id);
        out.push({
          id,
          name,
          view,
          unread: Number(c.u ?? 0),
          count: Number(c.n ?? 0),
          parentId: String(c.l ?? '1'),
          domId: sys ? `zm-folder-${sys.slug}` : `zm-folder-${id}`,
          label: sys ? t(sys.key) : name,
          query: sys ? sys.query : `in:"${name.replace(/"/g, '\\"')}"`,
        });
      }
      visit(c);
    }
  };
  visit(root);
  const order = ['2', '5', '6', '3', '4', '7', '13'];
  const rank = (f: FolderInfo) => (order.includes(f.id) ? order.indexOf(f.id) : 100);
  return out.sort((a, b) => rank(a) - rank(b) || a.label.localeCompare(b.label));
}

export interface OverviewCallbacks {
  selectFolder(folder: FolderInfo): void;
  zimletClicked(ctx: ZmZimletContext, double: boolean): void;
  zimletMenuItem(ctx: ZmZimletContext, itemId: string, ev: Event): void;
}

export class Overview {
  readonly root: HTMLElement;
  private readonly mailList: HTMLUListElement;
  private readonly abookList: HTMLUListElement;
  private readonly zimletList: HTMLUListElement;
  private readonly zimletToggle: HTMLButtonElement;
  private openMenu: { menu: HTMLElement; trigger: HTMLElement } | null = null;

  constructor(private readonly cb: OverviewCallbacks) {
    this.mailList = h('ul', { id: 'zm-tree', class: 'ZmTree', 'aria-labelledby': 'zm-tree-title' });
    this.abookList = h('ul', { id: 'zm-addrbooks', class: 'ZmTree', 'aria-labelledby': 'zm-addrbooks-title' });
    this.zimletList = h('ul', { id: 'zm-zimlets', class: 'ZmTree ZmZimletTree', 'aria-labelledby': 'zm-zimlets-toggle' });
    this.zimletToggle = h(
      'button',
      { type: 'button', id: 'zm-zimlets-toggle', class: 'ZmAccordionHeader', 'aria-expanded': 'true', 'aria-controls': 'zm-zimlets' },
      h('span', { class: 'ZmAccordionArrow', 'aria-hidden': 'true' }),
      t('tree_zimlets'),
    );
    this.zimletToggle.addEventListener('click', () => {
      const open = this.zimletToggle.getAttribute('aria-expanded') !== 'true';
      this.zimletToggle.setAttribute('aria-expanded', String(open));
      this.zimletList.hidden = !open;
    });
    this.root = h(
      'nav',
      { id: 'zm-overview', class: 'ZmOverview', 'aria-label': t('tree_label') },
      h('section', { class: 'ZmOverviewSection' }, h('h2', { id: 'zm-tree-title', class: 'ZmOverviewHeader' }, t('tree_mail_folders')), this.mailList),
      h('section', { class: 'ZmOverviewSection' }, h('h2', { id: 'zm-addrbooks-title', class: 'ZmOverviewHeader' }, t('tree_addrbooks')), this.abookList),
      h('section', { id: 'zm-zimlets-section', class: 'ZmOverviewSection ZmAccordion' }, h('h2', { class: 'ZmOverviewHeader' }, this.zimletToggle), this.zimletList),
    );
    document.addEventListener('click', (ev) => {
      if (this.openMenu && !this.openMenu.menu.contains(ev.target as Node) && !this.openMenu.trigger.contains(ev.target as Node)) this.closeMenu(false);
    });
  }

  renderFolders(folders: FolderInfo[], selectedId: string | null): void {
    const item = (f: FolderInfo) => {
      const btn = h(
        'button',
        {
          type: 'button',
          id: f.domId,
          class: 'ZmTreeItem',
          'data-folder-id': f.id,
          'aria-current': f.id === selectedId ? 'true' : null,
        },
        h('span', { class: `ZmTreeIcon ${f.view === 'contact' ? 'ImgContactsFolder' : `ImgFolder-${f.id}`}`, 'aria-hidden': 'true' }),
        h('span', { class: 'ZmTreeLabel' }, f.label),
        f.unread ? h('span', { class: 'ZmUnread', id: `${f.domId}-unread` }, ` (${f.unread})`) : null,
      );
      btn.addEventListener('click', () => this.cb.selectFolder(f));
      return h('li', {}, btn);
    };
    this.mailList.replaceChildren(...folders.filter((f) => f.view !== 'contact').map(item));
    this.abookList.replaceChildren(...folders.filter((f) => f.view === 'contact').map(item));
  }

  markSelected(domId: string | null): void {
    for (const b of this.root.querySelectorAll<HTMLElement>('.ZmTreeItem[data-folder-id]')) {
      if (b.id === domId) b.setAttribute('aria-current', 'true');
      else b.removeAttribute('aria-current');
    }
  }

  renderZimlets(zimlets: ZmZimletContext[]): void {
    if (!zimlets.length) {
      this.zimletList.replaceChildren(h('li', { class: 'ZmTreeEmpty', id: 'zm-zimlets-empty' }, t('tree_zimlets_none')));
      return;
    }
    this.zimletList.replaceChildren(...zimlets.map((z) => this.zimletItem(z)));
  }

  private zimletItem(ctx: ZmZimletContext): HTMLElement {
    const p = ctx.panelItem!;
    const id = `zimlet-${ctx.name}`;
    const icon = h('span', { class: `ZmTreeIcon ${p.icon ? `Img${p.icon}` : 'ImgZimlet'}`, 'aria-hidden': 'true' });
    const btn = h(
      'button',
      { type: 'button', id, class: 'ZmTreeItem ZmZimletItem', 'data-zimlet': ctx.name, title: p.toolTipText ?? null, 'aria-haspopup': p.menuItems.length ? 'menu' : null },
      icon,
      h('span', { class: 'ZmTreeLabel' }, p.label),
    );
    if (p.toolTipText) btn.setAttribute('aria-description', p.toolTipText);
    btn.addEventListener('click', (ev) => {
      // The second click of a double click only feeds dblclick, as DwtTree reports one selection.
      if (ev.detail > 1) return;
      this.cb.zimletClicked(ctx, false);
    });
    btn.addEventListener('dblclick', () => this.cb.zimletClicked(ctx, true));
    const li = h('li', { class: 'ZmZimletRow', id: `${id}-row` }, btn);
    if (p.menuItems.length) {
      const menu = h(
        'ul',
        { id: `${id}-menu`, role: 'menu', class: 'ZmActionMenu', hidden: true, 'aria-label': t('zimlet_menu', p.label) },
        ...p.menuItems.map((m) =>
          h(
            'li',
            { role: 'none' },
            h(
              'button',
              { type: 'button', role: 'menuitem', id: `${id}-menu-${m.id}`, tabindex: -1, 'data-item-id': m.id, class: 'ZmMenuItem' },
              h('span', { class: `ZmTreeIcon ${m.icon ? `Img${m.icon}` : ''}`, 'aria-hidden': 'true' }),
              m.label,
            ),
          ),
        ),
      );
      const trigger = h(
        'button',
        { type: 'button', id: `${id}-menu-button`, class: 'ZmMenuButton', 'aria-haspopup': 'menu', 'aria-expanded': 'false', 'aria-controls': `${id}-menu`, 'aria-label': t('zimlet_menu', p.label) },
        '▾',
      );
      trigger.addEventListener('click', () => (this.openMenu?.menu === menu ? this.closeMenu(true) : this.showMenu(menu, trigger)));
      btn.addEventListener('contextmenu', (ev) => {
        ev.preventDefault();
        this.showMenu(menu, trigger);
      });
      btn.addEventListener('keydown', (ev) => {
        if (ev.key === 'ContextMenu' || (ev.key === 'F10' && ev.shiftKey)) {
          ev.preventDefault();
          this.showMenu(menu, trigger);
        }
      });
      menu.addEventListener('click', (ev) => {
        const item = (ev.target as HTMLElement).closest<HTMLElement>('[role=menuitem]');
        if (!item) return;
        this.closeMenu(false);
        this.cb.zimletMenuItem(ctx, item.dataset['itemId']!, ev);
      });
      menu.addEventListener('keydown', (ev) => this.onMenuKey(ev, menu));
      li.append(trigger, menu);
    }
    return li;
  }

  private showMenu(menu: HTMLElement, trigger: HTMLElement): void {
    this.closeMenu(false);
    menu.hidden = false;
    trigger.setAttribute('aria-expanded', 'true');
    this.openMenu = { menu, trigger };
    menu.querySelector<HTMLElement>('[role=menuitem]')?.focus();
  }

  private closeMenu(refocus: boolean): void {
    if (!this.openMenu) return;
    const { menu, trigger } = this.openMenu;
    menu.hidden = true;
    trigger.setAttribute('aria-expanded', 'false');
    this.openMenu = null;
    if (refocus) trigger.focus();
  }

  private onMenuKey(ev: KeyboardEvent, menu: HTMLElement): void {
    const items = [...menu.querySelectorAll<HTMLElement>('[role=menuitem]')];
    const i = items.indexOf(document.activeElement as HTMLElement);
    if (ev.key === 'ArrowDown') items[(i + 1) % items.length]?.focus();
    else if (ev.key === 'ArrowUp') items[(i - 1 + items.length) % items.length]?.focus();
    else if (ev.key === 'Home') items[0]?.focus();
    else if (ev.key === 'End') items[items.length - 1]?.focus();
    else if (ev.key === 'Escape' || ev.key === 'Tab') {
      this.closeMenu(ev.key === 'Escape');
      if (ev.key === 'Tab') return;
    } else return;
    ev.preventDefault();
  }
}
