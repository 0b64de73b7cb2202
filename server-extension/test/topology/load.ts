/**
 * Simulated users of a hospital's morning, through nginx, for the topology's fault tests and
 * bench/load.ts (issue 16). Each user is a closed loop (one call at a time, no think time) that
 * draws its next operation by weight:
 *   search  50 %  SearchProfessionals (prosearch's search form)
 *   open    25 %  ReleaseMessageKey of a message addressed to the user (opening an encrypted mail)
 *   send    10 %  RegisterSecureMessage + ConfirmSecureMessageSent ("Envoyer avec Regify")
 *   info    13 %  GetServiceInfo / GetEncryptionAccount (the "À propos" and Options tabs)
 *   portal   2 %  a portal log-in of an outside recipient (POST …/portal/api/login, a scrypt check)
 * Calls are the real SOAP the zimlets send (shared/soap/codec.ts encodeRequest), with the Zimbra
 * cookie and CSRF header of a sandbox session; answers are read by regex (the load generator shares
 * the machine's cores with what it measures: it must stay light).
 *
 * With `retry`, a call that failed with a retryable answer (HTTP 502/503/504, a dropped connection,
 * Fault service.unavailable) is retried, as a zimlet's "Réessayer" would: the fault tests use it to
 * check that clients finish on the surviving instance. Everything the clients saw succeed is
 * recorded (`ledger`) for the reconciliation against PostgreSQL.
 */
import { Agent, request } from 'node:http';
import { randomBytes, randomInt } from 'node:crypto';
import { CSRF_HEADER, SERVICE_BASE_PATH, SOAP_NAMESPACE, SOAP_PATH } from '../../../shared/paths.ts';
import { encodeRequest } from '../../../shared/soap/codec.ts';
import type { OperationName, RequestOf } from '../../../shared/soap/operations.ts';
import { soapActionOf } from '../../../shared/soap/wsdl.ts';
import { hashPassword } from '../../src/accounts/password-hash.ts';
import { openStore } from '../../src/store/index.ts';
import { loginAs, SEED_PASSWORD, type LoginResult } from '../support/service.ts';

export const OPERATIONS = ['search', 'open', 'send', 'info', 'portal'] as const;
export type Operation = (typeof OPERATIONS)[number];
export const MIX: Record<Operation, number> = { search: 50, open: 25, send: 10, info: 13, portal: 2 };

export const SEED_USERS = ['marie.schmit@esante.lu', 'jean-claude.weber@esante.lu', 'sophie.muller@esante.lu', 'luc.hoffmann@esante.lu', 'ana.da-silva@esante.lu', 'helene.thill@esante.lu'];
const SEARCH_NAMES = ['Schmit', 'Weber', 'Muller', 'Hoffmann', 'Thill', 'Da Silva', 'Mueller', 'Wagner', 'Schmitt', 'Klein', 'Martin', 'Reuter'];
const ACCOUNT_PASSWORD = 'Charge-2026!Mat1n';

export interface SentMessage {
  messageId: string;
  dataKey: string;
  sender: string;
  to: string;
  confirmed: boolean;
  /** A confirm attempt failed before one succeeded (its first try may have been applied). */
  confirmRetried: boolean;
}

export interface Ledger {
  /** Every message a client registered (confirmed or not), by id. */
  sent: Map<string, SentMessage>;
  /** Key releases a client saw succeed / attempted, by `${messageId} ${user}`. */
  released: Map<string, { ok: number; attempts: number }>;
  /** Portal log-ins a client saw succeed. */
  portalLogins: number;
}

export interface Prepared {
  baseUrl: string;
  users: Array<{ mail: string; login: LoginResult }>;
  /** Confirmed messages addressed to each user (opened by the `open` operation). */
  inbox: Map<string, string[]>;
  portalAccounts: Array<{ email: string; password: string }>;
  ledger: Ledger;
}

const agent = new Agent({ keepAlive: true, maxSockets: 1024 });

interface Answer {
  status: number;
  body: string;
}

function post(url: string, headers: Record<string, string>, body: string, timeoutMs = 30_000): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { ...headers, 'Content-Length': Buffer.byteLength(body) }, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

/** What a call ended with: ok, or a code (a Fault code, http.<status> for a proxy's page, net.<code> for a dropped connection). */
export interface Outcome {
  ok: boolean;
  code?: string;
  status?: number;
}

const faultCode = (body: string): string | undefined => /<e:error [^>]*code="([^"]+)"/.exec(body)?.[1];
const field = (body: string, name: string): string | undefined => new RegExp(`<(?:\\w+:)?${name}>([^<]*)</(?:\\w+:)?${name}>`).exec(body)?.[1];

export async function soap<N extends OperationName>(baseUrl: string, login: LoginResult, op: N, req: RequestOf<N>): Promise<Outcome & { body?: string }> {
  try {
    const a = await post(
      `${baseUrl}${SOAP_PATH}`,
      {
        'Content-Type': 'text/xml; charset=utf-8',
        SOAPAction: `"${soapActionOf(SOAP_NAMESPACE, op)}"`,
        Cookie: login.cookie,
        [CSRF_HEADER]: login.csrfToken,
        'Accept-Language': 'fr',
      },
      encodeRequest(op, req),
    );
    const code = faultCode(a.body);
    if (a.status === 200 && !code) return { ok: true, status: 200, body: a.body };
    return { ok: false, status: a.status, code: code ?? `http.${a.status}` };
  } catch (e) {
    return { ok: false, code: `net.${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
  }
}

export const retryable = (o: Outcome): boolean =>
  !o.ok && (o.code === 'service.unavailable' || o.code === 'directory.unavailable' || o.code!.startsWith('net.') || o.status === 502 || o.status === 503 || o.status === 504);

/**
 * Logs the six seed users in on the sandbox, gives each an encryption account (read and transmission
 * notifications on), sends `messagesPerUser` messages to each through nginx so that `open` has
 * something to open, and creates `portalAccounts` outside accounts directly in the store.
 */
export async function prepare(opts: { baseUrl: string; sandboxUrl: string; pgUrl: string; messagesPerUser?: number; portalAccounts?: number }): Promise<Prepared> {
  const users = await Promise.all(SEED_USERS.map(async (mail) => ({ mail, login: await loginAs(opts.sandboxUrl, mail, SEED_PASSWORD) })));
  for (const u of users) {
    const has = await soap(opts.baseUrl, u.login, 'GetEncryptionAccount', {});
    if (has.ok && /<(?:\w+:)?exists>true</.test(has.body ?? '')) continue;
    const created = await soap(opts.baseUrl, u.login, 'CreateEncryptionAccount', { fullName: u.mail.split('@')[0]!, password: ACCOUNT_PASSWORD, confirmation: ACCOUNT_PASSWORD });
    if (!created.ok && created.code !== 'account.already_exists') throw new Error(`CreateEncryptionAccount ${u.mail}: ${created.code}`);
    const options = await soap(opts.baseUrl, u.login, 'SetEncryptionOptions', { options: { readDeadlineDays: 30, notifyTransmission: true, notifyRead: true, notifyDeadline: false } });
    if (!options.ok) throw new Error(`SetEncryptionOptions ${u.mail}: ${options.code}`);
  }
  const prepared: Prepared = {
    baseUrl: opts.baseUrl,
    users,
    inbox: new Map(users.map((u) => [u.mail, []])),
    portalAccounts: [],
    ledger: { sent: new Map(), released: new Map(), portalLogins: 0 },
  };
  for (let i = 0; i < (opts.messagesPerUser ?? 5); i++) {
    await Promise.all(users.map(async (u, k) => {
      const r = await send(prepared, u, users[(k + 1 + i) % users.length]!.mail);
      if (!r.ok) throw new Error(`preparing messages: ${r.code}`);
    }));
  }
  const n = opts.portalAccounts ?? 20;
  if (n > 0) {
    const store = await openStore({ kind: 'postgres', url: opts.pgUrl, poolSize: 2 });
    try {
      const hash = await hashPassword(ACCOUNT_PASSWORD, 14);
      for (let i = 0; i < n; i++) {
        const email = `proche.${i}@example.org`;
        await store.accounts.create({ email, fullName: `Proche ${i}`, identityLevel: 0, passwordHash: hash }).catch((e: { code?: string }) => {
          if (e.code !== 'account.already_exists') throw e;
        });
        prepared.portalAccounts.push({ email, password: ACCOUNT_PASSWORD });
      }
    } finally {
      await store.close();
    }
  }
  return prepared;
}

type User = Prepared['users'][number];

/** Register + confirm, retried as a user would (a new registration when the first never answered). */
async function send(p: Prepared, u: User, to: string, retry = false): Promise<Outcome> {
  for (let attempt = 1; ; attempt++) {
    const reg = await soap(p.baseUrl, u.login, 'RegisterSecureMessage', { to: [to], cc: [], subject: `Charge ${randomBytes(4).toString('hex')}` });
    if (!reg.ok) {
      if (retry && retryable(reg) && attempt < 50) {
        await pause();
        continue;
      }
      return reg;
    }
    const messageId = field(reg.body!, 'messageId')!;
    const m: SentMessage = { messageId, dataKey: field(reg.body!, 'dataKey')!, sender: u.mail, to, confirmed: false, confirmRetried: false };
    // One container, one digest: a retried confirm sends the same one (idempotent in the key service).
    const containerDigest = randomBytes(32).toString('base64url');
    p.ledger.sent.set(messageId, m);
    for (let c = 1; ; c++) {
      const conf = await soap(p.baseUrl, u.login, 'ConfirmSecureMessageSent', { messageId, containerDigest, size: 2048 });
      if (conf.ok) {
        m.confirmed = true;
        p.inbox.get(to)?.push(messageId);
        return { ok: true };
      }
      if (retry && retryable(conf) && c < 50) {
        m.confirmRetried = true;
        await pause();
        continue;
      }
      return conf;
    }
  }
}

const pause = () => new Promise((r) => setTimeout(r, 50 + randomInt(150)));

function pick(): Operation {
  let r = randomInt(100);
  for (const op of OPERATIONS) {
    if ((r -= MIX[op]) < 0) return op;
  }
  return 'search';
}

async function once(p: Prepared, op: Operation, u: User, retry: boolean): Promise<Outcome> {
  switch (op) {
    case 'search':
      return soap(p.baseUrl, u.login, 'SearchProfessionals', { name: SEARCH_NAMES[randomInt(SEARCH_NAMES.length)]!, limit: 20 });
    case 'open': {
      const inbox = p.inbox.get(u.mail)!;
      const messageId = inbox[randomInt(inbox.length)]!;
      const key = `${messageId} ${u.mail}`;
      const rec = p.ledger.released.get(key) ?? { ok: 0, attempts: 0 };
      p.ledger.released.set(key, rec);
      rec.attempts++;
      const r = await soap(p.baseUrl, u.login, 'ReleaseMessageKey', { messageId });
      if (!r.ok) return r;
      // The key must be the one the sender was given: nothing lost or changed across instances.
      if (field(r.body!, 'dataKey') !== p.ledger.sent.get(messageId)?.dataKey) return { ok: false, code: 'check.wrong_key' };
      rec.ok++;
      return r;
    }
    case 'send': {
      const others = p.users.filter((x) => x !== u);
      return send(p, u, others[randomInt(others.length)]!.mail, retry);
    }
    case 'info':
      return randomInt(2) === 0 ? soap(p.baseUrl, u.login, 'GetServiceInfo', {}) : soap(p.baseUrl, u.login, 'GetEncryptionAccount', {});
    case 'portal': {
      const acc = p.portalAccounts[randomInt(p.portalAccounts.length)]!;
      try {
        // A distinct client address per log-in, as from many homes (nginx appends its own peer; the service trusts it).
        const a = await post(
          `${p.baseUrl}${SERVICE_BASE_PATH}/portal/api/login`,
          { 'Content-Type': 'application/json', 'X-Esante-Portal': '1', 'X-Forwarded-For': `10.${randomInt(256)}.${randomInt(256)}.${1 + randomInt(254)}` },
          JSON.stringify({ email: acc.email, password: acc.password }),
        );
        if (a.status === 200) {
          p.ledger.portalLogins++;
          return { ok: true, status: 200 };
        }
        return { ok: false, status: a.status, code: /"code":"([^"]+)"/.exec(a.body)?.[1] ?? `http.${a.status}` };
      } catch (e) {
        return { ok: false, code: `net.${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
      }
    }
  }
}

export interface OpStats {
  count: number;
  errors: number;
  /** Milliseconds of every call (successes and failures), in completion order. */
  ms: number[];
  codes: Map<string, number>;
}

export interface LoadResult {
  seconds: number;
  stats: Record<Operation, OpStats>;
  /** Failures by code (before retries succeeded, when retrying). */
  failures: Map<string, number>;
  /** Calls that still failed after their retries (with `retry`), or every failure (without). */
  finalErrors: number;
  total: number;
}

export interface LoadOptions {
  users: number;
  /** Stops after this long, or when `stop` aborts (whichever first). */
  durationMs: number;
  stop?: AbortSignal;
  retry?: boolean;
  /** Told of every outcome (the fault tests watch the errors while the fault lasts): `at` its end, `startedAt` its start (Date.now()). */
  onOutcome?: (op: Operation, o: Outcome, at: number, startedAt: number) => void;
}

export async function runLoad(p: Prepared, opts: LoadOptions): Promise<LoadResult> {
  const stats = Object.fromEntries(OPERATIONS.map((op) => [op, { count: 0, errors: 0, ms: [] as number[], codes: new Map<string, number>() }])) as Record<Operation, OpStats>;
  const failures = new Map<string, number>();
  const started = performance.now();
  const until = started + opts.durationMs;
  let finalErrors = 0;
  const loop = async (i: number) => {
    const u = p.users[i % p.users.length]!;
    while (performance.now() < until && !opts.stop?.aborted) {
      const op = pick();
      const t0 = performance.now();
      let startedAt = Date.now();
      let o = await once(p, op, u, !!opts.retry);
      opts.onOutcome?.(op, o, Date.now(), startedAt);
      for (let attempt = 1; opts.retry && retryable(o) && attempt < 100; attempt++) {
        failures.set(o.code!, (failures.get(o.code!) ?? 0) + 1);
        await pause();
        startedAt = Date.now();
        o = await once(p, op, u, true);
        opts.onOutcome?.(op, o, Date.now(), startedAt);
      }
      const s = stats[op];
      s.count++;
      s.ms.push(performance.now() - t0);
      if (!o.ok) {
        s.errors++;
        finalErrors++;
        s.codes.set(o.code!, (s.codes.get(o.code!) ?? 0) + 1);
        if (!opts.retry) failures.set(o.code!, (failures.get(o.code!) ?? 0) + 1);
      }
    }
  };
  await Promise.all(Array.from({ length: opts.users }, (_, i) => loop(i)));
  const seconds = (performance.now() - started) / 1000;
  return { seconds, stats, failures, finalErrors, total: OPERATIONS.reduce((n, op) => n + stats[op].count, 0) };
}

export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

/** One line per operation: count, p50/p95/p99 (ms) and errors. */
export function report(r: LoadResult): string[] {
  return OPERATIONS.map((op) => {
    const s = r.stats[op];
    const sorted = [...s.ms].sort((a, b) => a - b);
    const codes = [...s.codes].map(([c, n]) => `${c}×${n}`).join(' ');
    return `${op.padEnd(7)} count ${String(s.count).padStart(7)}  p50 ${percentile(sorted, 0.5).toFixed(1).padStart(7)} ms  p95 ${percentile(sorted, 0.95).toFixed(1).padStart(7)} ms  p99 ${percentile(sorted, 0.99).toFixed(1).padStart(7)} ms  errors ${s.errors}${codes ? ` (${codes})` : ''}`;
  });
}
