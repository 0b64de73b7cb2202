/**
 * Compose: ZmComposeController / ZmComposeView-like objects (zm-web-client
 * `WebRoot/js/zimbraMail/mail/controller/ZmComposeController.js`, `mail/view/ZmComposeView.js`,
 * `mail/view/ZmRecipients.js`) with just the members zimlets use:
 * - on open, every zimlet gets `initializeToolbar(app, toolbar, controller, "COMPOSE-1")`
 *   (ZmComposeController._initializeToolBar);
 * - "Envoyer" runs `_sendListener`: `notifyZimlets("onSendButtonClicked", [controller, msg])`, a truthy
 *   answer suppresses the default send; else `_send()` checks the recipients, asks zimlets
 *   `emailErrorCheck(msg, arr)` (ZmComposeView._zimletCheck: a `{hasError, errorMsg, zimletName}` entry
 *   pops an OK/Cancel warning, OK sends anyway), collects `addCustomMimeHeaders(arr)`, then SendMsgRequest;
 * - `composeView.setAddress(AjxEmailAddress.TO|CC|BCC, "a@x; b@y")` adds to a field (empty string clears).
 * Attachments are uploaded at selection time through `/service/upload?fmt=raw,extended`
 * (zm-mailbox `store/docs/file-upload.txt`) and sent as `attach: {aid: "id1,id2"}`.
 */
import { h } from './dom.ts';
import { t } from '../i18n.ts';
import { AjxEmailAddress, type AddressType } from '../zimbra/ajx.ts';
import { ZmButtonToolBar, DwtDialog } from '../zimbra/dwt.ts';
import { ZmOperation, ZmId, type ComposeParams } from '../zimbra/app-ctxt.ts';
import { ZmComposedMsg } from '../zimbra/mail-msg.ts';
import { formatSize } from './mail-view.ts';
import { CSRF_HEADER } from '../../../../shared/paths.ts';
import type { WebmailServices } from './types.ts';

export const COMPOSE_VIEW_ID = `${ZmId.VIEW_COMPOSE}-1`;

export interface UploadedFile {
  aid: string;
  filename: string;
  ct: string;
  s: number;
}

/**
 * Parses the answer of `POST /service/upload?fmt=raw,extended`: either Zimbra's
 * `200,'null',[{"aid":…}]` (file-upload.txt "raw" format) or a bare JSON array.
 */
export function parseUploadResponse(text: string): UploadedFile[] {
  const trimmed = text.trim();
  const status = /^(\d{3}),/.exec(trimmed);
  if (status && status[1] !== '200') throw new Error(`upload failed (${status[1]})`);
  const start = trimmed.indexOf('[');
  const end = trimmed.lastIndexOf(']');
  if (start < 0 || end < start) throw new Error('upload answer carries no attachment id');
  const arr = JSON.parse(trimmed.slice(start, end + 1)) as Array<Record<string, unknown>>;
  return arr.map((o) => {
    if (!o['aid']) throw new Error('upload answer carries no attachment id');
    return { aid: String(o['aid']), filename: String(o['filename'] ?? ''), ct: String(o['ct'] ?? 'application/octet-stream'), s: Number(o['s'] ?? 0) };
  });
}

/** `Content-Disposition` for an upload: ASCII fallback plus RFC 5987 `filename*` for any name. */
export function uploadDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

const FIELD_OF: Record<string, 'to' | 'cc' | 'bcc'> = { TO: 'to', CC: 'cc', BCC: 'bcc' };

/** ZmComposeView-like (what `appCtxt.getCurrentView()` answers while composing). */
export class ComposeView {
  readonly root: HTMLElement;
  readonly _subjectField: HTMLInputElement;
  readonly _bodyField: HTMLTextAreaElement;
  readonly _addrFields: Record<'to' | 'cc' | 'bcc', HTMLInputElement>;
  readonly attachments: UploadedFile[] = [];
  private readonly attachList: HTMLUListElement;
  private readonly fileInput: HTMLInputElement;
  private pendingUploads = 0;
  draftId: string | undefined;

  constructor(
    readonly controller: ComposeController,
    private readonly svc: WebmailServices,
  ) {
    const field = (key: 'to' | 'cc' | 'bcc', label: string) =>
      h('input', { id: `zm-compose-${key}`, name: key, type: 'text', autocomplete: 'off', class: 'ZmAddrField', 'aria-label': label.replace(/\s*:$/, '') });
    this._addrFields = { to: field('to', t('compose_to')), cc: field('cc', t('compose_cc')), bcc: field('bcc', t('compose_bcc')) };
    this._subjectField = h('input', { id: 'zm-compose-subject', name: 'subject', type: 'text', class: 'ZmSubjectField' });
    this._bodyField = h('textarea', { id: 'zm-compose-body', name: 'body', rows: 16, class: 'ZmBodyField', 'aria-label': t('compose_body') });
    // The native file input shows the browser's own language ("Choose Files"); a webmail button in the
    // session's language opens it instead. Tests set files on #zm-compose-attach directly.
    this.fileInput = h('input', { id: 'zm-compose-attach', type: 'file', multiple: true, class: 'ZmAttachInput', hidden: true, tabindex: -1 });
    this.fileInput.addEventListener('change', () => void this.uploadSelected());
    const attachButton = h(
      'button',
      { type: 'button', id: 'zm-compose-attach-button', class: 'ZButton', onclick: () => this.fileInput.click() },
      h('span', { class: 'ZmTreeIcon ImgAttachment', 'aria-hidden': 'true' }),
      t('compose_attach'),
    );
    this.attachList = h('ul', { id: 'zm-compose-attachments', class: 'ZmComposeAttachments', 'aria-label': t('compose_attachments'), 'aria-live': 'polite' });

    const row = (label: string, forId: string, input: HTMLElement) =>
      h('div', { class: 'ZmComposeRow' }, h('label', { for: forId }, label), input);
    this.root = h(
      'section',
      { id: 'zm-compose', class: 'ZmComposeView', 'aria-label': t('compose_label') },
      controller._toolbar.getHtmlElement(),
      h(
        'form',
        { id: 'zm-compose-form', class: 'ZmComposeForm', novalidate: true, onsubmit: (ev: Event) => ev.preventDefault() },
        row(t('compose_to'), 'zm-compose-to', this._addrFields.to),
        row(t('compose_cc'), 'zm-compose-cc', this._addrFields.cc),
        row(t('compose_bcc'), 'zm-compose-bcc', this._addrFields.bcc),
        row(t('compose_subject'), 'zm-compose-subject', this._subjectField),
        h('div', { class: 'ZmComposeRow' }, h('span', { class: 'ZmRowLabel', 'aria-hidden': 'true' }), h('span', { class: 'ZmAttachCell' }, attachButton, this.fileInput, this.attachList)),
        this._bodyField,
      ),
    );
  }

  // --- ZmComposeView members zimlets call -----------------------------------------------------

  /** ZmRecipients.setAddress: adds the addresses to the field (an empty string clears it). */
  setAddress(type: AddressType | string, addr: unknown): void {
    const key = FIELD_OF[String(type)];
    if (!key) return;
    const input = this._addrFields[key];
    const str = addr && typeof addr === 'object' && (addr as { isAjxEmailAddress?: boolean }).isAjxEmailAddress ? String(addr) : String(addr ?? '');
    if (!str.trim()) {
      input.value = '';
      return;
    }
    const existing = AjxEmailAddress.split(input.value);
    const known = new Set(existing.map((a) => (AjxEmailAddress.parse(a)?.address ?? a).toLowerCase()));
    for (const a of AjxEmailAddress.split(str)) {
      const email = (AjxEmailAddress.parse(a)?.address ?? a).toLowerCase();
      if (!known.has(email)) {
        existing.push(a);
        known.add(email);
      }
    }
    input.value = existing.join(AjxEmailAddress.SEPARATOR);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }
  /** The text of an address field (`ZmRecipients` keeps one input per type). */
  getAddrFieldValue(type: AddressType | string): string {
    const key = FIELD_OF[String(type)];
    return key ? this._addrFields[key].value : '';
  }
  getAddrInputField(type: AddressType | string): HTMLInputElement | undefined {
    const key = FIELD_OF[String(type)];
    return key ? this._addrFields[key] : undefined;
  }
  getSubject(): string {
    return this._subjectField.value;
  }
  getUserText(): string {
    return this._bodyField.value;
  }
  setBody(text: string): void {
    this._bodyField.value = text;
  }
  /** Plain text only in the sandbox (ZmComposeView.getComposeMode answers a MIME type). */
  getComposeMode(): string {
    return 'text/plain';
  }
  getController(): ComposeController {
    return this.controller;
  }
  getHtmlElement(): HTMLElement {
    return this.root;
  }
  /** ZmComposeView._getMsg: the message as the form describes it (no check, no side effect). */
  _getMsg(): ZmComposedMsg {
    return new ZmComposedMsg({
      to: this._addrFields.to.value,
      cc: this._addrFields.cc.value,
      bcc: this._addrFields.bcc.value,
      subject: this._subjectField.value,
      body: this._bodyField.value,
      attachmentIds: this.attachments.map((a) => a.aid),
      draftId: this.draftId,
    });
  }
  isUploading(): boolean {
    return this.pendingUploads > 0;
  }
  toString(): string {
    return 'ZmComposeView';
  }

  // --- attachments --------------------------------------------------------------------------

  private async uploadSelected(): Promise<void> {
    const files = [...(this.fileInput.files ?? [])];
    this.fileInput.value = '';
    for (const file of files) await this.upload(file);
  }

  /** Uploads one file (also usable by tests and zimlets through `controller._composeView`). */
  async upload(file: File): Promise<UploadedFile | undefined> {
    this.pendingUploads++;
    this.controller._toolbar.enable(ZmOperation.SEND, false);
    this.svc.setStatus(t('compose_uploading', file.name));
    try {
      const res = await fetch('/service/upload?fmt=raw,extended', {
        method: 'POST',
        credentials: 'same-origin',
        headers: {
          [CSRF_HEADER]: this.svc.csrfToken(),
          'Content-Type': file.type || 'application/octet-stream',
          'Content-Disposition': uploadDisposition(file.name),
        },
        body: file,
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const [uploaded] = parseUploadResponse(text);
      if (!uploaded) throw new Error('empty upload answer');
      const att = { ...uploaded, filename: uploaded.filename || file.name, s: uploaded.s || file.size };
      this.attachments.push(att);
      this.renderAttachments();
      return att;
    } catch (e) {
      this.svc.showError({ errMsg: t('error_soap', `${file.name}: ${(e as Error).message}`) });
      return undefined;
    } finally {
      this.pendingUploads--;
      if (!this.pendingUploads) this.controller._toolbar.enable(ZmOperation.SEND, true);
    }
  }

  private renderAttachments(): void {
    this.attachList.replaceChildren(
      ...this.attachments.map((a, i) =>
        h(
          'li',
          { 'data-aid': a.aid, id: `zm-compose-attachment-${i}` },
          h('span', { class: 'ZmAttName' }, a.filename),
          h('span', { class: 'ZmAttSize' }, ` (${formatSize(a.s, this.svc.lang)}) `),
          h(
            'button',
            {
              type: 'button',
              class: 'ZButton ZmAttRemove',
              'aria-label': t('compose_remove_attachment', a.filename),
              onclick: () => {
                this.attachments.splice(this.attachments.indexOf(a), 1);
                this.renderAttachments();
              },
            },
            '×',
          ),
        ),
      ),
    );
  }
}

/** ZmComposeController-like: what `initializeToolbar` and `onSendButtonClicked` receive. */
export class ComposeController {
  readonly _toolbar: InstanceType<typeof ZmButtonToolBar>;
  readonly _composeView: ComposeView;
  readonly _currentViewId = COMPOSE_VIEW_ID;
  readonly _app: unknown;
  /** The message replied to / forwarded (none for a new message), as ZmComposeController keeps it. */
  readonly _msg: unknown;
  private sending = false;

  constructor(
    private readonly svc: WebmailServices,
    app: unknown,
    readonly params: ComposeParams,
    private readonly close: (sent: boolean) => void,
  ) {
    this._app = app;
    this._msg = params.msg ?? null;
    this._toolbar = new ZmButtonToolBar({ context: ZmId.VIEW_COMPOSE, id: 'zm-compose-toolbar', ariaLabel: t('compose_label') });
    this._toolbar.createOp(ZmOperation.SEND, { text: t('op_send'), image: 'Send' }).addSelectionListener(() => void this._sendListener());
    this._toolbar.createOp(ZmOperation.CANCEL, { text: t('op_cancel'), image: 'Cancel' }).addSelectionListener(() => this._cancelCompose());
    this._toolbar.createOp(ZmOperation.SAVE_DRAFT, { text: t('op_save_draft'), image: 'Save' }).addSelectionListener(() => void this.saveDraft());
    this._composeView = new ComposeView(this, svc);
    const v = this._composeView;
    if (params.toOverride) v.setAddress('TO', params.toOverride);
    if (params.ccOverride) v.setAddress('CC', params.ccOverride);
    if (params.bccOverride) v.setAddress('BCC', params.bccOverride);
    if (params.subjOverride) v._subjectField.value = params.subjOverride;
    if (params.extraBodyText) v._bodyField.value = params.extraBodyText;
  }

  getToolbar() {
    return this._toolbar;
  }
  getCurrentView(): ComposeView {
    return this._composeView;
  }
  getCurrentViewId(): string {
    return this._currentViewId;
  }
  getApp(): unknown {
    return this._app;
  }
  getMsg(): unknown {
    return this._msg;
  }
  getDraftId(): string | undefined {
    return this._composeView.draftId;
  }

  /** Called once the view is on screen: zimlets add their compose buttons here. */
  initializeZimletToolbar(): void {
    this.svc.notifyZimlets('initializeToolbar', [this._app, this._toolbar, this, this._currentViewId]);
  }

  /** ZmComposeController._sendListener: zimlets may take the send over. */
  async _sendListener(): Promise<void> {
    if (this.sending) return;
    const msg = this._composeView._getMsg();
    if (this.svc.notifyZimlets('onSendButtonClicked', [this, msg])) return;
    await this._send();
  }

  /** The default send (zimlets that suppressed it may call this to go on). */
  async _send(): Promise<boolean> {
    if (this.sending || this._composeView.isUploading()) return false;
    const v = this._composeView;
    const bad: string[] = [];
    let count = 0;
    for (const key of ['to', 'cc', 'bcc'] as const) {
      const parsed = AjxEmailAddress.parseEmailString(v._addrFields[key].value, key.toUpperCase() as AddressType, false);
      bad.push(...parsed.bad.getArray());
      count += parsed.good.size();
    }
    if (bad.length) {
      this.svc.showError({ errMsg: t('compose_bad_addresses', bad.join(', ')) });
      return false;
    }
    if (!count) {
      this.svc.showError({ errMsg: t('compose_no_recipient') });
      v._addrFields.to.focus();
      return false;
    }
    const msg = v._getMsg();
    if (!(await this.zimletCheck(msg))) return false;
    return this.sendMsg(msg);
  }

  /** ZmComposeView._zimletCheck: the first zimlet reporting an error asks the user to confirm. */
  private zimletCheck(msg: ZmComposedMsg): Promise<boolean> {
    const arr: Array<{ hasError?: boolean; errorMsg?: string; zimletName?: string } | null | undefined> = [];
    this.svc.notifyZimlets('emailErrorCheck', [msg, arr]);
    const err = arr.find((o) => o && o.hasError);
    if (!err) return Promise.resolve(true);
    return new Promise((resolve) => {
      const dlg = new DwtDialog({ id: 'zm-zimlet-warning-dialog', title: t('compose_zimlet_warning'), standardButtons: [DwtDialog.OK_BUTTON, DwtDialog.CANCEL_BUTTON] });
      dlg.getHtmlElement().setAttribute('role', 'alertdialog');
      dlg.getHtmlElement().setAttribute('aria-describedby', 'zm-zimlet-warning-message');
      dlg._contentDiv.replaceChildren(h('p', { id: 'zm-zimlet-warning-message' }, String(err.errorMsg ?? '')));
      const finish = (ok: boolean) => {
        dlg.dispose();
        resolve(ok);
      };
      dlg.registerCallback(DwtDialog.OK_BUTTON, () => finish(true));
      dlg.registerCallback(DwtDialog.CANCEL_BUTTON, () => finish(false));
      dlg.popup(undefined, DwtDialog.CANCEL_BUTTON);
    });
  }

  /** The `m` element of SendMsgRequest / SaveDraftRequest (zm-mailbox soap.txt). */
  private messageJson(msg: ZmComposedMsg): Record<string, unknown> {
    const e: Array<Record<string, string>> = [];
    for (const [type, tt] of [['TO', 't'], ['CC', 'c'], ['BCC', 'b']] as const) {
      for (const a of msg.getAddresses(type).getArray()) e.push(a.name ? { t: tt, a: a.address, p: a.name } : { t: tt, a: a.address });
    }
    const m: Record<string, unknown> = {
      e,
      su: { _content: msg.subject },
      mp: [{ ct: 'text/plain', content: { _content: msg.getBodyContent() } }],
    };
    if (msg.attachmentIds.length) m['attach'] = { aid: msg.attachmentIds.join(',') };
    return m;
  }

  /** ZmComposeController.sendMsg: SendMsgRequest, then back to the list. */
  async sendMsg(msg: ZmComposedMsg = this._composeView._getMsg()): Promise<boolean> {
    this.sending = true;
    this._toolbar.enableAll(false);
    const m = this.messageJson(msg);
    const headers: Array<{ name: string; _content: string }> = [];
    this.svc.notifyZimlets('addCustomMimeHeaders', [headers]);
    if (headers.length) m['header'] = headers;
    const draftId = this._composeView.draftId;
    if (draftId) m['did'] = draftId; // SendMsg deletes the draft it was sent from
    try {
      const res = await this.svc.soap('SendMsgRequest', { m });
      this.svc.notifyZimlets('onSendMsgSuccess', [this, msg, res]);
      this.svc.setStatus(t('compose_sent'));
      this.close(true);
      return true;
    } catch {
      return false;
    } finally {
      this.sending = false;
      this._toolbar.enableAll(true);
    }
  }

  /** SaveDraftRequest (with the draft's id once saved); answers the draft's message id. */
  async saveDraft(): Promise<string | undefined> {
    const msg = this._composeView._getMsg();
    const m = this.messageJson(msg);
    if (this._composeView.draftId) m['id'] = this._composeView.draftId;
    try {
      const res = await this.svc.soap('SaveDraftRequest', { m });
      const saved = Array.isArray(res?.m) ? res.m[0] : res?.m;
      if (saved?.id) this._composeView.draftId = String(saved.id);
      this.svc.setStatus(t('compose_draft_saved'));
      return this._composeView.draftId;
    } catch {
      return undefined;
    }
  }

  /** Leaves compose without sending (ZmComposeController._cancelCompose). */
  _cancelCompose(): void {
    this.close(false);
  }
  toString(): string {
    return 'ZmComposeController';
  }
}
