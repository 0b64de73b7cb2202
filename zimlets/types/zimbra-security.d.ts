/**
 * Extra Zimbra classic members the security zimlet uses (compose toolbar, send hook, message view),
 * merged into zimbra.d.ts's declarations. Each follows zm-web-client; the sandbox emulates them
 * (sandbox/web/README.md "The Zimbra classic surface").
 */

/** zm-web-client WebRoot/js/dwt/widgets/DwtButton.js (what ZmButtonToolBar.createOp answers). */
interface DwtButtonLike {
  setText(text: string): void;
  setImage(image: string | null | undefined): void;
  setToolTipContent(text: string): void;
  addSelectionListener(listener: AjxListener): void;
  getHtmlElement(): HTMLElement;
}

/** zm-web-client WebRoot/js/zimbraMail/share/view/ZmButtonToolBar.js. */
interface ZmButtonToolBarLike {
  createOp(id: string, params: { text?: string; tooltip?: string; image?: string; index?: number }): DwtButtonLike;
  getButton(id: string): DwtButtonLike | undefined | null;
}

/**
 * zm-web-client WebRoot/js/zimbraMail/mail/controller/ZmComposeController.js: what
 * `initializeToolbar(app, toolbar, controller, viewId)` and `onSendButtonClicked(controller, msg)` get.
 * `saveDraft(draftType, attId, docIds, callback)` answers nothing and runs `callback` once saved
 * (ZmComposeController.js saveDraft → sendMsg → _handleResponseSendMsg); the saved draft is `_draftMsg`.
 * A failed save runs no callback: zimlets hear `onSendMsgFailure(controller, ex, msg)` instead.
 */
interface ZmComposeControllerLike {
  saveDraft(draftType?: string, attId?: string, docIds?: unknown, callback?: AjxCallback): unknown;
  _cancelCompose(): void;
  _dontSavePreHide?: boolean;
  _app?: { popView(force?: boolean, viewId?: string, skipHistory?: boolean): unknown };
  getCurrentViewId?(): string;
  _draftMsg?: { id?: string } | null;
  /** "Envoyer plus tard" → ZmTimeDialog OK (ZmComposeController.js ~2064-2086): sets `_sendTime`, then sendMsg(DRAFT_TYPE_DELAYSEND). */
  _handleDelayDialog?(): void;
  _delayDialog?: { popdown(): void } | null;
}

/** zm-web-client WebRoot/js/zimbraMail/mail/model/ZmMailMsg.js: the members onMsgView reads. */
interface ZmMailMsgLike {
  id: string;
  attachments?: Array<{ contentType?: string; ct?: string; fileName?: string; filename?: string }>;
}

/** zm-web-client WebRoot/js/zimbraMail/mail/view/ZmMailMsgView.js. */
interface ZmMailMsgViewLike {
  getHtmlElement(): HTMLElement;
  /** Id of the div holding the body (ZmMailMsgView._msgBodyDivId). */
  _msgBodyDivId?: string;
}

interface ZmZimletBase {
  /** ZmZimletBase.initializeToolbar: every view's toolbar, viewId e.g. "COMPOSE-1". */
  initializeToolbar(app: unknown, toolbar: ZmButtonToolBarLike, controller: ZmComposeControllerLike, viewId: string): void;
  /** Truthy suppresses Zimbra's own send (ZmComposeController._sendListener). */
  onSendButtonClicked(controller: ZmComposeControllerLike, msg: unknown): boolean | undefined;
  /** ZmMailMsgView._renderMessage → appCtxt.notifyZimlets("onMsgView", [msg, oldMsg, view]). */
  onMsgView(msg: ZmMailMsgLike, oldMsg: unknown, msgView: ZmMailMsgViewLike): void;
  /** ZmComposeController._handleErrorSendMsg → notifyZimlets("onSendMsgFailure", [this, ex, msg]): drafts too. */
  onSendMsgFailure(controller: ZmComposeControllerLike, ex: unknown, msg: unknown): void;
}
