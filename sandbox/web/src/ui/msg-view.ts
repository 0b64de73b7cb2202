/**
 * A message or a conversation shown alone, with a toolbar of its own: zm-web-client's
 * ZmMsgController (view "MSG-<n>", `mail/controller/ZmMsgController.js`; also what a detached
 * "view-window" shows, core/ZmNewWindow.js:314-326) and ZmConvController (view "CV-<n>",
 * `mail/controller/ZmConvController.js`). As every ZmBaseController, the toolbar is built once per
 * controller and offered to zimlets once, with the view id (`_initializeToolBar` returns early when
 * built, then `notifyZimlets("initializeToolbar", [app, tb, controller, viewId])`,
 * share/controller/ZmBaseController.js:303-371). Controllers are session controllers reused once
 * inactive (core/ZmApp.js:717-737). Each expanded message fires `onMsgView` (ZmMailMsgView.js:516).
 */
import { h } from './dom.ts';
import { t } from '../i18n.ts';
import { ZmButtonToolBar } from '../zimbra/dwt.ts';
import { ZmOperation, ZmId } from '../zimbra/app-ctxt.ts';
import type { ZmMailMsg } from '../zimbra/mail-msg.ts';
import type { ZmAppViewMgr, PoppableView } from '../zimbra/app-view-mgr.ts';
import { renderConversation } from './mail-view.ts';
import type { WebmailServices } from './types.ts';

export type AloneKind = typeof ZmId.VIEW_MSG | typeof ZmId.VIEW_CONV;

export interface MsgAloneHost {
  /** `notifyZimlets(event, args, {waitUntilLoaded: true})`. */
  notifyZimletsWhenLoaded(event: string, args: unknown[]): void;
  appViewMgr(): ZmAppViewMgr;
  /** "Open in a new window" (absent in a detached window: ZmMsgController has no DETACH there). */
  detach?(msg: ZmMailMsg): void;
  /** The message was deleted (MsgActionRequest trash/delete): lists may refresh. */
  deleted(msg: ZmMailMsg): void;
}

/** ZmMsgController / ZmConvController-like: what `initializeToolbar` and `msgView.getController()` give zimlets. */
export class MsgAloneController implements PoppableView {
  readonly _toolbar: InstanceType<typeof ZmButtonToolBar>;
  readonly root: HTMLElement;
  private readonly pane: HTMLElement;
  /** "MSG-<n>" / "CV-<n>" (ZmController.setSessionId, ZmController.js:104-118). */
  readonly _currentViewId: string;
  /** Deprecated alias (ZmController.js:161-162). */
  readonly _currentView: string;
  inactive = false;
  _msg: ZmMailMsg | null = null;

  constructor(
    private readonly svc: WebmailServices,
    readonly kind: AloneKind,
    readonly _app: unknown,
    readonly sessionId: number,
    private readonly host: MsgAloneHost,
  ) {
    this._currentViewId = `${kind}-${sessionId}`;
    this._currentView = this._currentViewId;
    // Button ids zb__MSG__CLOSE / zb__CV__CLOSE… (the sandbox keeps the view type as context, as for COMPOSE).
    this._toolbar = new ZmButtonToolBar({ context: kind, id: `zm-${kind.toLowerCase()}-toolbar`, ariaLabel: t('msg_alone_label') });
    this._toolbar.createOp(ZmOperation.CLOSE, { text: t('op_close'), image: 'Close' }).addSelectionListener(() => this._backListener());
    this._toolbar.createOp(ZmOperation.DELETE, { text: t('op_delete'), image: 'Delete' }).addSelectionListener(() => void this._deleteListener());
    if (host.detach) {
      this._toolbar.createOp(ZmOperation.DETACH, { text: t('op_detach'), image: 'OpenInNewWindow' }).addSelectionListener(() => {
        if (this._msg) host.detach!(this._msg);
      });
    }
    this.pane = h('section', { id: 'zm-reading-pane', class: 'ZmReadingPane ZmReadingAlone', 'aria-label': t('reading_label'), tabindex: -1 });
    this.root = h('section', { id: `zm-${kind.toLowerCase()}-alone`, class: 'ZmMsgAloneView', 'data-view-id': this._currentViewId }, this._toolbar.getHtmlElement(), this.pane);
    // Once per toolbar (ZmBaseController.js:371).
    host.notifyZimletsWhenLoaded('initializeToolbar', [_app, this._toolbar, this, this._currentViewId]);
  }

  /** ZmMsgController.show / ZmConvController.show: renders `msgs` (the conversation, or just `msg`). */
  show(msg: ZmMailMsg, msgs: ZmMailMsg[]): void {
    this.inactive = false;
    this._msg = msg;
    renderConversation(this.svc, this.pane, msg, this.kind === ZmId.VIEW_MSG ? [msg] : msgs, null, this);
  }

  getCurrentViewId(): string {
    return this._currentViewId;
  }
  getToolbar() {
    return this._toolbar;
  }
  getMsg(): ZmMailMsg | null {
    return this._msg;
  }
  getApp(): unknown {
    return this._app;
  }

  /** ZmBaseController._backListener (CLOSE): `this._app.popView()` (ZmBaseController.js). */
  _backListener(): void {
    this.host.appViewMgr().popView();
  }

  private async _deleteListener(): Promise<void> {
    const msg = this._msg;
    if (!msg) return;
    try {
      await this.svc.soap('MsgActionRequest', { action: { op: msg.folderId === '3' ? 'delete' : 'trash', id: msg.id } });
    } catch {
      return;
    }
    this.host.deleted(msg);
    this.host.appViewMgr().popView(true);
  }

  /** CB_PRE_HIDE: nothing to lose in a read-only view (ZmController._preHideCallback answers true). */
  _preHideCallback(): boolean {
    return true;
  }
  /** CB_POST_HIDE: the session controller may be reused (ZmApp.getSessionController). */
  _postHideCallback(): void {
    this.inactive = true;
  }

  toString(): string {
    return this.kind === ZmId.VIEW_MSG ? 'ZmMsgController' : 'ZmConvController';
  }
}
