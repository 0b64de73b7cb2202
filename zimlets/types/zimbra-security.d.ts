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
 * `saveDraft(draftType, attId, docIds, callback)` runs `callback` once saved; the sandbox's also returns
 * a Promise of the draft id. The saved draft's id: `_draftMsg.id` in Zimbra, `getDraftId()` in the sandbox.
 */
interface ZmComposeControllerLike {
  saveDraft(draftType?: string, attId?: string, docIds?: unknown, callback?: AjxCallback): unknown;
  _cancelCompose(): void;
  _dontSavePreHide?: boolean;
  _app?: { popView(force?: boolean, viewId?: string, skipHistory?: boolean): unknown };
  getCurrentViewId?(): string;
  _draftMsg?: { id?: string } | null;
  getDraftId?(): string | undefined;
  _composeView?: { draftId?: string };
}

/** zm-web-client WebRoot/js/zimbraMail/mail/model/ZmMailMsg.js: the members onMsgView reads. */
interface ZmMailMsgLike {
  id: string;
  attachments?: Array<{ contentType?: string; ct?: string; fileName?: string; filename?: string }>;
  /** Sandbox addition; in Zimbra the URL is built from `id` (/service/content/get?id=). */
  getRawUrl?(): string;
}

/** zm-web-client WebRoot/js/zimbraMail/mail/view/ZmMailMsgView.js. */
interface ZmMailMsgViewLike {
  getHtmlElement(): HTMLElement;
}

interface ZmZimletBase {
  /** ZmZimletBase.initializeToolbar: every view's toolbar, viewId e.g. "COMPOSE-1". */
  initializeToolbar(app: unknown, toolbar: ZmButtonToolBarLike, controller: ZmComposeControllerLike, viewId: string): void;
  /** Truthy suppresses Zimbra's own send (ZmComposeController._sendListener). */
  onSendButtonClicked(controller: ZmComposeControllerLike, msg: unknown): boolean | undefined;
  /** ZmMailMsgView._renderMessage → appCtxt.notifyZimlets("onMsgView", [msg, oldMsg, view]). */
  onMsgView(msg: ZmMailMsgLike, oldMsg: unknown, msgView: ZmMailMsgViewLike): void;
}
