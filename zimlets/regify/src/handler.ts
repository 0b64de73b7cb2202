/**
 * lu_esante_regify: the THIN glue between Zimbra and the zimlet (zm-web-client ZmZimletBase.js). Zimbra
 * instantiates the global named by the descriptor's <handlerObject>, sets its context and calls init();
 * panel clicks and panel menu items arrive here (ZmZimletContext._handleMenuItemSelected passes the
 * item id first). Everything else lives in lit components behind the ZimletHost port.
 * The bundle is an IIFE whose only global is `lu_esante_regify_HandlerObject` (this module's default export).
 */
import { PanelDialog } from '../../common/panel-dialog.ts';
import { ZimbraZimletHost } from '../../common/zimbra-host.ts';
import { ensureAccount, onWebmailStart } from './account/index.ts';
import { onComposeToolbar, onMessageView, type MessageHooksDeps } from './messages/index.ts';
import { createPanel } from './panel.ts';

interface RegifyZimlet extends ZmZimletBase {
  // Prefixed: the handler object is also a ZmZimletBase/ZmObjectHandler with members of its own.
  esanteHost: ZimbraZimletHost;
  esantePanel: PanelDialog;
  esanteMessages: MessageHooksDeps;
  openPanel(section?: string): void;
  initializeToolbar(app: unknown, toolbar: unknown, controller: unknown, viewId: string): void;
  onMsgView(msg: unknown, oldMsg: unknown, msgView: unknown): void;
}

// Zimbra's documented handler shape: function H(){}; H.prototype = new ZmZimletBase(); …
const lu_esante_regify_HandlerObject = function () {} as unknown as { new (): RegifyZimlet; prototype: RegifyZimlet };
lu_esante_regify_HandlerObject.prototype = new ZmZimletBase() as RegifyZimlet;
lu_esante_regify_HandlerObject.prototype.constructor = lu_esante_regify_HandlerObject;

lu_esante_regify_HandlerObject.prototype.init = function (this: RegifyZimlet): void {
  this.esanteHost = new ZimbraZimletHost(this);
  const host = this.esanteHost;
  this.esantePanel = new PanelDialog(this, () => host.msg('zimlet_label'), () => createPanel(host));
  this.esanteMessages = { host, ensureAccount: () => ensureAccount(host) };
  void onWebmailStart(host);
};

// Compose toolbars: only compose views get "Envoyer avec Regify" (ZmZimletBase.initializeToolbar).
lu_esante_regify_HandlerObject.prototype.initializeToolbar = function (
  this: RegifyZimlet,
  app: unknown,
  toolbar: unknown,
  controller: unknown,
  viewId: string,
): void {
  if (typeof viewId === 'string' && viewId.indexOf('COMPOSE') >= 0) onComposeToolbar(this.esanteMessages, app, toolbar, controller, viewId);
};

lu_esante_regify_HandlerObject.prototype.onMsgView = function (this: RegifyZimlet, msg: unknown, oldMsg: unknown, msgView: unknown): void {
  onMessageView(this.esanteMessages, msg, oldMsg, msgView);
};

lu_esante_regify_HandlerObject.prototype.openPanel = function (this: RegifyZimlet, section?: string): void {
  this.esantePanel.open(section);
};

lu_esante_regify_HandlerObject.prototype.singleClicked = function (this: RegifyZimlet): void {
  this.openPanel();
};

lu_esante_regify_HandlerObject.prototype.doubleClicked = function (this: RegifyZimlet): void {
  this.openPanel();
};

lu_esante_regify_HandlerObject.prototype.menuItemSelected = function (this: RegifyZimlet, itemId: string): void {
  switch (itemId) {
    case 'informations':
    case 'options':
    case 'about':
      this.openPanel(itemId);
      break;
    default:
      // An item id not in the descriptor: nothing to do (Zimbra would not send one).
      break;
  }
};

export default lu_esante_regify_HandlerObject;
