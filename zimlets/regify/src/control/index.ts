/**
 * The sender's control of a sent encrypted message (issue 12), from the Sent copy: once the copy is
 * decrypted and the viewer is the key service's registered sender, `<esante-regify-sender-control>`
 * is placed right under the message. Called by the secure-message wiring of ../messages/ once a
 * container is open, so it ships in the reader part (loaded when an encrypted message is first shown),
 * never in the start-time script.
 */
import type { ZimletHost } from '../../../../shared/host/zimlet-host.ts';
import { controlApi, type ControlApi } from './api.ts';
import './sender-control.ts';

const TAG = 'esante-regify-sender-control';

/** What of an opened message this needs (../messages/open-secure.ts OpenedMessage). */
export interface SentMessageLike {
  header: { messageId: string };
  sender: { mail: string };
}

/** True when the logged-in user is the message's sender as the key service recorded it. */
export function isOwnMessage(host: ZimletHost, opened: SentMessageLike): boolean {
  const viewer = host.username().trim().toLowerCase();
  return viewer !== '' && viewer === opened.sender.mail.trim().toLowerCase();
}

/**
 * After `anchor` (the decrypted message's element) when the viewer sent the message; a control left
 * by a message shown before in the same (reused) view goes. Recipients get nothing.
 */
export function offerSenderControl(host: ZimletHost, opened: SentMessageLike, anchor: Element, api: ControlApi = controlApi(host)): void {
  const parent = anchor.parentNode;
  if (parent) for (const old of Array.from(parent.querySelectorAll(TAG))) old.remove();
  if (!isOwnMessage(host, opened) || !anchor.isConnected) return;
  const el = document.createElement(TAG);
  el.host = host;
  el.api = api;
  el.messageId = opened.header.messageId;
  anchor.after(el);
}
