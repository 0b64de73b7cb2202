/**
 * The few Zimbra classic web client globals our zimlet handlers use, typed after zm-web-client's real
 * code. This list is the zimlets' contract with the host (and what the sandbox emulates): see
 * zimlets/README.md. Only the thin handlers and zimlets/common/ may touch these; lit components
 * talk to the ZimletHost port instead.
 */

/** zm-web-client WebRoot/js/ajax/events/AjxListener.js: `new AjxListener(obj, method, args)`. */
declare class AjxListener {
  constructor(obj: object | null, method: (...args: any[]) => unknown, args?: unknown);
  handleEvent(ev: unknown): unknown;
}

/** zm-web-client WebRoot/js/ajax/boot/AjxCallback.js: `new AjxCallback(obj, func, args)`, `run(...)`. */
declare class AjxCallback {
  constructor(obj: object | null, func: (...args: any[]) => unknown, args?: unknown);
  run(...args: unknown[]): unknown;
}

/** zm-web-client WebRoot/js/ajax/util/AjxEmailAddress.js: address types used by setAddress. */
declare const AjxEmailAddress: {
  readonly TO: string;
  readonly CC: string;
  readonly BCC: string;
};

/** zm-web-client WebRoot/js/dwt/widgets/DwtControl.js (base of every widget). */
declare class DwtControl {
  getHtmlElement(): HTMLElement;
}

/** zm-web-client WebRoot/js/dwt/widgets/DwtShell.js: the top-level widget `getShell()` answers. */
declare class DwtShell extends DwtControl {}

/** zm-web-client WebRoot/js/dwt/widgets/DwtComposite.js: `new DwtComposite(parent)` or `({parent})`. */
declare class DwtComposite extends DwtControl {
  constructor(parent: DwtControl | { parent: DwtControl; className?: string });
}

/** zm-web-client WebRoot/js/dwt/widgets/DwtDialog.js: standard button ids. */
declare class DwtDialog extends DwtComposite {
  static readonly OK_BUTTON: number;
  static readonly CANCEL_BUTTON: number;
  popup(loc?: unknown): void;
  popdown(): void;
  isPoppedUp(): boolean;
  setTitle(title: string): void;
  setButtonListener(buttonId: number, listener: AjxListener): void;
}

/** zm-web-client WebRoot/js/zimbraMail/share/view/dialog/ZmDialog.js. */
interface ZmDialogParams {
  parent: DwtControl;
  title?: string;
  view?: DwtControl;
  standardButtons?: number[];
  extraButtons?: unknown[];
  id?: string;
}
declare class ZmDialog extends DwtDialog {
  constructor(params: ZmDialogParams);
}

/** zm-web-client WebRoot/js/zimbraMail/core/ZmCsfeResult.js: what a sendRequest callback receives. */
interface ZmCsfeResult {
  getResponse(): Record<string, unknown>;
}
/** zm-web-client WebRoot/js/zimbraMail/core/ZmCsfeException.js (code e.g. "mail.NO_SUCH_FOLDER"). */
interface ZmCsfeException {
  code?: string;
  msg?: string;
}

/** zm-web-client WebRoot/js/zimbraMail/core/ZmRequestMgr.js `sendRequest(params)`. */
interface ZmSendRequestParams {
  jsonObj: Record<string, unknown>;
  asyncMode: true;
  callback?: AjxCallback;
  /** Returns true when it handled the error (then Zimbra shows no dialog of its own). */
  errorCallback?: AjxCallback;
  noBusyOverlay?: boolean;
}
interface ZmAppController {
  sendRequest(params: ZmSendRequestParams): unknown;
}

/** zm-web-client WebRoot/js/zimbraMail/mail/ZmMailApp.js `compose(params)` → ZmComposeController. */
interface ZmComposeParams {
  action: string;
  toOverride?: string;
  ccOverride?: string;
  bccOverride?: string;
  subjOverride?: string;
  extraBodyText?: string;
}
interface ZmMailApp {
  compose(params: ZmComposeParams): void;
}

/** zm-web-client WebRoot/js/zimbraMail/mail/view/ZmComposeView.js: the only member we call on it. */
interface ZmComposeViewLike {
  setAddress(type: string, addr: string): void;
}

/** zm-web-client WebRoot/js/zimbraMail/core/ZmAppCtxt.js (the global `appCtxt`). */
interface ZmAppCtxt {
  get(setting: string): unknown;
  getAppController(): ZmAppController;
  getApp(appName: string): ZmMailApp;
  /** The view shown in the main area; a compose view has `setAddress`. */
  getCurrentView(): Partial<ZmComposeViewLike> | null | undefined;
  getShell(): DwtShell;
}
declare const appCtxt: ZmAppCtxt;

/** zm-web-client WebRoot/js/zimbraMail/share/model/ZmSetting.js: setting ids for `appCtxt.get`. */
declare const ZmSetting: {
  readonly LOCALE_NAME: string;
};
/** zm-web-client WebRoot/js/zimbraMail/core/ZmApp.js. */
declare const ZmApp: {
  readonly MAIL: string;
};
/** zm-web-client WebRoot/js/zimbraMail/core/ZmOperation.js. */
declare const ZmOperation: {
  readonly NEW_MESSAGE: string;
};

/**
 * zm-web-client WebRoot/js/zimbraMail/share/model/ZmZimletBase.js. Handlers are old-style
 * constructors whose prototype is `new ZmZimletBase()`; the methods below are the ones we call or
 * override. The canvas of panel clicks is unused.
 */
declare class ZmZimletBase {
  constructor();
  init(): void;
  singleClicked(canvas?: unknown): void;
  doubleClicked(canvas?: unknown): void;
  menuItemSelected(itemId: string, ...rest: unknown[]): void;
  getMessage(key: string): string;
  getUsername(): string;
  getConfig(name: string): string | undefined;
  getShell(): DwtShell;
  displayStatusMessage(msg: string): void;
  displayErrorMessage(msg: string, data?: string, title?: string): void;
}

interface Window {
  /** The web session's CSRF token (set by zm-web-client WebRoot/public/launchZCS.jsp). */
  csrfToken?: string;
}
