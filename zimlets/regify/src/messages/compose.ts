/**
 * "Envoyer avec Regify" (guide p.9; architecture flow 1): the compose view's message is saved as a
 * draft, its raw MIME read back from Zimbra, optionally signed (security zimlet's "Signer"), sealed in
 * the browser under a data key the key service issues, and sent as an attachment of a cover mail
 * through Zimbra. The plaintext never reaches our service; only Zimbra (which already has the draft)
 * and the browser see it.
 *
 * This file is the Zimbra side (compose view, controller, progress window, messages); the steps and
 * their guarantees (nothing sent half-way, no readable draft left, each failure reported) are in
 * send-flow.ts, over the mail port (shared/host/mail-port.ts).
 */
import { ContainerError } from '../../../../shared/container/errors.ts';
import { errorText, isErrorCode } from '../../../../shared/errors.ts';
import { isSignRequested } from '../../../../shared/host/compose-flags.ts';
import { leaveComposeAfterSend } from '../../../../shared/host/leave-compose.ts';
import { MailPortError, type MailHost } from '../../../../shared/host/mail-port.ts';
import { ZimbraSoapError } from '../../../common/zimbra-host.ts';
import type { ZimletHost } from '../../../../shared/host/zimlet-host.ts';
import { ServiceFault, callService } from '../../../../shared/soap/client.ts';
import type { OperationName, RequestOf, ResponseOf } from '../../../../shared/soap/operations.ts';
import { offerDraftDeletion } from './draft-left.ts';
import { quotedComposeOf } from './quoted-compose.ts';
import './progress.component.ts';
import type { RegifySendProgress } from './progress.component.ts';
import { checkCompose, recipientsOf, type ComposeRefusal, type Recipients } from './compose-rules.ts';
import { runEncryptedSend, type DraftBinding, type SendStep } from './send-flow.ts';
import type { ComposedMsgLike, ZmComposeControllerLike } from './zimbra-objects.ts';


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
  host: MailHost;
  /** Types of the compose fields (AjxEmailAddress.TO/CC/BCC), given by the handler side. */
  addressTypes: { to: string; cc: string; bcc: string };
  ensureAccount(): Promise<boolean>;
  /** Page origin, for the portal link of the cover mail. */
  origin: string;
  call?: <N extends OperationName>(op: N, req: RequestOf<N>) => Promise<ResponseOf<N>>;
}

function serviceCaller(host: ZimletHost) {
  return <N extends OperationName>(op: N, req: RequestOf<N>) => callService(op, req, { csrfToken: host.csrfToken(), lang: host.lang });
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

/** The failed step, as the user reads it ("échec de l'étape « … »"); literal keys for the validator. */
function stepText(host: ZimletHost, step: SendStep): string {
  switch (step) {
    case 'draft':
      return host.msg('compose_step_draft');
    case 'mime':
      return host.msg('compose_step_mime');
    case 'sign':
      return host.msg('compose_step_sign');
    case 'register':
      return host.msg('compose_step_register');
    case 'encrypt':
      return host.msg('compose_step_encrypt');
    case 'upload':
      return host.msg('compose_step_upload');
    case 'send':
      return host.msg('compose_step_send');
    case 'confirm':
      return host.msg('compose_step_confirm');
  }
}

/** Why a step failed, in words: the port's HTTP failures, Zimbra's Faults, our service's Faults. */
function causeText(host: ZimletHost, err: unknown): string {
  if (!(err instanceof MailPortError)) return failureText(host, err);
  switch (err.failure) {
    case 'network':
      return host.msg('compose_cause_network');
    case 'not_found':
      return host.msg('compose_cause_not_found');
    case 'auth':
      return host.msg('compose_cause_auth');
    case 'too_large':
      return host.msg('compose_cause_too_large');
    case 'failed':
      return host.msg('compose_cause_failed');
  }
}

/** The compose's draft is `controller._draftMsg` (ZmComposeController.js:1729, getDraftMsg :2404). */
function draftBinding(controller: ZmComposeControllerLike, msg: ComposedMsgLike): DraftBinding {
  return {
    current: () => {
      const id = controller._draftMsg?.id;
      return id === undefined || id === null || id === '' ? undefined : String(id);
    },
    adopt: (id) => {
      // As _processSendMsg does after a SaveDraft (:1729): the message, now with the draft's id.
      msg.id = id;
      controller._draftMsg = msg;
    },
    forget: () => {
      // A compose that never saved (ZmComposeController.js:61, :1175-1176): the next save creates a draft.
      controller._draftMsg = null;
      controller._draftType = 'none';
    },
  };
}

/**
 * The whole send. Resolves true when the cover mail was sent (the compose view is then closed), false
 * when refused or failed (the compose view stays open with the user's text, and the reason is shown).
 */
export async function sendWithRegify(env: SendEnv, controller: ZmComposeControllerLike): Promise<boolean> {
  const { host } = env;
  const view = controller._composeView;
  // ZmComposeView.getMsg(attId, isDraft) (ZmComposeView.js:541): as a draft, no recipient check and
  // no zimlet warning whose OK would run Zimbra's PLAIN send (compose-rules.ts checks instead).
  const msg = view.getMsg(undefined, true);
  if (!msg) return false;
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

  // Zimbra kills the autosave timer while its own send is pending (ZmComposeController.js:561-569):
  // no plaintext draft may be saved behind our back while (or after) the message is encrypted. It
  // stays off after a failure: the user's text stays in the window, not on the server.
  controller._autoSaveTimer?.kill?.();
  controller._toolbar?.enableAll?.(false);
  const progress = new Progress(host);
  try {
    const outcome = await runEncryptedSend(
      {
        host,
        call: env.call ?? serviceCaller(host),
        origin: env.origin,
        signRequested: isSignRequested(controller),
        draft: draftBinding(controller, msg),
        progress,
        leave: () => leaveComposeAfterSend(controller),
      },
      {
        to: recipients.to,
        cc: recipients.cc,
        subject,
        body: { contentType: view.getComposeMode?.() === 'text/html' ? 'text/html' : 'text/plain', text: msg.getBodyContent?.() ?? view.getUserText?.() ?? '' },
        uploadIds: attachmentIdsOf(msg),
        ...inBrowserOf(host, controller),
      },
    );
    if (outcome.sent) {
      if (!outcome.confirmed) host.notify(host.msg('compose_error_confirm'), 'error');
      else host.notify(host.msg('compose_sent'));
    } else if (outcome.step === 'send' && !isRefusal(outcome.error)) {
      // No answer, or a server error: the cover mail may have left (the request may have reached
      // Zimbra). Said so, rather than "not sent"; the draft is deleted either way.
      host.notify(`${host.msg('compose_error_send_unknown')}${outcome.leftDraftId ? '' : ` ${host.msg('compose_no_copy_left')}`}`, 'error');
    } else {
      const why = `${host.msg('compose_error_step', stepText(host, outcome.step))} ${causeText(host, outcome.error)}`;
      host.notify(outcome.leftDraftId ? why : `${why} ${host.msg('compose_nothing_left')}`, 'error');
    }
    if (outcome.leftDraftId) offerDraftDeletion(host, outcome.leftDraftId, outcome.sent ? undefined : () => draftBinding(controller, msg).forget());
    return outcome.sent;
  } finally {
    controller._toolbar?.enableAll?.(true);
  }
}

/**
 * A SendMsg Fault that says Zimbra refused the message (nothing left): its `mail.*` / `account.*`
 * codes, e.g. mail.SEND_ABORTED_ADDRESS_FAILURE, mail.MESSAGE_TOO_BIG, account.AUTH_EXPIRED
 * (zm-mailbox MailServiceException / AccountServiceException). service.FAILURE, a network error or an
 * empty answer do not say whether the message went out.
 */
function isRefusal(err: unknown): boolean {
  return err instanceof ZimbraSoapError && /^(mail|account)\./.test(err.code);
}

/** A reply/forward quoting a decrypted message: its MIME is built in the browser (send-flow.ts `inBrowser`). */
function inBrowserOf(host: MailHost, controller: ZmComposeControllerLike) {
  const quoted = quotedComposeOf(controller);
  if (!quoted || quoted.lifted) return {};
  const attachments = quoted.forward ? quoted.original.attachments.map((a) => ({ fileName: a.fileName, mimeType: a.mimeType, bytes: a.bytes })) : [];
  return { inBrowser: { from: host.username(), attachments, ...(quoted.inReplyTo ? { inReplyTo: quoted.inReplyTo } : {}) } };
}

/** Upload ids of the compose's attachments: `ZmMailMsg.attId` ("a,b", ZmMailMsg.js:521-527). */
function attachmentIdsOf(msg: ComposedMsgLike): string[] {
  if (typeof msg.attId === 'string' && msg.attId) return msg.attId.split(',').filter(Boolean);
  // The sandbox's composed message lists them as an array (sandbox/web/README.md).
  return msg.attachmentIds ?? [];
}
