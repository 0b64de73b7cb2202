/**
 * Mail really travels over SMTP in the sandbox: an `smtp-server` listener on loopback stands in for
 * Zimbra's MTA (Postfix + LMTP delivery into mailboxes) and SendMsg submits through a pooled nodemailer
 * transport (smtp-server waits 100 ms per new connection, see notes/toolchain.md).
 * Recipients: sandbox accounts get the message in their Inbox; an unknown address in a local domain is
 * refused at RCPT TO (550 5.1.1, as Postfix does for unknown local users); any other address belongs to
 * the "outside world" and is kept in the catch-all outbox (`GET /sandbox/outbox?to=`).
 * A second copy with the same Message-ID to the same mailbox is dropped, as Zimbra's LMTP does (dedupe.ts).
 */
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';
import nodemailer from 'nodemailer';
import type { Store } from './store.ts';
import { Folder } from './store.ts';
import { indexMessage } from './mime.ts';
import { dedupeMessageId, MessageIdDedupe } from './dedupe.ts';

/** Domains whose mailboxes the sandbox hosts (Zimbra's zimbraMailDomain). */
export const LOCAL_DOMAINS = ['esante.lu'];
const MAX_MESSAGE_SIZE = 50 * 1024 * 1024;

export interface SubmitResult {
  accepted: string[];
  rejected: string[];
}

export class MailSystem {
  private server: SMTPServer | null = null;
  private transport: ReturnType<typeof nodemailer.createTransport> | null = null;
  private actualPort = 0;
  /** Zimbra's LMTP Message-ID dedupe cache (in memory, as Zimbra's). */
  private readonly dedupe = new MessageIdDedupe();
  /** Copies dropped by the dedupe since start (for tests and the sandbox's log). */
  duplicatesDropped = 0;

  constructor(
    private readonly store: Store,
    private readonly log: (m: string, x?: Record<string, unknown>) => void,
  ) {}

  get port(): number {
    return this.actualPort;
  }

  isLocal(address: string): boolean {
    const domain = address.split('@')[1]?.toLowerCase() ?? '';
    return LOCAL_DOMAINS.includes(domain) || this.store.accountByName(address) !== undefined;
  }

  async start(port: number, host = '127.0.0.1'): Promise<void> {
    const server = new SMTPServer({
      name: 'sandbox.esante.lu',
      banner: 'eSanté sandbox MTA (stand-in for Zimbra Postfix)',
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      size: MAX_MESSAGE_SIZE,
      logger: false,
      onRcptTo: (address: SMTPServerAddress, _session, callback) => {
        const rcpt = address.address.toLowerCase();
        const domain = rcpt.split('@')[1] ?? '';
        if (LOCAL_DOMAINS.includes(domain) && !this.store.accountByName(rcpt)) {
          const err = new Error(`5.1.1 <${rcpt}>: Recipient address rejected: User unknown in virtual mailbox table`) as Error & { responseCode: number };
          err.responseCode = 550;
          callback(err);
          return;
        }
        callback();
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('error', callback);
        stream.on('end', () => {
          if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) {
            const err = new Error('5.3.4 Message too big') as Error & { responseCode: number };
            err.responseCode = 552;
            callback(err);
            return;
          }
          const raw = Buffer.concat(chunks);
          const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
          this.deliver(from, session.envelope.rcptTo.map((r) => r.address), raw).then(
            () => callback(),
            (e: unknown) => {
              this.log('delivery failed', { error: (e as Error).message });
              callback(e as Error);
            },
          );
        });
      },
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (e: Error) => this.log('smtp server error', { error: e.message }));
    this.actualPort = ((server as unknown as { server: { address(): { port: number } } }).server.address()).port;
    this.transport = nodemailer.createTransport({ pool: true, host, port: this.actualPort, secure: false, ignoreTLS: true, maxConnections: 2 });
  }

  /** LMTP-like local delivery of one received message to every recipient. */
  private async deliver(from: string, rcpts: string[], raw: Buffer): Promise<void> {
    const dedupeId = dedupeMessageId(raw);
    for (const rcpt of rcpts) {
      const account = this.store.accountByName(rcpt);
      if (account) {
        // A second copy with the same Message-ID to the same mailbox is dropped, as Zimbra's LMTP does (dedupe.ts).
        if (this.dedupe.isDuplicate(dedupeId, account.id)) {
          this.duplicatesDropped++;
          this.log('not delivering message with duplicate Message-ID', { messageId: dedupeId, to: rcpt });
          continue;
        }
        // Unread ('u') in the Inbox, as Zimbra files new mail without filter rules.
        this.store.addMessage(account.id, await indexMessage(raw, Folder.INBOX, 'u'));
        this.dedupe.add(dedupeId, account.id);
      } else {
        this.store.addOutbox(from, rcpt, raw);
      }
    }
  }

  /** Submits a message over SMTP exactly as given; the envelope decides who receives it. */
  async submit(envelope: { from: string; to: string[] }, raw: Buffer): Promise<SubmitResult> {
    if (!this.transport) throw new Error('mail system not started');
    try {
      const info = await this.transport.sendMail({ envelope, raw });
      return {
        accepted: (info.accepted as Array<string | { address: string }>).map((a) => (typeof a === 'string' ? a : a.address)),
        rejected: (info.rejected as Array<string | { address: string }>).map((a) => (typeof a === 'string' ? a : a.address)),
      };
    } catch (e) {
      const err = e as Error & { rejected?: string[]; code?: string };
      if (err.code === 'EENVELOPE' && err.rejected) return { accepted: [], rejected: err.rejected };
      throw e;
    }
  }

  async stop(): Promise<void> {
    this.transport?.close();
    this.transport = null;
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
