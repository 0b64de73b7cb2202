/**
 * Compose: ZmComposeController / ZmComposeView-like objects (zm-web-client
 * `WebRoot/js/zimbraMail/mail/controller/ZmComposeController.js`, `mail/view/ZmComposeView.js`,
 * `mail/view/ZmRecipients.js`, `mail/model/ZmMailMsg.js`), with Zimbra's life cycle:
 * - a controller is REUSED once inactive (ZmApp.getSessionController, core/ZmApp.js:717-737;
 *   ZmComposeView.deactivate sets `inactive`, ZmComposeView.js:4274-4277): same controller, same
 *   toolbar (built once, ZmComposeController._initializeToolBar returns early, :1252-1255), and
 *   zimlets get `initializeToolbar(app, toolbar, controller, "COMPOSE-1")` on EVERY compose (:1138);
 * - "Envoyer": `onSendButtonClicked(controller, controller._msg)` where `_msg` is the message replied
 *   to / forwarded, or null (:1157, :1781-1786); truthy suppresses the send; a hook that throws
 *   aborts it (ZmZimletMgr.notifyZimlets catches nothing, ZmZimletMgr.js:414-429);
 * - sendMsg -> ZmComposeView.getMsg (recipients, then `emailErrorCheck`, ZmComposeView.js:541, :912-960)
 *   -> `addCustomMimeHeaders` (ZmMailMsg.js:1661-1666, drafts too) -> SendMsgRequest, or SaveDraftRequest
 *   for drafts and "send later" (`autoSendTime`, ZmMailMsg.js:1802-1810); a sent draft goes as
 *   `m.id` + `m.did` (ZmMailMsg.js:1572-1617); then `onSendMsgSuccess(ctrl, msg, draftType)` (:675,
 *   drafts too) or `onSendMsgFailure(ctrl, ex, msg)` (:703);
 * - "Envoyer plus tard..." (_sendLaterListener -> showDelayDialog -> _handleDelayDialog -> sendMsg with
 *   DRAFT_TYPE_DELAYSEND, :1795-1798, :2055-2086) never calls onSendButtonClicked;
 * - autosave (_initAutoSave, :1329-1339; _autoSaveCallback, :1992-1998): a dirty compose is saved as a
 *   draft (DRAFT_TYPE_AUTO) once the user has been idle for zimbraPrefAutoSaveDraftInterval;
 * - leaving a dirty compose asks first (popShield, :365-400; _popShield*Callback, :2151-2232).
 * Attachments are uploaded at selection time through `/service/upload?fmt=raw,extended`
 * (zm-mailbox `store/docs/file-upload.txt`) and sent as `attach: {aid: "id1,id2"}`.
 */
import { h } from './dom.ts';
import { t } from '../i18n.ts';
import { AjxEmailAddress, runCallback, type AddressType, type Runnable } from '../zimbra/ajx.ts';
import { ZmButtonToolBar, DwtDialog } from '../zimbra/dwt.ts';
import { DwtIdleTimer } from '../zimbra/idle-timer.ts';
import { ZmOperation, ZmId, type ComposeParams } from '../zimbra/app-ctxt.ts';
import { ZmComposedMsg, ZmMailMsg } from '../zimbra/mail-msg.ts';
import { addressList, isReplyAction, quotedBody, replyAddresses, replySubject, type ReplyAction } from './reply.ts';
import { ZmCsfeException } from '../zimbra/soap.ts';
import type { ZmAppViewMgr } from '../zimbra/app-view-mgr.ts';
import { formatSize } from './mail-view.ts';
import { CSRF_HEADER } from '../../../../shared/paths.ts';
import type { WebmailServices } from './types.ts';

export const COMPOSE_VIEW_ID = `${ZmId.VIEW_COMPOSE}-1`;

/** ZmComposeController.DRAFT_TYPE_* (ZmComposeController.js:81-93). */
export const DRAFT_TYPE = { NONE: 'none', MANUAL: 'manual', AUTO: 'auto', DELAYSEND: 'delaysend' } as const;
export type DraftType = (typeof DRAFT_TYPE)[keyof typeof DRAFT_TYPE];

/**
 * zimbraPrefAutoSaveDraftInterval (an LDAP duration: "30s", "1m", or bare seconds) in seconds;
 * 0 turns autosave off (ZmMailApp.js:155 registers it as D_LDAP_TIME).
 */
export function autoSaveSeconds(v: unknown): number {
  const m = /^\s*(\d+)\s*([smhd]?)\s*$/i.exec(String(v ?? ''));
  if (!m) return 0;
  const n = Number(m[1]);
  const unit = (m[2] ?? '').toLowerCase();
  return n * (unit === 'm' ? 60 : unit === 'h' ? 3600 : unit === 'd' ? 86400 : 1);
}

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

/** A multi-valued attr of GetInfo (one value or a list). */
const toList = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v ? [String(v)] : []);

/** ZmComposeView-like (what `appCtxt.getCurrentView()` answers while composing). */
export class ComposeView {
  readonly root: HTMLElement;
  readonly _subjectField: HTMLInputElement;
  readonly _bodyField: HTMLTextAreaElement;
  readonly _addrFields: Record<'to' | 'cc' | 'bcc', HTMLInputElement>;
  readonly attachments: UploadedFile[] = [];
  /** The original's parts a forward carries (sent as attach.mp, removable like uploads). */
  readonly forwarded: Array<{ mid: string; part: string; filename: string; s: number }> = [];
  /** The message this compose replies to or forwards (ZmComposeView._msg, :170). */
  replyTo: { action: ReplyAction; origId: string; irtMessageId: string | undefined } | undefined;
  private readonly attachList: HTMLUListElement;
  private readonly fileInput: HTMLInputElement;
  private pendingUploads = 0;
  /** Sandbox shorthand for `controller._draftMsg.id` (the saved draft), kept for older zimlet code. */
  draftId: string | undefined;
  /** The form as last set or saved, to tell whether it is dirty (ZmComposeView.isDirty, :1741). */
  private savedState = '';
  /** Zimlets whose emailErrorCheck warning the user accepted for this message (ZmComposeView.js:4051-4059). */
  _ignoredZimlets: Record<string, boolean> = {};

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

  /** ZmComposeView.reset + set(params) (ZmComposeView.js:155, :1397): the reused view starts empty. */
  set(params: ComposeParams): void {
    for (const f of Object.values(this._addrFields)) f.value = '';
    this._subjectField.value = '';
    this._bodyField.value = '';
    this.attachments.splice(0);
    this.renderAttachments();
    this.draftId = undefined;
    this._ignoredZimlets = {};
    this.forwarded.splice(0);
    this.replyTo = undefined;
    if (isReplyAction(params.action) && params.msg instanceof ZmMailMsg) this.setReply(params.action, params.msg);
    if (params.toOverride) this.setAddress('TO', params.toOverride);
    if (params.ccOverride) this.setAddress('CC', params.ccOverride);
    if (params.bccOverride) this.setAddress('BCC', params.bccOverride);
    if (params.subjOverride) this._subjectField.value = params.subjOverride;
    if (params.extraBodyText) this._bodyField.value = params.extraBodyText;
    // ZmComposeView._getExtraSignature (ZmComposeView.js:1693-1705): zimlets may append a signature.
    const extra = this._getExtraSignature();
    if (extra) this._bodyField.value += extra;
    this.markClean();
  }
  /** ZmComposeView._setAddresses/_setSubject/_setBody for a reply or a forward (./reply.ts). */
  private setReply(action: ReplyAction, msg: ZmMailMsg): void {
    const list = (type: AddressType) => msg.getAddresses(type).getArray().map((a) => ({ address: a.address, ...(a.name ? { name: a.name } : {}) }));
    const original = {
      from: list('FROM'),
      replyTo: list('REPLY_TO'),
      to: list('TO'),
      cc: list('CC'),
      subject: msg.subject,
      date: msg.date,
      text: msg.getBodyContent('text/plain'),
    };
    const own = [String(this.svc.pref('USERNAME') ?? ''), ...toList(this.svc.pref('zimbraMailAlias'))].filter(Boolean);
    const { to, cc } = replyAddresses(action, original, own);
    this._addrFields.to.value = addressList(to);
    this._addrFields.cc.value = addressList(cc);
    this._subjectField.value = replySubject(action, msg.subject);
    this._bodyField.value = quotedBody(action, original, this.svc.lang);
    this.replyTo = { action, origId: msg.id, irtMessageId: msg.messageId };
    if (action === 'FORWARD') {
      for (const a of msg.attachments) {
        if (a.part) this.forwarded.push({ mid: msg.id, part: a.part, filename: a.getFilename() ?? a.part, s: a.size ?? 0 });
      }
      this.renderAttachments();
    }
  }
  _getExtraSignature(): string {
    const buffer: string[] = [];
    this.svc.notifyZimlets('appendExtraSignature', [buffer]);
    const extra = buffer.join('\r\n');
    return extra ? `\r\n${extra}` : '';
  }
  private formState(): string {
    return JSON.stringify([this._addrFields.to.value, this._addrFields.cc.value, this._addrFields.bcc.value, this._subjectField.value, this._bodyField.value, this.attachments.map((a) => a.aid), this.forwarded.map((a) => a.part)]);
  }
  markClean(): void {
    this.savedState = this.formState();
  }
  /** ZmComposeView.isDirty: the form differs from what was set or last saved. */
  isDirty(): boolean {
    return this.formState() !== this.savedState;
  }
  /** ZmComposeView.enableInputs(bEnable) (ZmComposeView.js:1458): the fields are off while a pop shield asks. */
  enableInputs(on: boolean): void {
    for (const f of [...Object.values(this._addrFields), this._subjectField, this._bodyField]) f.disabled = !on;
  }
  /** ZmComposeView.deactivate (ZmComposeView.js:4274-4277): the controller may be reused. */
  deactivate(): void {
    this.controller.inactive = true;
  }

  /**
   * ZmComposeView.getMsg(attId, isDraft, dummyMsg, forceBail) (ZmComposeView.js:541-910): for a
   * send (or a timed send, forceBail) checks the recipients, then `_zimletCheck` (:912-960); answers
   * the message, or undefined after showing why (a zimlet warning's OK re-runs `sendMsg`).
   */
  getMsg(_attId?: unknown, isDraft = false, _dummyMsg?: unknown, forceBail = false): ZmComposedMsg | undefined {
    const check = !isDraft || forceBail;
    if (check) {
      const bad: string[] = [];
      let count = 0;
      for (const key of ['to', 'cc', 'bcc'] as const) {
        const parsed = AjxEmailAddress.parseEmailString(this._addrFields[key].value, key.toUpperCase() as AddressType, false);
        bad.push(...parsed.bad.getArray());
        count += parsed.good.size();
      }
      if (bad.length) {
        this.svc.showError({ errMsg: t('compose_bad_addresses', bad.join(', ')) });
        return undefined;
      }
      if (!count) {
        this.svc.showError({ errMsg: t('compose_no_recipient') });
        this._addrFields.to.focus();
        return undefined;
      }
    }
    const msg = composedMsgOf(this);
    if (check && !this._zimletCheck(msg)) return undefined;
    return msg;
  }

  /** ZmComposeView._zimletCheck: the first zimlet reporting an error (and not yet accepted) asks. */
  private _zimletCheck(msg: ZmComposedMsg): boolean {
    const arr: Array<{ hasError?: boolean; errorMsg?: string; zimletName?: string } | null | undefined> = [];
    this.svc.notifyZimlets('emailErrorCheck', [msg, arr]);
    let err: { hasError?: boolean; errorMsg?: string; zimletName?: string } | undefined;
    for (const o of arr) {
      if (!o || !o.hasError) continue;
      if (o.zimletName && this._ignoredZimlets[o.zimletName]) {
        delete this._ignoredZimlets[o.zimletName];
        continue;
      }
      err = o;
      break;
    }
    if (!err) return true;
    const zimletName = String(err.zimletName ?? '');
    const dlg = new DwtDialog({ id: 'zm-zimlet-warning-dialog', title: t('compose_zimlet_warning'), standardButtons: [DwtDialog.OK_BUTTON, DwtDialog.CANCEL_BUTTON] });
    dlg.getHtmlElement().setAttribute('role', 'alertdialog');
    dlg.getHtmlElement().setAttribute('aria-describedby', 'zm-zimlet-warning-message');
    dlg._contentDiv.replaceChildren(h('p', { id: 'zm-zimlet-warning-message' }, String(err.errorMsg ?? '')));
    dlg.registerCallback(DwtDialog.OK_BUTTON, () => {
      this._ignoredZimlets[zimletName] = true;
      dlg.dispose();
      this.controller.sendMsg();
    });
    dlg.registerCallback(DwtDialog.CANCEL_BUTTON, () => {
      dlg.dispose();
      this.controller.resetToolbarOperations();
    });
    dlg.popup(undefined, DwtDialog.CANCEL_BUTTON);
    return false;
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
  /** ZmComposeView.getHtmlEditor (:307): in text mode ZmHtmlEditor reads and writes the textarea (getContent :248, setContent :341). */
  getHtmlEditor(): { getContent(): string; setContent(text: string): void; getMode(): string } {
    return { getContent: () => this._bodyField.value, setContent: (text) => void (this._bodyField.value = text), getMode: () => 'text/plain' };
  }
  /** ZmComposeView._setFormValue (:4215-4218): the form as it is now is the clean state. */
  _setFormValue(): void {
    this.markClean();
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
      this.controller._activity();
      return att;
    } catch (e) {
      this.svc.showError({ errMsg: t('error_soap', `${file.name}: ${(e as Error).message}`) });
      return undefined;
    } finally {
      this.pendingUploads--;
      if (!this.pendingUploads) this.controller.resetToolbarOperations();
    }
  }

  private renderAttachments(): void {
    // One row per file: the original's parts a forward carries, then the uploads; each removable.
    const row = <T extends { filename: string; s: number }>(list: T[], a: T, attrs: Record<string, string>) =>
      h(
        'li',
        attrs,
        h('span', { class: 'ZmAttName' }, a.filename),
        h('span', { class: 'ZmAttSize' }, ` (${formatSize(a.s, this.svc.lang)}) `),
        h(
          'button',
          {
            type: 'button',
            class: 'ZButton ZmAttRemove',
            'aria-label': t('compose_remove_attachment', a.filename),
            onclick: () => {
              list.splice(list.indexOf(a), 1);
              this.renderAttachments();
            },
          },
          '×',
        ),
      );
    this.attachList.replaceChildren(
      ...this.forwarded.map((a) => row(this.forwarded, a, { 'data-part': a.part })),
      ...this.attachments.map((a, i) => row(this.attachments, a, { 'data-aid': a.aid, id: `zm-compose-attachment-${i}` })),
    );
  }
}

/** What a compose controller needs from the webmail besides the SOAP services. */
/**
 * The message as the form describes it (no check, no side effect): what ZmComposeView.getMsg builds inline
 * (ZmComposeView.js:541-960). A module function, not a member, so zimlets cannot come to rely on it
 * (Zimbra's ZmComposeView has no `_getMsg`).
 */
export function composedMsgOf(view: ComposeView): ZmComposedMsg {
  return new ZmComposedMsg({
    to: view._addrFields.to.value,
    cc: view._addrFields.cc.value,
    bcc: view._addrFields.bcc.value,
    subject: view._subjectField.value,
    body: view._bodyField.value,
    attachmentIds: view.attachments.map((a) => a.aid),
    draftId: view.draftId,
    ...(view.replyTo
      ? {
          origId: view.replyTo.origId,
          replyType: view.replyTo.action === 'FORWARD' ? ('w' as const) : ('r' as const),
          ...(view.replyTo.irtMessageId ? { irtMessageId: view.replyTo.irtMessageId } : {}),
        }
      : {}),
    forwardParts: view.forwarded.map(({ mid, part }) => ({ mid, part })),
  });
}

export interface ComposeHost {
  /** `appCtxt.getAppViewMgr()` (the pop shield's answers go to its showPendingView). */
  appViewMgr(): ZmAppViewMgr;
  /** "Détacher" (ZmOperation.DETACH_COMPOSE); absent in a detached window (ZmComposeController._getToolBarOps). */
  detach?(controller: ComposeController): void;
  /** zimbraPrefAutoSaveDraftInterval as GetInfo gave it. */
  autoSaveInterval(): unknown;
  /** `notifyZimlets(event, args, {waitUntilLoaded: true})` (ZmAppCtxt.js:1816-1832). */
  notifyZimletsWhenLoaded(event: string, args: unknown[]): void;
}

/** ZmComposeController-like: what `initializeToolbar` and `onSendButtonClicked` receive. */
export class ComposeController {
  _toolbar!: InstanceType<typeof ZmButtonToolBar>;
  readonly _composeView: ComposeView;
  /** "COMPOSE-<sessionId>" (ZmComposeController: `this._currentViewId = viewId`). */
  readonly _currentViewId: string;
  /** Deprecated alias of `_currentViewId` Zimbra still uses (ZmController.js:161-162; popView at ZmComposeController.js:679). */
  readonly _currentView: string;
  /** `ZmMailApp` (its `popView(force, viewId)` forwards to the app view manager, ZmApp.js:393-396). */
  readonly _app: { popView(force?: unknown, viewId?: string, skipHistory?: boolean): boolean };
  /**
   * Set before a forced pop that must not autosave the compose (ZmComposeController.js:678, :2171,
   * :2194); `_preHideCallback` clears it (:415-416). A zimlet that sent the message itself sets it
   * before `_app.popView(true, _currentViewId)`, else the compose left dirty is autosaved as a draft.
   */
  _dontSavePreHide = false;
  /** ZmApp.getSessionController: reusable once true (ZmApp.js:717-737). */
  inactive = false;
  readonly sessionId: number;
  /** The message replied to / forwarded, or null for a new message (ZmComposeController.js:1157). */
  _msg: unknown = null;
  /** ZmComposeController._action (:43, :1104). */
  _action: string = ZmOperation.NEW_MESSAGE;
  /** The last saved draft (ZmComposeController.js:1729, `getDraftMsg()` :2404). */
  _draftMsg: ZmComposedMsg | null = null;
  /** How the current message was last saved (ZmComposeController.js:61, :2021-2027). */
  _draftType: DraftType = DRAFT_TYPE.NONE;
  /** The time of "Envoyer plus tard" ({date}, ZmComposeController._handleDelayDialog :2064-2086). */
  _sendTime: { date: Date } | null = null;
  private pending = false;
  /**
   * ZmComposeController._autoSaveTimer (:60, :1329-1339): null until autosave is configured, then a
   * DwtIdleTimer; Zimbra's send kills it (:561-569), and so may a zimlet that sends by itself.
   */
  _autoSaveTimer: DwtIdleTimer | null = null;
  /** ZmComposeController._delayDialog (ZmTimeDialog, showDelayDialog / _handleDelayDialog). */
  _delayDialog: InstanceType<typeof DwtDialog> | null = null;
  private delayInput: HTMLInputElement | null = null;

  constructor(
    private readonly svc: WebmailServices,
    app: ComposeController['_app'],
    sessionId: number,
    private readonly host: ComposeHost,
  ) {
    this._app = app;
    this.sessionId = sessionId;
    this._currentViewId = `${ZmId.VIEW_COMPOSE}-${sessionId}`;
    this._currentView = this._currentViewId;
    this._initializeToolBar();
    this._composeView = new ComposeView(this, svc);
    // DwtIdleTimer listens to the whole document: any key or pointer activity restarts the wait.
    for (const type of ['keydown', 'mousedown', 'input', 'paste'] as const) {
      document.addEventListener(type, () => DwtIdleTimer.resetIdle(), true);
    }
  }

  /** ZmComposeController._initializeToolBar (:1252-1327): built once; later calls return at once. */
  _initializeToolBar(): void {
    if (this._toolbar) return;
    this._toolbar = new ZmButtonToolBar({ context: ZmId.VIEW_COMPOSE, id: 'zm-compose-toolbar', ariaLabel: t('compose_label') });
    this._toolbar.createOp(ZmOperation.SEND, { text: t('op_send'), image: 'Send' }).addSelectionListener(() => this._sendListener());
    this._toolbar.createOp(ZmOperation.SEND_LATER, { text: t('op_send_later'), image: 'SendLater' }).addSelectionListener(() => this._sendLaterListener());
    this._toolbar.createOp(ZmOperation.CANCEL, { text: t('op_cancel'), image: 'Cancel' }).addSelectionListener(() => this._cancelListener());
    this._toolbar.createOp(ZmOperation.SAVE_DRAFT, { text: t('op_save_draft'), image: 'Save' }).addSelectionListener(() => this._saveDraftListener());
    // ZmComposeController._detachListener → detach (:1974-1983, :295-303), not in a child window.
    if (this.host.detach) {
      this._toolbar.createOp(ZmOperation.DETACH_COMPOSE, { text: t('op_detach_compose'), image: 'OpenInNewWindow' }).addSelectionListener(() => this.host.detach!(this));
    }
  }

  /** ZmComposeController.doAction → _setView (:220, :1092-1160): (re)starts the compose. */
  doAction(params: ComposeParams): void {
    this.inactive = false;
    // ZmComposeController.doAction (:1104): the action of this compose (REPLY, FORWARD, NEW_MESSAGE…).
    this._action = params.action ?? ZmOperation.NEW_MESSAGE;
    this._msg = params.msg ?? null;
    this._draftMsg = null;
    this._draftType = DRAFT_TYPE.NONE;
    this._sendTime = null;
    this.pending = false;
    this._composeView.set(params);
    this._composeView.enableInputs(true);
    this._initializeToolBar();
    this.resetToolbarOperations();
    // Every compose, reused or not (ZmComposeController.js:1138).
    this.host.notifyZimletsWhenLoaded('initializeToolbar', [this._app, this._toolbar, this, this._currentViewId]);
    this._initAutoSave();
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
  getApp(): ComposeController['_app'] {
    return this._app;
  }
  getSessionId(): number {
    return this.sessionId;
  }
  /** ZmComposeController.getMsg (:2399-2402): the original message (reply/forward), or null. */
  getMsg(): unknown {
    return this._msg;
  }
  /** ZmComposeController.getDraftMsg (:2404-2407). */
  getDraftMsg(): ZmComposedMsg | null {
    return this._draftMsg;
  }
  /** ZmComposeController.resetToolbarOperations (:2340-2347). */
  resetToolbarOperations(): void {
    if (this.pending) return;
    this._toolbar.enableAll(true);
    if (this._composeView?.isUploading()) this._toolbar.enable(ZmOperation.SEND, false);
    this.svc.notifyZimlets('resetToolbarOperations', [this._toolbar, 1]);
  }

  // --- send ----------------------------------------------------------------------------------

  /** ZmComposeController._sendListener (:1781-1786): zimlets may take the send over; a throw aborts it. */
  _sendListener(): void {
    if (!this.svc.notifyZimlets('onSendButtonClicked', [this, this._msg])) this._send();
  }

  /** ZmComposeController._send (:1788-1793): the default send (zimlets that suppressed it may call it). */
  _send(): void {
    this._toolbar.enableAll(false); // thwart multiple clicks on Send button
    this._sendTime = null;
    this.sendMsg();
  }

  /** ZmComposeController._sendLaterListener → showDelayDialog (:1795-1798, :2055-2062). */
  _sendLaterListener(): void {
    if (!this._delayDialog) {
      const id = 'zm-send-later-dialog';
      const dlg = new DwtDialog({ id, title: t('send_later_title'), standardButtons: [DwtDialog.OK_BUTTON, DwtDialog.CANCEL_BUTTON] });
      this.delayInput = h('input', { id: 'zm-send-later-when', type: 'datetime-local', required: true });
      dlg._contentDiv.replaceChildren(h('label', { for: 'zm-send-later-when' }, t('send_later_when')), ' ', this.delayInput);
      dlg.registerCallback(DwtDialog.OK_BUTTON, () => this._handleDelayDialog());
      this._delayDialog = dlg;
    }
    const inTenMinutes = new Date(Date.now() + 10 * 60_000 - new Date().getTimezoneOffset() * 60_000);
    this.delayInput!.value = inTenMinutes.toISOString().slice(0, 16);
    this._delayDialog.popup();
    this.delayInput!.focus();
  }

  /** ZmComposeController._handleDelayDialog (:2064-2086): a valid future time → sendMsg(DELAYSEND). */
  _handleDelayDialog(): void {
    const raw = this.delayInput?.value ?? '';
    const date = raw ? new Date(raw) : null;
    if (!date || Number.isNaN(date.getTime())) {
      this.svc.showError({ errMsg: t('send_later_invalid') });
      return;
    }
    this._delayDialog?.popdown();
    if (date.getTime() < Date.now()) {
      // showDelayPastDialog: the user is told, and the message goes now (ZmMsg.sendLaterPastError).
      this.svc.setStatus(t('send_later_past'), 2);
    }
    this._toolbar.enableAll(false);
    this._sendTime = { date: new Date(Math.max(date.getTime(), Date.now())) };
    this.sendMsg(undefined, DRAFT_TYPE.DELAYSEND);
  }

  /** The `m` element of SendMsgRequest / SaveDraftRequest (ZmMailMsg._createMessageNode). */
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
    if (msg.attachmentIds.length || msg.forwardParts.length) {
      m['attach'] = {
        ...(msg.attachmentIds.length ? { aid: msg.attachmentIds.join(',') } : {}),
        ...(msg.forwardParts.length ? { mp: msg.forwardParts } : {}),
      };
    }
    // ZmMailMsg._createMessageNode (:1572-1617): origid + rt flag the original as replied/forwarded, irt threads.
    if (msg.origId && msg.replyType) {
      m['origid'] = msg.origId;
      m['rt'] = msg.replyType;
    }
    if (msg.irtMessageId) m['irt'] = { _content: msg.irtMessageId };
    return m;
  }

  /**
   * ZmComposeController.sendMsg/_sendMsg (:509-645) with ZmMailMsg.send (:1457-1520): SaveDraftRequest
   * for drafts and timed sends, else SendMsgRequest; then _handleResponseSendMsg / _handleErrorSendMsg.
   * Answers nothing, as Zimbra's does; `callback` runs with the result on success.
   */
  sendMsg(_attId?: unknown, draftType?: DraftType, callback?: Runnable): void {
    const isTimed = !!this._sendTime;
    const type: DraftType = draftType ?? (isTimed ? DRAFT_TYPE.DELAYSEND : DRAFT_TYPE.NONE);
    const isDraft = type !== DRAFT_TYPE.NONE;
    const msg = this._composeView.getMsg(undefined, isDraft, undefined, isTimed);
    if (!msg) {
      this.resetToolbarOperations();
      return;
    }
    this._killAutoSave();
    const m = this.messageJson(msg);
    const draftId = this._draftMsg?.id;
    if (draftId) {
      // ZmMailMsg._createMessageNode (:1572-1617): a re-saved or sent draft carries `id`; a send also `did`.
      m['id'] = draftId;
      if (!isDraft) m['did'] = draftId;
    }
    if (isTimed && this._sendTime) m['autoSendTime'] = this._sendTime.date.getTime();
    const headers: Array<{ name: string; _content: string }> = [];
    this.svc.notifyZimlets('addCustomMimeHeaders', [headers]);
    if (headers.length) m['header'] = headers;
    const requestName = isDraft ? 'SaveDraftRequest' : 'SendMsgRequest';
    this.pending = true;
    this._toolbar.enableAll(false);
    this.svc.soap(requestName, { m }, 'urn:zimbraMail', { quiet: true }).then(
      (res) => this._handleResponseSendMsg(type, msg, callback, res),
      (e) => this._handleErrorSendMsg(type, msg, e),
    );
  }

  /** ZmComposeController._handleResponseSendMsg + _processSendMsg (:647-683, :1650-1740). */
  private _handleResponseSendMsg(draftType: DraftType, msg: ZmComposedMsg, callback: Runnable | undefined, res: any): void {
    this.pending = false;
    const saved = Array.isArray(res?.m) ? res.m[0] : res?.m;
    const isScheduled = draftType === DRAFT_TYPE.DELAYSEND;
    const isDraft = draftType !== DRAFT_TYPE.NONE && !isScheduled;
    let needToPop = false;
    if (!isDraft) {
      needToPop = true;
      this.svc.setStatus(isScheduled ? t('compose_scheduled') : t('compose_sent'));
    } else {
      if (draftType !== DRAFT_TYPE.AUTO) this.svc.setStatus(t('compose_draft_saved'));
      if (saved?.id) msg.id = String(saved.id);
      this._draftMsg = msg;
      this._composeView.draftId = msg.id;
      this._composeView.markClean();
      // _handleResponseSaveDraftListener (:2017-2027).
      if (draftType === DRAFT_TYPE.AUTO && this._draftType === DRAFT_TYPE.NONE) this._draftType = DRAFT_TYPE.AUTO;
      else if (draftType === DRAFT_TYPE.MANUAL) this._draftType = DRAFT_TYPE.MANUAL;
      this.resetToolbarOperations();
      this._initAutoSave();
    }
    if (callback) runCallback(callback, res);
    this.svc.notifyZimlets('onSendMsgSuccess', [this, msg, draftType]);
    if (needToPop) {
      // ZmComposeController.js:677-680: sent, so leave without the pop shield and without autosaving.
      this._dontSavePreHide = true;
      this._app.popView(true, this._currentView);
    }
  }

  /** ZmComposeController._handleErrorSendMsg (:685-760): zimlets hear of it, then the error shows. */
  private _handleErrorSendMsg(draftType: DraftType, msg: ZmComposedMsg, e: unknown): void {
    this.pending = false;
    this._sendTime = null;
    const ex = e instanceof ZmCsfeException ? e : new ZmCsfeException(String((e as Error)?.message ?? e), 'service.FAILURE', draftType === DRAFT_TYPE.NONE ? 'SendMsgRequest' : 'SaveDraftRequest');
    this.resetToolbarOperations();
    // "Assume the user stays on the compose view, so we need the timer (it was canceled when send was called)" (:776-778).
    this._initAutoSave();
    this.svc.notifyZimlets('onSendMsgFailure', [this, ex, msg]);
    if (draftType === DRAFT_TYPE.AUTO) return; // a failed autosave stays quiet; the next one retries
    this.svc.showError({ errMsg: t('error_soap', ex.msg), details: `${ex.code} (${ex.method})` });
  }

  // --- drafts --------------------------------------------------------------------------------

  _saveDraftListener(): void {
    this.saveDraft();
  }

  /** ZmComposeController.saveDraft(draftType, attId, docIds, callback) (:2000-2015): answers nothing. */
  saveDraft(draftType: DraftType = DRAFT_TYPE.MANUAL, _attId?: unknown, _docIds?: unknown, callback?: Runnable): void {
    if (!this._canSaveDraft()) return;
    this.sendMsg(undefined, draftType, callback);
  }

  /**
   * ZmComposeController._initAutoSave (:1329-1339): a DwtIdleTimer created once, resurrected on each
   * compose and after each draft save. (Zimbra HEAD waits ZmMailApp.AUTO_SAVE_IDLE_TIME, 3 s, whenever the
   * pref is on; the sandbox waits the pref's value so tests choose it.)
   */
  private _initAutoSave(): void {
    if (!this._canSaveDraft()) return;
    const ms = autoSaveSeconds(this.host.autoSaveInterval()) * 1000;
    if (!ms) return;
    if (!this._autoSaveTimer) this._autoSaveTimer = new DwtIdleTimer(ms, (idle: boolean) => this._autoSaveCallback(idle));
    else this._autoSaveTimer.resurrect(ms);
  }
  /** `if (this._autoSaveTimer) this._autoSaveTimer.kill()` (:561-569, :1095-1097, :466-469, :2526-2528). */
  private _killAutoSave(): void {
    this._autoSaveTimer?.kill();
  }
  /** User activity the document listeners may miss (a finished upload): the idle wait starts again. */
  _activity(): void {
    DwtIdleTimer.resetIdle();
  }
  /**
   * ZmComposeController._autoSaveCallback (:1992-1998): saves when idle, no dialog is up
   * (DwtBaseDialog.getActiveDialog) and the compose is dirty. The sandbox also skips while a send is
   * pending or the compose is inactive (Zimbra has killed the timer then).
   */
  _autoSaveCallback(idle: boolean): void {
    if (!idle || this.inactive || this.pending) return;
    if (document.querySelector('dialog[open]')) return;
    if (this._composeView.isDirty()) this.saveDraft(DRAFT_TYPE.AUTO);
  }

  // --- leaving -------------------------------------------------------------------------------

  /** ZmComposeController._cancelListener → _cancelCompose (:1801-1815). */
  _cancelListener(): void {
    this._cancelCompose();
  }
  /** ZmComposeController._cancelCompose (:1806-1815): a dirty or autosaved compose pops unforced (it asks). */
  _cancelCompose(): void {
    const needPrompt = this._composeView.isDirty() || this._draftType === DRAFT_TYPE.AUTO;
    this._composeView.enableInputs(!needPrompt);
    this._app.popView(!needPrompt);
  }

  /**
   * ZmComposeController._preHideCallback(view, force) (:405-425), the compose's CB_PRE_HIDE: forced,
   * it may go (autosaving a dirty compose first unless `_dontSavePreHide`, :409-419); unforced, the
   * pop shield decides.
   */
  _preHideCallback(_viewId: string, force: boolean): boolean {
    // `if (this._autoSaveTimer)`: Zimbra's timer exists once autosave is configured (:1329-1339).
    if (this._autoSaveTimer && force) {
      if (this._dontSavePreHide) this._dontSavePreHide = false;
      else this._autoSaveCallback(true);
    }
    return force ? true : this.popShield();
  }

  /** ZmComposeController._postHideCallback (:464-475): autosave stops; the view is deactivated (ZmComposeView.js:4274-4277). */
  _postHideCallback(): void {
    this._killAutoSave();
    this._composeView.deactivate();
  }

  /**
   * ZmComposeController.popShield (:365-400): true when the compose may be left now; else asks (a
   * dirty compose, or one autosaved) and answers false: Yes saves the draft then leaves, No leaves
   * (discarding an autosaved draft the user did not keep), Cancel stays. The answer goes to
   * `appCtxt.getAppViewMgr().showPendingView` (:2151-2232), which runs the waiting pop or push.
   */
  popShield(): boolean {
    const dirty = this._composeView.isDirty();
    if (!dirty && this._draftType !== DRAFT_TYPE.AUTO) return true;
    const autosaved = this._draftType === DRAFT_TYPE.AUTO;
    const avm = this.host.appViewMgr();
    if (!autosaved && !this._canSaveDraft()) return this.askLeaveUnsaved(avm);
    const dlg = new DwtDialog({
      id: 'zm-compose-leave-dialog',
      title: t('compose_leave_title'),
      standardButtons: [DwtDialog.YES_BUTTON, DwtDialog.NO_BUTTON, DwtDialog.CANCEL_BUTTON],
    });
    dlg.getHtmlElement().setAttribute('role', 'alertdialog');
    dlg.getHtmlElement().setAttribute('aria-describedby', 'zm-compose-leave-message');
    dlg._contentDiv.replaceChildren(h('p', { id: 'zm-compose-leave-message' }, autosaved ? t('compose_ask_keep_autosaved') : t('compose_ask_save')));
    // _popShieldNoCallback (:2189-2213): leave without saving.
    const leaveUnsaved = () => {
      dlg.dispose();
      this._composeView.enableInputs(true);
      this._dontSavePreHide = true;
      avm.showPendingView(true);
    };
    dlg.registerCallback(DwtDialog.YES_BUTTON, () => {
      if (!dirty) {
        // "Yes, keep the autosaved draft": nothing new to save (:379-381).
        leaveUnsaved();
        return;
      }
      // _popShieldYesCallback (:2151-2174): save as draft, then the pending view shows (:2176-2179).
      dlg.dispose();
      this._composeView.enableInputs(true);
      this.sendMsg(undefined, DRAFT_TYPE.MANUAL, () => avm.showPendingView(true));
    });
    dlg.registerCallback(DwtDialog.NO_BUTTON, () => {
      // _popShieldDiscardCallback (:2216-2220): the autosaved draft the user does not keep is deleted.
      const drop = autosaved ? this._draftMsg?.id : undefined;
      if (drop) void this.svc.soap('MsgActionRequest', { action: { op: 'delete', id: drop } }).catch(() => undefined);
      leaveUnsaved();
    });
    dlg.registerCallback(DwtDialog.CANCEL_BUTTON, () => {
      // _popShieldDismissCallback → _cancelViewPop (:2224-2232, :2256-2260): stay.
      dlg.dispose();
      this._composeView.enableInputs(true);
      avm.showPendingView(false);
      this._initAutoSave();
    });
    dlg.popup(undefined, DwtDialog.CANCEL_BUTTON);
    return false;
  }

  /**
   * popShield's last branch (:391-395): no draft may be saved, so Yes/No "leave without saving?":
   * Yes → _popShieldYesCallback, which cannot save and leaves (:2161-2172); No → stay (:2224-2232).
   */
  private askLeaveUnsaved(avm: ZmAppViewMgr): boolean {
    const dlg = new DwtDialog({ id: 'zm-compose-leave-dialog', title: t('compose_leave_title'), standardButtons: [DwtDialog.YES_BUTTON, DwtDialog.NO_BUTTON] });
    dlg.getHtmlElement().setAttribute('role', 'alertdialog');
    dlg.getHtmlElement().setAttribute('aria-describedby', 'zm-compose-leave-message');
    dlg._contentDiv.replaceChildren(h('p', { id: 'zm-compose-leave-message' }, t('compose_ask_leave')));
    dlg.registerCallback(DwtDialog.YES_BUTTON, () => {
      dlg.dispose();
      this._composeView.enableInputs(true);
      this._dontSavePreHide = true;
      avm.showPendingView(true);
    });
    dlg.registerCallback(DwtDialog.NO_BUTTON, () => {
      dlg.dispose();
      this._composeView.enableInputs(true);
      avm.showPendingView(false);
    });
    dlg.popup(undefined, DwtDialog.NO_BUTTON);
    return false;
  }

  /**
   * ZmComposeController._canSaveDraft (:2355-2358): whether this compose may be saved as a draft; checked
   * by _initAutoSave (:1331), saveDraft (:2003) and the pop shield (:385, :2156). Zimbra answers false for
   * invite replies (the sandbox has none) and for a hidden view (`isHidden`, which the sandbox does not
   * model); a zimlet may answer false for one compose by setting its own `_canSaveDraft`.
   */
  _canSaveDraft(): boolean {
    return true;
  }

  toString(): string {
    return 'ZmComposeController';
  }
}
