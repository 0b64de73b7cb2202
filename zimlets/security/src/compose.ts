/**
 * The security zimlet's compose glue: the "Signer" button, "Envoyer plus tard" while signing is
 * asked, and "Envoyer" of a message to sign. Zimbra-facing but free of any Zimbra URL: every mail
 * operation goes through the mail port (shared/host/mail-port.ts, zimlets/common/zimbra-host.ts).
 *
 * - The choice "Signer" belongs to ONE compose (shared/host/compose-flags.ts): Zimbra reuses an inactive
 *   compose controller and its toolbar and fires `initializeToolbar` on every compose
 *   (zm-web-client core/ZmApp.js ~717-737, ZmComposeController.js ~1138, ~1254), so each call starts a
 *   new compose session and shows the button off.
 * - "Envoyer plus tard" never reaches `onSendButtonClicked` (ZmComposeController.js ~1795,
 *   ~2064-2086: _sendLaterListener → showDelayDialog → _handleDelayDialog → sendMsg): a message the
 *   user asked to sign would be scheduled unsigned. The controller's `_handleDelayDialog` is wrapped
 *   once: while "Signer" is on, the delay dialog closes and the user is told why; nothing is scheduled.
 * - The draft Zimbra saves before signing reports through `saveDraft`'s callback, or through
 *   `onSendMsgFailure` when the save failed (no callback then): `failPendingDraft` settles it.
 */
import { errorText, isErrorCode } from '../../../shared/errors.ts';
import { beginComposeSession, endComposeSession, isSignRequested, setSignRequested, isPlainSendHeld } from '../../../shared/host/compose-flags.ts';
import { leaveComposeAfterSend } from '../../../shared/host/leave-compose.ts';
import type { MailHost } from '../../../shared/host/mail-port.ts';
import { callService } from '../../../shared/soap/client.ts';
import './components/sign-menu.ts';
import { signAndSend } from './signing.ts';

/** Toolbar operation id of "Signer": the button is `zb__COMPOSE__LU_ESANTE_SIGN` (ZmButtonToolBar ids). */
export const SIGN_OP = 'LU_ESANTE_SIGN';

/** What the glue needs of the zimlet: its host and its two ways of telling the user. */
export interface ComposeGlueZimlet {
  esanteHost: MailHost;
  esanteShowWarning(text: string): void;
  esanteFail(err: unknown): void;
}

interface Guarded extends ZmComposeControllerLike {
  __esanteLaterGuard?: true;
  __esanteSigning?: boolean;
}

/** The draft save in flight per controller (one compose at a time per controller). */
const pendingDrafts = new WeakMap<object, (err: unknown) => void>();

/** Shows the button on or off (text, tooltip, aria-pressed) and records the choice for this compose. */
function showSign(host: MailHost, controller: ZmComposeControllerLike, button: DwtButtonLike, on: boolean): void {
  setSignRequested(controller, on);
  button.setText(on ? host.msg('compose_sign_on') : host.msg('compose_sign'));
  button.setToolTipContent(on ? host.msg('compose_sign_on_tooltip') : host.msg('compose_sign_tooltip'));
  const el = button.getHtmlElement();
  el.setAttribute('aria-pressed', String(on));
  el.dataset['esanteSign'] = on ? 'on' : 'off';
}

/** `initializeToolbar` of a compose view: a new compose session; the "Signer" button built once per toolbar, shown off. */
export function initComposeToolbar(zimlet: ComposeGlueZimlet, toolbar: ZmButtonToolBarLike, controller: ZmComposeControllerLike): void {
  const host = zimlet.esanteHost;
  beginComposeSession(controller);
  guardSendLater(zimlet, controller);
  const existing = toolbar.getButton(SIGN_OP);
  if (existing) return showSign(host, controller, existing, false);
  const button = toolbar.createOp(SIGN_OP, { text: host.msg('compose_sign'), tooltip: host.msg('compose_sign_tooltip') });
  const el = button.getHtmlElement();
  el.setAttribute('aria-haspopup', 'menu');
  showSign(host, controller, button, false);
  button.addSelectionListener(
    new AjxListener(null, () => {
      const menu = document.createElement('esante-sign-menu');
      menu.host = host;
      menu.checked = isSignRequested(controller);
      menu.addEventListener('esante-sign-toggle', (e) => void setSign(zimlet, controller, button, (e as CustomEvent<boolean>).detail));
      menu.addEventListener('esante-sign-menu-close', () => el.focus());
      document.body.appendChild(menu);
      void menu.openAt(el);
    }),
  );
}

/** "Signer numériquement ce message": asked of the service each time (the session's method can change). */
async function setSign(zimlet: ComposeGlueZimlet, controller: ZmComposeControllerLike, button: DwtButtonLike, on: boolean): Promise<void> {
  const host = zimlet.esanteHost;
  if (!on) return showSign(host, controller, button, false);
  try {
    const status = await callService('GetSigningStatus', {}, { csrfToken: host.csrfToken(), lang: host.lang });
    showSign(host, controller, button, status.canSign);
    // In a fallback session this is the guide's text (sign.card_required).
    if (!status.canSign) zimlet.esanteShowWarning(refusalText(status.reason, host));
  } catch (e) {
    showSign(host, controller, button, false);
    zimlet.esanteFail(e);
  }
}

/** The translated text of a service refusal code; an unknown one reads as "signing unavailable". */
function refusalText(code: string | undefined, host: MailHost): string {
  return errorText(code && isErrorCode(code) ? code : 'sign.unavailable', host.lang);
}

/** Wraps the controller's `_handleDelayDialog` once (the controller is reused, so once is for good). */
function guardSendLater(zimlet: ComposeGlueZimlet, controller: ZmComposeControllerLike): void {
  const c = controller as Guarded;
  const original = c._handleDelayDialog;
  if (c.__esanteLaterGuard || typeof original !== 'function') return;
  c.__esanteLaterGuard = true;
  c._handleDelayDialog = function (this: Guarded, ...args: unknown[]) {
    if (!isSignRequested(this)) return (original as (...a: unknown[]) => void).apply(this, args);
    this._delayDialog?.popdown();
    zimlet.esanteShowWarning(zimlet.esanteHost.msg('compose_sign_later_refused'));
  };
}

/** Saves the compose as a draft through Zimbra's controller; answers the draft id. */
function saveComposeDraft(controller: ZmComposeControllerLike): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    pendingDrafts.set(controller, reject);
    controller.saveDraft(
      undefined,
      undefined,
      undefined,
      new AjxCallback(null, () => {
        pendingDrafts.delete(controller);
        const id = controller._draftMsg?.id;
        if (id) resolve(String(id));
        else reject(new Error('draft not saved'));
      }),
    );
  });
}

/** `onSendMsgFailure`: a draft save that failed settles the signing waiting for it. */
export function failPendingDraft(controller: ZmComposeControllerLike, ex: unknown): void {
  const reject = pendingDrafts.get(controller);
  if (!reject) return;
  pendingDrafts.delete(controller);
  reject(ex);
}

/**
 * `onSendButtonClicked`: when "Signer" is on, Zimbra's own send is suppressed (true) and the message
 * goes signed: draft → raw MIME → SignMessage → upload → SendMsg of the uploaded bytes (the draft as
 * `did`) → draft deleted → compose left. Any failure leaves the compose open, nothing sent.
 */
export function sendSigned(zimlet: ComposeGlueZimlet, controller: ZmComposeControllerLike): boolean {
  if (!isSignRequested(controller)) return false;
  // The regify zimlet is asking "Envoyer sans chiffrement ?" (shared/host/compose-flags.ts): Zimbra's send
  // stays suppressed; the answer "plain" runs _sendListener again, and this hook signs then.
  if (isPlainSendHeld(controller)) return true;
  const c = controller as Guarded;
  if (c.__esanteSigning) return true; // a second click while signing: ignore, still suppress
  c.__esanteSigning = true;
  const host = zimlet.esanteHost;
  host.notify(host.msg('compose_signing'));
  let draftId = '';
  void signAndSend({
    saveDraft: async () => (draftId = await saveComposeDraft(controller)),
    rawMessage: (id) => host.rawMessage(id),
    sign: async (mime) => (await callService('SignMessage', { mime }, { csrfToken: host.csrfToken(), lang: host.lang })).mime,
    upload: (mime) => host.upload(mime, 'message.eml', 'message/rfc822'),
    sendUploaded: async (aid) => void (await host.sendMime(aid, draftId)),
    deleteDraft: (id) => host.deleteMessage(id),
    close: () => {
      endComposeSession(controller);
      leaveComposeAfterSend(controller);
    },
  })
    .then(() => host.notify(host.msg('compose_signed_sent')))
    .catch((e: unknown) => zimlet.esanteFail(e))
    .finally(() => {
      c.__esanteSigning = false;
    });
  return true;
}
