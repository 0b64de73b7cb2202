/**
 * A real nginx (Debian package `nginx`, scripts/ensure-system.sh) in front of the service instances,
 * for the topology tests and bench:load. The `location` block is the README's own, extracted from
 * README.md ("### nginx (Zimbra proxy)"): the documented block is the tested one. Only its
 * `proxy_pass` target is replaced, by the test's `upstream` of the running instances (in production
 * the same `upstream` lists the service hosts: docs/operations.md).
 *
 * nginx runs in the foreground (`daemon off`) as our child, with its prefix, pid, logs and temp
 * folders in a temp dir, on a free port of 127.0.0.1 (another port is tried if that one was taken
 * meanwhile). It starts BEFORE the instances (they must know its URL, their ESANTE_PUBLIC_URL) with
 * no live upstream; `setUpstreams()` then writes the instances in and reloads (SIGHUP: the listening
 * socket stays). `stop()` sends SIGQUIT (graceful) and waits for the exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const README = fileURLToPath(new URL('../../../README.md', import.meta.url));
export const NGINX_BIN = process.env['NGINX_BIN'] ?? '/usr/sbin/nginx';

/** The README's `location ^~ /service/extension/esante/ { … }` block, verbatim. */
export function readmeLocationBlock(readme = readFileSync(README, 'utf8')): string {
  const section = readme.split(/^### nginx \(Zimbra proxy\)$/m)[1];
  if (!section) throw new Error('README.md has no "### nginx (Zimbra proxy)" section');
  const fenced = /```[a-z]*\n(location \^~ \/service\/extension\/esante\/ \{\n[\s\S]*?\n\})\n```/.exec(section);
  if (!fenced) throw new Error('README.md: no fenced location ^~ /service/extension/esante/ block in the nginx section');
  return fenced[1]!;
}

/** The block with its one proxy_pass pointed at `target` (e.g. http://esante_service); throws unless there is exactly one. */
export function withUpstream(block: string, target: string): string {
  const passes = block.match(/^\s*proxy_pass\s+\S+;/gm) ?? [];
  if (passes.length !== 1) throw new Error(`the README's location block has ${passes.length} proxy_pass lines, expected 1`);
  return block.replace(/^(\s*proxy_pass\s+)\S+;/m, `$1${target};`);
}

export interface NginxOptions {
  /** host:port of each service instance (none yet: nginx answers 502 until setUpstreams). */
  upstreams?: readonly string[];
  /** The location block (default: the README's). */
  location?: string;
}

export interface RunningNginx {
  readonly url: string;
  readonly configFile: string;
  /** The configuration in force. */
  readonly config: string;
  /** Writes these upstream servers and reloads; resolves once `ready()` holds through the new workers. */
  setUpstreams(upstreams: readonly string[], ready: () => Promise<boolean>): Promise<void>;
  /** Graceful stop (SIGQUIT), waits for the exit, removes the temp dir. */
  stop(): Promise<void>;
  errorLog(): string;
}

function nginxConf(dir: string, port: number, upstreams: readonly string[], locationBlock: string | undefined): string {
  const location = withUpstream(locationBlock ?? readmeLocationBlock(), 'http://esante_service');
  // No instance yet: one server marked down (nginx answers 502 "no live upstreams").
  const servers = upstreams.length ? upstreams.map((u) => `    server ${u} max_fails=1 fail_timeout=10s;`) : ['    server 127.0.0.1:9 down;'];
  const t = (name: string) => join(dir, 'temp', name);
  return `# Written by server-extension/test/topology/nginx.ts; the location block is README.md's.
worker_processes auto;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${t('body')};
  proxy_temp_path ${t('proxy')};
  fastcgi_temp_path ${t('fastcgi')};
  uwsgi_temp_path ${t('uwsgi')};
  scgi_temp_path ${t('scgi')};
  upstream esante_service {
${servers.join('\n')}
  }
  server {
    listen 127.0.0.1:${port};
    server_name localhost;
    root ${join(dir, 'html')};
${location.split('\n').map((l) => `    ${l}`).join('\n')}
  }
}
`;
}

/** A TCP port nobody listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export async function startNginx(opts: NginxOptions = {}): Promise<RunningNginx> {
  if (!existsSync(NGINX_BIN)) throw new Error(`${NGINX_BIN} not found: run scripts/ensure-system.sh (Debian package nginx)`);
  // The free port may be taken between the probe and nginx's bind (a busy machine): try a few.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOn(await freePort(), opts);
    } catch (e) {
      if (attempt >= 5 || !/Address already in use/.test((e as Error).message)) throw e;
    }
  }
}

async function startOn(port: number, opts: NginxOptions): Promise<RunningNginx> {
  const dir = mkdtempSync(join(tmpdir(), 'esante-nginx-'));
  // Workers run as nobody when we are root: they must reach the temp folders.
  chmodSync(dir, 0o755);
  for (const d of ['temp', 'temp/body', 'temp/proxy', 'temp/fastcgi', 'temp/uwsgi', 'temp/scgi', 'html']) {
    mkdirSync(join(dir, d), { recursive: true });
    chmodSync(join(dir, d), 0o777);
  }
  const configFile = join(dir, 'nginx.conf');
  let config = nginxConf(dir, port, opts.upstreams ?? [], opts.location);
  writeFileSync(configFile, config);
  const errorLog = () => (existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8') : '');
  const child: ChildProcess = spawn(NGINX_BIN, ['-p', dir, '-e', join(dir, 'error.log'), '-c', configFile, '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  const killSync = () => {
    if (child.exitCode === null) child.kill('SIGTERM');
  };
  process.once('exit', killSync);
  // Listening: nginx opens the socket before it forks the workers; any HTTP answer will do.
  let up = false;
  let exitedEarly = false;
  void exited.then(() => (exitedEarly = true));
  for (const deadline = Date.now() + 10_000; !up && !exitedEarly && Date.now() < deadline; ) {
    up = await fetch(`${url}/`, { signal: AbortSignal.timeout(1000) }).then(
      (r) => r.body?.cancel().then(() => true) ?? true,
      () => false,
    );
    if (!up) await new Promise((r) => setTimeout(r, 50));
  }
  if (!up) {
    killSync();
    await exited;
    process.removeListener('exit', killSync);
    const why = `${stderr}${errorLog()}`.trim();
    cleanup();
    throw new Error(`nginx did not start on ${url}: ${why || 'no answer'}`);
  }
  return {
    url,
    configFile,
    get config() {
      return config;
    },
    errorLog,
    async setUpstreams(upstreams, ready) {
      config = nginxConf(dir, port, upstreams, opts.location);
      writeFileSync(configFile, config);
      child.kill('SIGHUP');
      for (const deadline = Date.now() + 10_000; !(await ready().catch(() => false)); ) {
        if (Date.now() > deadline) throw new Error(`nginx did not take the new upstreams within 10 s: ${errorLog().slice(-1000)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      process.removeListener('exit', killSync);
      if (child.exitCode === null) child.kill('SIGQUIT');
      await exited;
      cleanup();
    },
  };
}
