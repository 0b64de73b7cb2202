/**
 * How a feature (directory, encryption accounts, encrypted messages, signing, …) plugs into the
 * service: the composition root calls each feature's factory once with the shared ports, and the
 * feature answers with its SOAP handlers, optional HTTP routes (e.g. the recipients' portal),
 * and optional lifecycle hooks (e.g. a scheduler). Each feature lives in its own folder
 * (server-extension/src/<feature>/feature.ts) and reads its own settings from the environment,
 * declaring them in `configVars` so the README's configuration table stays complete.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config, ConfigVar } from './config.ts';
import type { Directory } from './directory/port.ts';
import type { Logger } from './log.ts';
import type { HandlerRegistry } from './soap/handlers.ts';
import type { Store } from './store/index.ts';
import type { ZimbraAdmin, ZimbraClient } from './zimbra/client.ts';

/** Time as the service sees it. Production uses the system clock; tests move a manual one. */
export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

/**
 * Who is a health professional listed in the eSanté directory, by mail address (hidden entries
 * included: this is the service asking about its own caller, never shown to anyone). Accounts use it
 * to give a listed professional the configured identity level (issue 4).
 */
export interface ProfessionalLookup {
  findByMail(mail: string): Promise<{ id: string; displayName: string } | null>;
}

export interface FeatureContext {
  config: Config;
  /** The environment the config came from: features read their own variables here. */
  env: Readonly<Record<string, string | undefined>>;
  log: Logger;
  clock: Clock;
  /** The opened, migrated store. Only valid once the service has started (handlers, start()). */
  store(): Store;
  zimbra: ZimbraClient;
  zimbraAdmin?: ZimbraAdmin;
  professionals: ProfessionalLookup;
  /** The professional directory (LDAP in production, embedded by default), owned by the root. */
  directory: Directory;
}

/** A non-SOAP HTTP route under SERVICE_BASE_PATH, e.g. `/service/extension/esante/portal`. */
export interface HttpRoute {
  /** Full path prefix this route owns (matched on a path-segment boundary). */
  prefix: string;
  handle(req: IncomingMessage, res: ServerResponse, ctx: { log: Logger; requestId: string; signal: AbortSignal }): Promise<void>;
}

export interface Feature {
  /** Reported in GetServiceInfo.features (zimlets show a feature as enabled from it). */
  name: string;
  handlers: HandlerRegistry;
  routes?: HttpRoute[];
  /** Called after the store is open, before the service listens (e.g. start a scheduler). */
  start?(): Promise<void>;
  /** Called on shutdown, after the HTTP server stopped accepting. */
  stop?(): Promise<void>;
  /** Health of this feature's own dependencies (e.g. the directory), reported by /health. */
  health?(): Promise<boolean>;
  /**
   * Settles once the feature can serve (resolves) or knows it never will (rejects), for work that
   * start() leaves running in the background (e.g. signing making the test PKI of a fresh data dir).
   * Until every feature's ready() has resolved, /health answers 503 naming the features not ready, so
   * a load balancer sends no traffic to an instance that would answer "unavailable". Called once,
   * after start(). Without it a feature is ready when start() returned.
   */
  ready?(): Promise<void>;
}

export type FeatureFactory = (ctx: FeatureContext) => Feature | Promise<Feature>;
export type { ConfigVar };
