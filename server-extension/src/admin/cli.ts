/**
 * `esante-admin`: the one operator tool of the service (issue 16), on the service's own store and
 * environment. Shipped in dist/service as `node esante-admin.mjs …`; in the repository
 * `npm run admin -- …`.
 *
 *   account show <email> [--json]            an encryption account (never its password hash or codes)
 *   account unlock <email>                   clears failed log-ins and the lock (audited)
 *   audit query [filters] [--format csv|json] the audit trail by user, message, action, time
 *   notifications status [--json]            outbox depth, oldest due, failed jobs
 *   notifications retry (--all | --id N…)    failed notifications back to the queue (audited)
 *   master-key add-key | rewrap | retire     master key rotation (docs/master-key-rotation.md)
 *   message revoke <id> [--recipient A]      a sent secure message withdrawn, for all or one (audited)
 *
 * Exit codes (EXIT below): 0 done, 1 failed or incomplete, 2 bad usage, 3 store unreachable,
 * 4 not found. Every subcommand answers --help. Errors are in the operator's language (ESANTE_ADMIN_LANG,
 * else LC_ALL / LANG: fr, de, en; French otherwise), help texts in English.
 */
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import type { Lang } from '../../../shared/i18n/lang.ts';
import { errorText } from '../../../shared/errors.ts';
import { ConfigError } from '../config.ts';
import { CodedError } from '../errors.ts';
import { createLogger } from '../log.ts';
import { KeyService } from '../messages/key-service.ts';
import { AUDIT_LIST_MAX_LIMIT, isLocked, StoreInputError, StoreUnavailableError, type AuditEvent, type Store } from '../store/index.ts';
import { runRotationCommand } from './master-key.ts';
import { openReachableStore, StoreUnreachableError } from './store.ts';

type Env = Record<string, string | undefined>;

export const EXIT = { ok: 0, failed: 1, usage: 2, storeUnreachable: 3, notFound: 4 } as const;

export interface AdminIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

const HELP: Record<string, string> = {
  '': `usage: esante-admin <command> [options]

commands:
  account show <email> [--json]             show an encryption account
  account unlock <email>                    clear its failed log-ins and lock
  audit query [--user A] [--message ID] [--action A] [--since T] [--until T] [--limit N] [--format csv|json]
  notifications status [--json]             outbox depth, oldest due job, failed jobs
  notifications retry (--all | --id N ...)  give failed notifications another round
  master-key add-key | rewrap | retire      master key rotation (docs/master-key-rotation.md)
  message revoke <id> [--recipient ADDRESS] withdraw a sent secure message (all recipients, or one)

Runs on the service's store, from the same environment (ESANTE_STORE, ESANTE_PG_URL or
ESANTE_SQLITE_PATH / ESANTE_DATA_DIR). "esante-admin <command> --help" for each command.

exit codes: 0 done, 1 failed or incomplete, 2 bad usage, 3 store unreachable, 4 not found`,
  account: `usage: esante-admin account show <email> [--json]
       esante-admin account unlock <email>

show    prints the account: name, identity level, options, transactions, failed log-ins, lock.
        Never the password hash nor the unlock code. --json: one JSON object.
unlock  sets failed log-ins to 0 and lifts the lock; recorded in the audit trail (account.unlock).
exit codes: 0 done, 2 bad usage, 3 store unreachable, 4 no such account`,
  audit: `usage: esante-admin audit query [--user ADDRESS] [--message ID] [--action ACTION]
                                [--since TIME] [--until TIME] [--limit N] [--format csv|json]

Newest first. --user: who acted (e-mail address, system, scheduler); --message: the subject (message
id, account address …); --action e.g. key.release; --since / --until: ISO 8601 times (inclusive);
--limit: at most N events (default 100, max 100000); --format: json (default, one array) or csv
(RFC 4180, header line; cells starting with = + - @ are prefixed with ' against spreadsheet formulas).
exit codes: 0 done, 2 bad usage, 3 store unreachable`,
  notifications: `usage: esante-admin notifications status [--json]
       esante-admin notifications retry (--all | --id N [--id N ...])

status  pending / due / being sent / failed / sent counts, age of the oldest due job, the failed jobs.
retry   moves failed jobs back to pending with their attempts reset; the schedulers send them at their
        next run. A sent job is never touched (nothing can be sent twice). Audited (notification.retry).
exit codes: 0 done, 1 nothing was failed, 2 bad usage, 3 store unreachable, 4 an --id is not a failed job`,
  message: `usage: esante-admin message revoke <message-id> [--recipient ADDRESS]

revoke  withdraws a secure message, as its sender can (docs/key-service.md, "Revoke"): from then on no key
        is released to the recipients concerned (webmail and portal), they read "retiré par son
        expéditeur", pending deadline notices for them are dropped. All recipients, or only --recipient.
        Recorded in the audit trail (message.revoke, actor admin:<user>, channel admin).
exit codes: 0 done, 1 already revoked (nothing changed), 2 bad usage, 3 store unreachable,
            4 no such message or recipient`,
  'master-key': `usage: esante-admin master-key add-key | rewrap | retire

add-key  a new current master key in the keyring file (then restart every instance)
rewrap   re-wrap every stored message key and unlock code under the current key (resumable)
retire   drop the keys nothing names any more
(the same as npm run rotate-master-key; docs/master-key-rotation.md)
exit codes: 0 done, 1 rewrap met conflicts (run it again), 2 bad usage or not for this keyring, 3 store unreachable`,
};

const MSG: Record<string, Record<Lang, (a: string) => string>> = {
  usage: { fr: (a) => `utilisation incorrecte : ${a}`, de: (a) => `falsche Verwendung: ${a}`, en: (a) => `bad usage: ${a}` },
  unreachable: {
    fr: (a) => `magasin de données injoignable (${a}) ; rien n’a été lu ni modifié`,
    de: (a) => `Datenspeicher nicht erreichbar (${a}); nichts wurde gelesen oder geändert`,
    en: (a) => `cannot reach the store (${a}); nothing was read or changed`,
  },
  config: { fr: (a) => `configuration invalide : ${a}`, de: (a) => `ungültige Konfiguration: ${a}`, en: (a) => `invalid configuration: ${a}` },
  noAccount: { fr: (a) => `aucun compte de chiffrement pour ${a}`, de: (a) => `kein Verschlüsselungskonto für ${a}`, en: (a) => `no encryption account for ${a}` },
  notFailed: { fr: (a) => `pas une notification en échec : ${a}`, de: (a) => `keine fehlgeschlagene Benachrichtigung: ${a}`, en: (a) => `not a failed notification: ${a}` },
  badTime: { fr: (a) => `date invalide (ISO 8601 attendu) : ${a}`, de: (a) => `ungültige Zeitangabe (ISO 8601 erwartet): ${a}`, en: (a) => `invalid time (ISO 8601 expected): ${a}` },
  badInput: { fr: (a) => `valeur refusée : ${a}`, de: (a) => `Wert abgelehnt: ${a}`, en: (a) => `value refused: ${a}` },
  failed: { fr: (a) => `échec : ${a}`, de: (a) => `fehlgeschlagen: ${a}`, en: (a) => `failed: ${a}` },
};

function langOf(env: Env): Lang {
  const raw = (env['ESANTE_ADMIN_LANG'] || env['LC_ALL'] || env['LANG'] || '').toLowerCase();
  return raw.startsWith('de') ? 'de' : raw.startsWith('en') ? 'en' : 'fr';
}

class UsageError extends Error {}
class NotFoundError extends Error {}

/** Who acts, for the audit trail: the operating-system account running the tool. */
function operator(env: Env): string {
  let name = env['USER'] || 'unknown';
  try {
    name = userInfo().username;
  } catch {
    /* no passwd entry (containers): USER */
  }
  return `admin:${name}`;
}

function parse(args: string[], options: NonNullable<Parameters<typeof parseArgs>[0]>['options']): { values: Record<string, unknown>; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args, options: { help: { type: 'boolean', short: 'h' }, ...options }, allowPositionals: true, strict: true });
    return { values: values as Record<string, unknown>, positionals };
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

function time(value: string | undefined, lang: Lang): number | undefined {
  if (value === undefined) return undefined;
  const t = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(t)) throw new UsageError(MSG['badTime']![lang](value));
  return t;
}

/** RFC 4180 cell; a leading = + - @ (or tab / CR) would run as a formula in a spreadsheet (OWASP CSV injection). */
function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

async function withStore<T>(env: Env, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openReachableStore(env);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

async function account(args: string[], env: Env, io: AdminIo, lang: Lang): Promise<number> {
  const { values, positionals } = parse(args, { json: { type: 'boolean' } });
  if (values['help']) return io.out(HELP['account']!), EXIT.ok;
  const [sub, email, ...rest] = positionals;
  if ((sub !== 'show' && sub !== 'unlock') || !email || rest.length) throw new UsageError('account show|unlock <email>');
  return withStore(env, async (store) => {
    if (sub === 'unlock') {
      const before = await store.accounts.get(email);
      if (!before) throw new NotFoundError(MSG['noAccount']![lang](email));
      await store.accounts.resetFailedAttempts(email);
      await store.audit.append({ at: new Date(), actor: operator(env), action: 'account.unlock', subject: before.email, outcome: 'allowed', detail: { failedAttempts: before.failedAttempts, wasLocked: isLocked(before) } });
      io.out(`${before.email}: unlocked (failed log-ins ${before.failedAttempts} → 0${isLocked(before) ? ', lock lifted' : ''})`);
      return EXIT.ok;
    }
    const a = await store.accounts.get(email);
    if (!a) throw new NotFoundError(MSG['noAccount']![lang](email));
    const shown = {
      email: a.email,
      fullName: a.fullName,
      identityLevel: a.identityLevel,
      createdAt: a.createdAt,
      updatedAt: a.updatedAt,
      options: a.options,
      transactions: a.transactions,
      failedAttempts: a.failedAttempts,
      lockedUntil: a.lockedUntil,
      locked: isLocked(a),
      unlockCodeIssued: a.unlockCodeSealed !== null,
    };
    if (values['json']) io.out(JSON.stringify(shown, null, 2));
    else for (const [k, v] of Object.entries(shown)) io.out(`${k.padEnd(17)} ${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`);
    return EXIT.ok;
  });
}

async function audit(args: string[], env: Env, io: AdminIo, lang: Lang): Promise<number> {
  const { values, positionals } = parse(args, {
    user: { type: 'string' },
    message: { type: 'string' },
    action: { type: 'string' },
    since: { type: 'string' },
    until: { type: 'string' },
    limit: { type: 'string' },
    format: { type: 'string' },
  });
  if (values['help']) return io.out(HELP['audit']!), EXIT.ok;
  if (positionals.length !== 1 || positionals[0] !== 'query') throw new UsageError('audit query [options]');
  const format = (values['format'] as string | undefined) ?? 'json';
  if (format !== 'json' && format !== 'csv') throw new UsageError(`--format ${format}: csv or json`);
  const limitRaw = (values['limit'] as string | undefined) ?? '100';
  if (!/^\d+$/.test(limitRaw) || Number(limitRaw) < 1 || Number(limitRaw) > 100_000) throw new UsageError(`--limit ${limitRaw}: 1 to 100000`);
  const limit = Number(limitRaw);
  const since = time(values['since'] as string | undefined, lang);
  const until = time(values['until'] as string | undefined, lang);
  return withStore(env, async (store) => {
    // The trail is read newest first in pages (beforeId); a time range stops at the first older event.
    const events: AuditEvent[] = [];
    let beforeId: number | undefined;
    for (;;) {
      const page = await store.audit.list({
        ...(values['user'] ? { actor: values['user'] as string } : {}),
        ...(values['message'] ? { subject: values['message'] as string } : {}),
        ...(values['action'] ? { action: values['action'] as string } : {}),
        ...(beforeId !== undefined ? { beforeId } : {}),
        limit: AUDIT_LIST_MAX_LIMIT,
      });
      let older = false;
      for (const e of page) {
        const at = Date.parse(e.at);
        if (since !== undefined && at < since) {
          older = true;
          break;
        }
        if (until !== undefined && at > until) continue;
        events.push(e);
        if (events.length >= limit) break;
      }
      if (older || events.length >= limit || page.length < AUDIT_LIST_MAX_LIMIT) break;
      beforeId = page[page.length - 1]!.id;
    }
    if (format === 'json') io.out(JSON.stringify(events, null, 2));
    else {
      io.out('id,at,actor,action,subject,outcome,detail');
      for (const e of events) io.out([String(e.id), e.at, e.actor, e.action, e.subject, e.outcome, e.detail ? JSON.stringify(e.detail) : ''].map(csvCell).join(','));
    }
    return EXIT.ok;
  });
}

async function notifications(args: string[], env: Env, io: AdminIo, lang: Lang): Promise<number> {
  const { values, positionals } = parse(args, { json: { type: 'boolean' }, all: { type: 'boolean' }, id: { type: 'string', multiple: true } });
  if (values['help']) return io.out(HELP['notifications']!), EXIT.ok;
  const [sub, ...rest] = positionals;
  if ((sub !== 'status' && sub !== 'retry') || rest.length) throw new UsageError('notifications status|retry');
  if (sub === 'status') {
    return withStore(env, async (store) => {
      const queue = await store.operations.notificationQueue(Date.now());
      const failed = await store.operations.failedNotifications(100);
      if (values['json']) io.out(JSON.stringify({ queue, failed }, null, 2));
      else {
        io.out(`pending ${queue.pending} (due ${queue.due}, being sent ${queue.leased}), failed ${queue.failed}, sent ${queue.sent}`);
        io.out(`oldest due job waiting: ${Math.round(queue.oldestDueAgeMs / 1000)} s`);
        for (const f of failed) io.out(`failed #${f.id} ${f.kind} message ${f.messageId} after ${f.attempts} attempts: ${f.lastError ?? ''}`);
      }
      return EXIT.ok;
    });
  }
  const ids = (values['id'] as string[] | undefined) ?? [];
  if (values['all'] === (ids.length > 0)) throw new UsageError('notifications retry needs --all or --id N (not both)');
  if (!ids.every((id) => /^[1-9]\d{0,15}$/.test(id))) throw new UsageError(`--id ${ids.join(', ')}: positive whole numbers`);
  return withStore(env, async (store) => {
    const moved = await store.operations.retryFailedNotifications(values['all'] ? 'all' : ids.map(Number));
    if (moved.length) await store.audit.append({ at: new Date(), actor: operator(env), action: 'notification.retry', subject: moved.length === 1 ? String(moved[0]) : 'notifications', outcome: 'allowed', detail: { jobs: moved.join(',').slice(0, 400), count: moved.length } });
    io.out(`back in the queue: ${moved.length}${moved.length ? ` (#${moved.join(', #')})` : ''}`);
    const missing = ids.map(Number).filter((id) => !moved.includes(id));
    if (missing.length) throw new NotFoundError(MSG['notFailed']![lang](missing.map((i) => `#${i}`).join(', ')));
    return moved.length ? EXIT.ok : EXIT.failed;
  });
}

async function masterKey(args: string[], env: Env, io: AdminIo): Promise<number> {
  const { values, positionals } = parse(args, {});
  if (values['help']) return io.out(HELP['master-key']!), EXIT.ok;
  const [step, ...rest] = positionals;
  if (!step || !['add-key', 'rewrap', 'retire'].includes(step) || rest.length) throw new UsageError('master-key add-key|rewrap|retire');
  return runRotationCommand(step, env, io.out);
}

/** The service's revoke (messages/key-service.ts), run as the operator: one implementation, the same checks. */
async function message(args: string[], env: Env, io: AdminIo, lang: Lang): Promise<number> {
  const { values, positionals } = parse(args, { recipient: { type: 'string' } });
  if (values['help']) return io.out(HELP['message']!), EXIT.ok;
  const [sub, id, ...rest] = positionals;
  if (sub !== 'revoke' || !id || rest.length) throw new UsageError('message revoke <message-id> [--recipient ADDRESS]');
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw new UsageError(`${id.slice(0, 80)}: not a message id`);
  const recipient = values['recipient'] as string | undefined;
  return withStore(env, async (store) => {
    const keys = new KeyService({
      store: () => store,
      // Revoking reads no key and no subject: the master key is not loaded for it.
      keyring: () => {
        throw new Error('the master key is not used by message revoke');
      },
      clock: { now: () => new Date() },
      log: createLogger({ level: 'warn' }),
      publicUrl: '',
      levelBannerThreshold: 0,
    });
    try {
      const r = await keys.revokeAsOperator(operator(env), { messageId: id, ...(recipient !== undefined ? { recipient } : {}) });
      io.out(`${r.messageId}: revoked ${r.revokedAt} for ${r.revoked.join(', ')}`);
      return EXIT.ok;
    } catch (e) {
      if (!(e instanceof CodedError)) throw e;
      const text = errorText(e.code, lang, ...e.args);
      if (e.code === 'message.not_found' || e.code === 'message.unknown_recipient') throw new NotFoundError(text);
      if (e.code === 'message.already_revoked') return io.err(`esante-admin: ${text}`), EXIT.failed;
      throw new UsageError(text);
    }
  });
}

const COMMANDS: Record<string, (args: string[], env: Env, io: AdminIo, lang: Lang) => Promise<number>> = {
  account,
  audit,
  notifications,
  'master-key': (args, env, io) => masterKey(args, env, io),
  message,
};

/** Runs one command line (without `node esante-admin.mjs`); resolves with the exit code, never throws. */
export async function runAdmin(argv: readonly string[], env: Env = process.env, io: AdminIo = { out: console.log, err: console.error }): Promise<number> {
  const lang = langOf(env);
  const [command, ...args] = argv;
  try {
    if (!command || command === '--help' || command === '-h' || command === 'help') {
      io.out(HELP['']!);
      return command ? EXIT.ok : EXIT.usage;
    }
    const run = COMMANDS[command];
    if (!run) throw new UsageError(`unknown command "${command}"`);
    return await run(args, env, io, lang);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`esante-admin: ${MSG['usage']![lang](e.message)}`);
      io.err(`esante-admin ${command && COMMANDS[command] ? `${command} ` : ''}--help`);
      return EXIT.usage;
    }
    if (e instanceof StoreUnreachableError) return io.err(`esante-admin: ${MSG['unreachable']![lang](e.message)}`), EXIT.storeUnreachable;
    // Reached at first, gone during the command: a statement failed, the transaction was not committed.
    if (e instanceof StoreUnavailableError) return io.err(`esante-admin: ${MSG['unreachable']![lang]('the store stopped answering')}`), EXIT.storeUnreachable;
    if (e instanceof ConfigError) return io.err(`esante-admin: ${MSG['config']![lang](e.problems.join('; '))}`), EXIT.usage;
    if (e instanceof NotFoundError) return io.err(`esante-admin: ${e.message}`), EXIT.notFound;
    if (e instanceof StoreInputError) return io.err(`esante-admin: ${MSG['badInput']![lang](e.message)}`), EXIT.usage;
    // The message only (no stack, no values): errors here name ids and files, never secrets.
    io.err(`esante-admin: ${MSG['failed']![lang]((e as Error).message)}`);
    return EXIT.failed;
  }
}
