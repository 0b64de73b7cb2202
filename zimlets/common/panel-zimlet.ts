/**
 * The handler of a zimlet whose panel item opens one window (zm-web-client ZmZimletBase.js): Zimbra
 * instantiates the global named by the descriptor's <handlerObject>, sets its context and calls init();
 * panel clicks and panel menu items (ZmZimletContext._handleMenuItemSelected passes the item id first)
 * open the window, the menu item's id telling it which section to show. A zimlet with more hooks
 * (compose toolbars, message views) adds them to the returned constructor's prototype.
 */
import type { MailHost } from '../../shared/host/mail-port.ts';
import { PanelDialog, type PanelContent } from './panel-dialog.ts';
import { ZimbraZimletHost } from './zimbra-host.ts';

export interface PanelZimlet extends ZmZimletBase {
  // Prefixed: the handler object is also a ZmZimletBase/ZmObjectHandler with members of its own.
  esanteHost: ZimbraZimletHost;
  esantePanel: PanelDialog;
  openPanel(section?: string): void;
}

export type PanelZimletConstructor<Z extends PanelZimlet = PanelZimlet> = { new (): Z; prototype: Z };

/**
 * Zimbra's documented handler shape: `function H(){}; H.prototype = new ZmZimletBase(); …`.
 * `menuItems` are the descriptor's <menuItem id>s; any other id is ignored (Zimbra would not send one).
 */
export function panelZimletHandler<Z extends PanelZimlet = PanelZimlet>(
  createPanel: (host: MailHost) => PanelContent,
  menuItems: readonly string[],
): PanelZimletConstructor<Z> {
  const Handler = function () {} as unknown as PanelZimletConstructor<Z>;
  Handler.prototype = new ZmZimletBase() as Z;
  Handler.prototype.constructor = Handler;

  Handler.prototype.init = function (this: Z): void {
    this.esanteHost = new ZimbraZimletHost(this);
    const host = this.esanteHost;
    this.esantePanel = new PanelDialog(this, () => host.msg('zimlet_label'), () => createPanel(host));
  };
  Handler.prototype.openPanel = function (this: Z, section?: string): void {
    this.esantePanel.open(section);
  };
  Handler.prototype.singleClicked = function (this: Z): void {
    this.openPanel();
  };
  Handler.prototype.doubleClicked = function (this: Z): void {
    this.openPanel();
  };
  Handler.prototype.menuItemSelected = function (this: Z, itemId: string): void {
    if (menuItems.includes(itemId)) this.openPanel(itemId);
  };
  return Handler;
}
