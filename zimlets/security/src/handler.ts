/**
 * lu_esante_security: the THIN glue between Zimbra and the zimlet (zm-web-client ZmZimletBase.js). Zimbra
 * instantiates the global named by the descriptor's <handlerObject>, sets its context and calls init();
 * panel clicks and panel menu items arrive here (ZmZimletContext._handleMenuItemSelected passes the
 * item id first). Everything else lives in lit components behind the ZimletHost port and in signing.ts.
 *
 * Signing hooks (zm-web-client ZmZimletBase.js documents each):
 * - initializeToolbar(app, toolbar, controller, viewId): on compose views ("COMPOSE-n") adds "Signer",
 *   whose menu holds "Signer numériquement ce message". The choice is recorded on the compose
 *   controller with setSignRequested (shared/host/compose-flags.ts) so the regify zimlet signs before
 *   encrypting when the user sends with Regify.
 * - onSendButtonClicked(controller, msg): when signing was asked, returns true (Zimbra's own send is
 *   suppressed, ZmComposeController._sendListener) and sends the signed message itself (signing.ts).
 * - onMsgView(msg, oldMsg, msgView): a multipart/signed message is verified (VerifySignature) and the
 *   <esante-signature-banner> is put at the top of the message view.
 * The bundle is an IIFE whose only global is `lu_esante_security_HandlerObject` (this module's default export).
 */
import { errorText, isErrorCode } from '../../../shared/errors.ts';
import { isSignRequested, setSignRequested } from '../../../shared/host/compose-flags.ts';
import { leaveComposeAfterSend } from '../../../shared/host/leave-compose.ts';
import { CSRF_HEADER } from '../../../shared/paths.ts';
import { callService } from '../../../shared/soap/client.ts';
import '../../../shared/ui/signature-banner/signature-banner.ts';
import { panelZimletHandler, type PanelZimlet } from '../../common/panel-zimlet.ts';
import type { ZimbraZimletHost } from '../../common/zimbra-host.ts';
import './components/sign-menu.ts';
import { createPanel } from './panel.ts';
import { bytesToBase64, isMultipartSigned, parseUploadId, shouldCheckSignature, signAndSend } from './signing.ts';

/** Toolbar operation id of "Signer": the button is `zb__COMPOSE__LU_ESANTE_SIGN` (ZmButtonToolBar ids). */
const SIGN_OP = 'LU_ESANTE_SIGN';
/** Zimbra's raw message servlet (zm-mailbox ContentServlet.java; ZmSetting.CSFE_MSG_FETCHER_URI). */
const rawUrl = (id: string) => `/service/content/get?id=${encodeURIComponent(id)}`;

interface SecurityZimlet extends PanelZimlet {
  esanteViewSeq: number;
  esanteWarning: ZmDialog | undefined;
  /** The warning dialog's content element (its text changes with the reason). */
  esanteWarningText: HTMLElement | undefined;
  esanteSetSign(controller: ZmComposeControllerLike, button: DwtButtonLike, on: boolean): Promise<void>;
  esanteShowWarning(text: string): void;
  esanteFail(err: unknown): void;
}

/** Text of a service Fault or a Zimbra error, for the user. */
function describe(err: unknown, host: ZimbraZimletHost): string {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = String(err.code);
    const message = 'message' in err && typeof err.message === 'string' ? err.message : '';
    if (isErrorCode(code)) return message || errorText(code, host.lang);
    if (message) return message;
  }
  return errorText('service.unavailable', host.lang);
}

async function fetchRaw(url: string): Promise<Uint8Array> {
  const res = await fetch(url, { credentials: 'same-origin' });
  if (!res.ok) throw new Error(`content/get ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

// The descriptor's <menuItem id>s (lu_esante_security.xml).
const lu_esante_security_HandlerObject = panelZimletHandler<SecurityZimlet>(createPanel, ['about']);

const panelInit = lu_esante_security_HandlerObject.prototype.init;
lu_esante_security_HandlerObject.prototype.init = function (this: SecurityZimlet): void {
  panelInit.call(this);
  this.esanteViewSeq = 0;
};

// ——— Compose: "Signer" ———

lu_esante_security_HandlerObject.prototype.initializeToolbar = function (
  this: SecurityZimlet,
  _app: unknown,
  toolbar: ZmButtonToolBarLike,
  controller: ZmComposeControllerLike,
  viewId: string,
): void {
  // Zimbra calls this for every view's toolbar; only compose views ("COMPOSE-1"…, ZmId.VIEW_COMPOSE) get the button.
  if (!String(viewId ?? '').startsWith('COMPOSE') || !toolbar || toolbar.getButton(SIGN_OP)) return;
  if (this.esanteHost.config('signatureEnabled') === 'false') return;
  const host = this.esanteHost;
  const button = toolbar.createOp(SIGN_OP, { text: host.msg('compose_sign'), tooltip: host.msg('compose_sign_tooltip') });
  const el = button.getHtmlElement();
  el.setAttribute('aria-haspopup', 'menu');
  el.setAttribute('aria-pressed', 'false');
  button.addSelectionListener(
    new AjxListener(this, () => {
      const menu = document.createElement('esante-sign-menu');
      menu.host = host;
      menu.checked = isSignRequested(controller);
      menu.addEventListener('esante-sign-toggle', (e) => void this.esanteSetSign(controller, button, (e as CustomEvent<boolean>).detail));
      menu.addEventListener('esante-sign-menu-close', () => el.focus());
      document.body.appendChild(menu);
      void menu.openAt(el);
    }),
  );
};

lu_esante_security_HandlerObject.prototype.esanteSetSign = async function (this: SecurityZimlet, controller, button, on): Promise<void> {
  const host = this.esanteHost;
  const show = (state: boolean) => {
    setSignRequested(controller, state);
    button.setText(state ? host.msg('compose_sign_on') : host.msg('compose_sign'));
    button.setToolTipContent(state ? host.msg('compose_sign_on_tooltip') : host.msg('compose_sign_tooltip'));
    const el = button.getHtmlElement();
    el.setAttribute('aria-pressed', String(state));
    el.dataset['esanteSign'] = state ? 'on' : 'off';
  };
  if (!on) return show(false);
  try {
    // Asked each time: the session's method can change (a new login) and only the service knows it.
    const status = await callService('GetSigningStatus', {}, { csrfToken: host.csrfToken(), lang: host.lang });
    if (!status.canSign) {
      show(false);
      // In a fallback session this is the guide's text (sign.card_required).
      this.esanteShowWarning(status.reason && isErrorCode(status.reason) ? errorText(status.reason, host.lang) : errorText('sign.unavailable', host.lang));
      return;
    }
    show(true);
  } catch (e) {
    show(false);
    this.esanteFail(e);
  }
};

/** The guide's warning dialog (ZmDialog with OK), built once. */
lu_esante_security_HandlerObject.prototype.esanteShowWarning = function (this: SecurityZimlet, text: string): void {
  const host = this.esanteHost;
  if (!this.esanteWarning) {
    const view = new DwtComposite(this.getShell());
    const dialog = new ZmDialog({ parent: this.getShell(), title: host.msg('warning_title'), view, standardButtons: [DwtDialog.OK_BUTTON], id: 'lu_esante_security-warning' });
    dialog.setButtonListener(DwtDialog.OK_BUTTON, new AjxListener(null, () => dialog.popdown()));
    this.esanteWarning = dialog;
    this.esanteWarningText = view.getHtmlElement();
  }
  const holder = this.esanteWarningText!;
  const p = document.createElement('p');
  p.setAttribute('data-field', 'warning-text');
  p.setAttribute('role', 'alert');
  p.textContent = text;
  holder.replaceChildren(p);
  this.esanteWarning.popup();
};

lu_esante_security_HandlerObject.prototype.esanteFail = function (this: SecurityZimlet, err: unknown): void {
  this.esanteHost.notify(describe(err, this.esanteHost), 'error');
};

lu_esante_security_HandlerObject.prototype.onSendButtonClicked = function (this: SecurityZimlet, controller: ZmComposeControllerLike): boolean {
  if (!isSignRequested(controller)) return false;
  const host = this.esanteHost;
  const sending = controller as unknown as { __esanteSigning?: boolean };
  if (sending.__esanteSigning) return true; // a second click while signing: ignore, still suppress
  sending.__esanteSigning = true;
  const opts = () => ({ csrfToken: host.csrfToken(), lang: host.lang });
  host.notify(host.msg('compose_signing'));
  void signAndSend({
    saveDraft: () =>
      new Promise<string>((resolve, reject) => {
        let settled = false;
        const draftId = (answer?: unknown): string | undefined =>
          (typeof answer === 'string' && answer) || controller._draftMsg?.id || controller.getDraftId?.() || controller._composeView?.draftId || undefined;
        const done = (answer?: unknown) => {
          if (settled) return;
          settled = true;
          const id = draftId(answer);
          if (id) resolve(String(id));
          else reject(new Error('draft not saved'));
        };
        // Zimbra runs the callback once saved; the sandbox also answers a Promise of the id.
        const ret = controller.saveDraft(undefined, undefined, undefined, new AjxCallback(null, () => done()));
        if (ret && typeof (ret as Promise<unknown>).then === 'function') (ret as Promise<unknown>).then(done, reject);
      }),
    rawMessage: (id) => fetchRaw(rawUrl(id)),
    sign: async (mime) => (await callService('SignMessage', { mime }, opts())).mime,
    upload: async (mime) => {
      // zm-mailbox store/docs/file-upload.txt: raw body + Content-Disposition, CSRF header for web tokens.
      const res = await fetch('/service/upload?fmt=raw,extended', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { [CSRF_HEADER]: host.csrfToken(), 'Content-Type': 'message/rfc822', 'Content-Disposition': 'attachment; filename="message.eml"' },
        body: mime as BufferSource,
      });
      return parseUploadId(await res.text());
    },
    sendUploaded: async (aid) => {
      // SendMsgRequest {m:{aid}}: Zimbra sends the uploaded MIME byte for byte (zm-mailbox SendMsg.java).
      await host.zimbra('SendMsgRequest', { m: { aid } });
    },
    deleteDraft: async (id) => {
      await host.zimbra('MsgActionRequest', { action: { op: 'delete', id } });
    },
    close: () => leaveComposeAfterSend(controller),
  })
    .then(() => host.notify(host.msg('compose_signed_sent')))
    .catch((e: unknown) => this.esanteFail(e))
    .finally(() => {
      sending.__esanteSigning = false;
    });
  return true;
};

// ——— Reading: the signature banner ———

lu_esante_security_HandlerObject.prototype.onMsgView = function (this: SecurityZimlet, msg: ZmMailMsgLike, _oldMsg: unknown, msgView: ZmMailMsgViewLike): void {
  const seq = ++this.esanteViewSeq;
  const el = msgView?.getHtmlElement?.();
  if (!msg?.id || !el) return;
  // A banner of a previous message (the view element is reused) must not stay.
  el.querySelectorAll('esante-signature-banner[data-owner="lu_esante_security"]').forEach((b) => b.remove());
  if (!shouldCheckSignature(msg)) return;
  const host = this.esanteHost;
  void (async () => {
    const raw = await fetchRaw(msg.getRawUrl?.() ?? rawUrl(msg.id));
    if (!isMultipartSigned(raw) || seq !== this.esanteViewSeq) return;
    const { report } = await callService('VerifySignature', { mime: bytesToBase64(raw) }, { csrfToken: host.csrfToken(), lang: host.lang });
    // The user may have opened another message meanwhile.
    if (seq !== this.esanteViewSeq) return;
    const banner = document.createElement('esante-signature-banner');
    banner.dataset['owner'] = 'lu_esante_security';
    banner.host = host;
    banner.report = report;
    el.prepend(banner);
  })().catch((e: unknown) => {
    if (seq === this.esanteViewSeq) host.notify(`${host.msg('read_verify_failed')} ${describe(e, host)}`, 'error');
  });
};

export default lu_esante_security_HandlerObject;
