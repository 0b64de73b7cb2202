/**
 * The encrypted-message side of the regify zimlet (guide p.9, 11–13): the compose button
 * "Envoyer avec Regify" and the opening of received containers with their banners.
 * The handler calls these two hooks; the Zimbra objects they receive are checked by duck typing
 * (./zimbra-objects.ts) so an unexpected shape makes the feature step aside, never break Zimbra.
 *
 * Light start (issue 17): only these hooks are in the start-time script. The sending (./compose.ts,
 * the sealing) is ./compose.chunk.ts, loaded as soon as a compose view opens so it is there by the
 * click; the opening (./reader.ts: container, MIME, DOMPurify, the secure-message view) is
 * ./reader.chunk.ts, loaded when an encrypted message is first shown, with "Déchiffrement du
 * message…" in its place meanwhile (the text the view itself shows while it opens the message).
 */
import { CONTAINER_EXTENSION, CONTAINER_MEDIA_TYPE } from '../../../../shared/container/format.ts';
import type { MailHost } from '../../../../shared/host/mail-port.ts';
import { loadChunk, loadedChunk } from '../../../common/chunk-loader.ts';
import { PART_TEXTS } from '../../../common/lazy-panel.ts';
import { defaultSendOf, markDefaultSend, newCompose, registerEncryptedSend, sendButtonParams } from './default-send.ts';
import { beginQuotedCompose, type QuotableController } from './quoted-compose.ts';
import { isComposeController, isMailMsg, isMsgView, isToolbar, type AttachmentPartLike, type ZmMailMsgLike } from './zimbra-objects.ts';

type ComposeChunk = typeof import('./compose.chunk.ts');
type ReaderChunk = typeof import('./reader.chunk.ts');
/** The files build/build.mjs makes of ./compose.chunk.ts and ./reader.chunk.ts. */
export const COMPOSE_CHUNK_FILE = 'lu_esante_regify_compose.js';
export const READER_CHUNK_FILE = 'lu_esante_regify_reader.js';
const ZIMLET = 'lu_esante_regify';
/** Marks the status line shown in a message view while the reader part loads. */
const READER_WAIT_ATTR = 'data-esante-regify-reader-wait';

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
  // A reply or forward of a message decrypted here quotes its decrypted text, with drafts suspended.
  beginQuotedCompose(deps.host, controller as unknown as QuotableController, findContainerPart);
  // initializeToolbar runs again each time the compose view is reused: add the button once
  // (Zimbra-Community/pgp-zimlet pgp.js guards with getButton the same way).
  if (toolbar.getButton(SEND_OP_ID)) return;
  const host = deps.host;
  // Beside "Envoyer" (guide p.9), first and highlighted when the site's default send is encrypted; the
  // padlock shown (ZmButtonToolBar.createOp drops it without showImageInToolbar): default-send.ts.
  const mode = defaultSendOf(host.config('defaultSend'));
  const button = toolbar.createOp(SEND_OP_ID, sendButtonParams(mode, host.msg('compose_send_button'), host.msg('compose_send_tooltip'), PADLOCK_IMAGE));
  markDefaultSend(mode, toolbar, button);
  // The sending part loads now, while the user writes (a failure here is retried by the click).
  loadChunk<ComposeChunk>(ZIMLET, COMPOSE_CHUNK_FILE).catch(() => undefined);
  let busy = false;
  const send = (chunk: ComposeChunk) =>
    chunk.sendWithRegify(
      {
        host,
        addressTypes: { to: AjxEmailAddress.TO, cc: AjxEmailAddress.CC, bcc: AjxEmailAddress.BCC },
        ensureAccount: () => deps.ensureAccount(),
        origin: window.location.origin,
      },
      controller,
    );
  const run = () => {
    if (busy) return;
    busy = true;
    const ready = loadedChunk<ComposeChunk>(COMPOSE_CHUNK_FILE);
    if (!ready) host.notify(PART_TEXTS.loading[host.lang]);
    // Nothing was done when the part cannot load: the message stays in the compose view, a next click tries again.
    const sending = ready ? send(ready) : loadChunk<ComposeChunk>(ZIMLET, COMPOSE_CHUNK_FILE).then(send, () => host.notify(PART_TEXTS.failed[host.lang], 'error'));
    void sending.finally(() => {
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
  viewEl.querySelector(`[${READER_WAIT_ATTR}]`)?.remove();
  const bodyEl = msgView._msgBodyDivId ? document.getElementById(msgView._msgBodyDivId) : null;
  const place = (el: HTMLElement) => {
    if (bodyEl && bodyEl.parentNode) bodyEl.parentNode.insertBefore(el, bodyEl);
    else viewEl.appendChild(el);
  };
  const ready = loadedChunk<ReaderChunk>(READER_CHUNK_FILE);
  if (ready) return place(ready.secureMessageElement(host, msg, part, bodyEl));
  // The reader part is not there yet: its place says what is under way until it is.
  const wait = document.createElement('p');
  wait.setAttribute(READER_WAIT_ATTR, '');
  wait.setAttribute('role', 'status');
  wait.textContent = host.msg('read_loading');
  place(wait);
  loadChunk<ReaderChunk>(ZIMLET, READER_CHUNK_FILE).then(
    (chunk) => {
      // Another message may have taken this view meanwhile (its own onMessageView removed `wait`).
      if (wait.isConnected) wait.replaceWith(chunk.secureMessageElement(host, msg, part, bodyEl));
    },
    () => {
      // The cover text stays; opening the message again tries again.
      wait.setAttribute('role', 'alert');
      wait.textContent = PART_TEXTS.failed[host.lang];
    },
  );
}
