/**
 * The mail app: toolbar, message list (a listbox: arrows move, Enter/selection opens, Delete
 * deletes) and reading pane. With zimbraPrefGroupMailBy "conversation" (Zimbra's default) the
 * reading pane is a conversation view (zm-web-client `mail/view/ZmConvView2.js`): every message of
 * the selected message's conversation, newest first; the selected one and the unread ones are
 * expanded (ZmConvView2._renderMessages, :200-252), the others collapsed until clicked. Each expanded
 * message is a ZmMailMsgView-like view and fires `onMsgView(msg, oldMsg, msgView)` once
 * (ZmMailMsgView._handleResponseSet, ZmMailMsgView.js:516). The body is in a same-origin iframe, as
 * ZmMailMsgView renders it (`_usingIframe`); `msgView._msgBodyDivId` is the div around it. The
 * selected message's view keeps the ids `zm-msg-view`, `zm-msg-body`…; the others get `-<msg id>`.
 */
import DOMPurify from 'dompurify';
import { h, shortDate, longDate } from './dom.ts';
import { t } from '../i18n.ts';
import { escapeMarkup as escapeHtml } from '../../../../shared/markup.ts';
import { ZmMailMsg, type MsgJson } from '../zimbra/mail-msg.ts';
import { ZmButtonToolBar } from '../zimbra/dwt.ts';
import { ZmOperation, ZmId } from '../zimbra/app-ctxt.ts';
import type { FolderInfo, WebmailServices } from './types.ts';

const PAGE = 100;

/** ZmMailMsgView-like object passed to `onMsgView`. */
export class MsgViewHandle {
  readonly _htmlElId: string;
  readonly _msgBodyDivId: string;
  readonly _hdrTableId: string;
  /** ZmMailMsgView._iframeId: the iframe holding the body. */
  readonly _iframeId: string;
  readonly _usingIframe = true;
  constructor(
    readonly _msg: ZmMailMsg,
    readonly _controller: unknown,
    suffix = '',
  ) {
    this._htmlElId = `zm-msg-view${suffix}`;
    this._msgBodyDivId = `zm-msg-body${suffix}`;
    this._hdrTableId = `zm-msg-header${suffix}`;
    this._iframeId = `zm-msg-body${suffix}-iframe`;
  }
  /** ZmMailMsgView.getIframe / getContentDocument-like access to the body. */
  getIframe(): HTMLIFrameElement | null {
    return document.getElementById(this._iframeId) as HTMLIFrameElement | null;
  }
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

const REPLY_OPS = [ZmOperation.REPLY, ZmOperation.REPLY_ALL, ZmOperation.FORWARD] as const;

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
    /** Shows a message alone: in the main window (double click) or detached in a new one. */
    private readonly onOpen: (id: string, detach: boolean) => void = () => undefined,
    /** Reply, reply all, forward of the message shown (ZmMailListController._doAction → ZmMailApp.compose). */
    private readonly onReply: (action: (typeof REPLY_OPS)[number], msg: ZmMailMsg) => void = () => undefined,
  ) {
    this.toolbar = new ZmButtonToolBar({ context: ZmId.VIEW_TRAD, id: 'zm-mail-toolbar', ariaLabel: t('tab_mail') });
    this.toolbar.createOp(ZmOperation.NEW_MESSAGE, { text: t('op_new_message'), image: 'NewMessage' }).addSelectionListener(() => this.onCompose());
    this.toolbar.createOp(ZmOperation.DELETE, { text: t('op_delete'), image: 'Delete', enabled: false }).addSelectionListener(() => void this.deleteSelected());
    this.toolbar.createOp(ZmOperation.CHECK_MAIL, { text: t('op_refresh'), image: 'Refresh' }).addSelectionListener(() => void this.refresh());
    // ZmMailListController toolbar (_getToolBarOps: REPLY, REPLY_ALL, FORWARD), on for one message shown.
    for (const [op, key, image] of [
      [ZmOperation.REPLY, 'op_reply', 'Reply'],
      [ZmOperation.REPLY_ALL, 'op_reply_all', 'ReplyAll'],
      [ZmOperation.FORWARD, 'op_forward', 'Forward'],
    ] as const) {
      this.toolbar.createOp(op, { text: t(key), image, enabled: false }).addSelectionListener(() => {
        if (this.currentMsg) this.onReply(op, this.currentMsg);
      });
    }
    // ZmOperation.DETACH ("open in a new window", ZmMailListController._detachListener → ZmMailMsgView.detachMsgInNewWindow).
    this.toolbar.createOp(ZmOperation.DETACH, { text: t('op_detach'), image: 'OpenInNewWindow', enabled: false }).addSelectionListener(() => {
      if (this.selectedId) this.onOpen(this.selectedId, true);
    });

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
    this.toolbar.enable([...REPLY_OPS], false);
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
      this.toolbar.enable([ZmOperation.DELETE, ZmOperation.DETACH, ...REPLY_OPS], false);
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
      // ZmListView double click → ZmMailListController._listActionListener → the message (or its
      // conversation) shown alone (ZmDoublePaneController._doubleClickListener).
      row.addEventListener('dblclick', () => this.onOpen(id, false));
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
    this.toolbar.enable([ZmOperation.DELETE, ZmOperation.DETACH], true);
    const seq = ++this.msgSeq;
    const json = await fetchMsg(this.svc, id);
    if (!json || seq !== this.msgSeq) return;
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
    this.toolbar.enable([...REPLY_OPS], true);
    const convMsgs = isConversationView(this.svc) ? await conversationOf(this.svc, msg) : [msg];
    if (seq !== this.msgSeq) return;
    renderConversation(this.svc, this.pane, msg, convMsgs, oldMsg, this.controller);
  }

  /** The selected message (the one a double click or "open in a new window" shows alone). */
  getSelectedId(): string | null {
    return this.selectedId;
  }

  getCurrentMsg(): ZmMailMsg | null {
    return this.currentMsg;
  }

  private showEmptyPane(): void {
    this.pane.replaceChildren(h('p', { class: 'ZmReadingEmpty', id: 'zm-reading-empty' }, t('reading_empty')));
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
    this.toolbar.enable([...REPLY_OPS], false);
    this.renderList();
    this.showEmptyPane();
    this.onFolderCountsChanged();
    const next = this.rows[Math.min(i, this.rows.length - 1)];
    if (next) void this.select(String(next['id']));
    this.list.focus();
  }
}


/** GetMsgRequest {m:{id, html:1, read:1}} (what ZmMailMsg.load asks): the message, or undefined after the error showed. */
export async function fetchMsg(svc: WebmailServices, id: string): Promise<MsgJson | undefined> {
  try {
    const res = await svc.soap('GetMsgRequest', { m: { id, html: 1, read: 1 } });
    return ((Array.isArray(res?.m) ? res.m[0] : res?.m) as MsgJson) || undefined;
  } catch {
    return undefined;
  }
}

/** zimbraPrefGroupMailBy: "conversation" (Zimbra's default) or "message". */
export function isConversationView(svc: WebmailServices): boolean {
  return String(svc.pref('zimbraPrefGroupMailBy') ?? 'conversation') !== 'message';
}

/** The messages of `msg`'s conversation (GetConvRequest), `msg` itself among them; just `[msg]` without one. */
export async function conversationOf(svc: WebmailServices, msg: ZmMailMsg): Promise<ZmMailMsg[]> {
  if (!msg.cid || Number(msg.cid) <= 0) return [msg];
  try {
    const conv = await svc.soap('GetConvRequest', { c: { id: msg.cid, html: 1 } });
    const c = Array.isArray(conv?.c) ? conv.c[0] : conv?.c;
    // Trash and Junk are not shown in a conversation of another folder (ZmConv.getMsgList filters them).
    const list = ((c?.m ?? []) as MsgJson[]).filter((m) => (m.l !== '3' && m.l !== '4') || String(m.id) === msg.id);
    const msgs = list.map((m) => (String(m.id) === msg.id ? msg : new ZmMailMsg(m)));
    if (!msgs.includes(msg)) msgs.unshift(msg);
    return msgs;
  } catch {
    return [msg];
  }
}

/** ZmConvView2._renderMessages: the selected and the unread messages expanded, each its onMsgView. */
export function renderConversation(svc: WebmailServices, container: HTMLElement, selected: ZmMailMsg, msgs: ZmMailMsg[], oldMsg: ZmMailMsg | null, controller: unknown): void {
  const conv = h('div', { id: 'zm-conv-view', class: 'ZmConvView2', role: 'feed', 'aria-label': t('conv_label') });
  container.replaceChildren(conv);
  const expanded: Array<[ZmMailMsg, MsgViewHandle]> = [];
  for (const m of msgs) {
    const suffix = m === selected ? '' : `-${m.id}`;
    const handle = new MsgViewHandle(m, controller, suffix);
    if (m === selected || m.isUnread) {
      conv.append(renderMessage(svc, m, suffix));
      expanded.push([m, handle]);
    } else {
      const from = m.getAddress('FROM')?.toString() ?? '';
      const collapsed = h(
        'button',
        { type: 'button', id: `zm-msg-view${suffix}`, class: 'ZmMailMsgView ZmMsgCollapsed', 'data-msg-id': m.id, 'data-expanded': 'false', 'aria-expanded': 'false', 'aria-label': t('conv_collapsed', from) },
        h('span', { class: 'ZmMsgCollapsedFrom' }, from),
        h('span', { class: 'ZmMsgCollapsedFragment' }, ` – ${m.fragment}`),
        h('span', { class: 'ZmMsgCollapsedDate' }, ` ${shortDate(m.date, svc.lang)}`),
      );
      collapsed.addEventListener('click', () => {
        // ZmMailMsgCapsuleView expand -> the message view renders -> onMsgView (ZmConvView2.js:2010-2020).
        collapsed.replaceWith(renderMessage(svc, m, suffix));
        svc.notifyZimlets('onMsgView', [m, null, handle]);
      });
      conv.append(collapsed);
    }
  }
  // One notification per expanded message, in display order (ZmMailMsgView.js:516 for each).
  for (const [m, handle] of expanded) svc.notifyZimlets('onMsgView', [m, m === selected ? oldMsg : null, handle]);
}


export function renderMessage(svc: WebmailServices, msg: ZmMailMsg, suffix = ''): HTMLElement {
  const addrLine = (type: 'FROM' | 'TO' | 'CC', label: string, id: string) => {
    const list = msg.getAddresses(type).getArray();
    if (!list.length) return null;
    return h('div', { class: 'ZmHdrRow' }, h('dt', {}, label), h('dd', { id: `${id}${suffix}` }, list.map((a) => a.toString()).join(', ')));
  };
  const body = h('div', { id: `zm-msg-body${suffix}`, class: 'ZmMsgBody' });
  const plain = msg.getBodyPart('text/plain');
  const html = msg.getBodyPart('text/html');
  // The body lives in a same-origin iframe without scripts (ZmMailMsgView renders mail in an IFRAME);
  // HTML mail is sanitized (no scripts, no handlers, no forms) before it reaches it.
  const inner =
    html && !plain
      ? DOMPurify.sanitize(html.getContent(), { FORBID_TAGS: ['style', 'form', 'input'], USE_PROFILES: { html: true } })
      : `<pre style="white-space:pre-wrap;font:inherit;margin:0">${escapeHtml(plain?.getContent() ?? msg.fragment)}</pre>`;
  if (!(html && !plain)) body.classList.add('plain');
  const frame = h('iframe', {
    id: `zm-msg-body${suffix}-iframe`,
    class: 'ZmMsgBodyFrame',
    title: t('msg_body_frame'),
    sandbox: 'allow-same-origin allow-popups',
    srcdoc: `<!doctype html><html lang="${svc.lang}"><head><meta charset="utf-8"><base target="_blank"><style>body{font:14px/1.45 system-ui,sans-serif;margin:8px;color:#222}</style></head><body>${inner}</body></html>`,
  }) as HTMLIFrameElement;
  frame.addEventListener('load', () => {
    // Sized to its content, as ZmMailMsgView._resetIframeHeight does.
    const doc = frame.contentDocument;
    if (doc?.documentElement) frame.style.height = `${doc.documentElement.scrollHeight + 4}px`;
  });
  body.append(frame);
  const atts = msg.attachments.length
    ? h(
        'section',
        { id: `zm-msg-attachments${suffix}`, class: 'ZmAttachments', 'aria-label': t('reading_attachments') },
        h('h3', {}, t('reading_attachments')),
        h(
          'ul',
          {},
          ...msg.attachments.map((a) =>
            h(
              'li',
              {},
              h('a', { href: attachmentUrl(msg.id, a.part), download: a.fileName ?? '', 'data-part': a.part }, a.fileName ?? a.part),
              h('span', { class: 'ZmAttSize' }, ` (${a.contentType}, ${formatSize(a.size, svc.lang)})`),
            ),
          ),
        ),
      )
    : null;
  return h(
    'article',
    { id: `zm-msg-view${suffix}`, class: 'ZmMailMsgView', 'data-msg-id': msg.id, 'data-expanded': 'true', 'aria-labelledby': `zm-msg-subject${suffix}` },
    h(
      'header',
      { id: `zm-msg-header${suffix}`, class: 'ZmMsgHeader' },
      h('h2', { id: `zm-msg-subject${suffix}` }, msg.subject || '(—)'),
      h(
        'dl',
        {},
        addrLine('FROM', t('reading_from'), 'zm-msg-from'),
        addrLine('TO', t('reading_to'), 'zm-msg-to'),
        addrLine('CC', t('reading_cc'), 'zm-msg-cc'),
        h('div', { class: 'ZmHdrRow' }, h('dt', {}, t('reading_date')), h('dd', { id: `zm-msg-date${suffix}` }, longDate(msg.date, svc.lang))),
      ),
    ),
    atts,
    body,
  );
}


/** Download URL of an attachment part (zm-mailbox UserServlet: `/service/home/~/?id=ID&part=N`). */
export function attachmentUrl(id: string, part: string): string {
  return `/service/home/~/?id=${encodeURIComponent(id)}&part=${encodeURIComponent(part)}`;
}

/** Size with the units of the language (French writes octets: o, Ko, Mo). */
export function formatSize(bytes: number, lang: string): string {
  const [b, k, m] = lang === 'fr' ? ['o', 'Ko', 'Mo'] : ['B', 'KB', 'MB'];
  if (bytes < 1024) return `${bytes} ${b}`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} ${k}`;
  return `${(bytes / 1024 / 1024).toFixed(1).replace('.', lang === 'en' ? '.' : ',')} ${m}`;
}
