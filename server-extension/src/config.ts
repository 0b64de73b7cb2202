/**
 * The service's configuration, read from environment variables only (one place), typed, with
 * defaults for the embedded mode (`npm start` next to the sandbox). Every variable is listed in
 * CONFIG_VARS, which the README's configuration table is checked against.
 * Invalid values fail at start with one message listing every problem.
 * Secrets are never read from the environment itself: the admin password comes from a file, and
 * secret-bearing values are wrapped in `Secret` so they cannot be logged or serialised by accident.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { inspect } from 'node:util';
import { InternalError } from './errors.ts';

export interface ConfigVar {
  name: string;
  default: string;
  description: string;
}

/** Every environment variable the service reads. Add new ones here first. */
export const CONFIG_VARS = [
  { name: 'ESANTE_PORT', default: '7080', description: 'TCP port of the service (0 = any free port).' },
  { name: 'ESANTE_HOST', default: '127.0.0.1', description: 'Interface to listen on; keep it private: Zimbra\'s nginx proxies to it.' },
  { name: 'ESANTE_DATA_DIR', default: '.data', description: 'Directory for local state (SQLite file, test PKI) in the embedded mode.' },
  { name: 'ESANTE_PUBLIC_URL', default: 'http://127.0.0.1:8080', description: 'Public origin of Zimbra (where nginx serves /service/extension/esante/); written into the WSDL and links.' },
  { name: 'ESANTE_ZIMBRA_URL', default: 'http://127.0.0.1:8080', description: 'Base URL of Zimbra\'s user SOAP (…/service/soap/); the sandbox in the embedded mode.' },
  { name: 'ESANTE_ZIMBRA_ADMIN_URL', default: '(ESANTE_ZIMBRA_URL)', description: 'Base URL of Zimbra\'s admin SOAP (…/service/admin/soap/), usually https://mailbox:7071.' },
  { name: 'ESANTE_ZIMBRA_ADMIN_USER', default: '', description: 'Zimbra admin account used for provisioning (empty = provisioning disabled).' },
  { name: 'ESANTE_ZIMBRA_ADMIN_PASSWORD_FILE', default: '', description: 'File holding that admin account\'s password (the password itself is never put in the environment).' },
  { name: 'ESANTE_ZIMBRA_TIMEOUT_MS', default: '5000', description: 'Timeout of every call to Zimbra, in milliseconds.' },
  { name: 'ESANTE_STORE', default: 'sqlite', description: 'Store kind: sqlite (embedded, one instance) or postgres (several instances).' },
  { name: 'ESANTE_SQLITE_PATH', default: '(ESANTE_DATA_DIR)/esante.sqlite', description: 'SQLite file when ESANTE_STORE=sqlite.' },
  { name: 'ESANTE_PG_URL', default: '', description: 'PostgreSQL connection URL when ESANTE_STORE=postgres (required then).' },
  { name: 'ESANTE_MAX_REQUEST_BYTES', default: '14680064', description: 'Largest SOAP request body accepted, in bytes (14 MiB: a 10 MB message in base64 for SignMessage / VerifySignature, plus the envelope).' },
  { name: 'ESANTE_AUTH_CACHE_SECONDS', default: '30', description: 'How long a session proved by Zimbra is trusted without asking again (0 = never cache, max 60): a Zimbra logout, lock or password change reaches the service within this time.' },
  { name: 'ESANTE_SHUTDOWN_TIMEOUT_MS', default: '10000', description: 'On SIGTERM/SIGINT, how long in-flight requests may finish before connections are closed.' },
  { name: 'ESANTE_LOG_LEVEL', default: 'info', description: 'Log level: fatal, error, warn, info, debug, trace or silent.' },
  { name: 'ESANTE_METRICS_PORT', default: '', description: 'TCP port of the Prometheus /metrics listener, separate from the service port so that Zimbra\'s nginx location never reaches it (empty = no metrics listener; 0 = any free port; `npm start` uses 9464).' },
  { name: 'ESANTE_METRICS_HOST', default: '127.0.0.1', description: 'Interface of the /metrics listener: loopback, or a private monitoring interface, never the public one.' },
] as const satisfies readonly ConfigVar[];

export type ConfigVarName = (typeof CONFIG_VARS)[number]['name'];
export type Env = Readonly<Partial<Record<string, string | undefined>>>;

/** A secret value: `reveal()` is the only way to read it; logging or JSON shows `[redacted]`. */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toJSON(): string {
    return '[redacted]';
  }
  toString(): string {
    return '[redacted]';
  }
  [inspect.custom](): string {
    return 'Secret([redacted])';
  }
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
export type StoreConfig = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: Secret };

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  publicUrl: string;
  zimbra: {
    url: string;
    adminUrl: string;
    adminUser?: string;
    adminPassword?: Secret;
    timeoutMs: number;
  };
  store: StoreConfig;
  maxRequestBytes: number;
  authCacheSeconds: number;
  shutdownTimeoutMs: number;
  logLevel: LogLevel;
  /** The Prometheus listener (ESANTE_METRICS_PORT, ESANTE_METRICS_HOST); absent: none. */
  metrics?: { port: number; host: string };
}

/** A bad start configuration: the service's fault (service.internal) should it ever reach a caller. */
export class ConfigError extends InternalError {
  override name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super({ message: `Invalid configuration:\n  - ${problems.join('\n  - ')}` });
  }
}

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Reads and checks the configuration; throws ConfigError naming every bad variable. */
/**
 * Reads environment variables for one config loader and collects every bad value, so a start with
 * several mistakes names all of them at once (ConfigError). Used by the core config and the features.
 */
export function envReader(env: Env) {
  const problems: string[] = [];
  const str = (name: string, fallback: string): string => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? fallback : v.trim();
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = str(name, String(fallback));
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      problems.push(`${name}="${raw}" must be an integer between ${min} and ${max}`);
      return fallback;
    }
    return Number(raw);
  };
  /**
   * An absolute http(s) URL, without its trailing slashes unless `keepSlash`. A bad value is a problem
   * and the fallback stands in, so values derived from it do not report the same mistake again.
   */
  const url = (name: string, fallback: string, opts: { keepSlash?: boolean } = {}): string => {
    let value = str(name, fallback);
    try {
      const u = new URL(value);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
    } catch {
      problems.push(`${name}="${value}" must be an absolute http(s) URL`);
      value = fallback;
    }
    return opts.keepSlash ? value : value.replace(/\/+$/, '');
  };
  /** A file or directory path, made absolute against `cwd`. */
  const path = (name: string, fallback: string, cwd: string): string => resolve(cwd, str(name, fallback));
  return { problems, str, int, url, path };
}

export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): Config {
  const { problems, str, int, url } = envReader(env);

  const dataDir = resolve(cwd, str('ESANTE_DATA_DIR', '.data'));
  const zimbraUrl = url('ESANTE_ZIMBRA_URL', 'http://127.0.0.1:8080');
  const adminUser = str('ESANTE_ZIMBRA_ADMIN_USER', '');
  const passwordFile = str('ESANTE_ZIMBRA_ADMIN_PASSWORD_FILE', '');
  let adminPassword: Secret | undefined;
  if (passwordFile) {
    try {
      const text = readFileSync(resolve(cwd, passwordFile), 'utf8').replace(/\r?\n$/, '');
      if (!text) problems.push(`ESANTE_ZIMBRA_ADMIN_PASSWORD_FILE: file ${passwordFile} is empty`);
      adminPassword = new Secret(text);
    } catch (e) {
      problems.push(`ESANTE_ZIMBRA_ADMIN_PASSWORD_FILE: cannot read ${passwordFile} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  if (adminUser && !passwordFile) problems.push('ESANTE_ZIMBRA_ADMIN_USER is set but ESANTE_ZIMBRA_ADMIN_PASSWORD_FILE is not');
  if (!adminUser && passwordFile) problems.push('ESANTE_ZIMBRA_ADMIN_PASSWORD_FILE is set but ESANTE_ZIMBRA_ADMIN_USER is not');

  const storeKind = str('ESANTE_STORE', 'sqlite');
  let store: StoreConfig;
  if (storeKind === 'postgres') {
    const pg = str('ESANTE_PG_URL', '');
    if (!/^postgres(ql)?:\/\//.test(pg)) problems.push('ESANTE_PG_URL must be a postgres:// URL when ESANTE_STORE=postgres');
    store = { kind: 'postgres', url: new Secret(pg) };
  } else {
    if (storeKind !== 'sqlite') problems.push(`ESANTE_STORE="${storeKind}" must be sqlite or postgres`);
    const p = str('ESANTE_SQLITE_PATH', join(dataDir, 'esante.sqlite'));
    store = { kind: 'sqlite', path: p === ':memory:' || isAbsolute(p) ? p : resolve(cwd, p) };
  }

  const logLevel = str('ESANTE_LOG_LEVEL', 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`ESANTE_LOG_LEVEL="${logLevel}" must be one of ${LOG_LEVELS.join(', ')}`);

  const host = str('ESANTE_HOST', '127.0.0.1');
  if (!/^[\w.:-]+$/.test(host)) problems.push(`ESANTE_HOST="${host}" is not a host name or address`);

  const config: Config = {
    port: int('ESANTE_PORT', 7080, 0, 65535),
    host,
    dataDir,
    publicUrl: url('ESANTE_PUBLIC_URL', 'http://127.0.0.1:8080'),
    zimbra: {
      url: zimbraUrl,
      adminUrl: url('ESANTE_ZIMBRA_ADMIN_URL', zimbraUrl),
      ...(adminUser ? { adminUser } : {}),
      ...(adminPassword ? { adminPassword } : {}),
      timeoutMs: int('ESANTE_ZIMBRA_TIMEOUT_MS', 5000, 100, 120_000),
    },
    store,
    maxRequestBytes: int('ESANTE_MAX_REQUEST_BYTES', 14 * 1024 * 1024, 1024, 512 * 1024 * 1024),
    authCacheSeconds: int('ESANTE_AUTH_CACHE_SECONDS', 30, 0, 60),
    shutdownTimeoutMs: int('ESANTE_SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    logLevel,
  };
  if (str('ESANTE_METRICS_PORT', '') !== '') {
    const metricsHost = str('ESANTE_METRICS_HOST', '127.0.0.1');
    if (!/^[\w.:-]+$/.test(metricsHost)) problems.push(`ESANTE_METRICS_HOST="${metricsHost}" is not a host name or address`);
    config.metrics = { port: int('ESANTE_METRICS_PORT', 0, 0, 65535), host: metricsHost };
    if (config.metrics.port !== 0 && config.metrics.port === config.port) problems.push('ESANTE_METRICS_PORT must differ from ESANTE_PORT (the metrics are not for the public location)');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/**
 * Which ESANTE_ variables are set in `env` without being known: likely typos, worth a warning.
 * `known` is this table plus the tables of features that read their own variables (e.g. signing/config.ts).
 */
export function unknownEsanteVars(env: Env = process.env, known: readonly ConfigVar[] = CONFIG_VARS): string[] {
  const names = new Set<string>(known.map((v) => v.name));
  return Object.keys(env).filter((k) => k.startsWith('ESANTE_') && !names.has(k));
}

/** The configuration table for the README (Markdown), generated from CONFIG_VARS. */
export function configTableMarkdown(vars: readonly ConfigVar[] = CONFIG_VARS): string {
  const rows = vars.map((v) => `| \`${v.name}\` | ${v.default === '' ? '(empty)' : `\`${v.default}\``} | ${v.description.replace(/\|/g, '\\|')} |`);
  return ['| Variable | Default | Description |', '|---|---|---|', ...rows].join('\n');
}
