/**
 * lu_esante_security: the THIN glue between Zimbra and the zimlet (zm-web-client ZmZimletBase.js). Zimbra
 * instantiates the global named by the descriptor's <handlerObject>, sets its context and calls init();
 * panel clicks and panel menu items arrive here (ZmZimletContext._handleMenuItemSelected passes the
 * item id first). The logic lives in compose.ts (Signer, send later, signed send), signing.ts, the lit
 * components and the mail port (zimlets/common/zimbra-host.ts); no Zimbra URL is fetched here.
 *
 * Hooks (zm-web-client ZmZimletBase.js documents each):
 * - initializeToolbar(app, toolbar, controller, viewId): on compose views ("COMPOSE-n") a new compose
 *   session and the "Signer" button (compose.ts).
 * - onSendButtonClicked(controller, msg): when signing was asked, returns true (Zimbra's own send is
 *   suppressed, ZmComposeController._sendListener) and sends the signed message itself.
 * - onSendMsgFailure(controller, ex, msg): a draft save the signing waits for failed.
 * - onMsgView(msg, oldMsg, msgView): a multipart/signed message is verified (VerifySignature) and the
 *   <esante-signature-banner> is put above the body of THAT message view. In the conversation view (Zimbra's
 *   default) it fires once per expanded message (ZmConvView2.js ~239-252 → ZmMailMsgView.js ~516), so
 *   each view element keeps its own latest request; a reused view drops the answer for its previous message.
 * The bundle is an IIFE whose only global is `lu_esante_security_HandlerObject` (this module's default export).
 */
import { callService } from '../../../shared/soap/client.ts';
import '../../../shared/ui/signature-banner/signature-banner.ts';
import { panelZimletHandler, type PanelZimlet } from '../../common/panel-zimlet.ts';
import type { ZimbraZimletHost } from '../../common/zimbra-host.ts';
import { failPendingDraft, initComposeToolbar, sendSigned } from './compose.ts';
import { describeError } from './describe.ts';
import { createPanel } from './panel.ts';
import { bytesToBase64 } from '../../common/base64.ts';
import { isMultipartSigned, shouldCheckSignature } from './signing.ts';

interface SecurityZimlet extends PanelZimlet {
  esanteHost: ZimbraZimletHost;
  esanteWarning: ZmDialog | undefined;
  /** The warning dialog's content element (its text changes with the reason). */
  esanteWarningText: HTMLElement | undefined;
  esanteShowWarning(text: string): void;
  esanteFail(err: unknown): void;
}

/** The latest verification asked per message view element (a reused view cancels its older ones). */
const viewSeq = new WeakMap<HTMLElement, number>();
let seqCounter = 0;

// The descriptor's <menuItem id>s (lu_esante_security.xml).
const lu_esante_security_HandlerObject = panelZimletHandler<SecurityZimlet>(createPanel, ['about']);
const proto = lu_esante_security_HandlerObject.prototype;

proto.initializeToolbar = function (this: SecurityZimlet, _app: unknown, toolbar: ZmButtonToolBarLike, controller: ZmComposeControllerLike, viewId: string): void {
  // Zimbra calls this for every view's toolbar; only compose views ("COMPOSE-1"…, ZmId.VIEW_COMPOSE) get the button.
  if (!String(viewId ?? '').startsWith('COMPOSE') || !toolbar) return;
  if (this.esanteHost.config('signatureEnabled') === 'false') return;
  initComposeToolbar(this, toolbar, controller);
};

proto.onSendButtonClicked = function (this: SecurityZimlet, controller: ZmComposeControllerLike): boolean {
  return sendSigned(this, controller);
};

proto.onSendMsgFailure = function (this: SecurityZimlet, controller: ZmComposeControllerLike, ex: unknown): void {
  failPendingDraft(controller, ex);
};

/** The guide's warning dialog (ZmDialog with OK), built once. */
proto.esanteShowWarning = function (this: SecurityZimlet, text: string): void {
  const host = this.esanteHost;
  if (!this.esanteWarning) {
    const view = new DwtComposite(this.getShell());
    const dialog = new ZmDialog({ parent: this.getShell(), title: host.msg('warning_title'), view, standardButtons: [DwtDialog.OK_BUTTON], id: 'lu_esante_security-warning' });
    dialog.setButtonListener(DwtDialog.OK_BUTTON, new AjxListener(null, () => dialog.popdown()));
    this.esanteWarning = dialog;
    this.esanteWarningText = view.getHtmlElement();
  }
  const p = document.createElement('p');
  p.setAttribute('data-field', 'warning-text');
  p.setAttribute('role', 'alert');
  p.textContent = text;
  this.esanteWarningText!.replaceChildren(p);
  this.esanteWarning.popup();
};

proto.esanteFail = function (this: SecurityZimlet, err: unknown): void {
  this.esanteHost.notify(describeError(err, this.esanteHost), 'error');
};

proto.onMsgView = function (this: SecurityZimlet, msg: ZmMailMsgLike, _oldMsg: unknown, msgView: ZmMailMsgViewLike): void {
  const el = msgView?.getHtmlElement?.();
  if (!msg?.id || !el) return;
  const seq = ++seqCounter;
  viewSeq.set(el, seq);
  const current = () => viewSeq.get(el) === seq;
  // A banner of the message this view showed before (the view element is reused) must not stay.
  el.querySelectorAll('esante-signature-banner[data-owner="lu_esante_security"]').forEach((b) => b.remove());
  if (!shouldCheckSignature(msg)) return;
  const host = this.esanteHost;
  void (async () => {
    const raw = await host.rawMessage(msg.id);
    if (!isMultipartSigned(raw) || !current()) return;
    const { report } = await callService('VerifySignature', { mime: bytesToBase64(raw) }, { csrfToken: host.csrfToken(), lang: host.lang });
    if (!current()) return; // the view shows another message meanwhile
    const banner = document.createElement('esante-signature-banner');
    banner.dataset['owner'] = 'lu_esante_security';
    banner.host = host;
    banner.report = report;
    // Right above the body, under Zimbra's header: where the regify zimlet puts the banners of an
    // encrypted (and signed) message, so a signature reads in the same place either way.
    const body = msgView._msgBodyDivId ? document.getElementById(msgView._msgBodyDivId) : null;
    if (body?.parentNode && el.contains(body)) body.parentNode.insertBefore(banner, body);
    else el.prepend(banner);
  })().catch((e: unknown) => {
    if (current()) host.notify(`${host.msg('read_verify_failed')} ${describeError(e, host)}`, 'error');
  });
};

export default lu_esante_security_HandlerObject;
