/**
 * The mail port: the few mail operations our zimlets need from Zimbra, so that no zimlet fetches a
 * Zimbra URL or writes Zimbra SOAP itself. Implemented once, in zimlets/common/zimbra-host.ts, over what
 * Zimbra's classic web client really offers (each member cites the Zimbra source it rests on there);
 * fakes implement it in unit tests. Stable: members are only ever ADDED (the medical and security
 * zimlets use it too).
 *
 * Failures: a Zimbra SOAP Fault rejects with `ZimbraSoapError` (zimlets/common/zimbra-host.ts, `code`
 * is Zimbra's, e.g. `mail.NO_SUCH_MSG`); an HTTP download/upload that failed rejects with
 * `MailPortError` below. An aborted `signal` rejects with the signal's reason (an AbortError).
 */
import type { ZimletHost } from './zimlet-host.ts';

/** One address of a message (`e` of zm-mailbox store/docs/soap.txt: t = "t" To, "c" Cc, "b" Bcc). */
export interface MailAddress {
  t: 't' | 'c' | 'b';
  a: string;
  /** Display name (`p`). */
  p?: string;
}

/** A message to save or send, in Zimbra's JSON `m` element (zm-mailbox store/docs/soap.txt:2483-2500, :2579-2596). */
export interface OutgoingMessage {
  e: MailAddress[];
  subject: string;
  /**
   * The body: one text part (`mp ct` + `content`); with `html` beside a text/plain body, the two go as
   * multipart/alternative, plain text first (RFC 2046 §5.1.4), as Zimbra's own HTML compose sends them.
   */
  body: { contentType: 'text/plain' | 'text/html'; text: string; html?: string };
  /** Upload ids (`attach.aid`) from `upload`. */
  uploadIds?: string[];
}

/** Why an HTTP exchange of the port failed. */
export type MailPortFailure =
  /** No answer (network, server down). */
  | 'network'
  /** The item or part is not there (404) — e.g. a message deleted meanwhile. */
  | 'not_found'
  /** The session is gone (401/403): the user must log in again. */
  | 'auth'
  /** The server refused the bytes as too large (413). */
  | 'too_large'
  /** Any other status, or an answer that is not what the contract says. */
  | 'failed';

export class MailPortError extends Error {
  override name = 'MailPortError';
  readonly failure: MailPortFailure;
  /** HTTP status when there was an answer. */
  readonly status: number | undefined;
  constructor(failure: MailPortFailure, message: string, status?: number) {
    super(message);
    this.failure = failure;
    this.status = status;
  }
}

/** The answer of our own service to `postToService`: status and the JSON body (undefined when not JSON). */
export interface ServiceAnswer {
  status: number;
  ok: boolean;
  body: unknown;
}

export interface MailPort {
  /**
   * SaveDraftRequest; answers the draft's id. With `replaceId` the draft of that id is replaced in
   * place (`m.id`; Zimbra answers mail.NO_SUCH_MSG when it is gone, mail.IMMUTABLE_OBJECT when the item
   * is not a draft). Without it a NEW draft is created in Drafts.
   */
  saveDraft(m: OutgoingMessage, replaceId?: string): Promise<string>;
  /** Deletes a message for good, from any folder (MsgActionRequest op=delete). An id already gone counts as done. */
  deleteMessage(id: string): Promise<void>;
  /** The whole RFC 822 message as Zimbra stores it (ContentServlet `/service/content/get?id=`). */
  rawMessage(id: string, signal?: AbortSignal): Promise<Uint8Array>;
  /** One MIME part's decoded bytes (UserServlet `/service/home/~/?id=&part=`), part ids as in `msg.attachments[].part`. */
  attachmentBytes(messageId: string, part: string, signal?: AbortSignal): Promise<Uint8Array>;
  /** Uploads bytes (or a Blob of them) for a later send (FileUploadServlet `/service/upload?fmt=raw,extended`); answers the upload id (aid). */
  upload(bytes: Uint8Array | Blob, fileName: string, contentType: string, signal?: AbortSignal): Promise<string>;
  /**
   * SendMsgRequest. `draftIdToDelete` goes as `m.did`: Zimbra deletes that draft after a SUCCESSFUL
   * send, and ignores a failure to delete it (zm-mailbox SendMsg.java:262-264, :467-487); `m.id` is
   * not read by SendMsg. A failed send deletes nothing. Resolves with the Sent copy's id when Zimbra
   * kept one.
   */
  sendMessage(m: OutgoingMessage, draftIdToDelete?: string): Promise<string | undefined>;
  /**
   * SendMsgRequest `<m aid="…">`: Zimbra sends an uploaded RFC 822 message byte for byte (a signed
   * message must not be rebuilt). `draftIdToDelete` as in sendMessage. Resolves with the Sent copy's id.
   */
  sendMime(uploadId: string, draftIdToDelete?: string): Promise<string | undefined>;
  /**
   * POSTs raw bytes to a route of OUR service on the same origin (under /service/extension/esante/),
   * with the session's CSRF token and language; e.g. the DSP upload. Anything else is refused.
   */
  postToService(path: string, bytes: Uint8Array, contentType: string, signal?: AbortSignal): Promise<ServiceAnswer>;
}

/** What a zimlet that sends or reads mail receives: the host port plus the mail port. */
export interface MailHost extends ZimletHost, MailPort {}
