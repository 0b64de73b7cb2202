/**
 * The security zimlet's signing logic, free of Zimbra globals so it runs under node:test with fakes:
 * "is this raw message S/MIME signed?", and the sign-then-send sequence the compose
 * "Envoyer" takes over when the user asked for a signature. compose.ts wires the steps to Zimbra
 * through the mail port (draft, raw content, upload, SendMsg) and to our service (SignMessage).
 */
import { base64ToBytes, bytesToBase64 } from '../../common/base64.ts';
/**
 * Media type of the encrypted container, as shared/container/format.ts CONTAINER_MEDIA_TYPE says
 * (copied, not imported: that module builds values with TextEncoder at load time, which would run
 * in every page of the webmail for a single string). A test checks the two stay equal.
 */
export const CONTAINER_MEDIA_TYPE = 'application/vnd.esante.secure-message';

/**
 * True when the top-level Content-Type of a raw RFC 5322 message is multipart/signed (RFC 1847 §2.1,
 * RFC 8551 §3.5). Only the header block is read (folded lines unfolded, RFC 5322 §2.2.3).
 */
export function isMultipartSigned(raw: Uint8Array): boolean {
  // Headers are ASCII; 64 KB is far more than any real header block.
  const head = new TextDecoder('latin1').decode(raw.subarray(0, 65536));
  const end = head.search(/\r?\n\r?\n/);
  const block = (end >= 0 ? head.slice(0, end) : head).replace(/\r?\n[ \t]+/g, ' ');
  const ct = /^content-type:[ \t]*([^;\r\n]+)/im.exec(block)?.[1];
  return !!ct && ct.trim().toLowerCase() === 'multipart/signed';
}

/** What the zimlet knows of an opened message before fetching it (ZmMailMsg members). */
export interface MsgSummary {
  attachments?: ReadonlyArray<{ contentType?: string; ct?: string; fileName?: string; filename?: string }>;
}

/**
 * Should the opened message be fetched raw and verified? Not when it carries an encrypted container
 * (the regify zimlet decrypts it, then verifies and shows the banner itself); yes when Zimbra lists
 * an S/MIME signature part (smime.p7s, application/pkcs7-signature, as ZmMailMsg shows it among the
 * attachments); and, when the message exposes no attachment list, yes (the raw header decides).
 */
export function shouldCheckSignature(msg: MsgSummary): boolean {
  const atts = msg.attachments;
  if (!atts) return true;
  const types = atts.map((a) => (a.contentType ?? a.ct ?? '').toLowerCase());
  const names = atts.map((a) => (a.fileName ?? a.filename ?? '').toLowerCase());
  if (types.includes(CONTAINER_MEDIA_TYPE)) return false;
  return types.some((t) => t === 'application/pkcs7-signature' || t === 'application/x-pkcs7-signature') || names.some((n) => n.endsWith('.p7s'));
}

/** The steps of "sign and send", each backed by Zimbra or our service in production, by fakes in tests. */
export interface SignAndSendSteps {
  /** Saves the compose view as a draft (ZmComposeController.saveDraft); answers the draft's message id. */
  saveDraft(): Promise<string>;
  /** The draft's raw MIME as Zimbra built it (mail port rawMessage). */
  rawMessage(id: string): Promise<Uint8Array>;
  /** SignMessage through our service (base64 in and out). */
  sign(mimeBase64: string): Promise<string>;
  /** Uploads the signed MIME (mail port upload); answers the upload id. */
  upload(mime: Uint8Array): Promise<string>;
  /** `SendMsgRequest {m:{aid}}`: Zimbra sends the uploaded message as it is. */
  sendUploaded(aid: string): Promise<void>;
  /** Removes the draft (MsgActionRequest op=delete): the sent copy replaces it. */
  deleteDraft(id: string): Promise<void>;
  /** Leaves the compose view. */
  close(): void;
}

/**
 * Save draft → raw MIME → sign → upload → send as is → delete draft → close. Any failure stops the
 * sequence with the compose view still open (nothing is sent unsigned); the caller shows the error.
 * A failure to delete the draft after sending is not an error for the user (the message is sent).
 */
export async function signAndSend(steps: SignAndSendSteps): Promise<{ draftDeleted: boolean }> {
  const draftId = await steps.saveDraft();
  const raw = await steps.rawMessage(draftId);
  const signed = base64ToBytes(await steps.sign(bytesToBase64(raw)));
  const aid = await steps.upload(signed);
  await steps.sendUploaded(aid);
  let draftDeleted = true;
  try {
    await steps.deleteDraft(draftId);
  } catch {
    draftDeleted = false;
  }
  steps.close();
  return { draftDeleted };
}

/** A sample message for "Tester ma signature": from and to the user, CRLF, 7-bit. */
export function sampleMessage(mail: string, subject: string, body: string, now = new Date()): string {
  const ascii = (s: string) => s.normalize('NFD').replace(/[^\x20-\x7e]/g, '');
  return (
    `From: <${mail}>\r\nTo: <${mail}>\r\nSubject: ${ascii(subject)}\r\nDate: ${now.toUTCString().replace('GMT', '+0000')}\r\n` +
    `MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: 7bit\r\n\r\n${ascii(body)}\r\n`
  );
}
