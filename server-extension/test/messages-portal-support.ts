/**
 * Helpers of the portal tests (issue 15): an SMTP server that keeps each envelope recipient exactly
 * as the service wrote it in RCPT TO (messages-support.ts lower-cases them, which would hide the
 * very difference the address tests look for), and the portal's JSON calls.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { SERVICE_BASE_PATH } from '../../shared/paths.ts';
import type { Store } from '../src/store/index.ts';
import { startMessagesEnv } from './messages-support.ts';
import type { TestEnv } from './support/service.ts';

export interface RawMail {
  /** RCPT TO as it came over the wire: not folded, not decoded. */
  rcpt: string;
  text: string;
  subject: string;
}

export interface RawMailCatcher {
  url: string;
  mails: RawMail[];
  /** Resolves with the first mail whose RCPT TO is exactly `rcpt` (event-driven, fails after `ms`). */
  next(rcpt: string, ms?: number): Promise<RawMail>;
  stop(): Promise<void>;
}

export async function startRawMailCatcher(): Promise<RawMailCatcher> {
  const mails: RawMail[] = [];
  const waiters: Array<{ rcpt: string; resolve: (m: RawMail) => void }> = [];
  // smtp-server hands the application RCPT TO with the domain converted to Unicode (punycode.toUnicode
  // in its smtp-connection.js), so the address as it went over the wire is taken from its command log.
  const wire = new Map<string, string[]>();
  const quiet = () => undefined;
  const logger = {
    debug(meta: { tnx?: string; cid?: string; command?: string }, _fmt: string, line?: string) {
      if (meta?.tnx === 'command' && meta.command === 'RCPT' && meta.cid && typeof line === 'string') {
        const m = /<([^>]*)>/.exec(line);
        if (m) wire.set(meta.cid, [...(wire.get(meta.cid) ?? []), m[1]!]);
      }
    },
    info: quiet,
    warn: quiet,
    error: quiet,
    trace: quiet,
    fatal: quiet,
    child: () => logger,
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: logger as never,
    onData(stream, session, callback) {
      const rcpts = wire.get(session.id) ?? [];
      wire.delete(session.id);
      simpleParser(stream).then(
        (parsed) => {
          for (const rcpt of rcpts) {
            const mail = { rcpt, text: parsed.text ?? '', subject: parsed.subject ?? '' };
            mails.push(mail);
            for (const w of waiters.filter((x) => x.rcpt === mail.rcpt)) {
              waiters.splice(waiters.indexOf(w), 1);
              w.resolve(mail);
            }
          }
          callback();
        },
        (err: Error) => callback(err),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    next(rcpt, ms = 5000) {
      const have = mails.find((m) => m.rcpt === rcpt);
      if (have) {
        mails.splice(mails.indexOf(have), 1);
        return Promise.resolve(have);
      }
      return new Promise<RawMail>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no mail to ${rcpt} within ${ms} ms; got ${mails.map((m) => m.rcpt).join(', ')}`)), ms);
        waiters.push({
          rcpt,
          resolve: (m) => {
            clearTimeout(timer);
            mails.splice(mails.indexOf(m), 1);
            resolve(m);
          },
        });
      });
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The portal's JSON POST as its page sends it (CSRF header, JSON body), from a client IP given by X-Forwarded-For. */
export function portalClient(baseUrl: string, path: string) {
  const post = (sub: string, body: unknown, ip = '192.0.2.1', headers: Record<string, string> = {}) =>
    fetch(`${baseUrl}${path}${sub}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Esante-Portal': '1', 'X-Forwarded-For': ip, ...headers },
      body: JSON.stringify(body),
    });
  const errorCode = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;
  const codeIn = (text: string) => /\b(\d{6})\b/.exec(text)?.[1];
  return { post, errorCode, codeIn };
}

export interface PortalEnv {
  env: TestEnv;
  store: Store;
  smtp: RawMailCatcher;
  portal: ReturnType<typeof portalClient>;
  /** Moves the service's test clock forward. */
  advance(ms: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * The real service (test clock, no scheduler) on its own SQLite store, mailing to a raw catcher;
 * `seed` writes the accounts a test needs before the service starts.
 */
export async function startPortalEnv(seed: (store: Store) => Promise<void>): Promise<PortalEnv> {
  const { env, store, smtp, close } = await startMessagesEnv('esante-portal-', seed, { ESANTE_TEST_CLOCK: '1', ESANTE_ACCOUNT_SCRYPT_LOG2N: '14' }, startRawMailCatcher);
  return {
    env,
    store,
    smtp,
    close,
    portal: portalClient(env.url, `${SERVICE_BASE_PATH}/portal`),
    async advance(ms) {
      const r = await fetch(`${env.url}${SERVICE_BASE_PATH}/test/clock`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ advanceMs: ms }) });
      if (r.status !== 200) throw new Error(`test clock: ${r.status}`);
    },
  };
}
