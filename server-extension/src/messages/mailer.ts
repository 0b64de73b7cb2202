/**
 * Mail out for notifications: a pooled nodemailer SMTP transport to ESANTE_SMTP_URL (the Zimbra
 * MTA in production, the sandbox's SMTP listener in the embedded mode).
 *
 * Each job's Message-ID is derived from its unique job key, so if a job were ever sent twice (the
 * one window that at-least-once delivery leaves open: SMTP accepted, then the instance died before
 * recording it), both copies carry the same Message-ID and mail clients and Zimbra's delivery
 * dedupe (zm-mailbox `store/src/java/com/zimbra/cs/lmtpserver/ZimbraLmtpBackend.java`, a cache of
 * recent Message-IDs sized by zimbraMessageIdDedupeCacheSize) file it once.
 */
import { createHash } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { NotificationMail } from './notifications.ts';
import { SMTP_TIMEOUT_MS } from './config.ts';

/**
 * A secure message an outside recipient answered from the portal (portal-reply.ts), mailed to the
 * original sender's eSanté mailbox in the shape the regify zimlet sends (send-flow.ts: the cover
 * text and HTML as multipart/alternative beside the container attachment), so their reader opens it.
 * Written by a person, so not marked Auto-Submitted; From is the service's address with the
 * author's name (their own domain is not ours to send from), Reply-To the author's proved address.
 */
export interface RelayMail {
  to: string;
  fromName: string;
  replyTo: string;
  subject: string;
  text: string;
  html: string;
  attachment: { filename: string; contentType: string; content: Uint8Array };
  messageId: string;
}

export interface Mailer {
  send(mail: NotificationMail & { messageId: string }): Promise<void>;
  /** Issue 12 (portal replies); optional so that test mailers built by hand stay valid. */
  sendRelay?(mail: RelayMail): Promise<void>;
  close(): void;
}

/** `<notif-<32 hex>@<domain>>`: the same for every attempt of one job, unique across jobs. */
export function notificationMessageId(jobKey: string, domain: string): string {
  return `<notif-${createHash('sha256').update(jobKey).digest('hex').slice(0, 32)}@${domain}>`;
}

export function createSmtpMailer(smtpUrl: string, from: string, timeoutMs = SMTP_TIMEOUT_MS): Mailer {
  const transport = nodemailer.createTransport({
    url: smtpUrl,
    pool: true,
    maxConnections: 2,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    // Never let nodemailer log (its debug output would include the mail and the URL's credentials).
    logger: false,
    debug: false,
  } as unknown as Parameters<typeof nodemailer.createTransport>[0]);
  // The bare address of ESANTE_NOTIFY_FROM ("Name <addr>" or "addr"): relayed replies carry their author's name instead.
  const fromAddress = /<([^<>]+)>\s*$/.exec(from)?.[1]?.trim() ?? from.trim();
  return {
    async send(mail) {
      await transport.sendMail({
        from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        messageId: mail.messageId,
        headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
      });
    },
    async sendRelay(mail) {
      await transport.sendMail({
        from: { name: mail.fromName, address: fromAddress },
        sender: fromAddress,
        replyTo: mail.replyTo,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: mail.messageId,
        attachments: [{ filename: mail.attachment.filename, contentType: mail.attachment.contentType, content: Buffer.from(mail.attachment.content), contentDisposition: 'attachment' }],
      });
    },
    close() {
      transport.close();
    },
  };
}
