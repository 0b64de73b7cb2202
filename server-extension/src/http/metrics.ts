/**
 * /metrics in the Prometheus text exposition format (issue 16), with prom-client, the Node client the
 * Prometheus project lists (https://prometheus.io/docs/instrumenting/clientlibs/).
 *
 * Served on its OWN listener (ESANTE_METRICS_PORT / ESANTE_METRICS_HOST, loopback by default), never
 * by the service's port: Zimbra's nginx forwards /service/extension/esante/ to the service port only,
 * so the public location cannot reach the metrics (they name operations, fault codes and volumes an
 * outsider has no business seeing). The service port answers 404 for /metrics like any unknown path.
 *
 * Families (all prefixed esante_, plus prom-client's default process and Node.js metrics):
 *   esante_soap_requests_total{operation}                 SOAP calls answered
 *   esante_soap_request_duration_seconds{operation}       their latency (histogram)
 *   esante_soap_faults_total{operation,code}              Faults answered, by error code
 *   esante_key_releases_total{outcome,channel}            message keys released / denied (the audit's key.release)
 *   esante_notification_queue_depth{state}                outbox jobs: pending, due, leased, failed
 *   esante_notification_queue_oldest_due_seconds          age of the oldest due pending job
 *   esante_store_pool_connections{state}                  PostgreSQL pool: size, idle, waiting, max
 *   esante_store_up                                       1 when the store answered the scrape's query
 * Labels only take values from closed sets (declared operations, error codes, audit outcomes), so a
 * caller cannot grow the series without bound.
 */
import type { Directory } from '../directory/port.ts';
import { createServer, type Server } from 'node:http';
import { listenOn } from './listen.ts';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AuditEventInput, Store } from '../store/index.ts';
import type { Logger } from '../log.ts';

export const METRICS_PATH = '/metrics';

/** Seconds; from a cached GetServiceInfo (~1 ms) to a SignMessage of 10 MB (seconds). */
const LATENCY_BUCKETS = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class ServiceMetrics {
  readonly registry = new Registry();
  readonly #soapRequests: Counter<'operation'>;
  readonly #soapDuration: Histogram<'operation'>;
  readonly #soapFaults: Counter<'operation' | 'code'>;
  readonly #keyReleases: Counter<'outcome' | 'channel'>;
  readonly #operations: ReadonlySet<string>;

  /** `operations`: the declared SOAP operation names (anything else is counted as "unknown"). */
  constructor(
    operations: Iterable<string>,
    store: () => Store | undefined,
    opts: { now?: () => number; processMetrics?: boolean; directory?: () => Pick<Directory, 'poolStats'> | undefined } = {},
  ) {
    const now = opts.now ?? Date.now;
    this.#operations = new Set(operations);
    const registers = [this.registry];
    // One registry per service (not prom-client's global one): tests run several services in a process.
    // The process metrics (CPU, RSS, fds, event-loop lag, GC, heap) start timers and observers, so
    // only a service that exposes them collects them.
    if (opts.processMetrics) collectDefaultMetrics({ register: this.registry });
    this.#soapRequests = new Counter({ name: 'esante_soap_requests_total', help: 'SOAP calls answered, by operation.', labelNames: ['operation'], registers });
    this.#soapDuration = new Histogram({
      name: 'esante_soap_request_duration_seconds',
      help: 'Time from the end of the request headers to the answer, by SOAP operation.',
      labelNames: ['operation'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.#soapFaults = new Counter({ name: 'esante_soap_faults_total', help: 'SOAP Faults answered, by operation and error code.', labelNames: ['operation', 'code'], registers });
    this.#keyReleases = new Counter({
      name: 'esante_key_releases_total',
      help: 'Message key releases (outcome allowed) and refusals (denied), by channel (zimbra, portal).',
      labelNames: ['outcome', 'channel'],
      registers,
    });
    // One query per scrape, shared by the gauges' collect() hooks (prom-client runs them concurrently);
    // nothing runs between scrapes.
    type Snapshot = { queue: Awaited<ReturnType<Store['operations']['notificationQueue']>> | null; pool: ReturnType<NonNullable<Store['poolStats']>> | undefined };
    let current: Promise<Snapshot> | undefined;
    const snapshot = (): Promise<Snapshot> =>
      (current ??= (async (): Promise<Snapshot> => {
        const s = store();
        if (!s) return { queue: null, pool: undefined };
        let queue: Snapshot['queue'] = null;
        try {
          queue = await s.operations.notificationQueue(now());
        } catch {
          // store down: esante_store_up 0
        }
        return { queue, pool: s.poolStats?.() };
      })().finally(() => setImmediate(() => (current = undefined))));
    new Gauge({
      name: 'esante_notification_queue_depth',
      help: 'Notification outbox jobs by state: pending, due, leased, failed (shared by every instance on the store).',
      labelNames: ['state'],
      registers,
      async collect() {
        const { queue } = await snapshot();
        if (queue) for (const state of ['pending', 'due', 'leased', 'failed'] as const) this.set({ state }, queue[state]);
      },
    });
    new Gauge({
      name: 'esante_notification_queue_oldest_due_seconds',
      help: 'Age of the oldest notification that is due and not sent yet (0: none waiting).',
      registers,
      async collect() {
        const { queue } = await snapshot();
        if (queue) this.set(queue.oldestDueAgeMs / 1000);
      },
    });
    new Gauge({
      name: 'esante_store_pool_connections',
      help: 'Store connection pool (PostgreSQL): size, idle, waiting clients, max.',
      labelNames: ['state'],
      registers,
      async collect() {
        const { pool } = await snapshot();
        if (pool) for (const [state, v] of Object.entries(pool)) this.set({ state }, v);
      },
    });
    new Gauge({
      name: 'esante_directory_pool_connections',
      help: 'Directory connection pool (LDAP): size, bound, in_use (calls in flight). No samples with the embedded directory.',
      labelNames: ['state'],
      registers,
      collect() {
        const stats = opts.directory?.()?.poolStats?.();
        if (stats) for (const [state, v] of Object.entries(stats)) this.set({ state }, v);
      },
    });
    new Gauge({
      name: 'esante_store_up',
      help: '1 when the store answered this scrape, 0 when not (the queue gauges then keep their last values).',
      registers,
      async collect() {
        this.set((await snapshot()).queue ? 1 : 0);
      },
    });
  }

  /** One SOAP answer (http/server.ts). */
  soap(operation: string | undefined, seconds: number, faultCode: string | undefined): void {
    const op = operation && this.#operations.has(operation) ? operation : 'unknown';
    this.#soapRequests.inc({ operation: op });
    this.#soapDuration.observe({ operation: op }, seconds);
    if (faultCode) this.#soapFaults.inc({ operation: op, code: /^[a-z_]+\.[a-z_]+$/.test(faultCode) ? faultCode : 'other' });
  }

  /** Every audited event passes here (root.ts wraps the store's audit): key releases are counted. */
  audited(event: AuditEventInput): void {
    if (event.action !== 'key.release') return;
    const channel = event.detail?.['channel'];
    this.#keyReleases.inc({ outcome: event.outcome === 'allowed' ? 'allowed' : 'denied', channel: channel === 'portal' || channel === 'zimbra' ? channel : 'other' });
  }

  /** The text exposition (what GET /metrics answers). */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}

/** The metrics listener: GET/HEAD /metrics only, on its own port and interface. */
export class MetricsServer {
  readonly #server: Server;
  constructor(metrics: ServiceMetrics, log: Logger) {
    this.#server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path !== METRICS_PATH || (req.method !== 'GET' && req.method !== 'HEAD')) {
        res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found\n');
        return;
      }
      metrics.text().then(
        (body) => {
          res.writeHead(200, { 'Content-Type': metrics.registry.contentType, 'Cache-Control': 'no-store' });
          res.end(req.method === 'HEAD' ? undefined : body);
        },
        (err: unknown) => {
          log.error({ err }, 'metrics could not be collected');
          res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end('metrics unavailable\n');
        },
      );
    });
  }

  async listen(port: number, host: string): Promise<string> {
    return `${await listenOn(this.#server, port, host)}${METRICS_PATH}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.#server.listening) return resolve();
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }
}

/** The store with its audit trail observed (every append also reaches `onAppend`, after it succeeded). */
export function observeAudit(store: Store, onAppend: (e: AuditEventInput) => void): Store {
  if (typeof store.audit !== 'object' || store.audit === null) return store; // a partial test double
  const audit = new Proxy(store.audit, {
    get(target, prop, receiver) {
      if (prop === 'append')
        return async (event: AuditEventInput) => {
          const stored = await target.append(event);
          onAppend(event);
          return stored;
        };
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'audit') return audit;
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
