/**
 * lu_esante_regify: the THIN glue between Zimbra and the zimlet (zm-web-client ZmZimletBase.js). The
 * panel item opens the account window (./account/); at start the account wizard may open; compose
 * toolbars get "Envoyer avec Regify" and opened messages are decrypted (./messages/).
 * The bundle is an IIFE whose only global is `lu_esante_regify_HandlerObject` (this module's default export).
 */
import { panelZimletHandler, type PanelZimlet } from '../../common/panel-zimlet.ts';
import { ensureAccount, onWebmailStart } from './account/index.ts';
import { onComposeToolbar, onMessageView, type MessageHooksDeps } from './messages/index.ts';
import { onPlainSend, PLAIN_SEND_QUESTION_PROP, type DefaultSendDeps } from './messages/default-send.ts';
import { onResetToolbar } from './messages/quoted-compose.ts';
import type { ZmComposeControllerLike } from './messages/zimbra-objects.ts';
import { createPanel } from './panel.ts';

interface RegifyZimlet extends PanelZimlet {
  esanteMessages: MessageHooksDeps;
  esanteDefaultSend: DefaultSendDeps;
  getUserProperty(name: string): string | undefined;
  setUserProperty(name: string, value: string, save?: boolean): void;
  initializeToolbar(app: unknown, toolbar: unknown, controller: unknown, viewId: string): void;
  onMsgView(msg: unknown, oldMsg: unknown, msgView: unknown): void;
  resetToolbarOperations(toolbar: unknown): void;
}

// The descriptor's <menuItem id>s (lu_esante_regify.xml).
const lu_esante_regify_HandlerObject = panelZimletHandler<RegifyZimlet>(createPanel, ['informations', 'options', 'about']);

const panelInit = lu_esante_regify_HandlerObject.prototype.init;
lu_esante_regify_HandlerObject.prototype.init = function (this: RegifyZimlet): void {
  panelInit.call(this);
  const host = this.esanteHost;
  this.esanteMessages = { host, ensureAccount: () => ensureAccount(host) };
  this.esanteDefaultSend = {
    host,
    addressTypes: { to: AjxEmailAddress.TO, cc: AjxEmailAddress.CC, bcc: AjxEmailAddress.BCC },
    // The user's choice is a zimlet user property (ZmZimletBase.getUserProperty/setUserProperty, saved at once).
    questionOn: () => this.getUserProperty(PLAIN_SEND_QUESTION_PROP) !== 'off',
    turnQuestionOff: () => this.setUserProperty(PLAIN_SEND_QUESTION_PROP, 'off', true),
  };
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

// The plain "Envoyer" (ZmComposeController._sendListener): asks "Envoyer sans chiffrement ?" first when a
// recipient is in the eSanté directory (./messages/default-send.ts); never throws into Zimbra.
lu_esante_regify_HandlerObject.prototype.onSendButtonClicked = function (this: RegifyZimlet, controller: unknown): boolean {
  if (!this.esanteDefaultSend || !controller || typeof (controller as ZmComposeControllerLike)._composeView?.getMsg !== 'function') return false;
  return onPlainSend(this.esanteDefaultSend, controller as ZmComposeControllerLike);
};

// ZmComposeController.resetToolbarOperations re-enables every operation: a compose quoting a decrypted
// message keeps its draft operations off (./messages/quoted-compose.ts).
lu_esante_regify_HandlerObject.prototype.resetToolbarOperations = function (this: RegifyZimlet, toolbar: unknown): void {
  onResetToolbar(toolbar);
};

export default lu_esante_regify_HandlerObject;
