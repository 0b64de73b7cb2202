/** Test helpers of the messages feature: a real SMTP server that keeps what it receives. */
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  to: string;
  subject: string;
  text: string;
  messageId: string;
}

export interface MailCatcher {
  url: string;
  mails: ReceivedMail[];
  to(address: string): ReceivedMail[];
  /** Waits until `n` mails to `address` arrived (or fails after `ms`). */
  waitFor(address: string, n: number, ms?: number): Promise<ReceivedMail[]>;
  stop(): Promise<void>;
}

export async function startMailCatcher(): Promise<MailCatcher> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (parsed) => {
          for (const rcpt of session.envelope.rcptTo) {
            mails.push({ to: rcpt.address.toLowerCase(), subject: parsed.subject ?? '', text: parsed.text ?? '', messageId: parsed.messageId ?? '' });
          }
          callback();
        },
        (err: Error) => callback(err),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  const to = (address: string) => mails.filter((m) => m.to === address.toLowerCase());
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    to,
    async waitFor(address, n, ms = 5000) {
      const until = Date.now() + ms;
      while (to(address).length < n) {
        if (Date.now() > until) throw new Error(`expected ${n} mails to ${address}, got ${to(address).length}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return to(address);
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
