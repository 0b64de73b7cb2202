/**
 * The `appCtxt` global and the constant tables zimlets read (`ZmSetting`, `ZmApp`, `ZmOperation`,
 * `ZmId`), following zm-web-client `WebRoot/js/zimbraMail/core/ZmAppCtxt.js`, `ZmRequestMgr.js`
 * (sendRequest), `WebRoot/js/zimbraMail/mail/ZmMailApp.js` (compose), `ZmApp.js`, `ZmOperation.js`,
 * `ZmId.js`, `WebRoot/js/zimbraMail/share/model/ZmSetting.js`. Only what zimlets use is here.
 */
import { ZmCsfeException, ZmCsfeResult, sendSoap } from './soap.ts';
import { runCallback, type Runnable } from './ajx.ts';
import type { ZmZimletMgr } from './zimlet-mgr.ts';
import type { DwtShell } from './dwt.ts';
import type { ZmAppViewMgr } from './app-view-mgr.ts';

/** ZmSetting ids (the names zm-web-client registers in ZmSettings.js). */
export const ZmSetting = {
  USERNAME: 'USERNAME',
  USERID: 'USERID',
  DISPLAY_NAME: 'DISPLAY_NAME',
  LOCALE_NAME: 'LOCALE_NAME',
  COMPOSE_AS_FORMAT: 'COMPOSE_AS_FORMAT',
  COMPOSE_TEXT: 'text',
  COMPOSE_HTML: 'html',
  ZIMLETS: 'ZIMLETS',
} as const;

/** ZmApp names (ZmApp.js). */
export const ZmApp = { MAIL: 'Mail', CONTACTS: 'Contacts', CALENDAR: 'Calendar', PREFERENCES: 'Options' } as const;

/** ZmOperation ids used by compose and toolbars (ZmOperation.js). */
export const ZmOperation = {
  NEW_MESSAGE: 'NEW_MESSAGE',
  REPLY: 'REPLY',
  REPLY_ALL: 'REPLY_ALL',
  FORWARD: 'FORWARD',
  DRAFT: 'DRAFT',
  SEND: 'SEND',
  SEND_LATER: 'SEND_LATER',
  SEND_MENU: 'SEND_MENU',
  CANCEL: 'CANCEL',
  SAVE_DRAFT: 'SAVE_DRAFT',
  ATTACHMENT: 'ATTACHMENT',
  DELETE: 'DELETE',
  CHECK_MAIL: 'CHECK_MAIL',
  CLOSE: 'CLOSE',
  DETACH: 'DETACH',
  DETACH_COMPOSE: 'DETACH_COMPOSE',
  NONE: 'NONE',
  SEP: 'SEP',
  FILLER: 'FILLER',
} as const;

/** View ids (ZmId.js): a compose view id contains "COMPOSE", as zimlets test with indexOf. */
export const ZmId = {
  VIEW_COMPOSE: 'COMPOSE',
  VIEW_MSG: 'MSG',
  VIEW_CONV: 'CV',
  VIEW_TRAD: 'TV',
  VIEW_CONTACT_SIMPLE: 'CNS',
  WIDGET_BUTTON: 'zb',
} as const;

export interface AccountInfo {
  id: string;
  name: string;
  displayName: string;
  locale: string;
  attrs: Record<string, unknown>;
  prefs: Record<string, unknown>;
}

export interface ComposeParams {
  action?: string;
  toOverride?: string;
  ccOverride?: string;
  bccOverride?: string;
  subjOverride?: string;
  extraBodyText?: string;
  msg?: unknown;
}

/** What appCtxt needs from the webmail UI. */
export interface WebmailHooks {
  compose(params: ComposeParams): void;
  currentView(): unknown;
  currentViewId(): string;
  currentController(): unknown;
  currentAppName(): string;
  setStatus(msg: string, level?: 1 | 2 | 3): void;
  showError(params: { errMsg: string; details?: string; title?: string }): void;
  /** Called when the session is gone (auth fault nobody handled). */
  sessionExpired(): void;
  translate(key: 'error_soap', ...args: string[]): string;
  /**
   * A request changed the mailbox (Zimbra pushes such changes to the client as SOAP header
   * notifications, ZmRequestMgr._handleNotifications); the webmail refreshes what it shows.
   */
  changed(requestName: string): void;
  /** The app view manager (`appCtxt.getAppViewMgr()`, ZmAppCtxt.js). */
  appViewMgr(): ZmAppViewMgr;
  /** `window.open` (ZmAppCtxt.getNewWindow). */
  openWindow(url: string, name: string, features: string): Window | null;
  /** ZmMailApp.getComposeController(sessionId): the compose session of that id, if any. */
  composeController(sessionId: number): unknown;
}

/**
 * What the parent keeps of a child window (ZmZimbraMail.addChildWindow): the child reads its
 * `command` ("composeDetach" | "msgViewDetach") and `params` from here (ZmNewWindow.startup,
 * core/ZmNewWindow.js:174-182).
 */
export interface ChildWindowObj {
  win: Window;
  childId: number;
  isCompose: boolean;
  command?: string;
  params?: Record<string, unknown>;
}

/** What `appCtxt.getApp(ZmApp.MAIL)` answers: ZmMailApp's members zimlets and controllers use. */
export interface MailAppLike {
  compose(params: ComposeParams): void;
  getName(): string;
  /** ZmApp.popView(force, viewId, skipHistory) → appCtxt.getAppViewMgr().popView (core/ZmApp.js:393-396). */
  popView(force?: unknown, viewId?: string, skipHistory?: boolean): boolean;
  /** ZmMailApp.getComposeController(sessionId). */
  getComposeController(sessionId: number): unknown;
}

export interface SendRequestParams {
  jsonObj?: Record<string, unknown>;
  soapDoc?: unknown;
  asyncMode?: boolean;
  callback?: Runnable;
  errorCallback?: Runnable;
  noBusyOverlay?: boolean;
}

const AUTH_CODES = new Set(['service.AUTH_REQUIRED', 'service.AUTH_EXPIRED']);

export class ZmAppCtxt {
  /** True in a detached compose / message window (ZmNewWindow). */
  readonly isChildWindow: boolean;
  readonly multiAccounts = false;
  readonly isOffline = false;
  private readonly settings = new Map<string, unknown>();
  private zimletsLoaded = false;
  private readonly zimletsLoadedListeners: Array<() => void> = [];
  private readonly mailApp: MailAppLike;
  private readonly appController: {
    sendRequest(params: SendRequestParams): Promise<unknown>;
    addChildWindow(win: Window, childId: number, isCompose: boolean): ChildWindowObj;
    getChildWindow(win: Window): ChildWindowObj | null;
    removeChildWindow(win: Window): void;
  };
  private readonly childWindows: ChildWindowObj[] = [];
  private childWindowId = -1;

  constructor(
    readonly account: AccountInfo,
    private readonly shell: DwtShell,
    private readonly zimletMgr: ZmZimletMgr,
    private readonly hooks: WebmailHooks,
    private readonly csrfToken: () => string,
    isChildWindow = false,
  ) {
    this.isChildWindow = isChildWindow;
    this.settings.set(ZmSetting.USERNAME, account.name);
    this.settings.set(ZmSetting.USERID, account.id);
    this.settings.set(ZmSetting.DISPLAY_NAME, account.displayName);
    this.settings.set(ZmSetting.LOCALE_NAME, account.locale);
    this.settings.set(ZmSetting.COMPOSE_AS_FORMAT, ZmSetting.COMPOSE_TEXT);
    this.mailApp = {
      compose: (params) => this.hooks.compose(params ?? {}),
      getName: () => ZmApp.MAIL,
      popView: (force, viewId, skipHistory) => this.hooks.appViewMgr().popView(force, viewId, skipHistory),
      getComposeController: (sessionId) => this.hooks.composeController(sessionId),
    };
    this.appController = {
      sendRequest: (params) => this.sendRequest(params),
      // ZmZimbraMail.addChildWindow / getChildWindow / removeChildWindow (ZmZimbraMail.js).
      addChildWindow: (win, childId, isCompose) => {
        const obj: ChildWindowObj = { win, childId, isCompose };
        this.childWindows.push(obj);
        return obj;
      },
      getChildWindow: (win) => this.childWindows.find((c) => c.win === win) ?? null,
      removeChildWindow: (win) => {
        const i = this.childWindows.findIndex((c) => c.win === win);
        if (i >= 0) this.childWindows.splice(i, 1);
      },
    };
  }

  /** `appCtxt.get(ZmSetting.X)`; also accepts the raw attribute/pref name (e.g. "zimbraPrefLocale"). */
  get(setting: string): unknown {
    if (this.settings.has(setting)) return this.settings.get(setting);
    return this.account.prefs[setting] ?? this.account.attrs[setting];
  }
  set(setting: string, value: unknown): void {
    this.settings.set(setting, value);
  }
  getUsername(): string {
    return this.account.name;
  }
  getActiveAccount() {
    const a = this.account;
    return { id: a.id, name: a.name, isMain: true, getEmail: () => a.name, getDisplayName: () => a.displayName, getIdentity: () => ({ sendFromAddress: a.name, sendFromDisplay: a.displayName }) };
  }
  getMainAccount() {
    return this.getActiveAccount();
  }
  getShell(): DwtShell {
    return this.shell;
  }
  getAppController() {
    return this.appController;
  }
  /**
   * ZmAppCtxt.getNewWindow(fullVersion, width, height, name, isCompose) (core/ZmAppCtxt.js:1577-1615):
   * opens `/public/launchNewWindow.jsp?…&childId=N` and answers the parent's record of the child, on
   * which the caller sets `command` and `params`; null when the browser blocked the window.
   */
  getNewWindow(fullVersion?: boolean, width?: number, height?: number, name?: string, isCompose = false): ChildWindowObj | null {
    this.childWindowId++;
    const url = `/public/launchNewWindow.jsp?skin=harmony&localeId=${encodeURIComponent(this.account.locale)}${fullVersion ? '&full=1' : ''}&childId=${this.childWindowId}`;
    const features = `height=${height || 465},width=${width || 705},location=no,menubar=no,resizable=yes,scrollbars=no,status=yes,toolbar=no`;
    const win = this.hooks.openWindow(url, name || '_blank', features);
    if (!win) return null;
    return this.appController.addChildWindow(win, this.childWindowId, isCompose);
  }
  /** ZmAppCtxt.getAppViewMgr: popView(force, viewId) / showPendingView(show) (core/ZmAppViewMgr.js:764, :939). */
  getAppViewMgr(): ZmAppViewMgr {
    return this.hooks.appViewMgr();
  }
  /** Only the mail app is emulated; other names answer it too so `compose` stays reachable. */
  getApp(_name?: string): MailAppLike {
    return this.mailApp;
  }
  getCurrentApp() {
    return { getName: () => this.hooks.currentAppName() };
  }
  getCurrentAppName(): string {
    return this.hooks.currentAppName();
  }
  getCurrentView(): unknown {
    return this.hooks.currentView();
  }
  getCurrentViewId(): string {
    return this.hooks.currentViewId();
  }
  getCurrentController(): unknown {
    return this.hooks.currentController();
  }
  getZimletMgr(): ZmZimletMgr {
    return this.zimletMgr;
  }
  areZimletsLoaded(): boolean {
    return this.zimletsLoaded;
  }
  allZimletsLoaded(): void {
    this.zimletsLoaded = true;
    for (const l of this.zimletsLoadedListeners.splice(0)) l();
  }
  addZimletsLoadedListener(listener: Runnable): void {
    if (this.zimletsLoaded) runCallback(listener);
    else this.zimletsLoadedListeners.push(() => runCallback(listener));
  }
  /**
   * `notifyZimlets(event, args, {waitUntilLoaded})`: answers true when a zimlet handled it. With
   * waitUntilLoaded, a notification sent before the zimlets are loaded is replayed once they are.
   */
  notifyZimlets(event: string, args: unknown[] = [], options?: { waitUntilLoaded?: boolean }): boolean {
    if (!this.zimletsLoaded) {
      if (options?.waitUntilLoaded) this.zimletsLoadedListeners.push(() => void this.zimletMgr.notifyZimlets(event, args));
      return false;
    }
    return this.zimletMgr.notifyZimlets(event, args);
  }
  notifyZimlet(name: string, event: string, args: unknown[] = []): unknown {
    return this.zimletMgr.notifyZimlet(name, event, args);
  }
  setStatusMsg(msg: string | { msg: string; level?: 1 | 2 | 3 }, level?: 1 | 2 | 3): void {
    if (typeof msg === 'object' && msg) this.hooks.setStatus(msg.msg, msg.level ?? level);
    else this.hooks.setStatus(String(msg), level);
  }
  showError(params: { errMsg: string; details?: string; title?: string }): void {
    this.hooks.showError(params);
  }

  /**
   * `getAppController().sendRequest({jsonObj, asyncMode, callback, errorCallback})` (ZmRequestMgr.sendRequest):
   * callback gets a ZmCsfeResult whose `getResponse()` is the SOAP Body; errorCallback gets a
   * ZmCsfeException and returns true when it handled it, else the webmail shows the error (and an
   * expired session sends the user back to the login page). The browser cannot do synchronous
   * requests politely, so `asyncMode: false` behaves as true; the answer is also the returned Promise.
   */
  async sendRequest(params: SendRequestParams): Promise<unknown> {
    if (!params.jsonObj) {
      const ex = new ZmCsfeException('Only jsonObj requests are supported by the sandbox (no soapDoc)', 'service.INVALID_REQUEST', '?');
      this.failRequest(params, ex);
      return undefined;
    }
    let body: Record<string, any>;
    try {
      body = await sendSoap(params.jsonObj, { csrfToken: this.csrfToken });
    } catch (e) {
      const ex = e instanceof ZmCsfeException ? e : new ZmCsfeException(String((e as Error)?.message ?? e), 'service.FAILURE', '?');
      this.failRequest(params, ex);
      return undefined;
    }
    try {
      this.hooks.changed(Object.keys(params.jsonObj)[0] ?? '');
    } catch (e) {
      console.error(e);
    }
    const result = new ZmCsfeResult(body);
    if (params.callback) runCallback(params.callback, result);
    return body;
  }

  private failRequest(params: SendRequestParams, ex: ZmCsfeException): void {
    let handled = false;
    if (params.errorCallback) {
      try {
        handled = !!runCallback(params.errorCallback, ex, params);
      } catch (e) {
        console.error('errorCallback threw', e);
      }
    }
    if (handled) return;
    if (AUTH_CODES.has(ex.code)) {
      this.hooks.sessionExpired();
      return;
    }
    this.hooks.showError({ errMsg: this.hooks.translate('error_soap', ex.msg), details: `${ex.code} (${ex.method})` });
  }

  toString(): string {
    return 'ZmAppCtxt';
  }
}
