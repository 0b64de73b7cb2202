/**
 * How the regify zimlet hands the content of a message it decrypted in the browser to the medical
 * zimlet, without either importing the other (each ships alone, ARCHITECTURE.md): a small registry
 * kept on `document` under a `Symbol.for` key (no named global, so Zimbra's one-file concatenation of
 * every zimlet stays clean, zimbra-contracts.md) plus a DOM CustomEvent announcing each publication.
 *
 * Keyed by the Zimbra message id of the cover mail (the message the reader opened). The bytes stay in
 * the page's memory only: never written to storage, dropped when the page goes, and only the last
 * few messages are kept (patient data never rests anywhere unnamed, developers' guide).
 * When the regify zimlet is absent nothing is ever published and the medical zimlet offers the
 * cover mail's own parts; when the medical zimlet is absent nobody reads the registry.
 */

/** One attachment of the decrypted inner message. */
export interface DecryptedAttachment {
  fileName: string;
  mimeType: string;
  bytes: Uint8Array;
}

/** What the reader sees of a decrypted message (shared/messages/mime.ts `DisplayMessage`, reduced). */
export interface DecryptedMessage {
  /** Zimbra id of the cover mail (ZmMailMsg.id), the key of the registry. */
  messageId: string;
  subject: string;
  /** The inner message's Date header as written, '' when absent. */
  date: string;
  /** Plain text of the body ('' when it only had HTML). */
  text: string;
  attachments: DecryptedAttachment[];
}

/** Event dispatched on `document` after each publication; `detail.messageId` says which message. */
export const DECRYPTED_MESSAGE_EVENT = 'esante-decrypted-message';

export type DecryptedMessageEvent = CustomEvent<{ messageId: string }>;

declare global {
  interface DocumentEventMap {
    'esante-decrypted-message': DecryptedMessageEvent;
  }
}

/** How many decrypted messages the page keeps at most (the reader opens one at a time). */
export const DECRYPTED_KEEP = 5;

const KEY = Symbol.for('lu.esante.decrypted-messages');

type Holder = { [KEY]?: Map<string, DecryptedMessage> };

function registry(doc: Document): Map<string, DecryptedMessage> {
  const holder = doc as unknown as Holder;
  let map = holder[KEY];
  if (!map) {
    map = new Map();
    // Not enumerable: nothing that walks the document's own properties (e.g. a debugger dump) lists it.
    Object.defineProperty(holder, KEY, { value: map, enumerable: false, configurable: true });
  }
  return map;
}

/** Called by the regify zimlet once a message is decrypted and shown. */
export function publishDecryptedMessage(message: DecryptedMessage, doc: Document = document): void {
  const map = registry(doc);
  map.delete(message.messageId);
  map.set(message.messageId, message);
  while (map.size > DECRYPTED_KEEP) map.delete(map.keys().next().value as string);
  doc.dispatchEvent(new CustomEvent(DECRYPTED_MESSAGE_EVENT, { detail: { messageId: message.messageId } }));
}

/** The decrypted content of a message, if the regify zimlet opened it in this page. */
export function decryptedMessage(messageId: string, doc: Document = document): DecryptedMessage | undefined {
  return registry(doc).get(String(messageId));
}

/** Drops a message's decrypted content (e.g. when the reader moves on). */
export function forgetDecryptedMessage(messageId: string, doc: Document = document): void {
  registry(doc).delete(String(messageId));
}
