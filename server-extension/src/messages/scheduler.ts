/**
 * The persistent notification outbox worker. Every instance runs one; they coordinate only through
 * the store, so any number of instances on one PostgreSQL database (or processes on one SQLite
 * file) send each notification once.
 *
 * A run:
 *  1. `enqueueDueDeadlines(now)`: one idempotent INSERT … SELECT … ON CONFLICT DO NOTHING creates a
 *     deadline job for every unopened recipient of every sent message past its deadline. Job keys
 *     are unique, so concurrent or repeated runs create each job once; a crash mid-statement rolls
 *     the whole statement back.
 *  2. Claim a batch of due jobs with a lease (`claimed_by`, `lease_until_ms`; PostgreSQL
 *     `FOR UPDATE SKIP LOCKED`), send each through SMTP, and mark it `sent` only after the SMTP
 *     server accepted it. A failure gives the job back with a back-off; after max attempts it is
 *     `failed` (logged, kept for operators).
 *
 * Exactly once, and where it is only "at least once": between the SMTP server's "250 OK" and the
 * `UPDATE … SET state = 'sent'` there is a window in which a crash leaves the job claimed but not
 * sent; after its lease another instance sends it again. No protocol can close that window (SMTP has
 * no two-phase commit). We make a duplicate impossible in practice:
 *  - once the MTA accepted a mail, a failure to record it (store unavailable, a PostgreSQL restart)
 *    never sends it again: the RECORD is retried (#record), with back-off, for as long as this worker
 *    holds the lease (nobody else may send it meanwhile), and this process remembers the job as
 *    sent, so if it claims the job again later it records it without sending (issue 16: 2 of 20
 *    transmission notices were doubled by a PostgreSQL restart because the failure path resent them);
 *    only a store unavailable for longer than the whole lease AND a second instance claiming the
 *    job can still double it;
 *  - what remains is a process dying (kill -9, power) in the window itself, which is milliseconds (one
 *    local UPDATE right after the reply), and a job is never sent
 *    by a worker whose lease is about to run out (a stale worker cannot race the next claimant:
 *    we stop the batch when less than the SMTP timeout is left);
 *  - the lease (default 5 min) is far longer than a send (SMTP timeout 30 s), so a slow but live
 *    instance is never overtaken;
 *  - `markSent` is guarded by `claimed_by = me AND state = 'pending'`, and a 'sent' job is never
 *    claimed again;
 *  - if the window is ever hit, both copies carry the same deterministic Message-ID (mailer.ts),
 *    which Zimbra's delivery dedupe and mail clients collapse into one.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Clock } from '../feature.ts';
import type { Logger } from '../log.ts';
import type { NotificationJob, Store } from '../store/index.ts';
import { notificationMessageId, type Mailer } from './mailer.ts';
import type { NotificationMail } from './notifications.ts';
import { SMTP_TIMEOUT_MS } from './config.ts';

export interface SchedulerDeps {
  store: () => Store;
  clock: Clock;
  log: Logger;
  mailer: Mailer;
  /** Builds the mail of a job (null: nothing to send any more, e.g. the message is gone). */
  compose(job: NotificationJob): Promise<NotificationMail | null>;
  /** Domain of the deterministic Message-IDs. */
  messageIdDomain: string;
  leaseMs: number;
  maxAttempts: number;
  /** 0: only explicit runs (tests, the e2e route). */
  intervalMs: number;
  /** Longest an SMTP send may take (the transport's timeout). */
  sendTimeoutMs?: number;
  batchSize?: number;
  workerId?: string;
}

export interface RunReport {
  deadlinesCreated: number;
  sent: number;
  failed: number;
}

const MAX_BACKOFF_MS = 3_600_000;

export class NotificationScheduler {
  readonly workerId: string;
  readonly #d: SchedulerDeps;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<RunReport> | undefined;
  #stopped = false;
  /** Jobs whose mail the MTA accepted but whose record failed: never sent again by this process. */
  readonly #acceptedNotRecorded = new Set<number>();

  constructor(deps: SchedulerDeps) {
    this.#d = deps;
    this.workerId = deps.workerId ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  }

  start(): void {
    if (this.#d.intervalMs <= 0 || this.#timer) return;
    this.#timer = setInterval(() => {
      this.runOnce().catch((err: unknown) => this.#d.log.error({ err }, 'notification run failed'));
    }, this.#d.intervalMs);
    this.#timer.unref();
  }

  /** Stops the timer and waits for a run in progress (its claimed jobs would otherwise wait a lease). */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running?.catch(() => undefined);
  }

  /** One run (see the module comment). Concurrent calls in one instance share the run in progress. */
  runOnce(): Promise<RunReport> {
    this.#running ??= this.#run().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #run(): Promise<RunReport> {
    const store = this.#d.store();
    const report: RunReport = { deadlinesCreated: 0, sent: 0, failed: 0 };
    report.deadlinesCreated = await store.notifications.enqueueDueDeadlines(this.#d.clock.now().getTime());
    const batch = this.#d.batchSize ?? 20;
    const margin = this.#d.sendTimeoutMs ?? SMTP_TIMEOUT_MS;
    for (;;) {
      if (this.#stopped) break;
      const now = this.#d.clock.now().getTime();
      const jobs = await store.notifications.claim(this.workerId, now, this.#d.leaseMs, batch);
      if (jobs.length === 0) break;
      for (const job of jobs) {
        if (this.#stopped) return report;
        const leaseLeft = Date.parse(job.leaseUntil!) - this.#d.clock.now().getTime();
        // Too late to send safely: the job goes back to the pool when its lease expires.
        if (leaseLeft < margin) return report;
        (await this.#process(job)) ? report.sent++ : report.failed++;
      }
      if (jobs.length < batch) break;
    }
    return report;
  }

  async #process(job: NotificationJob): Promise<boolean> {
    const store = this.#d.store();
    const log = this.#d.log.child({ job: job.id, kind: job.kind, message: job.messageId });
    let mail: NotificationMail | null = null;
    try {
      if (this.#acceptedNotRecorded.has(job.id)) {
        // This process already had it accepted by the MTA; only its record was missing. Never resend.
        log.warn('notification accepted earlier by the MTA but not recorded: recording it without sending again');
      } else {
        mail = await this.#d.compose(job);
        if (mail) {
          await this.#d.mailer.send({ ...mail, messageId: notificationMessageId(job.jobKey, this.#d.messageIdDomain) });
          this.#acceptedNotRecorded.add(job.id);
        }
      }
    } catch (err) {
      return this.#failed(job, err, log);
    }
    // Accepted (or nothing to send): from here on only the record is retried, never the send.
    const marked = await this.#record(job, log);
    if (marked === undefined) return true;
    this.#acceptedNotRecorded.delete(job.id);
    if (!marked) log.warn('notification sent but its claim was lost meanwhile (lease expired)');
    else log.info(mail ? 'notification sent' : 'notification dropped: nothing to send');
    return true;
  }

  /**
   * markSent, retried with back-off (100 ms doubling to 5 s) while this worker's lease lasts: true
   * recorded, false the claim was lost (another worker took the job after the lease), undefined the
   * store did not answer in time (logged; this process still remembers the job as accepted).
   */
  async #record(job: NotificationJob, log: Logger): Promise<boolean | undefined> {
    const store = this.#d.store();
    // The lease is in the service's clock (a test clock may stand still); the retries in wall time.
    const budgetMs = Date.parse(job.leaseUntil!) - this.#d.clock.now().getTime();
    const started = Date.now();
    let delay = 100;
    for (let attempt = 1; ; attempt++) {
      try {
        return await store.notifications.markSent(job.id, this.workerId, this.#d.clock.now().getTime());
      } catch (err) {
        if (this.#stopped || Date.now() - started + delay > budgetMs) {
          log.error({ err, attempts: attempt }, 'notification accepted by the MTA but not recorded as sent; if another instance claims it after the lease, a second copy with the same Message-ID may go out (Zimbra delivers it once)');
          return undefined;
        }
        log.warn({ err, attempt }, 'notification accepted by the MTA, recording it failed: retrying the record, not the send');
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 5_000);
      }
    }
  }

  async #failed(job: NotificationJob, err: unknown, log: Logger): Promise<boolean> {
    const store = this.#d.store();
    const final = job.attempts >= this.#d.maxAttempts;
    const backoff = Math.min(MAX_BACKOFF_MS, 30_000 * 2 ** Math.min(job.attempts - 1, 16));
    const reason = err instanceof Error ? `${err.name}: ${(err as { code?: string }).code ?? ''} ${err.message}`.slice(0, 300) : 'error';
    await store.notifications
      .markFailed(job.id, this.workerId, reason, this.#d.clock.now().getTime() + backoff, final)
      .catch((e: unknown) => log.error({ err: e }, 'cannot record the failed notification attempt'));
    (final ? log.error.bind(log) : log.warn.bind(log))({ attempts: job.attempts, reason }, final ? 'notification given up' : 'notification attempt failed, will retry');
    return false;
  }
}
