/**
 * The secure-message view of one opened container (guide p.11–13): the <esante-regify-secure-message>
 * element wired to the download, the key release, the signature check and the read status. Part of
 * the reader part loaded when an encrypted message is first shown (./reader.chunk.ts, issue 17).
 */
import { publishDecryptedMessage } from '../../../../shared/host/decrypted-documents.ts';
import type { MailHost } from '../../../../shared/host/mail-port.ts';
import { callService } from '../../../../shared/soap/client.ts';
import { bytesToBase64 } from '../../../common/base64.ts';
import { offerSenderControl } from '../control/index.ts';
import { failureText } from './compose.ts';
import { DownloadError, openSecureMessage } from './open-secure.ts';
import './secure-message.component.ts';
import type { AttachmentPartLike, ZmMailMsgLike } from './zimbra-objects.ts';

/**
 * The element showing the container `part` of `msg`; `bodyEl` (Zimbra's body of the message, the
 * cover text) is hidden once the message itself is shown.
 */
export function secureMessageElement(host: MailHost, msg: ZmMailMsgLike, part: AttachmentPartLike, bodyEl: HTMLElement | null): HTMLElement {
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
    // The sender's own Sent copy: the control of this message under it (issue 12, ../control/).
    offerSenderControl(host, opened, el);
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
  return el;
}
