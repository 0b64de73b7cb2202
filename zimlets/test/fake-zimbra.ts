/**
 * The fake Zimbra globals of the in-browser zimlet tests: only what the handlers and zimlets/common
 * use, shaped like zm-web-client (see zimlets/README.md). A script to run before the zimlet bundles.
 */
export function fakeZimbra(csrf: string): string {
  return `
  window.csrfToken = ${JSON.stringify(csrf)};
  window.ZmSetting = { LOCALE_NAME: 'LOCALE_NAME' };
  window.ZmApp = { MAIL: 'Mail' };
  window.ZmOperation = { NEW_MESSAGE: 'NEW_MESSAGE' };
  window.AjxEmailAddress = { TO: 'TO', CC: 'CC', BCC: 'BCC' };
  window.AjxListener = function (obj, fn) { this.obj = obj; this.fn = fn; };
  AjxListener.prototype.handleEvent = function (ev) { return this.fn.call(this.obj, ev); };
  window.AjxCallback = function (obj, fn) { this.obj = obj; this.fn = fn; };
  AjxCallback.prototype.run = function () { return this.fn.apply(this.obj, arguments); };
  window.DwtComposite = function () { this.el = document.createElement('div'); };
  DwtComposite.prototype.getHtmlElement = function () { return this.el; };
  window.DwtDialog = { OK_BUTTON: 2, CANCEL_BUTTON: 1 };
  window.ZmDialog = function (p) {
    var self = this;
    this.listeners = {};
    this.el = document.createElement('div');
    this.el.setAttribute('role', 'dialog');
    this.el.setAttribute('aria-label', p.title);
    this.el.hidden = true;
    this.el.appendChild(p.view.getHtmlElement());
    var ok = document.createElement('button');
    ok.textContent = 'OK';
    ok.onclick = function () { self.listeners[DwtDialog.OK_BUTTON].handleEvent({}); };
    this.el.appendChild(ok);
    document.body.appendChild(this.el);
  };
  ZmDialog.prototype.popup = function () { this.el.hidden = false; };
  ZmDialog.prototype.popdown = function () { this.el.hidden = true; };
  ZmDialog.prototype.isPoppedUp = function () { return !this.el.hidden; };
  ZmDialog.prototype.setButtonListener = function (id, l) { this.listeners[id] = l; };
  window.appCtxt = {
    get: function (s) { return s === 'LOCALE_NAME' ? 'fr_LU' : undefined; },
    // ZmZimletMgr.getZimletByName(name).getUrl(): where the parts loaded when needed are served.
    getZimletMgr: function () { return { getZimletByName: function (n) { return { getUrl: function () { return '/service/zimlet/' + n + '/'; } }; } }; },
  };
  window.ZmZimletBase = function () {};
  ZmZimletBase.prototype.getMessage = function (key) {
    var p = window[this.name];
    return p && Object.prototype.hasOwnProperty.call(p, key) ? p[key] : '???' + key + '???';
  };
  ZmZimletBase.prototype.getUsername = function () { return 'marie.muller@esante.lu'; };
  ZmZimletBase.prototype.getConfig = function () { return undefined; };
  ZmZimletBase.prototype.getShell = function () { return {}; };
  ZmZimletBase.prototype.displayStatusMessage = function () {};
  ZmZimletBase.prototype.displayErrorMessage = function () {};
`;
}
