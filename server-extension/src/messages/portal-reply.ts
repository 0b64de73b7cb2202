/**
 * Issue 12: an outside recipient answers a secure message from the portal, securely, for its sender
 * only. The answer is a secure message like any other (key-service.ts register / confirmSent), sent
 * by the portal user (channel 'portal'), whose ONE recipient the service takes from the original's
 * record — the browser never names it. The page builds the MIME and seals it with shared/container
 * in the browser (portal/src/main.ts with shared/messages/build-mime.ts); the service only sees the sealed container,
 * checks it, records it as sent and mails it to the original's sender in the shape the regify
 * zimlet sends (zimlets/regify/src/messages/send-flow.ts: the cover text of shared/messages/cover-mail.ts
 * beside `message.esmsg`), so their webmail opens it with its banners.
 *
 *   POST /api/reply/register {messageId}   → PortalReplyRegistration (data key, ticket…)
 *   POST /api/reply/send  (container bytes, X-Esante-Reply-Ticket)   → PortalReplySent
 *
 * Who may: a portal session whose address is a recipient of the original, which was sent and is
 * neither withdrawn from them nor past their access end — checked at both steps (a revoke between
 * them still stops the answer). The ticket, sealed under the master key with the answer's id as
 * owner, binds the answer to its original and to the session's address without any new table:
 * a ticket cannot be moved to another answer, another original or another person.
 * Every outcome is audited (`portal.reply`, subject = the original's id, detail `step`, `reason`, `reply`).
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { CONTAINER_MEDIA_TYPE, ContainerError, containerDigest, readHeader } from '../../../shared/container/container.ts';
import { formatDateTime } from '../../../shared/i18n/dates.ts';
import type { Lang } from '../../../shared/i18n/lang.ts';
import { coverMailHtml, coverMailText } from '../../../shared/messages/cover-mail.ts';
import { PORTAL_REPLY_MAX_BYTES, PORTAL_REPLY_TICKET_HEADER, type PortalReplyRegistration, type PortalReplySent } from '../../../shared/messages/portal-api.ts';
import { ownerOf } from '../accounts/index.ts';
import { CodedError, ServiceUnavailableError } from '../errors.ts';
import type { Clock } from '../feature.ts';
import { openSecretText, sealSecret, type MasterKeyring } from '../keys/index.ts';
import type { SecureMessage, Store } from '../store/index.ts';
import { effectiveAccessUntil } from './history.ts';
import { HttpError, header } from './http.ts';
import type { KeyService } from './key-service.ts';
import type { Mailer } from './mailer.ts';

/** Purpose label of the reply ticket (keys/wrap.ts secret context; owner = the answer's message id). */
const TICKET_PURPOSE = 'portal-reply';
/** The container's name in the mail, as the zimlet names it (send-flow.ts CONTAINER_FILE_NAME). */
const FILE_NAME = 'message.esmsg';
const MAX_SUBJECT = 900;

const lower = (s: string): string => s.trim().normalize('NFC').toLowerCase();
const auditableId = (id: string): string => (/^[A-Za-z0-9_-]{1,64}$/.test(id) ? id : '?');

/** "Re: " + the original's subject, as Zimbra's reply writes it (ZmMsg.re); not doubled. */
export function replySubject(original: string): string {
  const s = original.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return (/^re\s*:/i.test(s) ? s : `Re: ${s}`).slice(0, MAX_SUBJECT);
}

/** The answer's mail Message-ID: the same for every attempt (a retried send is filed once by Zimbra's LMTP dedupe). */
export function replyMailId(replyId: string, domain: string): string {
  return `<reply-${createHash('sha256').update(replyId).digest('hex').slice(0, 32)}@${domain}>`;
}

export interface PortalReplyDeps {
  store: () => Store;
  keyring: () => MasterKeyring;
  keys: KeyService;
  mailer: Mailer;
  clock: Clock;
  /** The portal page (cover mail link), `${portalOrigin}${PORTAL_PATH}/`. */
  portalUrl: string;
  /** Host name of the answer's Message-ID. */
  messageIdDomain: string;
  /** ESANTE_PORTAL_MAX_CONTAINER_BYTES: the answer's limit is the smaller of it and PORTAL_REPLY_MAX_BYTES. */
  maxContainerBytes: number;
}

export interface PortalReply {
  readonly maxBytes: number;
  register(address: string, lang: Lang, ip: string | undefined, body: Record<string, unknown>): Promise<PortalReplyRegistration>;
  send(req: IncomingMessage, address: string, lang: Lang, ip: string | undefined): Promise<PortalReplySent>;
}

interface Ticket {
  original: string;
  by: string;
}

export function createPortalReply(d: PortalReplyDeps): PortalReply {
  const maxBytes = Math.min(d.maxContainerBytes, PORTAL_REPLY_MAX_BYTES);

  async function audit(address: string, subject: string, outcome: 'allowed' | 'denied', ip: string | undefined, detail: Record<string, string | number | boolean>): Promise<void> {
    await d.store().audit.append({ at: d.clock.now(), actor: ownerOf(address), action: 'portal.reply', subject, outcome, detail: { ...detail, ...(ip ? { ip } : {}) } });
  }

  /** The original if the caller may answer it now; else audited and refused, in the reader's language. */
  async function answerable(address: string, lang: Lang, ip: string | undefined, messageId: string, step: 'register' | 'send'): Promise<SecureMessage> {
    const original = await d.store().messages.get(messageId);
    const deny = async (reason: string, subject = original?.id ?? auditableId(messageId)) => audit(address, subject, 'denied', ip, { step, reason });
    if (!original) {
      await deny('not_found');
      throw new CodedError('message.not_found');
    }
    const r = original.recipients.find((x) => x.addressKey === lower(address));
    if (!r) {
      await deny('not_recipient');
      throw new CodedError('message.not_recipient', { httpStatus: 403 });
    }
    if (original.sentAt === null) {
      await deny('not_sent');
      throw new CodedError('message.not_sent');
    }
    if (r.revokedAt) {
      await deny('revoked');
      throw new CodedError('message.revoked', { args: [formatDateTime(r.revokedAt, lang, 'long')], httpStatus: 403 });
    }
    const access = effectiveAccessUntil(original, r);
    if (access !== null && Date.parse(access) <= d.clock.now().getTime()) {
      await deny('access_ended');
      throw new CodedError('message.access_ended', { args: [formatDateTime(access, lang, 'long')], httpStatus: 403 });
    }
    return original;
  }

  const tooLarge = (lang: Lang) => new HttpError(413, 'portal.reply_too_large', [new Intl.NumberFormat(lang, { maximumFractionDigits: 1 }).format(Math.max(0.1, maxBytes / 1_048_576))]);

  /** The body, at most `maxBytes`; refused (413) as soon as it is known to be larger, before reading it whole. */
  async function readContainer(req: IncomingMessage, address: string, lang: Lang, ip: string | undefined): Promise<Uint8Array> {
    const refuse = async (size: number) => {
      await audit(address, address.toLowerCase(), 'denied', ip, { step: 'send', reason: 'too_large', size });
      // Not read further: the client is told at once and the connection is not kept for the rest.
      req.resume();
      return tooLarge(lang);
    };
    const declared = Number(header(req, 'content-length') ?? NaN);
    if (declared > maxBytes) throw await refuse(declared);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) throw await refuse(size);
      chunks.push(chunk);
    }
    return new Uint8Array(Buffer.concat(chunks));
  }

  return {
    maxBytes,

    async register(address, lang, ip, body) {
      const messageId = body['messageId'];
      if (typeof messageId !== 'string' || messageId.length > 64) throw new HttpError(400, 'request.invalid', ['messageId']);
      const original = await answerable(address, lang, ip, messageId, 'register');
      const account = await d.store().accounts.get(address);
      const subject = replySubject(d.keys.subjectOf(original));
      // The one recipient is the original's sender, from the key service's record.
      const reg = await d.keys.register({ address, displayName: account?.fullName, lang, channel: 'portal' }, { to: [original.senderEmail], cc: [], subject });
      const ticket = sealSecret(d.keyring(), TICKET_PURPOSE, reg.messageId, JSON.stringify({ original: original.id, by: lower(address) } satisfies Ticket));
      await audit(address, original.id, 'allowed', ip, { step: 'register', reply: reg.messageId });
      return {
        messageId: reg.messageId,
        dataKey: reg.dataKey,
        keyService: reg.keyService,
        sender: { mail: reg.sender.mail, ...(reg.sender.displayName ? { displayName: reg.sender.displayName } : {}) },
        to: { mail: original.senderEmail, ...(original.senderName ? { displayName: original.senderName } : {}) },
        subject,
        ticket,
        maxBytes,
      };
    },

    async send(req, address, lang, ip) {
      const bytes = await readContainer(req, address, lang, ip);
      const invalid = async (reason: string, subject = address.toLowerCase()) => {
        await audit(address, subject, 'denied', ip, { step: 'send', reason });
        return new HttpError(400, 'portal.reply_invalid');
      };
      let head;
      try {
        head = readHeader(bytes);
      } catch (err) {
        if (err instanceof ContainerError) throw await invalid('container');
        throw err;
      }
      let ticket: Ticket;
      try {
        const value = JSON.parse(openSecretText(d.keyring(), TICKET_PURPOSE, head.messageId, header(req, PORTAL_REPLY_TICKET_HEADER) ?? '')) as Partial<Ticket>;
        if (typeof value.original !== 'string' || typeof value.by !== 'string') throw new Error('ticket fields');
        ticket = { original: value.original, by: value.by };
      } catch {
        // Missing, forged, or made for another answer (the owner is the answer's id): nothing is sent.
        throw await invalid('ticket', auditableId(head.messageId));
      }
      // The ticket is this person's, the header names them as sender and our key service.
      if (ticket.by !== lower(address) || lower(head.sender) !== lower(address) || head.keyService !== d.keys.keyServiceUrl) {
        throw await invalid('mismatch', ticket.original);
      }
      // Checked again: the sender may have withdrawn the original since the answer was prepared.
      const original = await answerable(address, lang, ip, ticket.original, 'send');
      const reply = await d.store().messages.get(head.messageId);
      if (!reply || reply.senderKey !== lower(address) || reply.recipients.length !== 1 || reply.recipients[0]!.addressKey !== original.senderKey) {
        throw await invalid('mismatch', original.id);
      }
      const digest = await containerDigest(bytes);
      const caller = { address, lang, channel: 'portal' as const };
      // Recorded before the mail leaves: the original's sender can open it as soon as it arrives. A
      // retry with the same file is the same answer (confirmSent is idempotent for one digest).
      const confirmed = await d.keys.confirmSent(caller, { messageId: reply.id, containerDigest: digest, size: bytes.length });
      if (!d.mailer.sendRelay) throw new ServiceUnavailableError({ message: 'the mailer cannot relay portal replies' });
      const account = await d.store().accounts.get(address);
      const cover = { senderName: account?.fullName || address, senderMail: address, portalUrl: d.portalUrl, fileName: FILE_NAME };
      try {
        await d.mailer.sendRelay({
          to: original.senderEmail,
          fromName: account?.fullName || address,
          replyTo: address,
          subject: d.keys.subjectOf(reply),
          text: coverMailText(cover),
          html: coverMailHtml(cover),
          attachment: { filename: FILE_NAME, contentType: CONTAINER_MEDIA_TYPE, content: bytes },
          messageId: replyMailId(reply.id, d.messageIdDomain),
        });
      } catch (cause) {
        await audit(address, original.id, 'denied', ip, { step: 'send', reason: 'smtp', reply: reply.id });
        throw new ServiceUnavailableError({ message: 'portal reply not accepted by SMTP', cause });
      }
      await audit(address, original.id, 'allowed', ip, { step: 'send', reply: reply.id, size: bytes.length });
      return { messageId: reply.id, sentAt: confirmed.sentAt, to: original.senderEmail };
    },
  };
}
