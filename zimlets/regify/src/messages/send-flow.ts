/**
 * The steps of "Envoyer avec Regify" (architecture flow 1) over the mail port, pure of DOM and of
 * Zimbra's objects (compose.ts reads the compose view and shows the outcome), so that unit tests can
 * drive it over a fake MailHost with a fault at each step (send-flow.test.ts).
 *
 * The guarantees, in order:
 * 1. Nothing is sent half-way: everything that can fail (draft, MIME, signature, key, encryption,
 *    upload) happens before the one irreversible step, SendMsgRequest.
 * 2. No readable copy stays in the mailbox. The plaintext reaches Zimbra only as a draft: the one we
 *    save to let Zimbra build the MIME, which REPLACES the draft Zimbra's compose may already have
 *    (autosave every `zimbraPrefAutoSaveDraftInterval`, or the draft a detached compose saves first,
 *    ZmComposeController.js:300-302) so there is only one. After the send, Zimbra deletes it through
 *    `did` but ignores a failure to do so (zm-mailbox SendMsg.java:262-264, :467-487): we delete it
 *    again. After a failure at ANY step we delete it too. When a deletion fails, the outcome names the
 *    draft left (`leftDraftId`) so the user is told where it is and offered to delete it.
 * 3. Each failure is reported with its step; only the confirmation to the key service comes after the
 *    send (retried; its failure is reported for what it is: the message left).
 */
import { CONTAINER_EXTENSION, CONTAINER_MEDIA_TYPE, containerDigest, dataKeyFromBase64, sealContainerParts } from '../../../../shared/container/container.ts';
import type { MailHost, OutgoingMessage } from '../../../../shared/host/mail-port.ts';
import { buildMimeMessage, type BuiltAttachment } from '../../../../shared/messages/build-mime.ts';
import { parseMime, toDisplay } from '../../../../shared/messages/mime.ts';
import { coverMailHtml, coverMailText, portalUrlFor } from '../../../../shared/messages/cover-mail.ts';
import { SERVICE_BASE_PATH } from '../../../../shared/paths.ts';
import { ServiceFault } from '../../../../shared/soap/client.ts';
import type { OperationName, RequestOf, ResponseOf } from '../../../../shared/soap/operations.ts';
import { base64ToBytes, bytesToBase64 } from '../../../common/base64.ts';
import { SEND_SEGMENT_SIZE } from './segment.ts';

const EMPTY = new Uint8Array(0);

/** The container's name in the cover mail (the extension tells our zimlet and portal what it is). */
export const CONTAINER_FILE_NAME = `message${CONTAINER_EXTENSION}`;
/** Messages above this size get the progress window (a smaller one is done before it would show). */
export const PROGRESS_THRESHOLD = 512 * 1024;

export type SendStep = 'draft' | 'mime' | 'sign' | 'register' | 'encrypt' | 'upload' | 'send' | 'confirm';

export type ServiceCall = <N extends OperationName>(op: N, req: RequestOf<N>) => Promise<ResponseOf<N>>;

/** What the compose view holds, already checked by compose-rules.ts. */
export interface ComposedMessage {
  to: string[];
  cc: string[];
  subject: string;
  body: OutgoingMessage['body'];
  /** Upload ids of the attachments added in the compose view. */
  uploadIds: string[];
  /**
   * A reply or forward quoting a message decrypted in the page (quoted-compose.ts): the inner MIME is
   * built HERE (shared/messages/build-mime.ts) so the quoted text never reaches Zimbra, not even as the
   * draft below; only the files added in the compose go through a draft, one without text or subject.
   */
  inBrowser?: { from: string; attachments: readonly BuiltAttachment[]; inReplyTo?: string };
}

/** The compose's own draft, as Zimbra's controller knows it (`controller._draftMsg`, ZmComposeController.js:1729). */
export interface DraftBinding {
  /** The id of the draft the compose already saved (autosave, detach, "Enregistrer"), if any. */
  current(): string | undefined;
  /** Our saved draft is now the compose's draft: a later autosave replaces it instead of adding one. */
  adopt(id: string): void;
  /** The compose's draft was deleted: the next save must create one, not replace a missing one. */
  forget(): void;
}

export interface SendFlowDeps {
  host: MailHost;
  call: ServiceCall;
  /** Page origin, for the portal link of the cover mail. */
  origin: string;
  signRequested: boolean;
  draft: DraftBinding;
  progress?: { phase(text: string, fraction?: number): void; close(): void };
  /** Leaves the compose view once the message left (before the confirmation, which may take retries). */
  leave(): void;
  /** Waits between confirmation attempts (ms); tests pass zeros. */
  confirmDelays?: readonly number[];
}

export type SendOutcome =
  | { sent: true; confirmed: boolean; leftDraftId?: string }
  | { sent: false; step: SendStep; error: unknown; leftDraftId?: string };

const address = (t: 't' | 'c') => (a: string) => ({ t, a });

export async function runEncryptedSend(deps: SendFlowDeps, c: ComposedMessage): Promise<SendOutcome> {
  const { host, call } = deps;
  const e = [...c.to.map(address('t')), ...c.cc.map(address('c'))];
  // Every draft id that may hold this plaintext: the compose's own (autosaved), ours, and any the
  // compose saved meanwhile. Deleted at the end, whatever happens.
  const drafts = new Set<string>();
  const before = deps.draft.current();
  if (before) drafts.add(before);
  let step: SendStep = 'draft';
  let dataKey: Uint8Array | undefined;
  let progressShown = false;
  const phase = (text: string, fraction?: number) => {
    if (progressShown) deps.progress?.phase(text, fraction);
  };
  try {
    let mime: Uint8Array;
    if (c.inBrowser) {
      mime = await mimeInBrowser(deps, c, c.inBrowser, drafts, before, (s) => (step = s));
    } else {
      // 1. Draft, so Zimbra builds the MIME exactly as a plain send would (body, attachments, headers).
      const draftId = await host.saveDraft({ e, subject: c.subject, body: c.body, uploadIds: c.uploadIds }, before);
      drafts.add(draftId);
      deps.draft.adopt(draftId);

      // 2. Its raw MIME.
      step = 'mime';
      mime = await host.rawMessage(draftId);
    }
    progressShown = mime.length >= PROGRESS_THRESHOLD;

    // 3. Signed first, then encrypted, when the security zimlet's "Signer" is on for this compose.
    if (deps.signRequested) {
      step = 'sign';
      phase(host.msg('compose_progress_sign'));
      mime = base64ToBytes((await call('SignMessage', { mime: bytesToBase64(mime) })).mime);
    }

    // 4. Register with the key service: recipients and subject; a fresh data key back.
    step = 'register';
    phase(host.msg('compose_progress_register'));
    const reg = await call('RegisterSecureMessage', { to: c.to, cc: c.cc, subject: c.subject });

    // 5. Seal in the browser (WebCrypto AES-256-GCM, header bound as associated data).
    step = 'encrypt';
    dataKey = dataKeyFromBase64(reg.dataKey);
    phase(host.msg('compose_progress_encrypt', 0), 0);
    // Kept as its segments, as WebCrypto returned them (no copy of the whole message, issue 17); the
    // upload is a Blob of them. The digest reads the file once: WebCrypto has no incremental SHA-256.
    const sealed = await sealContainerParts({
      messageId: reg.messageId,
      keyService: reg.keyService,
      sender: reg.sender.mail,
      mime,
      key: dataKey,
      segmentSize: SEND_SEGMENT_SIZE,
      onProgress: (done, total) => phase(host.msg('compose_progress_encrypt', Math.round((done / Math.max(total, 1)) * 100)), done / Math.max(total, 1)),
    });
    dataKey.fill(0);
    mime = EMPTY; // the plaintext is not needed any more: let it go before the digest's read
    const container = new Blob(sealed.parts as Uint8Array<ArrayBuffer>[], { type: CONTAINER_MEDIA_TYPE });
    const digest = await containerDigest(new Uint8Array(await container.arrayBuffer()));

    // 6. The container to Zimbra as an attachment.
    step = 'upload';
    phase(host.msg('compose_progress_upload'));
    const aid = await host.upload(container, CONTAINER_FILE_NAME, CONTAINER_MEDIA_TYPE);

    // 7. The cover mail (the one irreversible step); `did` asks Zimbra to delete the draft.
    step = 'send';
    phase(host.msg('compose_progress_send'));
    const coverParams = {
      senderName: reg.sender.displayName || host.username(),
      senderMail: reg.sender.mail,
      // The service names the portal's own origin (ESANTE_PORTAL_ORIGIN); an older service did not: this page's.
      portalUrl: reg.portalUrl ?? portalUrlFor(deps.origin, SERVICE_BASE_PATH),
      fileName: CONTAINER_FILE_NAME,
    };
    const body = { contentType: 'text/plain' as const, text: coverMailText(coverParams), html: coverMailHtml(coverParams) };
    await host.sendMessage({ e, subject: c.subject, body, uploadIds: [aid] }, deps.draft.current());

    // Sent. Make sure no draft is left (SendMsg ignores a failed `did` delete), then leave the compose
    // before the confirmation, so no autosave can run on it meanwhile.
    const leftDraftId = await deleteDrafts(deps, drafts);
    deps.leave();
    step = 'confirm';
    const confirmed = await confirmWithRetry(call, reg.messageId, digest, sealed.length, deps.confirmDelays ?? [500, 1000]);
    deps.progress?.close();
    return leftDraftId ? { sent: true, confirmed, leftDraftId } : { sent: true, confirmed };
  } catch (error) {
    dataKey?.fill(0);
    deps.progress?.close();
    const leftDraftId = await deleteDrafts(deps, drafts);
    return leftDraftId ? { sent: false, step, error, leftDraftId } : { sent: false, step, error };
  }
}

/**
 * Steps 1–2 for a compose quoting a decrypted message: the files the user added come back from a draft
 * that holds nothing else (Zimbra keeps an upload only for a draft or a send), then the whole message
 * (text with its quote, the original's files for a forward, the added files) is written in the browser.
 */
async function mimeInBrowser(
  deps: SendFlowDeps,
  c: ComposedMessage,
  inBrowser: NonNullable<ComposedMessage['inBrowser']>,
  drafts: Set<string>,
  before: string | undefined,
  setStep: (s: SendStep) => void,
): Promise<Uint8Array> {
  const files: BuiltAttachment[] = [...inBrowser.attachments];
  if (c.uploadIds.length) {
    const draftId = await deps.host.saveDraft({ e: [], subject: '', body: { contentType: 'text/plain', text: '' }, uploadIds: c.uploadIds }, before);
    drafts.add(draftId);
    deps.draft.adopt(draftId);
    setStep('mime');
    const added = toDisplay(parseMime(await deps.host.rawMessage(draftId))).attachments;
    files.push(...added.map((a) => ({ fileName: a.filename, mimeType: a.contentType, bytes: a.data })));
  }
  setStep('mime');
  return buildMimeMessage({
    from: inBrowser.from,
    to: c.to,
    cc: c.cc,
    subject: c.subject,
    text: c.body.text,
    attachments: files,
    ...(inBrowser.inReplyTo ? { inReplyTo: inBrowser.inReplyTo } : {}),
  });
}

/** Deletes every draft that may hold the plaintext; answers the first one that could not be deleted. */
async function deleteDrafts(deps: SendFlowDeps, drafts: Set<string>): Promise<string | undefined> {
  const now = deps.draft.current();
  if (now) drafts.add(now);
  let left: string | undefined;
  for (const id of drafts) {
    try {
      await deps.host.deleteMessage(id);
    } catch {
      left ??= id;
    }
  }
  if (!left) deps.draft.forget();
  return left;
}

async function confirmWithRetry(call: ServiceCall, messageId: string, digest: string, size: number, delays: readonly number[]): Promise<boolean> {
  for (let attempt = 0; ; attempt++) {
    try {
      await call('ConfirmSecureMessageSent', { messageId, containerDigest: digest, size });
      return true;
    } catch (err) {
      // A refusal (Fault with a code) will not change on retry; a transport failure might.
      if (err instanceof ServiceFault && err.code !== 'service.unavailable') return false;
      const wait = delays[attempt];
      if (wait === undefined) return false;
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}
