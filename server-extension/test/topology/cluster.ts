/**
 * The production topology on one machine, started and stopped by a test (or bench/load.ts):
 *
 *   clients ──► nginx (Debian package, README's location block) ──► instance 1 ─┐
 *                                      upstream esante_service    └► instance 2 ─┼─► ONE PostgreSQL
 *                                                                                  ├─► the Zimbra sandbox (user SOAP: who is calling)
 *                                                                                  ├─► the MTA (smtp.ts; notifications)
 *                                                                                  └─► slapd behind a relay (directory: 'ldap')
 *
 * Each instance is its own process, `node --import tsx server-extension/src/main.ts`, configured as an
 * admin would (environment only; one master key for all, ESANTE_STORE=postgres on one database), so
 * that `kill -9` is a real crash. PostgreSQL is test/support/postgres.ts's private cluster; its
 * restart stops and starts the same server (same port, same data). Every port is free-picked.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { startSandbox } from '../../../sandbox/server/index.ts';
import { HEALTH_PATH } from '../../../shared/paths.ts';
import { generateDirectory, writeDirectoryFiles } from '../../src/directory/generate.ts';
import { startPostgres, type TestPostgres } from '../support/postgres.ts';
import { startSlapd } from '../support/slapd.ts';
import { SANDBOX_SEED_USERS } from '../support/service.ts';
import { startNginx, type RunningNginx } from './nginx.ts';
import { startMta, type TopologyMta } from './smtp.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = join(ROOT, 'server-extension/src/main.ts');

export interface Instance {
  readonly name: string;
  /** Direct URL (not through nginx). */
  readonly url: string;
  readonly metricsUrl: string;
  readonly pid: number;
  /** Log lines (pino JSON) written so far. */
  readonly lines: string[];
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
  kill(signal: NodeJS.Signals): void;
}

export interface Topology {
  /** nginx's public origin: what the browser (and the load) uses. */
  readonly url: string;
  readonly nginx: RunningNginx;
  readonly instances: Instance[];
  readonly sandboxUrl: string;
  readonly pg: TestPostgres & { readonly dbUrl: string; query<T extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<T[]>; stopServer(): Promise<void>; startServer(): Promise<void> };
  readonly mta: TopologyMta;
  /** With `directory: 'ldap'`: the relay in front of slapd that the LDAP fault cuts. */
  readonly ldap?: LdapRelay;
  close(): Promise<void>;
}

/** A TCP relay in front of slapd (test/support/slapd.ts): down() refuses and cuts every connection, up() listens again on the same port. */
export interface LdapRelay {
  readonly url: string;
  down(): Promise<void>;
  up(): Promise<void>;
  stop(): Promise<void>;
}

async function startRelay(target: { host: string; port: number }): Promise<LdapRelay> {
  const sockets = new Set<Socket>();
  const make = (): Server =>
    createServer((client) => {
      const upstream = connect(target);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
  let server: Server | undefined = make();
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  const down = async () => {
    if (!server) return;
    const s = server;
    server = undefined;
    const closed = new Promise<void>((r) => s.close(() => r()));
    for (const c of sockets) c.destroy();
    await closed;
  };
  return {
    url: `ldap://127.0.0.1:${port}`,
    down,
    async up() {
      if (server) return;
      const s = make();
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(port, '127.0.0.1', () => resolve());
      });
      server = s;
    },
    stop: down,
  };
}

export interface TopologyOptions {
  instances?: number;
  /** Extra ESANTE_* variables for every instance (ESANTE_LOG_LEVEL must stay info or lower: the start and ready lines are read). */
  env?: Record<string, string>;
  /** embedded (default) or ldap: a real slapd (test/support/slapd.ts) with a generated directory, behind a relay the test can cut. */
  directory?: 'embedded' | 'ldap';
}

/** Variables every instance gets, whatever the test (see docs/operations.md for production values). */
export const TOPOLOGY_ENV: Record<string, string> = {
  ESANTE_LOG_LEVEL: 'info',
  ESANTE_SHUTDOWN_TIMEOUT_MS: '2000',
  // Notifications go out quickly, and a job claimed by a killed instance is retried once its lease ends (the lease must exceed the 30 s SMTP send timeout, or the scheduler never sends: scheduler.ts).
  ESANTE_SCHEDULER_INTERVAL_MS: '200',
  ESANTE_SCHEDULER_LEASE_MS: '32000',
  // Password hashes of the test accounts at scrypt's floor (2^14): portal log-ins cost what a real one costs at that setting.
  ESANTE_ACCOUNT_SCRYPT_LOG2N: '14',
  // Hundreds of simulated portal log-ins a minute from one test machine (production default 120).
  ESANTE_PORTAL_LOGINS_PER_MINUTE: '100000',
  ESANTE_DIRECTORY_SEED_USERS: SANDBOX_SEED_USERS,
  ESANTE_SIGNING_TEST_USERS: SANDBOX_SEED_USERS,
};

async function startInstance(name: string, env: Record<string, string>): Promise<Instance> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let buffered = '';
  let stderr = '';
  const listeners = new Set<(line: string) => void>();
  child.stdout!.on('data', (d: Buffer) => {
    buffered += d.toString();
    let i;
    while ((i = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, i);
      buffered = buffered.slice(i + 1);
      lines.push(line);
      // The last 2000 only (a soak runs for minutes; notifications are logged at info).
      if (lines.length > 2000) lines.shift();
      for (const l of [...listeners]) l(line);
    }
  });
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  void exited.then(() => process.removeListener('exit', killOnExit));
  // Started (URLs) then ready (every feature, signing's fresh test PKI included): root.ts's two log lines.
  const started = await new Promise<{ url: string; metrics: string }>((resolve, reject) => {
    let urls: { url: string; metrics: string } | undefined;
    const timer = setTimeout(() => reject(new Error(`${name} not ready within 60 s: ${stderr.slice(-2000)} ${lines.slice(-5).join('\n')}`)), 60_000);
    const onLine = (line: string) => {
      let rec: { msg?: string; url?: string; metrics?: string };
      try {
        rec = JSON.parse(line) as typeof rec;
      } catch {
        return;
      }
      if (rec.msg === 'eSanté service started' && rec.url && rec.metrics) urls = { url: rec.url, metrics: rec.metrics };
      if (rec.msg === 'eSanté service ready' && urls) {
        clearTimeout(timer);
        listeners.delete(onLine);
        resolve(urls);
      }
    };
    listeners.add(onLine);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${signal ?? code}) before it was ready: ${stderr.slice(-2000)} ${lines.slice(-5).join('\n')}`));
    });
  });
  return {
    name,
    url: started.url,
    metricsUrl: started.metrics,
    pid: child.pid!,
    lines,
    exited,
    kill: (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}

/** Data folder and start options of test/support/postgres.ts's server, read from the server itself. */
async function pgServerControl(adminUrl: string): Promise<{ stop(): Promise<void>; start(): Promise<void> }> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  const data = (await client.query<{ data_directory: string }>('SHOW data_directory')).rows[0]!.data_directory;
  await client.end();
  // postmaster.opts: `/…/postgres "-D" "<data>" "-p" "<port>" "-k" "<dir>" "-c" "…" …`, as started.
  const opts = await readFile(join(data, 'postmaster.opts'), 'utf8');
  const args = [...opts.matchAll(/"([^"]*)"/g)].map((m) => m[1]!);
  const dIndex = args.indexOf('-D');
  if (dIndex >= 0) args.splice(dIndex, 2);
  const bin = join(dirname(opts.trim().split(/\s+/)[0]!), 'pg_ctl');
  const log = join(dirname(data), 'server.log');
  const asRoot = process.getuid?.() === 0;
  const pgCtl = (argv: string[]) => (asRoot ? run('runuser', ['-u', 'postgres', '--', bin, ...argv], { cwd: '/' }) : run(bin, argv, { cwd: '/' }));
  return {
    stop: async () => void (await pgCtl(['-D', data, '-m', 'fast', '-w', 'stop'])),
    start: async () => void (await pgCtl(['-D', data, '-l', log, '-w', '-t', '30', '-o', args.join(' '), 'start'])),
  };
}

export async function startTopology(options: TopologyOptions = {}): Promise<Topology> {
  const count = options.instances ?? 2;
  const dir = await mkdtemp(join(tmpdir(), 'esante-topology-'));
  const cleanups: Array<() => Promise<void>> = [async () => rm(dir, { recursive: true, force: true })];
  const close = async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  };
  try {
    const [cluster, mta] = await Promise.all([startPostgres(), startMta()]);
    cleanups.push(() => cluster.stop(), () => mta.stop());
    const dbUrl = await cluster.createDatabase('esante_topology');
    const pool = new pg.Pool({ connectionString: dbUrl, max: 2 });
    pool.on('error', () => undefined);
    cleanups.push(() => pool.end());
    const control = await pgServerControl(cluster.url.replace(/\/[^/]+$/, '/postgres'));

    // nginx first (the instances must know its URL), with no live upstream until they are ready.
    const nginx = await startNginx();
    cleanups.push(() => nginx.stop());
    const publicUrl = nginx.url;
    const sandbox = await startSandbox({ port: 0, dataDir: join(dir, 'sandbox'), smtpPort: 0, zimletsDir: join(dir, 'zimlets'), serviceUrl: publicUrl });
    cleanups.push(() => sandbox.stop());

    let ldap: LdapRelay | undefined;
    let ldapEnv: Record<string, string> = {};
    if (options.directory === 'ldap') {
      const files = writeDirectoryFiles(generateDirectory({ count: 300, seed: 'topology', usersFile: SANDBOX_SEED_USERS }), join(dir, 'directory'), { seed: 'topology' });
      const slapd = await startSlapd({ ldifFile: files.ldif });
      cleanups.push(() => slapd.stop());
      const relay = await startRelay({ host: '127.0.0.1', port: Number(new URL(slapd.url).port) });
      cleanups.push(() => relay.stop());
      ldap = relay;
      ldapEnv = { ESANTE_DIRECTORY: 'ldap', ESANTE_LDAP_URL: relay.url, ESANTE_LDAP_BIND_DN: slapd.bindDN, ESANTE_LDAP_PASSWORD_FILE: slapd.passwordFile, ESANTE_LDAP_BASE_DN: slapd.baseDN };
    }

    const masterKey = randomBytes(32).toString('base64');
    const env = (i: number): Record<string, string> => ({
      ...TOPOLOGY_ENV,
      ESANTE_PORT: '0',
      ESANTE_HOST: '127.0.0.1',
      ESANTE_METRICS_PORT: '0',
      ESANTE_DATA_DIR: join(dir, `instance-${i}`),
      ESANTE_STORE: 'postgres',
      ESANTE_PG_URL: dbUrl,
      ESANTE_MASTER_KEY: masterKey,
      ESANTE_ZIMBRA_URL: sandbox.url,
      ESANTE_PUBLIC_URL: publicUrl,
      ESANTE_SMTP_URL: mta.url,
      ...ldapEnv,
      ...options.env,
    });
    // The first one migrates the empty database; the others start on a migrated one (as a rolling start).
    const instances: Instance[] = [await startInstance('instance-1', env(1))];
    cleanups.push(async () => {
      for (const inst of instances) inst.kill('SIGTERM');
      await Promise.all(instances.map((i) => i.exited));
    });
    instances.push(...(await Promise.all(Array.from({ length: count - 1 }, (_, k) => startInstance(`instance-${k + 2}`, env(k + 2))))));

    await nginx.setUpstreams(
      instances.map((i) => new URL(i.url).host),
      async () => (await health(nginx.url)).status === 200,
    );

    return {
      url: nginx.url,
      nginx,
      instances,
      sandboxUrl: sandbox.url,
      mta,
      ...(ldap ? { ldap } : {}),
      pg: Object.assign(cluster, {
        dbUrl,
        query: async <T extends pg.QueryResultRow>(sql: string, params: unknown[] = []) => (await pool.query<T>(sql, params)).rows,
        stopServer: control.stop,
        startServer: control.start,
      }),
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

/** Health through nginx or of one instance: status and the report. */
export async function health(baseUrl: string): Promise<{ status: number; body: { status?: string; store?: boolean } }> {
  const r = await fetch(`${baseUrl}${HEALTH_PATH}`, { signal: AbortSignal.timeout(5000) });
  return { status: r.status, body: (await r.json().catch(() => ({}))) as { status?: string; store?: boolean } };
}
