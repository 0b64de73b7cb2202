/**
 * The ONE composition root: builds every port from the config by constructor injection, and lets
 * tests (or another deployment) plug in other implementations through `overrides`.
 * (pattern: mailvelope/keyserver `src/server.js`; ports with `option ?? Default`: opentdf/web-sdk)
 *
 * Adding an operation: declare it in shared/soap/operations.ts, write `operations/<name>.ts` as a
 * factory `(deps) => handler`, and register it in `handlers` below with the ports it needs.
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { HEALTH_PATH, SOAP_PATH } from '../../shared/paths.ts';
import { operations } from '../../shared/soap/operations.ts';
import { ZimbraAuthenticator, type Authenticator } from './auth/index.ts';
import type { Config } from './config.ts';
import { directoryFromEnv } from './directory/feature.ts';
import type { Directory } from './directory/port.ts';
import { systemClock, type Clock, type Feature, type FeatureFactory, type ProfessionalLookup } from './feature.ts';
import { FEATURE_FACTORIES } from './feature-list.ts';
import { MetricsServer, observeAudit, ServiceMetrics } from './http/metrics.ts';
import { HttpServer, type HealthReport } from './http/server.ts';
import { createLogger, type Logger } from './log.ts';
import { getServiceInfo } from './operations/get-service-info.ts';
import { SoapEndpoint } from './soap/endpoint.ts';
import type { HandlerRegistry } from './soap/handlers.ts';
import { openStore, type Store } from './store/index.ts';
import { VERSION } from './version.ts';
import { ZimbraAdmin, ZimbraClient } from './zimbra/client.ts';

export interface ServiceOverrides {
  log?: Logger;
  /** An opened store (the root then neither migrates nor closes it: its owner does). */
  store?: Store;
  zimbra?: ZimbraClient;
  authenticator?: Authenticator;
  /** Merged over the default handlers (replace one, or add one for a test operation). */
  handlers?: HandlerRegistry;
  /** Extra feature names reported by GetServiceInfo. */
  features?: readonly string[];
  /** Used by the Zimbra client; tests may stub the network. */
  fetch?: typeof fetch;
  /** The environment features read their own settings from (default process.env). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Time as the service sees it (tests move a manual clock). */
  clock?: Clock;
  /** The professional directory (default: from ESANTE_DIRECTORY*; a directory passed in is not closed by the root). */
  directory?: Directory;
  /** Who is a listed professional (default: the directory's findByMail). */
  professionals?: ProfessionalLookup;
  /** Replaces the list of features (default: all of FEATURE_FACTORIES). */
  featureFactories?: readonly FeatureFactory[];
}

export interface Service {
  /** Base URL once started, e.g. http://127.0.0.1:7080 (the SOAP endpoint is `${url}${SOAP_PATH}`). */
  readonly url: string;
  readonly version: string;
  readonly log: Logger;
  /** Opens the store (and migrates it), then listens. Resolves with the URL. */
  start(): Promise<string>;
  /** Graceful: stops accepting, drains in-flight requests, closes ports. Idempotent. */
  stop(): Promise<void>;
  /** The Prometheus listener's URL (…/metrics) once started, when ESANTE_METRICS_PORT is set. */
  readonly metricsUrl: string | undefined;
  /** Resolves once every feature is ready (health 200 from then on, store permitting); rejects if one failed to get ready. */
  whenReady(): Promise<void>;
  /** Every path prefix the HTTP front serves (SOAP, health, then the features' routes): for the tests that must reach each one. */
  readonly routePrefixes: readonly string[];
}

export async function createService(config: Config, overrides: ServiceOverrides = {}): Promise<Service> {
  const log = overrides.log ?? createLogger({ level: config.logLevel });

  const zimbra =
    overrides.zimbra ??
    new ZimbraClient({
      url: config.zimbra.url,
      adminUrl: config.zimbra.adminUrl,
      timeoutMs: config.zimbra.timeoutMs,
      log: log.child({ port: 'zimbra' }),
      ...(overrides.fetch ? { fetch: overrides.fetch } : {}),
    });
  const { adminUser, adminPassword } = config.zimbra;
  // Provisioning (first login) uses it; built here so every later feature gets the same instance.
  const zimbraAdmin =
    adminUser && adminPassword ? new ZimbraAdmin(zimbra, () => ({ name: adminUser, password: adminPassword.reveal() })) : undefined;
  const authenticator = overrides.authenticator ?? new ZimbraAuthenticator(zimbra, { cacheSeconds: config.authCacheSeconds });

  const ownsStore = !overrides.store;
  // Metrics (http/metrics.ts): created first so that the store every feature sees is the observed one.
  let store: Store | undefined;
  const metrics = new ServiceMetrics(Object.keys(operations), () => store, {
    now: () => (overrides.clock ?? systemClock).now().getTime(),
    processMetrics: !!config.metrics,
    // Read at scrape time, once the directory below exists.
    directory: () => directory,
  });
  const observed = (s: Store): Store => observeAudit(s, (e) => metrics.audited(e));
  if (overrides.store) store = observed(overrides.store);
  const env = overrides.env ?? process.env;
  const directory = overrides.directory ?? directoryFromEnv(env);
  const ownsDirectory = !overrides.directory;
  const professionals: ProfessionalLookup = overrides.professionals ?? { findByMail: (mail) => directory.findByMail(mail) };
  const built: Feature[] = [];
  for (const factory of overrides.featureFactories ?? FEATURE_FACTORIES) {
    built.push(
      await factory({
        config,
        env,
        log: log.child({ feature: factory.name }),
        clock: overrides.clock ?? systemClock,
        store: () => {
          if (!store) throw new Error('store used before the service started');
          return store;
        },
        zimbra,
        ...(zimbraAdmin ? { zimbraAdmin } : {}),
        professionals,
        directory,
      }),
    );
  }

  const features = [...(zimbraAdmin ? ['provisioning'] : []), ...built.map((f) => f.name), ...(overrides.features ?? [])];
  const handlers: HandlerRegistry = Object.assign(
    { GetServiceInfo: getServiceInfo({ version: VERSION, features }) },
    ...built.map((f) => f.handlers),
    overrides.handlers,
  );

  const soap = await SoapEndpoint.create({
    operations,
    handlers,
    authenticator,
    location: `${config.publicUrl}${SOAP_PATH}`,
  });

  // Readiness of each feature (Feature.ready): 'starting' until its ready() settles.
  const readiness = new Map<string, 'starting' | 'ready' | 'failed'>(built.map((f) => [f.name, 'starting']));
  let allReady: Promise<void> | undefined;
  const health = async (): Promise<HealthReport> => {
    const [ok, featureHealth] = await Promise.all([
      store ? store.ping() : Promise.resolve(false),
      Promise.all(built.map(async (f) => ({ name: f.name, ok: f.health ? await f.health().catch(() => false) : true }))),
    ]);
    const starting = built.filter((f) => readiness.get(f.name) === 'starting').map((f) => f.name);
    const down = [...new Set([...built.filter((f) => readiness.get(f.name) === 'failed').map((f) => f.name), ...featureHealth.filter((h) => !h.ok).map((h) => h.name)])];
    const status = !ok || down.length ? 'degraded' : starting.length ? 'starting' : 'ok';
    return { status, version: VERSION, store: ok, ...(starting.length ? { starting } : {}), ...(down.length ? { down } : {}) };
  };
  const routes = built.flatMap((f) => f.routes ?? []);
  const http = new HttpServer({
    soap,
    health,
    routes,
    maxRequestBytes: config.maxRequestBytes,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    log,
    authenticate: (credentials) => authenticator.authenticate(credentials),
    onSoapAnswer: (operation, seconds, faultCode) => metrics.soap(operation, seconds, faultCode),
  });
  const metricsServer = config.metrics ? new MetricsServer(metrics, log) : undefined;
  let metricsUrl: string | undefined;

  let url: string | undefined;
  let stopping: Promise<void> | undefined;
  return {
    get url(): string {
      if (!url) throw new Error('service not started');
      return url;
    },
    version: VERSION,
    log,
    routePrefixes: [SOAP_PATH, HEALTH_PATH, ...routes.map((r) => r.prefix)],
    async start() {
      if (url) return url;
      if (!store) {
        let opened: Store;
        if (config.store.kind === 'sqlite') {
          if (config.store.path !== ':memory:') await mkdir(dirname(config.store.path), { recursive: true });
          opened = await openStore({ kind: 'sqlite', path: config.store.path });
        } else {
          opened = await openStore({ kind: 'postgres', url: config.store.url.reveal() });
        }
        await opened.migrate();
        store = observed(opened);
      }
      for (const f of built) await f.start?.();
      allReady = Promise.allSettled(
        built.map(async (f) => {
          try {
            await f.ready?.();
            readiness.set(f.name, 'ready');
          } catch (err) {
            readiness.set(f.name, 'failed');
            throw err;
          }
        }),
      ).then((results) => {
        if (results.some((r) => r.status === 'rejected')) throw new Error(`not ready: ${built.filter((f) => readiness.get(f.name) === 'failed').map((f) => f.name).join(', ')}`);
      });
      url = await http.listen(config.port, config.host);
      if (metricsServer && config.metrics) metricsUrl = await metricsServer.listen(config.metrics.port, config.metrics.host);
      log.info({ url, version: VERSION, store: config.store.kind, features, ...(metricsUrl ? { metrics: metricsUrl } : {}) }, 'eSanté service started');
      // "started" = listening (health says 503 starting); "ready" = every feature can serve (health 200).
      allReady.then(
        () => log.info({ url }, 'eSanté service ready'),
        (err: unknown) => log.error({ err }, 'eSanté service started but a feature could not get ready'),
      );
      return url;
    },
    get metricsUrl() {
      return metricsUrl;
    },
    whenReady() {
      if (!allReady) return Promise.reject(new Error('service not started'));
      return allReady;
    },
    stop() {
      stopping ??= (async () => {
        await http.close();
        await metricsServer?.close();
        for (const f of [...built].reverse()) {
          try {
            await f.stop?.();
          } catch (e) {
            log.error({ err: e, feature: f.name }, 'feature failed to stop');
          }
        }
        if (ownsDirectory) await directory.close();
        if (ownsStore && store) await store.close();
        log.info('eSanté service stopped');
      })();
      return stopping;
    },
  };
}
