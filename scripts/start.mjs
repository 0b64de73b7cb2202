// `npm start`: the whole suite on one machine with its embedded defaults — the eSanté service
// (SQLite store, embedded directory, soft-token signer…) and the Zimbra sandbox (webmail, SMTP,
// seeded health professionals) that serves the built zimlets and proxies
// /service/extension/esante/ to the service, as Zimbra's nginx does in production.
//   --no-build  reuse dist/ as it is      --fresh  start from empty data (e2e)
import { spawn, spawnSync } from 'node:child_process';
import { rmSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const flags = new Set(process.argv.slice(2));
const env = { ...process.env };
env.SANDBOX_PORT ??= '8080';
env.ESANTE_PORT ??= '7080';
env.SANDBOX_SMTP_PORT ??= '2525';
// The recipients' portal on its own origin (security review #17): another port AND another host name
// than the webmail's 127.0.0.1, since cookies ignore ports; the sandbox serves it there only.
// SANDBOX_PORT + 1000 (9080), so suites started side by side on other ports do not collide.
env.SANDBOX_PORTAL_PORT ??= String(Number(env.SANDBOX_PORT) + 1000);
env.ESANTE_PORTAL_ORIGIN ??= `http://localhost:${env.SANDBOX_PORTAL_PORT}`;
env.ESANTE_DATA_DIR ??= '.data/dev';
env.SANDBOX_DATA_DIR ??= `${env.ESANTE_DATA_DIR}/sandbox`;
env.ESANTE_ZIMBRA_URL ??= `http://127.0.0.1:${env.SANDBOX_PORT}`;
env.ESANTE_ZIMBRA_ADMIN_URL ??= `http://127.0.0.1:${env.SANDBOX_PORT}`;
env.ESANTE_PUBLIC_URL ??= `http://127.0.0.1:${env.SANDBOX_PORT}`;
env.ESANTE_SMTP_URL ??= `smtp://127.0.0.1:${env.SANDBOX_SMTP_PORT}`;
// Prometheus /metrics on its own loopback port (never through the sandbox's proxy, as never through nginx).
env.ESANTE_METRICS_PORT ??= '9464';
env.ESANTE_SERVICE_URL ??= `http://127.0.0.1:${env.ESANTE_PORT}`;
// The sandbox's people: listed first in the embedded directory and given test signing certificates.
// The service reads no sandbox file unless named here (it ships without the sandbox).
env.ESANTE_DIRECTORY_SEED_USERS ??= resolve(root, 'sandbox/seed/users.json');
env.ESANTE_SIGNING_TEST_USERS ??= env.ESANTE_DIRECTORY_SEED_USERS;

if (flags.has('--fresh')) rmSync(resolve(root, env.ESANTE_DATA_DIR), { recursive: true, force: true });
mkdirSync(resolve(root, env.SANDBOX_DATA_DIR), { recursive: true });

// First login from the stand-in portal (/idp/) creates mailboxes with the sandbox's Zimbra admin
// account (server-extension/src/provisioning/); its password goes to a file, never into the environment.
if (!env.ESANTE_ZIMBRA_ADMIN_USER) {
  const seed = JSON.parse(readFileSync(resolve(root, 'sandbox/seed/users.json'), 'utf8'));
  const passwordFile = resolve(root, env.ESANTE_DATA_DIR, 'zimbra-admin.password');
  writeFileSync(passwordFile, `${seed.password}\n`, { mode: 0o600 });
  env.ESANTE_ZIMBRA_ADMIN_USER = seed.admin.mail;
  env.ESANTE_ZIMBRA_ADMIN_PASSWORD_FILE = passwordFile;
}

if (!flags.has('--no-build')) {
  const b = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit', env });
  if (b.status !== 0) process.exit(b.status ?? 1);
}

const children = [];
function start(name, script, childEnv = env) {
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: root, env: childEnv, stdio: 'inherit' });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`${name} stopped (${signal ?? code}); stopping the suite.`);
      stop(1);
    }
  });
  children.push(child);
}
let stopping = false;
function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  for (const c of children) c.kill('SIGTERM');
  setTimeout(() => process.exit(code), 5000).unref();
  Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r() : c.on('exit', r))))).then(() =>
    process.exit(code),
  );
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

// ESANTE_SERVICE_URL is the sandbox's (where its proxy sends /service/extension/esante/): the service
// does not read it, and would rightly warn about an unknown ESANTE_ variable.
const { ESANTE_SERVICE_URL: _forTheSandbox, ...serviceEnv } = env;
start('service', 'server-extension/src/main.ts', serviceEnv);
start('sandbox', 'sandbox/server/main.ts');

const url = `http://127.0.0.1:${env.SANDBOX_PORT}/`;
for (let i = 0; i < 120 && !stopping; i++) {
  try {
    const r = await fetch(`${url}service/extension/esante/health`);
    if (r.ok) {
      console.log(`\neSanté secure messaging is running: open ${url}`);
      console.log('Log in as marie.schmit@esante.lu (or any user of sandbox/seed/users.json), password Sandbox-2026!');
      console.log(`Recipients' portal (outside recipients of encrypted messages): ${env.ESANTE_PORTAL_ORIGIN}/service/extension/esante/portal/`);
      console.log(`First login from the eSanté portal (stand-in; creates prenom.nom@esante.lu): open ${url}idp/`);
      break;
    }
  } catch {
    /* not up yet */
  }
  await new Promise((r) => setTimeout(r, 500));
}
