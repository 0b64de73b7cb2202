/**
 * `ZmZimletBase`, the prototype of every zimlet handler (zm-web-client
 * `WebRoot/js/zimbraMail/share/model/ZmZimletBase.js`). Handlers are written
 * `function H(){}; H.prototype = new ZmZimletBase(); H.prototype.constructor = H;`, so this is an
 * old-style constructor. The host (appCtxt, window) comes from `runtime` so node tests can fake it.
 */
import type { ZmZimletContext } from './zimlet-context.ts';
import { runCallback, type Runnable } from './ajx.ts';

/** What ZmZimletBase needs from the webmail (the `appCtxt` global and `window` in Zimbra). */
export interface ZimletRuntime {
  /** `window`: zimlet message bundles live at `window[zimletName]`. */
  win: Record<string, any>;
  username(): string;
  userId(): string;
  shell(): unknown;
  setStatusMsg(msg: string): void;
  showError(params: { errMsg: string; details?: string; title?: string }): void;
  /** `appCtxt.getAppController().sendRequest` */
  sendRequest(params: { jsonObj: Record<string, unknown>; asyncMode?: boolean; callback?: Runnable; errorCallback?: Runnable }): unknown;
  /** Translated "Error in zimlet {0}" title. */
  zimletErrorTitle(label: string): string;
  /** Shows a zimlet's new panel icon (ZmZimletBase.setIcon updates its tree item). */
  setPanelIcon?(zimletName: string, icon: string | undefined): void;
  /** `window.open` (makeCanvas type "window"). */
  openWindow?(url: string, name: string, features: string): unknown;
  /** A dialog whose content the zimlet fills (makeCanvas type "dialog"); answers the content element. */
  makeDialog?(title: string, width?: unknown, height?: unknown): unknown;
}

/** AjxRpcRequest's result as ZmZimletBase.sendRequest callbacks get it. */
export interface RpcResult {
  success: boolean;
  status: number;
  text: string;
  xml: unknown;
}

let runtime: ZimletRuntime | null = null;
export function setZimletRuntime(rt: ZimletRuntime): void {
  runtime = rt;
}
function rt(): ZimletRuntime {
  if (!runtime) throw new Error('ZmZimletBase used before the webmail set its runtime');
  return runtime;
}

export interface ZmZimletBase {
  _zimletContext: ZmZimletContext;
  _dwtShell: unknown;
  name: string;
  __zimletEnabled: boolean;
  isZmObjectHandler: true;
  _init(ctx: ZmZimletContext, shell: unknown): void;
  init(): void;
  toString(): string;
  getShell(): unknown;
  xmlObj(key?: string): any;
  getZimletContext(): ZmZimletContext;
  singleClicked(canvas?: unknown): void;
  doubleClicked(canvas?: unknown): void;
  menuItemSelected(itemId: string, ...rest: unknown[]): void;
  onMsgView(msg: unknown, oldMsg: unknown, msgView: unknown): void;
  initializeToolbar(app: unknown, toolbar: unknown, controller: unknown, viewId: string): void;
  emailErrorCheck(msg: unknown, boolAndErrorMsgArray: unknown[]): void;
  onSendButtonClicked?(controller: unknown, msg: unknown): unknown;
  addCustomMimeHeaders(arr: unknown[]): void;
  _origIcon: string | undefined;
  sendRequest(requestStr: string, serverURL: string, requestHeaders?: Record<string, string> | null, callback?: Runnable | null, useGet?: boolean, passErrors?: boolean): Promise<void>;
  requestFinished(callback: Runnable | null | undefined, passErrors: boolean | undefined, result: RpcResult): void;
  setIcon(icon: string | undefined): void;
  resetIcon(): void;
  setBusyIcon(): void;
  makeCanvas(canvasData: unknown, url?: string): unknown;
  appActive(appName: string, active: boolean): void;
  appLaunch(appName: string): void;
  onShowView(viewId: string, isNewView?: boolean): void;
  appendExtraSignature(buffer: string[]): void;
  onMailConfirm(confirmView: unknown, msg: unknown): void;
  resetToolbarOperations(parent: unknown, num: number): void;
  displayErrorMessage(msg: string, data?: string, title?: string): void;
  displayStatusMessage(msg: string): void;
  getResource(name: string): string;
  getUserProperty(name: string): string | undefined;
  setUserProperty(name: string, value: string, save?: boolean, callback?: Runnable): void;
  saveUserProperties(callback?: Runnable): string;
  getUserPropertyInfo(name: string): unknown;
  getMessage(key: string): string;
  getMessages(): Record<string, string>;
  getConfig(name: string): string | null;
  getBoolConfig(key: string, defaultValue?: boolean): boolean;
  setEnabled(enabled?: boolean): void;
  getEnabled(): boolean;
  getUsername(): string;
  getUserID(): string;
}
export interface ZmZimletBaseCtor {
  new (): ZmZimletBase;
  (this: ZmZimletBase): void;
  prototype: ZmZimletBase;
  PANEL_MENU: 1;
  CONTENTOBJECT_MENU: 2;
  PROXY: string;
}

export const ZmZimletBase = function (this: ZmZimletBase) {} as unknown as ZmZimletBaseCtor;
ZmZimletBase.PANEL_MENU = 1;
ZmZimletBase.CONTENTOBJECT_MENU = 2;
ZmZimletBase.PROXY = '/service/proxy?target=';

Object.assign(ZmZimletBase.prototype, {
  // ZmObjectHandler marks handlers with this; ZmZimletMgr.notifyZimlets only calls such objects.
  isZmObjectHandler: true,
  _init(this: ZmZimletBase, ctx: ZmZimletContext, shell: unknown) {
    this._zimletContext = ctx;
    this._dwtShell = shell;
    this.__zimletEnabled = true;
    this.name = ctx.name;
    this._origIcon = ctx.panelItem?.icon;
  },
  init() {},
  toString(this: ZmZimletBase) {
    return this.name;
  },
  getShell(this: ZmZimletBase) {
    return this._dwtShell;
  },
  /** `xmlObj()` answers the zimlet context; `xmlObj("a.b")` a descriptor value. */
  xmlObj(this: ZmZimletBase, key?: string) {
    return key ? this._zimletContext.getVal(key) : this._zimletContext;
  },
  getZimletContext(this: ZmZimletBase) {
    return this._zimletContext;
  },
  singleClicked() {},
  doubleClicked() {},
  menuItemSelected() {},
  onMsgView() {},
  initializeToolbar() {},
  emailErrorCheck() {},
  addCustomMimeHeaders() {},
  // No-op hooks of ZmZimletBase: appActive/appLaunch (:1285, :1293), onShowView (:333),
  // appendExtraSignature (:440), onMailConfirm (:448), resetToolbarOperations (:940).
  appActive() {},
  appLaunch() {},
  onShowView() {},
  appendExtraSignature() {},
  onMailConfirm() {},
  resetToolbarOperations() {},
  /**
   * ZmZimletBase.sendRequest (ZmZimletBase.js:779-790): through Zimbra's ProxyServlet
   * (`/service/proxy?target=`), busy icon meanwhile; the callback gets `{success, status, text, xml}`
   * (AjxRpcRequest's result). The sandbox has no ProxyServlet: every such request fails, as on a
   * Zimbra whose zimbraProxyAllowedDomains does not list the target.
   */
  async sendRequest(this: ZmZimletBase, requestStr: string, serverURL: string, requestHeaders?: Record<string, string> | null, callback?: Runnable | null, useGet?: boolean, passErrors?: boolean) {
    this.setBusyIcon();
    const url = ZmZimletBase.PROXY + encodeURIComponent(serverURL);
    let result: RpcResult;
    try {
      const res = await fetch(url, { method: useGet ? 'GET' : 'POST', credentials: 'same-origin', headers: requestHeaders ?? {}, body: useGet ? undefined : requestStr });
      const text = await res.text();
      result = { success: res.ok, status: res.status, text, xml: null };
    } catch (e) {
      result = { success: false, status: 0, text: String((e as Error)?.message ?? e), xml: null };
    }
    this.requestFinished(callback, passErrors, result);
  },
  /** ZmZimletBase.requestFinished (:756-767): an error is shown unless passErrors; else the callback runs. */
  requestFinished(this: ZmZimletBase, callback: Runnable | null | undefined, passErrors: boolean | undefined, result: RpcResult) {
    this.resetIcon();
    if (!passErrors && !result.success) {
      this.displayErrorMessage(`We could not connect to the remote server, or an error was returned.<br />Error code: ${result.status}`, result.text);
    } else if (callback) runCallback(callback, result);
  },
  /** ZmZimletBase.setIcon (:893-918): the panel item's icon (a CSS class `Img<icon>` or classes). */
  setIcon(this: ZmZimletBase, icon: string | undefined) {
    const item = this._zimletContext.panelItem;
    if (!item) return;
    item.icon = icon ?? '';
    rt().setPanelIcon?.(this._zimletContext.name, icon);
  },
  resetIcon(this: ZmZimletBase) {
    this.setIcon(this._origIcon);
  },
  /** ZmZimletBase.setBusyIcon (:864-867). */
  setBusyIcon(this: ZmZimletBase) {
    this.setIcon('ZimbraIcon DwtWait16Icon');
  },
  /**
   * ZmZimletBase.makeCanvas (:1126-1190): `{type: "window"}` opens a browser window (url or blank),
   * `{type: "dialog"}` a dialog with a view; answers the canvas. Other types: a detached div.
   */
  makeCanvas(this: ZmZimletBase, canvasData: unknown, url?: string) {
    let data = (Array.isArray(canvasData) ? canvasData[0] : canvasData) as Record<string, any> | undefined;
    if (!data && url) data = { type: 'window' };
    data = data ?? {};
    const type = data['type'] ?? data['style'];
    if (type === 'window') {
      const props = [data['props'] || 'toolbar=yes,location=yes,status=yes,menubar=yes,scrollbars=yes,resizable=yes'];
      if (data['width']) props.push(`width=${data['width']}`);
      if (data['height']) props.push(`height=${data['height']}`);
      return rt().openWindow?.(url ?? '/public/blank.html', this._zimletContext.name, props.join(',')) ?? null;
    }
    if (type === 'dialog') return rt().makeDialog?.(String(data['title'] ?? this._zimletContext.label), data['width'], data['height']) ?? null;
    const div = typeof document !== 'undefined' ? document.createElement('div') : null;
    if (div) div.id = 'zimletCanvasDiv';
    return div;
  },
  displayErrorMessage(this: ZmZimletBase, msg: string, data?: string, title?: string) {
    rt().showError({ errMsg: msg, details: data, title: title || rt().zimletErrorTitle(this._zimletContext.label) });
  },
  displayStatusMessage(msg: string) {
    rt().setStatusMsg(msg);
  },
  getResource(this: ZmZimletBase, name: string) {
    return this._zimletContext.getUrl() + name;
  },
  getUserProperty(this: ZmZimletBase, name: string) {
    return this._zimletContext.getPropValue(name);
  },
  setUserProperty(this: ZmZimletBase, name: string, value: string, save?: boolean, callback?: Runnable) {
    this._zimletContext.setPropValue(name, value);
    if (save) this.saveUserProperties(callback);
  },
  /** ModifyPropertiesRequest (urn:zimbraAccount) with every user property of this zimlet. */
  saveUserProperties(this: ZmZimletBase, callback?: Runnable) {
    const prop = this._zimletContext.userProperties.map((p) => ({ zimlet: this._zimletContext.name, name: p.name, _content: p.value ?? '' }));
    rt().sendRequest({
      jsonObj: { ModifyPropertiesRequest: { _jsns: 'urn:zimbraAccount', prop } },
      asyncMode: true,
      callback: callback ? () => runCallback(callback) : undefined,
    });
    return '';
  },
  getUserPropertyInfo(this: ZmZimletBase, name: string) {
    return this._zimletContext.getProp(name);
  },
  /**
   * The zimlet's text for a key from `window[zimletName]` (its properties file). Zimbra answers
   * `???key???` when the bundle is missing and `undefined` when only the key is; the sandbox answers
   * `???key???` in both cases so a missing key is visible on screen and in e2e tests.
   */
  getMessage(this: ZmZimletBase, key: string) {
    const p = rt().win[this._zimletContext.name] as Record<string, string> | undefined;
    const v = p ? p[key] : undefined;
    return typeof v === 'string' ? v : `???${key}???`;
  },
  getMessages(this: ZmZimletBase) {
    return (rt().win[this._zimletContext.name] as Record<string, string>) || {};
  },
  getConfig(this: ZmZimletBase, name: string) {
    return this._zimletContext.getConfig(name);
  },
  getBoolConfig(this: ZmZimletBase, key: string, defaultValue?: boolean) {
    const raw = this.getConfig(key);
    if (raw === null || raw === undefined) return !!defaultValue;
    const val = raw.trim();
    return defaultValue ? !/^(0|false|off|no)$/i.test(val) : /^(1|true|on|yes)$/i.test(val);
  },
  setEnabled(this: ZmZimletBase, enabled?: boolean) {
    this.__zimletEnabled = enabled === undefined ? true : enabled;
  },
  getEnabled(this: ZmZimletBase) {
    return this.__zimletEnabled !== false;
  },
  getUsername() {
    return rt().username();
  },
  getUserID() {
    return rt().userId();
  },
});
