/**
 * The mail app: toolbar, message list (a listbox: arrows move, Enter/selection opens, Delete
 * deletes) and reading pane. Opening a message calls every zimlet's `onMsgView(msg, oldMsg, msgView)`
 * like zm-web-client `WebRoot/js/zimbraMail/mail/view/ZmMailMsgView.js` (`_renderMessage` ->
 * `appCtxt.notifyZimlets("onMsgView", [msg, oldMsg, this])`). The msgView handed to zimlets is
 * ZmMailMsgView-like: `getHtmlElement()` is `#zm-msg-view` (zimlets insert banners there,
 * e.g. before `#zm-msg-body`), `getMsg()`, `_msgBodyDivId`.
 */
import DOMPurify from 'dompurify';
import { h, shortDate, longDate } from './dom.ts';
import { t } from '../i18n.ts';
import { ZmMailMsg, type MsgJson } from '../zimbra/mail-msg.ts';
import { ZmButtonToolBar } from '../zimbra/dwt.ts';
import { ZmOperation, ZmId } from '../zimbra/app-ctxt.ts';
import type { FolderInfo, WebmailServices } from './types.ts';

const PAGE = 100;

/** ZmMailMsgView-like object passed to `onMsgView`. */
export class MsgViewHandle {
  readonly _htmlElId = 'zm-msg-view';
  readonly _msgBodyDivId = 'zm-msg-body';
  readonly _hdrTableId = 'zm-msg-header';
  constructor(
    readonly _msg: ZmMailMsg,
    readonly _controller: unknown,
  ) {}
  getHtmlElement(): HTMLElement {
    return document.getElementById(this._htmlElId)!;
  }
  getHTMLElId(): string {
    return this._htmlElId;
  }
  getMsg(): ZmMailMsg {
    return this._msg;
  }
  getController(): unknown {
    return this._controller;
  }
  /** The element holding the body (`document.getElementById(msgView._msgBodyDivId)` in Zimbra code). */
  getBodyElement(): HTMLElement | null {
    return document.getElementById(this._msgBodyDivId);
  }
  toString(): string {
    return 'ZmMailMsgView';
  }
}

export class MailView {
  readonly root: HTMLElement;
  readonly toolbar: InstanceType<typeof ZmButtonToolBar>;
  private readonly list: HTMLUListElement;
  private readonly pane: HTMLElement;
  private folder: FolderInfo | null = null;
  private rows: Array<Record<string, any>> = [];
  private selectedId: string | null = null;
  private currentMsg: ZmMailMsg | null = null;
  private listSeq = 0;
  private msgSeq = 0;
  /** A ZmTradController-like object (the mail list controller zimlets may receive). */
  readonly controller = { getCurrentViewId: () => ZmId.VIEW_TRAD, toString: () => 'ZmTradController' };

  constructor(
    private readonly svc: WebmailServices,
    private readonly onCompose: () => void,
    private readonly onFolderCountsChanged: () => void,
  ) {
    this.toolbar = new ZmButtonToolBar({ context: ZmId.VIEW_TRAD, id: 'zm-mail-toolbar', ariaLabel: t('tab_mail') });
    this.toolbar.createOp(ZmOperation.NEW_MESSAGE, { text: t('op_new_message'), image: 'NewMessage' }).addSelectionListener(() => this.onCompose());
    this.toolbar.createOp(ZmOperation.DELETE, { text: t('op_delete'), image: 'Delete', enabled: false }).addSelectionListener(() => void this.deleteSelected());
    this.toolbar.createOp(ZmOperation.CHECK_MAIL, { text: t('op_refresh'), image: 'Refresh' }).addSelectionListener(() => void this.refresh());

    this.list = h('ul', { id: 'zm-msg-list', role: 'listbox', tabindex: 0, 'aria-label': t('list_label'), class: 'ZmMsgList' });
    this.list.addEventListener('keydown', (ev) => this.onListKey(ev));
    this.pane = h('section', { id: 'zm-reading-pane', 'aria-label': t('reading_label'), class: 'ZmReadingPane', tabindex: -1 });
    this.root = h(
      'section',
      { id: 'zm-mail-app', class: 'ZmMailApp', 'aria-label': t('tab_mail') },
      this.toolbar.getHtmlElement(),
      h(
        'div',
        { class: 'ZmSplit' },
        h('div', { class: 'ZmListWrap' }, this.listHeader(), this.list),
        this.pane,
      ),
    );
    this.showEmptyPane();
  }

  private listHeader(): HTMLElement {
    return h(
      'div',
      { class: 'ZmListHeader', 'aria-hidden': 'true' },
      h('span', { class: 'col-attach' }, h('span', { class: 'ZmTreeIcon ImgAttachment' })),
      h('span', { class: 'col-from', id: 'zm-list-col-from' }, t('list_from')),
      h('span', { class: 'col-subject' }, t('list_subject')),
      h('span', { class: 'col-date' }, t('list_date')),
    );
  }

  getFolder(): FolderInfo | null {
    return this.folder;
  }

  async showFolder(folder: FolderInfo): Promise<void> {
    this.folder = folder;
    this.selectedId = null;
    this.currentMsg = null;
    this.msgSeq++; // a message still loading from the previous folder must not show up here
    this.list.setAttribute('aria-label', `${t('list_label')} – ${folder.label}`);
    const col = this.root.querySelector('#zm-list-col-from');
    if (col) col.textContent = folder.id === '5' || folder.id === '6' ? t('list_to') : t('list_from');
    this.showEmptyPane();
    await this.refresh();
  }

  async refresh(): Promise<void> {
    if (!this.folder) return;
    const seq = ++this.listSeq;
    this.list.setAttribute('aria-busy', 'true');
    try {
      const res = await this.svc.soap('SearchRequest', { query: this.folder.query, types: 'message', limit: PAGE, offset: 0, sortBy: 'dateDesc' });
      if (seq !== this.listSeq) return;
      this.rows = (res?.m ?? []) as Array<Record<string, any>>;
      this.renderList();
    } catch {
      // the error was shown by soap()
    } finally {
      if (seq === this.listSeq) this.list.removeAttribute('aria-busy');
    }
  }

  private renderList(): void {
    const showTo = this.folder?.id === '5' || this.folder?.id === '6';
    this.list.replaceChildren();
    if (!this.rows.length) {
      this.list.removeAttribute('aria-activedescendant');
      this.list.append(h('li', { class: 'ZmListEmpty', role: 'presentation', id: 'zm-msg-list-empty' }, t('list_empty')));
      this.toolbar.enable(ZmOperation.DELETE, false);
      return;
    }
    for (const m of this.rows) {
      const id = String(m['id']);
      const flags = String(m['f'] ?? '');
      const unread = flags.includes('u');
      const addrs = (m['e'] ?? []) as Array<{ t: string; a?: string; p?: string; d?: string }>;
      const who = addrs
        .filter((e) => (showTo ? e.t === 't' : e.t === 'f'))
        .map((e) => e.p || e.d || e.a || '')
        .join(', ');
      const subject = typeof m['su'] === 'string' ? m['su'] : (m['su']?._content ?? '');
      const row = h(
        'li',
        {
          id: `zm-msg-${id}`,
          role: 'option',
          class: `ZmListRow${unread ? ' unread' : ''}`,
          'data-msg-id': id,
          'aria-selected': id === this.selectedId ? 'true' : 'false',
        },
        h(
          'span',
          { class: 'col-attach' },
          flags.includes('a') ? h('span', { class: 'ZmTreeIcon ImgAttachment', role: 'img', 'aria-label': t('list_attach') }) : null,
        ),
        h('span', { class: 'col-from' }, who),
        h('span', { class: 'col-subject' }, h('span', { class: 'subject' }, subject), h('span', { class: 'fragment' }, m['fr'] ? ` – ${m['fr']}` : '')),
        h('span', { class: 'col-date' }, shortDate(Number(m['d'] ?? 0), this.svc.lang)),
        unread ? h('span', { class: 'sr-only' }, `, ${t('list_unread')}`) : null,
      );
      row.addEventListener('click', () => void this.select(id));
      this.list.append(row);
    }
    if (this.selectedId) this.list.setAttribute('aria-activedescendant', `zm-msg-${this.selectedId}`);
    else this.list.removeAttribute('aria-activedescendant');
  }

  private onListKey(ev: KeyboardEvent): void {
    if (!this.rows.length) return;
    const ids = this.rows.map((r) => String(r['id']));
    const i = this.selectedId ? ids.indexOf(this.selectedId) : -1;
    let next: string | undefined;
    if (ev.key === 'ArrowDown') next = ids[Math.min(i + 1, ids.length - 1)];
    else if (ev.key === 'ArrowUp') next = ids[Math.max(i - 1, 0)];
    else if (ev.key === 'Home') next = ids[0];
    else if (ev.key === 'End') next = ids[ids.length - 1];
    else if (ev.key === 'Enter' && this.selectedId) {
      this.pane.focus();
      ev.preventDefault();
      return;
    } else if (ev.key === 'Delete' && this.selectedId) {
      void this.deleteSelected();
      ev.preventDefault();
      return;
    } else return;
    ev.preventDefault();
    if (next && next !== this.selectedId) void this.select(next);
  }

  private markSelected(): void {
    for (const row of this.list.querySelectorAll<HTMLElement>('[role=option]')) {
      row.setAttribute('aria-selected', row.dataset['msgId'] === this.selectedId ? 'true' : 'false');
    }
    if (this.selectedId) {
      this.list.setAttribute('aria-activedescendant', `zm-msg-${this.selectedId}`);
      document.getElementById(`zm-msg-${this.selectedId}`)?.scrollIntoView({ block: 'nearest' });
    }
  }

  /** Selects a row and shows the message in the reading pane. */
  async select(id: string): Promise<void> {
    this.selectedId = id;
    this.markSelected();
    this.toolbar.enable(ZmOperation.DELETE, true);
    const seq = ++this.msgSeq;
    let json: MsgJson;
    try {
      const res = await this.svc.soap('GetMsgRequest', { m: { id, html: 1, read: 1 } });
      json = (Array.isArray(res?.m) ? res.m[0] : res?.m) as MsgJson;
      if (!json) return;
    } catch {
      return;
    }
    if (seq !== this.msgSeq) return;
    const row = this.rows.find((r) => String(r['id']) === id);
    if (row && String(row['f'] ?? '').includes('u')) {
      row['f'] = String(row['f']).replace('u', '');
      document.getElementById(`zm-msg-${id}`)?.classList.remove('unread');
      document.getElementById(`zm-msg-${id}`)?.querySelector('.sr-only')?.remove();
      // GetMsg read=1 marks it read in Zimbra; the explicit action keeps the sandbox in step either way.
      void this.svc.soap('MsgActionRequest', { action: { op: 'read', id } }).then(() => this.onFolderCountsChanged(), () => undefined);
    }
    const msg = new ZmMailMsg(json);
    const oldMsg = this.currentMsg;
    this.currentMsg = msg;
    this.renderMessage(msg);
    this.svc.notifyZimlets('onMsgView', [msg, oldMsg, new MsgViewHandle(msg, this.controller)]);
  }

  getCurrentMsg(): ZmMailMsg | null {
    return this.currentMsg;
  }

  private showEmptyPane(): void {
    this.pane.replaceChildren(h('p', { class: 'ZmReadingEmpty', id: 'zm-reading-empty' }, t('reading_empty')));
  }

  private renderMessage(msg: ZmMailMsg): void {
    const addrLine = (type: 'FROM' | 'TO' | 'CC', label: string, id: string) => {
      const list = msg.getAddresses(type).getArray();
      if (!list.length) return null;
      return h('div', { class: 'ZmHdrRow' }, h('dt', {}, label), h('dd', { id }, list.map((a) => a.toString()).join(', ')));
    };
    const body = h('div', { id: 'zm-msg-body', class: 'ZmMsgBody' });
    const plain = msg.getBodyPart('text/plain');
    const html = msg.getBodyPart('text/html');
    if (html && !plain) {
      // HTML mail is sanitized (no scripts, no handlers, no forms) before it reaches the page.
      body.innerHTML = DOMPurify.sanitize(html.getContent(), { FORBID_TAGS: ['style', 'form', 'input'], USE_PROFILES: { html: true } });
    } else {
      body.classList.add('plain');
      body.textContent = plain?.getContent() ?? msg.fragment;
    }
    const atts = msg.attachments.length
      ? h(
          'section',
          { id: 'zm-msg-attachments', class: 'ZmAttachments', 'aria-label': t('reading_attachments') },
          h('h3', {}, t('reading_attachments')),
          h(
            'ul',
            {},
            ...msg.attachments.map((a) =>
              h(
                'li',
                {},
                h('a', { href: msg.getAttachmentUrl(a.part), download: a.fileName ?? '', 'data-part': a.part }, a.fileName ?? a.part),
                h('span', { class: 'ZmAttSize' }, ` (${a.contentType}, ${formatSize(a.size, this.svc.lang)})`),
              ),
            ),
          ),
        )
      : null;
    const view = h(
      'article',
      { id: 'zm-msg-view', class: 'ZmMailMsgView', 'data-msg-id': msg.id, 'aria-labelledby': 'zm-msg-subject' },
      h(
        'header',
        { id: 'zm-msg-header', class: 'ZmMsgHeader' },
        h('h2', { id: 'zm-msg-subject' }, msg.subject || '(—)'),
        h(
          'dl',
          {},
          addrLine('FROM', t('reading_from'), 'zm-msg-from'),
          addrLine('TO', t('reading_to'), 'zm-msg-to'),
          addrLine('CC', t('reading_cc'), 'zm-msg-cc'),
          h('div', { class: 'ZmHdrRow' }, h('dt', {}, t('reading_date')), h('dd', { id: 'zm-msg-date' }, longDate(msg.date, this.svc.lang))),
        ),
      ),
      atts,
      body,
    );
    this.pane.replaceChildren(view);
  }

  private async deleteSelected(): Promise<void> {
    const id = this.selectedId;
    if (!id || !this.folder) return;
    const op = this.folder.id === '3' ? 'delete' : 'trash';
    try {
      await this.svc.soap('MsgActionRequest', { action: { op, id } });
    } catch {
      return;
    }
    const ids = this.rows.map((r) => String(r['id']));
    const i = ids.indexOf(id);
    this.rows = this.rows.filter((r) => String(r['id']) !== id);
    this.selectedId = null;
    this.currentMsg = null;
    this.renderList();
    this.showEmptyPane();
    this.onFolderCountsChanged();
    const next = this.rows[Math.min(i, this.rows.length - 1)];
    if (next) void this.select(String(next['id']));
    this.list.focus();
  }
}

/** Size with the units of the language (French writes octets: o, Ko, Mo). */
export function formatSize(bytes: number, lang: string): string {
  const [b, k, m] = lang === 'fr' ? ['o', 'Ko', 'Mo'] : ['B', 'KB', 'MB'];
  if (bytes < 1024) return `${bytes} ${b}`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} ${k}`;
  return `${(bytes / 1024 / 1024).toFixed(1).replace('.', lang === 'en' ? '.' : ',')} ${m}`;
}
