/**
 * Opening a received (or sent) container (architecture flow 2): read its header, ask OUR key service
 * for the data key, check the file is the very one the sender uploaded, decrypt in the browser, parse
 * the original MIME. Pure of DOM and Zimbra: everything it needs is injected, so the reading view and
 * tests share it.
 *
 * The key is always asked of the same-origin service, never of the header's `keyService` URL: the
 * header is not authenticated before the key is known, and a forged URL must not make the browser
 * send the user's session anywhere else (docs/container-format.md §2).
 */
import { containerDigest, openContainer, readHeader, dataKeyFromBase64, type ContainerHeader } from '../../../../shared/container/container.ts';
import { ContainerError } from '../../../../shared/container/errors.ts';
import { parseMime, toDisplay, type DisplayMessage } from '../../../../shared/messages/mime.ts';
import type { ResponseOf } from '../../../../shared/soap/operations.ts';

export type Released = ResponseOf<'ReleaseMessageKey'>;

export interface OpenDeps {
  /** The container's bytes (from Zimbra's attachment URL). */
  download(): Promise<Uint8Array>;
  releaseKey(messageId: string): Promise<Released>;
  /**
   * ConfirmSecureMessageSent. Called only when the key service has no digest for the message, which
   * it answers to the sender alone: the sender's confirmation failed after the cover mail left
   * (compose.ts `compose_error_confirm`), so opening their own copy confirms it again with the
   * digest of that very file, and the recipients can then open it.
   */
  confirmSent?(messageId: string, containerDigest: string, size: number): Promise<void>;
}

export interface OpenedMessage {
  header: ContainerHeader;
  /** The key service's record of the sender (what the banners show; never the header's claim). */
  sender: Released['sender'];
  sentAt: string | undefined;
  /** The decrypted original message, exactly as sealed (for signature checks). */
  mime: Uint8Array;
  display: DisplayMessage;
}

/** Thrown when the attachment could not be downloaded from Zimbra. */
export class DownloadError extends Error {
  override name = 'DownloadError';
}

export async function openSecureMessage(deps: OpenDeps): Promise<OpenedMessage> {
  let bytes: Uint8Array;
  try {
    bytes = await deps.download();
  } catch (cause) {
    throw new DownloadError('container download failed', { cause });
  }
  const header = readHeader(bytes);
  let released: Released | undefined;
  const opened = await openContainer(bytes, async (h) => {
    released = await deps.releaseKey(h.messageId);
    const digest = await containerDigest(bytes);
    if (!released.containerDigest && deps.confirmSent) {
      await deps.confirmSent(h.messageId, digest, bytes.length);
      released = { ...released, containerDigest: digest };
    }
    // The key service records the digest of the file the sender uploaded: any other file under the
    // same header (a recipient has the key and could reseal) is refused before decrypting.
    if (!released.containerDigest || released.containerDigest !== digest) {
      throw new ContainerError('container.tampered', 'container digest differs from the one the sender registered');
    }
    if (released.sender.mail.toLowerCase() !== h.sender.toLowerCase()) {
      throw new ContainerError('container.tampered', 'header sender differs from the key service record');
    }
    return dataKeyFromBase64(released.dataKey);
  });
  const r = released!;
  return { header, sender: r.sender, sentAt: r.sentAt, mime: opened.mime, display: toDisplay(parseMime(opened.mime)) };
}

/**
 * "De :" of a decrypted message: who the key service knows sent it, never the From written inside
 * the message (the sender controls that one; the view shows it apart when it differs).
 */
export function senderLine(sender: { displayName?: string | undefined; mail: string }): string {
  const name = (sender.displayName ?? '').trim();
  return name ? `${name} <${sender.mail}>` : sender.mail;
}

/** "L'émetteur de ce message, NOM, est authentifié…": the display name upper-cased as in guide p.12. */
export function bannerName(sender: { displayName?: string | undefined; mail: string }): string {
  const name = (sender.displayName ?? '').trim();
  return (name || sender.mail).toLocaleUpperCase('fr');
}
