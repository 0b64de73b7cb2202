/**
 * The MTA of the topology: a real SMTP server (smtp-server, as sandbox/server/mail.ts) that keeps every
 * delivery with its Message-ID, and that can be taken down and brought back on the SAME port (the
 * service's SMTP URL does not change), for the "SMTP down, then up" fault. Deliveries are counted raw,
 * per SMTP transaction: no Message-ID dedupe here, so a second copy is seen (Zimbra's LMTP would drop
 * it, sandbox/server/dedupe.ts).
 */
import type { AddressInfo } from 'node:net';
import { parsingSmtpServer } from '../messages-support.ts';

export interface Delivery {
  to: string;
  subject: string;
  messageId: string;
  at: number;
}

export interface TopologyMta {
  readonly url: string;
  readonly deliveries: Delivery[];
  /** Closes the listener: connections are refused until up(). */
  down(): Promise<void>;
  up(): Promise<void>;
  /** Resolves once `predicate` holds over the deliveries (checked on each one), or rejects after `ms`. */
  waitFor(predicate: (d: readonly Delivery[]) => boolean, ms: number, what: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startMta(): Promise<TopologyMta> {
  const deliveries: Delivery[] = [];
  const waiters = new Set<() => void>();
  const make = () => {
    const server = parsingSmtpServer(
      (to, parsed) => void deliveries.push({ to, subject: parsed.subject ?? '', messageId: parsed.messageId ?? '', at: Date.now() }),
      () => {
        for (const w of [...waiters]) w();
      },
    );
    // A client's connection reset (the service's pool when the MTA goes down) is an 'error' event of the server: not a crash.
    server.on('error', () => undefined);
    return server;
  };
  let server = make();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  let running = true;
  const close = () =>
    new Promise<void>((resolve) => {
      if (!running) return resolve();
      running = false;
      // smtp-server's close waits for open connections (the service's pool keeps some): end them.
      const s = server as unknown as { connections?: Set<{ close(): void }> };
      for (const c of s.connections ?? []) c.close();
      server.close(() => resolve());
    });
  return {
    url: `smtp://127.0.0.1:${port}`,
    deliveries,
    down: close,
    async up() {
      if (running) return;
      server = make();
      await new Promise<void>((resolve, reject) => {
        server.server.once('error', reject);
        server.listen(port, '127.0.0.1', () => resolve());
      });
      running = true;
    },
    waitFor(predicate, ms, what) {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (!predicate(deliveries)) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`MTA: ${what} not reached within ${ms} ms (${deliveries.length} deliveries)`));
        }, ms);
        waiters.add(check);
        check();
      });
    },
    stop: close,
  };
}
