/**
 * The encrypted-message side of the regify zimlet (guide p.9, 11–13): the compose button
 * "Envoyer avec Regify" and the opening of received containers with their banners.
 * The handler calls these two hooks; the Zimbra objects they receive are checked by duck typing
 * (./zimbra-objects.ts) so an unexpected shape makes the feature step aside, never break Zimbra.
 */
import { CONTAINER_EXTENSION, CONTAINER_MEDIA_TYPE } from '../../../../shared/container/container.ts';
import type { ZimletHost } from '../../../../shared/host/zimlet-host.ts';
import { callService } from '../../../../shared/soap/client.ts';
import { bytesToBase64 } from './bytes.ts';
import { failureText, sendWithRegify } from './compose.ts';
import { DownloadError, openSecureMessage } from './open-secure.ts';
import './secure-message.component.ts';
import { isComposeController, isMailMsg, isMsgView, isToolbar, type AttachmentPartLike, type ZmMailMsgLike } from './zimbra-objects.ts';

export interface MessageHooksDeps {
  host: ZimletHost;
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
  // initializeToolbar runs again each time the compose view is reused: add the button once
  // (Zimbra-Community/pgp-zimlet pgp.js guards with getButton the same way).
  if (toolbar.getButton(SEND_OP_ID)) return;
  const host = deps.host;
  // Right after "Envoyer" (index 1), as guide p.9 shows the two send buttons side by side.
  const button = toolbar.createOp(SEND_OP_ID, {
    text: host.msg('compose_send_button'),
    tooltip: host.msg('compose_send_tooltip'),
    image: PADLOCK_IMAGE,
    index: 1,
  });
  let busy = false;
  button.addSelectionListener(
    new AjxListener(null, () => {
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
    }),
  );
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
  el.open = (signal) =>
    openSecureMessage({
      // zm-mailbox UserServlet.java: /service/home/~/?id=ID&part=N answers one part of the message.
      download: async () => {
        const res = await fetch(`/service/home/~/?id=${encodeURIComponent(String(msg.id))}&part=${encodeURIComponent(part.part!)}`, {
          credentials: 'same-origin',
          cache: 'no-store',
          signal,
        });
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        return new Uint8Array(await res.arrayBuffer());
      },
      releaseKey: (messageId) => callService('ReleaseMessageKey', { messageId }, { ...opts(), signal }),
      confirmSent: async (messageId, containerDigest, size) => {
        await callService('ConfirmSecureMessageSent', { messageId, containerDigest, size }, { ...opts(), signal });
      },
    });
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
