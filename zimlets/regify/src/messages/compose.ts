/**
 * "Envoyer avec Regify" (guide p.9; architecture flow 1): the compose view's message is saved as a
 * draft, its raw MIME read back from Zimbra, optionally signed (security zimlet's "Signer"), sealed in
 * the browser under a data key the key service issues, and sent as an attachment of a cover mail
 * through Zimbra. The plaintext never reaches our service; only Zimbra (which already has the draft)
 * and the browser see it.
 *
 * Order matters for "nothing sent half-way": everything that can fail (draft, signature, key,
 * encryption, upload) happens before the one irreversible step, SendMsgRequest. Only the confirmation
 * to the key service comes after it; it is retried, and a failure is reported for what it is.
 */
import { CONTAINER_EXTENSION, CONTAINER_MEDIA_TYPE, containerDigest, dataKeyFromBase64, sealContainer } from '../../../../shared/container/container.ts';
import { ContainerError } from '../../../../shared/container/errors.ts';
import { errorText, isErrorCode } from '../../../../shared/errors.ts';
import { isSignRequested } from '../../../../shared/host/compose-flags.ts';
import type { ZimletHost } from '../../../../shared/host/zimlet-host.ts';
import { coverMailText, portalUrlFor } from '../../../../shared/messages/cover-mail.ts';
import { CSRF_HEADER, SERVICE_BASE_PATH } from '../../../../shared/paths.ts';
import { ServiceFault, callService } from '../../../../shared/soap/client.ts';
import type { OperationName, RequestOf, ResponseOf } from '../../../../shared/soap/operations.ts';
import { base64ToBytes, bytesToBase64 } from './bytes.ts';
import { SEND_SEGMENT_SIZE } from './segment.ts';
import './progress.component.ts';
import type { RegifySendProgress } from './progress.component.ts';
import { checkCompose, recipientsOf, type ComposeRefusal, type Recipients } from './compose-rules.ts';
import type { ComposedMsgLike, ZmComposeControllerLike } from './zimbra-objects.ts';

/** The container's name in the cover mail (the extension tells our zimlet and portal what it is). */
export const CONTAINER_FILE_NAME = `message${CONTAINER_EXTENSION}`;
/** Messages above this size get the progress window (a smaller one is done before it would show). */
const PROGRESS_THRESHOLD = 512 * 1024;

function refusalText(host: ZimletHost, refusal: ComposeRefusal): string {
  switch (refusal) {
    case 'bcc':
      return host.msg('compose_error_bcc');
    case 'no_recipient':
      return host.msg('compose_error_no_recipient');
    case 'no_subject':
      return host.msg('compose_error_no_subject');
  }
}

/** A failure already worded for the user. */
export class UserFacingError extends Error {
  override name = 'UserFacingError';
}

/** The user-facing text of any failure of the flow (Faults come translated by the service). */
export function failureText(host: ZimletHost, err: unknown): string {
  if (err instanceof UserFacingError || err instanceof ServiceFault) return err.message;
  if (err instanceof ContainerError) return errorText(err.code, host.lang, ...err.args);
  // A Zimbra SOAP Fault (zimlets/common/zimbra-host.ts ZimbraSoapError): Zimbra's own text, e.g. an
  // unknown recipient refused by the MTA (mail.SEND_ABORTED_ADDRESS_FAILURE).
  if (err instanceof Error && err.name === 'ZimbraSoapError') return host.msg('compose_error_zimbra', err.message);
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && isErrorCode(code)) return errorText(code, host.lang);
  return errorText('service.unavailable', host.lang);
}

export interface SendEnv {
  host: ZimletHost;
  /** Types of the compose fields (AjxEmailAddress.TO/CC/BCC), given by the handler side. */
  addressTypes: { to: string; cc: string; bcc: string };
  ensureAccount(): Promise<boolean>;
  /** Page origin, for the portal link of the cover mail. */
  origin: string;
  fetch?: typeof fetch;
  call?: <N extends OperationName>(op: N, req: RequestOf<N>) => Promise<ResponseOf<N>>;
}

function serviceCaller(host: ZimletHost) {
  return <N extends OperationName>(op: N, req: RequestOf<N>) => callService(op, req, { csrfToken: host.csrfToken(), lang: host.lang });
}

/** SaveDraftRequest `m` (zm-mailbox store/docs/soap.txt; ZmMailMsg._createMessageNode in zm-web-client). */
function draftJson(msg: ComposedMsgLike, r: Recipients, subject: string, body: string, contentType: string, draftId?: string): Record<string, unknown> {
  const e = [...r.to.map((a) => ({ t: 't', a })), ...r.cc.map((a) => ({ t: 'c', a }))];
  const m: Record<string, unknown> = { e, su: { _content: subject }, mp: [{ ct: contentType, content: { _content: body } }] };
  if (msg.attachmentIds && msg.attachmentIds.length > 0) m['attach'] = { aid: msg.attachmentIds.join(',') };
  if (draftId) m['id'] = draftId;
  return m;
}

async function fetchBytes(doFetch: typeof fetch, url: string, what: string, host: ZimletHost): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await doFetch(url, { credentials: 'same-origin', cache: 'no-store' });
  } catch {
    throw new UserFacingError(host.msg('compose_error_step', what));
  }
  if (!res.ok) throw new UserFacingError(host.msg('compose_error_step', what));
  return new Uint8Array(await res.arrayBuffer());
}

/**
 * `POST /service/upload?fmt=raw,extended` with the CSRF header (zm-mailbox store/docs/file-upload.txt,
 * FileUploadServlet.java): answers `200,'null',[{"aid":…}]`.
 */
export async function uploadToZimbra(doFetch: typeof fetch, csrfToken: string, data: Uint8Array, fileName: string, contentType: string): Promise<string> {
  const res = await doFetch('/service/upload?fmt=raw,extended', {
    method: 'POST',
    credentials: 'same-origin',
    headers: {
      [CSRF_HEADER]: csrfToken,
      'Content-Type': contentType,
      'Content-Disposition': `attachment; filename="${fileName}"`,
    },
    body: data as Uint8Array<ArrayBuffer>,
  });
  const text = await res.text();
  const status = /^\s*(\d{3}),/.exec(text);
  if (!res.ok || (status && status[1] !== '200')) throw new Error(`upload failed: ${status?.[1] ?? res.status}`);
  const start = text.indexOf('[');
  const end = text.lastIndexOf(']');
  const list = start >= 0 && end > start ? (JSON.parse(text.slice(start, end + 1)) as Array<{ aid?: string }>) : [];
  const aid = list[0]?.aid;
  if (!aid) throw new Error('upload answer carries no attachment id');
  return aid;
}

class Progress {
  private element: RegifySendProgress | undefined;
  constructor(private readonly host: ZimletHost) {}
  phase(text: string, fraction?: number): void {
    if (!this.element) {
      this.element = document.createElement('esante-regify-send-progress');
      this.element.host = this.host;
      document.body.appendChild(this.element);
    }
    this.element.phase = text;
    this.element.fraction = fraction;
  }
  close(): void {
    this.element?.close();
    this.element = undefined;
  }
}

/**
 * The whole send. Resolves true when the cover mail was sent (the compose view is then closed), false
 * when refused or failed (the compose view stays open with the user's text, and the reason is shown).
 */
export async function sendWithRegify(env: SendEnv, controller: ZmComposeControllerLike): Promise<boolean> {
  const { host } = env;
  const doFetch = env.fetch ?? globalThis.fetch.bind(globalThis);
  const call = env.call ?? serviceCaller(host);
  const view = controller._composeView;
  const msg = view._getMsg();
  const recipients = recipientsOf(msg, env.addressTypes);
  const subject = (msg.subject ?? '').trim();
  const refusal = checkCompose(recipients, subject);
  if (refusal) {
    host.notify(refusalText(host, refusal), 'error');
    return false;
  }
  try {
    if (!(await env.ensureAccount())) return false;
  } catch (err) {
    host.notify(failureText(host, err), 'error');
    return false;
  }

  controller._toolbar?.enableAll?.(false);
  const body = msg.getBodyContent?.() ?? view.getUserText?.() ?? '';
  const progress = new Progress(host);
  let dataKey: Uint8Array | undefined;
  try {
    // 1. Draft, so Zimbra builds the MIME exactly as a plain send would (body, attachments, headers).
    const saved = await host.zimbra<{ m?: Array<{ id?: string }> | { id?: string } }>('SaveDraftRequest', {
      m: draftJson(msg, recipients, subject, body, view.getComposeMode?.() === 'text/html' ? 'text/html' : 'text/plain', view.draftId),
    });
    const savedMsg = Array.isArray(saved.m) ? saved.m[0] : saved.m;
    const draftId = savedMsg?.id ? String(savedMsg.id) : undefined;
    if (!draftId) throw new UserFacingError(host.msg('compose_error_step', host.msg('compose_step_draft')));
    view.draftId = draftId;

    // 2. Its raw MIME (zm-mailbox ContentServlet: /service/content/get?id=).
    let mime = await fetchBytes(doFetch, `/service/content/get?id=${encodeURIComponent(draftId)}`, host.msg('compose_step_draft'), host);
    const showProgress = mime.length >= PROGRESS_THRESHOLD;
    const phase = (text: string, fraction?: number) => {
      if (showProgress) progress.phase(text, fraction);
    };

    // 3. Signed first, then encrypted, when the security zimlet's "Signer" is on for this compose view.
    if (isSignRequested(controller)) {
      phase(host.msg('compose_progress_sign'));
      const signed = await call('SignMessage', { mime: bytesToBase64(mime) });
      mime = base64ToBytes(signed.mime);
    }

    // 4. Register with the key service: recipients, deadline and options; a fresh data key back.
    phase(host.msg('compose_progress_register'));
    const reg = await call('RegisterSecureMessage', { to: recipients.to, cc: recipients.cc, subject });
    dataKey = dataKeyFromBase64(reg.dataKey);

    // 5. Seal in the browser (WebCrypto AES-256-GCM, header bound as associated data).
    phase(host.msg('compose_progress_encrypt', 0), 0);
    const container = await sealContainer({
      messageId: reg.messageId,
      keyService: reg.keyService,
      sender: reg.sender.mail,
      mime,
      key: dataKey,
      segmentSize: SEND_SEGMENT_SIZE,
      onProgress: (done, total) => phase(host.msg('compose_progress_encrypt', Math.round((done / Math.max(total, 1)) * 100)), done / Math.max(total, 1)),
    });
    dataKey.fill(0);
    const digest = await containerDigest(container);

    // 6. Upload the container to Zimbra as an attachment.
    phase(host.msg('compose_progress_upload'));
    let aid: string;
    try {
      aid = await uploadToZimbra(doFetch, host.csrfToken(), container, CONTAINER_FILE_NAME, CONTAINER_MEDIA_TYPE);
    } catch {
      throw new UserFacingError(host.msg('compose_error_step', host.msg('compose_step_upload')));
    }

    // 7. The cover mail through Zimbra (SendMsgRequest; `did` makes Zimbra delete the draft once sent,
    //    zm-mailbox SendMsg.java). The Sent folder keeps the cover mail and the container.
    phase(host.msg('compose_progress_send'));
    const cover = coverMailText({
      senderName: reg.sender.displayName || host.username(),
      senderMail: reg.sender.mail,
      portalUrl: portalUrlFor(env.origin, SERVICE_BASE_PATH),
      fileName: CONTAINER_FILE_NAME,
    });
    await host.zimbra('SendMsgRequest', {
      m: {
        did: draftId,
        e: [...recipients.to.map((a) => ({ t: 't', a })), ...recipients.cc.map((a) => ({ t: 'c', a }))],
        su: { _content: subject },
        mp: [{ ct: 'text/plain', content: { _content: cover } }],
        attach: { aid },
      },
    });
    view.draftId = undefined;

    // 8. Tell the key service it went out (digest for readers; starts notifications and deadline).
    const confirmed = await confirmWithRetry(call, reg.messageId, digest, container.length);
    progress.close();
    if (!confirmed) host.notify(host.msg('compose_error_confirm'), 'error');
    else host.notify(host.msg('compose_sent'));
    controller._cancelCompose();
    return true;
  } catch (err) {
    dataKey?.fill(0);
    progress.close();
    host.notify(failureText(host, err), 'error');
    return false;
  } finally {
    controller._toolbar?.enableAll?.(true);
  }
}

async function confirmWithRetry(
  call: <N extends OperationName>(op: N, req: RequestOf<N>) => Promise<ResponseOf<N>>,
  messageId: string,
  containerDigestValue: string,
  size: number,
): Promise<boolean> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await call('ConfirmSecureMessageSent', { messageId, containerDigest: containerDigestValue, size });
      return true;
    } catch (err) {
      // A refusal (Fault with a code) will not change on retry; a transport failure might.
      if (err instanceof ServiceFault && err.code !== 'service.unavailable') return false;
      await new Promise((r) => setTimeout(r, 500 * (attempt + 1)));
    }
  }
  return false;
}
