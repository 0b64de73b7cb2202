/**
 * The encrypted-message side of the regify zimlet (guide p.9, 11–13): the compose button
 * "Envoyer avec Regify" and the opening of received containers with their banners.
 * The handler calls these two hooks; the Zimbra objects they receive are checked by duck typing
 * (./zimbra-objects.ts) so an unexpected shape makes the feature step aside, never break Zimbra.
 */
import { CONTAINER_EXTENSION, CONTAINER_MEDIA_TYPE } from '../../../../shared/container/container.ts';
import { publishDecryptedMessage } from '../../../../shared/host/decrypted-documents.ts';
import type { MailHost } from '../../../../shared/host/mail-port.ts';
import { callService } from '../../../../shared/soap/client.ts';
import { bytesToBase64 } from '../../../common/base64.ts';
import { failureText, sendWithRegify } from './compose.ts';
import { defaultSendOf, markDefaultSend, newCompose, registerEncryptedSend, sendButtonParams } from './default-send.ts';
import { DownloadError, openSecureMessage } from './open-secure.ts';
import './secure-message.component.ts';
import { isComposeController, isMailMsg, isMsgView, isToolbar, type AttachmentPartLike, type ZmMailMsgLike } from './zimbra-objects.ts';

export interface MessageHooksDeps {
  host: MailHost;
  /** From the account side: resolves true once the user has an encryption account. */
  ensureAccount(): Promise<boolean>;
}

/** Id of our compose operation; the button's DOM id is `zb__COMPOSE__<id>` (ZmButtonToolBar.createOp). */
export const SEND_OP_ID = 'ESANTE_REGIFY_SEND';
/** CSS class of the padlock icon (`Img<image>` as AjxImg does), defined in lu_esante_regify.css. */
const PADLOCK_IMAGE = 'lu_esante_regify-padlock';

/** zm-web-client ZmZimletBase.initializeToolbar, for compose views only (viewId contains "COMPOSE"). */
export function onComposeToolbar(deps: MessageHooksDeps, _app: unknown, toolbar: unknown, controller: unknown, _viewId: string): void {
  if (!isToolbar(toolbar) || !isComposeController(controller)) return;
  newCompose(controller); // a new message: "Envoyer sans chiffrement ?" may be asked again (default-send.ts)
  // initializeToolbar runs again each time the compose view is reused: add the button once
  // (Zimbra-Community/pgp-zimlet pgp.js guards with getButton the same way).
  if (toolbar.getButton(SEND_OP_ID)) return;
  const host = deps.host;
  // Beside "Envoyer" (guide p.9), first and highlighted when the site's default send is encrypted; the
  // padlock shown (ZmButtonToolBar.createOp drops it without showImageInToolbar): default-send.ts.
  const mode = defaultSendOf(host.config('defaultSend'));
  const button = toolbar.createOp(SEND_OP_ID, sendButtonParams(mode, host.msg('compose_send_button'), host.msg('compose_send_tooltip'), PADLOCK_IMAGE));
  markDefaultSend(mode, toolbar, button);
  let busy = false;
  const run = () => {
    if (busy) return;
    busy = true;
    void sendWithRegify(
      {
        host,
        addressTypes: { to: AjxEmailAddress.TO, cc: AjxEmailAddress.CC, bcc: AjxEmailAddress.BCC },
        ensureAccount: () => deps.ensureAccount(),
        origin: window.location.origin,
      },
      controller,
    ).finally(() => {
      busy = false;
    });
  };
  // The reused toolbar keeps this button and listener: `controller` is the same object on every compose.
  registerEncryptedSend(controller, run);
  button.addSelectionListener(new AjxListener(null, run));
}

/** The container attachment of a message, by media type or file extension. */
export function findContainerPart(msg: ZmMailMsgLike): AttachmentPartLike | undefined {
  return (msg.attachments ?? []).find((a) => {
    const ct = (a.contentType ?? a.ct ?? '').toLowerCase();
    const name = (a.fileName ?? a.filename ?? '').toLowerCase();
    return !!a.part && (ct === CONTAINER_MEDIA_TYPE || name.endsWith(CONTAINER_EXTENSION));
  });
}

/** zm-web-client ZmZimletBase.onMsgView: a message was opened in the reading pane. */
export function onMessageView(deps: MessageHooksDeps, msg: unknown, _oldMsg: unknown, msgView: unknown): void {
  if (!isMailMsg(msg) || !isMsgView(msgView)) return;
  const part = findContainerPart(msg);
  if (!part?.part) return;
  const host = deps.host;
  const viewEl = msgView.getHtmlElement();
  viewEl.querySelector('esante-regify-secure-message')?.remove();
  const bodyEl = msgView._msgBodyDivId ? document.getElementById(msgView._msgBodyDivId) : null;

  const el = document.createElement('esante-regify-secure-message');
  el.host = host;
  el.viewer = host.username();
  const opts = () => ({ csrfToken: host.csrfToken(), lang: host.lang });
  el.open = async (signal) => {
    const opened = await openSecureMessage({
      // The container part of the message, through the mail port (Zimbra's UserServlet).
      download: () => host.attachmentBytes(String(msg.id), part.part!, signal),
      releaseKey: (messageId) => callService('ReleaseMessageKey', { messageId }, { ...opts(), signal }),
      confirmSent: async (messageId, containerDigest, size) => {
        await callService('ConfirmSecureMessageSent', { messageId, containerDigest, size }, { ...opts(), signal });
      },
    });
    // The decrypted attachments exist only in this page: hand them to the medical zimlet ("Ajouter au
    // DSP") through the in-memory contract of shared/host/decrypted-documents.ts.
    const d = opened.display;
    publishDecryptedMessage({
      messageId: String(msg.id),
      subject: d.subject,
      date: d.date,
      text: d.text ?? '',
      attachments: d.attachments.filter((a) => !a.inline).map((a) => ({ fileName: a.filename, mimeType: a.contentType, bytes: a.data })),
    });
    return opened;
  };
  el.describeError = (err) => (err instanceof DownloadError ? host.msg('read_error_download') : failureText(host, err));
  el.verify = async (mime) => (await callService('VerifySignature', { mime: bytesToBase64(mime) }, opts())).report;
  el.loadStatus = (messageId) => callService('GetSecureMessageStatus', { messageId }, opts());
  // The cover text (fr/en/de instructions for people without the secure messaging) is replaced by
  // the message itself once it is decrypted; it stays visible when opening fails.
  el.onShown = () => {
    if (bodyEl) bodyEl.hidden = true;
  };
  if (bodyEl && bodyEl.parentNode) bodyEl.parentNode.insertBefore(el, bodyEl);
  else viewEl.appendChild(el);
}
