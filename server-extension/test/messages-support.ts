/**
 * Test helpers of the messages feature: a real SMTP server that keeps what it receives, the service
 * on its own SQLite store notifying it, and several service instances' stores on one private PostgreSQL.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { openStore, type Store } from '../src/store/index.ts';
import { startPostgres, type TestPostgres } from './support/postgres.ts';
import { startTestEnv, type TestEnv } from './support/service.ts';

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

/**
 * A local SMTP server (smtp-server, no auth, no TLS) that parses every mail (mailparser) and hands it
 * over once per envelope recipient (lower-cased), before accepting it; `onAccepted` runs once it is accepted.
 */
export function parsingSmtpServer(onMail: (to: string, mail: ParsedMail) => void, onAccepted?: () => void): SMTPServer {
  return new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (parsed) => {
          for (const rcpt of session.envelope.rcptTo) onMail(rcpt.address.toLowerCase(), parsed);
          callback();
          onAccepted?.();
        },
        (err: Error) => callback(err),
      );
    },
  });
}

export async function startMailCatcher(): Promise<MailCatcher> {
  const mails: ReceivedMail[] = [];
  const server = parsingSmtpServer((to, parsed) => {
    mails.push({ to, subject: parsed.subject ?? '', text: parsed.text ?? '', messageId: parsed.messageId ?? '' });
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

/**
 * For a describe block: a private PostgreSQL cluster and a mail catcher, started before its tests
 * and stopped after them (read `cluster` and `smtp` inside the tests).
 */
export function postgresAndMailCatcher(): { readonly cluster: TestPostgres; readonly smtp: MailCatcher } {
  const fixture = {} as { cluster: TestPostgres; smtp: MailCatcher };
  before(async () => {
    [fixture.cluster, fixture.smtp] = await Promise.all([startPostgres(), startMailCatcher()]);
  });
  after(async () => {
    await fixture.smtp?.stop();
    await fixture.cluster?.stop();
  });
  return fixture;
}

/** Two service instances' stores on one new database of `cluster`, both migrated (they race to). */
export async function twoInstanceStores(cluster: TestPostgres): Promise<[Store, Store]> {
  const url = await cluster.createDatabase();
  const [s1, s2] = await Promise.all([openStore({ kind: 'postgres', url, poolSize: 4 }), openStore({ kind: 'postgres', url, poolSize: 4 })]);
  await Promise.all([s1.migrate(), s2.migrate()]);
  return [s1, s2];
}

/** What a test SMTP server offers the service: where to send, and a way to stop it. */
type Catcher = { url: string; stop(): Promise<void> };

export interface MessagesEnv<C extends Catcher = MailCatcher> {
  /** A temp directory of the test's own (the SQLite file and the service's data dir are in it); removed by close(). */
  dir: string;
  store: Store;
  smtp: C;
  env: TestEnv;
  /** Stops the service, closes the store, stops the mail catcher, removes `dir`. */
  close(): Promise<void>;
}

/**
 * The real service (sandbox Zimbra in front, no background scheduler) on its own SQLite store,
 * notifying a mail catcher (startMailCatcher unless told): `seed` writes what the tests need before
 * the service starts; `extraEnv` adds settings (ESANTE_TEST_CLOCK, ESANTE_ACCOUNT_SCRYPT_LOG2N…).
 */
export function startMessagesEnv(prefix: string, seed: (store: Store, dir: string) => Promise<void>, extraEnv?: Record<string, string>): Promise<MessagesEnv>;
export function startMessagesEnv<C extends Catcher>(prefix: string, seed: (store: Store, dir: string) => Promise<void>, extraEnv: Record<string, string>, catcher: () => Promise<C>): Promise<MessagesEnv<C>>;
export async function startMessagesEnv(
  prefix: string,
  seed: (store: Store, dir: string) => Promise<void>,
  extraEnv: Record<string, string> = {},
  catcher: () => Promise<Catcher> = startMailCatcher,
): Promise<MessagesEnv<Catcher>> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const smtp = await catcher();
  const store = await openStore({ kind: 'sqlite', path: join(dir, 'esante.sqlite') });
  await store.migrate();
  await seed(store, dir);
  const featureEnv = { ESANTE_SMTP_URL: smtp.url, ESANTE_SCHEDULER_INTERVAL_MS: '0', ESANTE_DATA_DIR: join(dir, 'data'), ...extraEnv };
  const env = await startTestEnv(featureEnv, { store, env: featureEnv });
  return {
    dir,
    store,
    smtp,
    env,
    async close() {
      await env.close();
      await store.close();
      await smtp.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
