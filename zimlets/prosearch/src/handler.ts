/**
 * lu_esante_prosearch: the THIN glue between Zimbra and the zimlet (zm-web-client ZmZimletBase.js). Zimbra
 * instantiates the global named by the descriptor's <handlerObject>, sets its context and calls init();
 * panel clicks and panel menu items arrive here (ZmZimletContext._handleMenuItemSelected passes the
 * item id first). Everything else lives in lit components behind the ZimletHost port.
 * The bundle is an IIFE whose only global is `lu_esante_prosearch_HandlerObject` (this module's default export).
 */
import { PanelDialog } from '../../common/panel-dialog.ts';
import { ZimbraZimletHost } from '../../common/zimbra-host.ts';
import { createPanel } from './panel.ts';

interface ProsearchZimlet extends ZmZimletBase {
  // Prefixed: the handler object is also a ZmZimletBase/ZmObjectHandler with members of its own.
  esanteHost: ZimbraZimletHost;
  esantePanel: PanelDialog;
  openPanel(section?: string): void;
}

// Zimbra's documented handler shape: function H(){}; H.prototype = new ZmZimletBase(); …
const lu_esante_prosearch_HandlerObject = function () {} as unknown as { new (): ProsearchZimlet; prototype: ProsearchZimlet };
lu_esante_prosearch_HandlerObject.prototype = new ZmZimletBase() as ProsearchZimlet;
lu_esante_prosearch_HandlerObject.prototype.constructor = lu_esante_prosearch_HandlerObject;

lu_esante_prosearch_HandlerObject.prototype.init = function (this: ProsearchZimlet): void {
  this.esanteHost = new ZimbraZimletHost(this);
  const host = this.esanteHost;
  this.esantePanel = new PanelDialog(this, () => host.msg('zimlet_label'), () => createPanel(host));
};

lu_esante_prosearch_HandlerObject.prototype.openPanel = function (this: ProsearchZimlet, section?: string): void {
  this.esantePanel.open(section);
};

lu_esante_prosearch_HandlerObject.prototype.singleClicked = function (this: ProsearchZimlet): void {
  this.openPanel();
};

lu_esante_prosearch_HandlerObject.prototype.doubleClicked = function (this: ProsearchZimlet): void {
  this.openPanel();
};

lu_esante_prosearch_HandlerObject.prototype.menuItemSelected = function (this: ProsearchZimlet, itemId: string): void {
  switch (itemId) {
    case 'search':
    case 'about':
      this.openPanel(itemId);
      break;
    default:
      // An item id not in the descriptor: nothing to do (Zimbra would not send one).
      break;
  }
};

export default lu_esante_prosearch_HandlerObject;
