/**
 * Starts a real OpenLDAP slapd for tests and benchmarks: project schema, mdb backend, data loaded
 * with slapadd, a read-only service account, all in a temp dir, on a free port on 127.0.0.1.
 *
 *   const ldap = await startSlapd({ ldifFile });   // the generator's directory.ldif
 *   … new LdapDirectory({ url: ldap.url, bindDN: ldap.bindDN, password: ldap.password, baseDN: ldap.baseDN })
 *   await ldap.stop();                            // kills slapd and removes the temp dir
 *
 * Needs Debian's slapd + ldap-utils (/usr/sbin/slapd, /usr/sbin/slapadd).
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort } from './free-port.ts';

const execFileP = promisify(execFile);
const LDAP_DIR = fileURLToPath(new URL('../../ldap/', import.meta.url));

export interface SlapdOptions {
  /** LDIF to load (must contain the base entries, as the generator's directory.ldif does). */
  ldifFile: string;
  /** Suffix of the database; the generator's default. */
  baseDN?: string;
  slapdPath?: string;
  slapaddPath?: string;
  systemSchemaDir?: string;
  moduleDir?: string;
}

export interface SlapdHandle {
  url: string;
  /** The read-only service account the adapter binds as. */
  bindDN: string;
  password: string;
  /** The same password in a 0600 file, for CLI tools (`ldapsearch -y`), so it never shows in a process list. */
  passwordFile: string;
  baseDN: string;
  rootDN: string;
  rootPassword: string;
  dir: string;
  /** Stops slapd (SIGTERM, then SIGKILL after 3 s) and removes the temp dir. */
  stop(): Promise<void>;
}

/** RFC 2307-style {SSHA} hash, as slappasswd makes it: base64(SHA1(password + salt) + salt). */
export function sshaHash(password: string): string {
  const salt = randomBytes(8);
  const digest = createHash('sha1').update(password).update(salt).digest();
  return `{SSHA}${Buffer.concat([digest, salt]).toString('base64')}`;
}


function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ port, host: '127.0.0.1' });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export async function startSlapd(options: SlapdOptions): Promise<SlapdHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'esante-slapd-'));
  try {
    return await startIn(dir, options);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

async function startIn(dir: string, options: SlapdOptions): Promise<SlapdHandle> {
  const baseDN = options.baseDN ?? 'dc=HPD,dc=esante,dc=lu';
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  const rootDN = `cn=admin,${baseDN}`;
  const bindDN = `cn=esante-service,${baseDN}`;
  const rootPassword = randomBytes(12).toString('base64url');
  const password = randomBytes(12).toString('base64url');
  const vars: Record<string, string> = {
    SYSTEM_SCHEMA_DIR: options.systemSchemaDir ?? '/etc/ldap/schema',
    PROJECT_SCHEMA: join(LDAP_DIR, 'esante-hpd.schema'),
    RUN_DIR: dir,
    MODULE_DIR: options.moduleDir ?? '/usr/lib/ldap',
    SUFFIX: baseDN,
    ROOT_DN: rootDN,
    ROOT_PW_HASH: sshaHash(rootPassword),
    DATA_DIR: dataDir,
    SERVICE_DN: bindDN,
  };
  const conf = readFileSync(join(LDAP_DIR, 'slapd.conf.template'), 'utf8').replace(/\{\{(\w+)\}\}/g, (m, k: string) => {
    const v = vars[k];
    if (v === undefined) throw new Error(`slapd.conf.template: unknown placeholder ${m}`);
    return v;
  });
  const passwordFile = join(dir, 'service.pw');
  writeFileSync(passwordFile, password, { mode: 0o600 });
  const confFile = join(dir, 'slapd.conf');
  writeFileSync(confFile, conf);
  const accountLdif = join(dir, 'service-account.ldif');
  writeFileSync(
    accountLdif,
    [`dn: ${bindDN}`, 'objectClass: applicationProcess', 'objectClass: simpleSecurityObject', 'cn: esante-service', `userPassword: ${sshaHash(password)}`, ''].join('\n'),
  );
  const slapadd = options.slapaddPath ?? '/usr/sbin/slapadd';
  try {
    // -q: quick mode (no consistency checks, far faster for 100k entries); the data is generated.
    await execFileP(slapadd, ['-q', '-f', confFile, '-l', options.ldifFile], { maxBuffer: 16 * 1024 * 1024 });
    await execFileP(slapadd, ['-q', '-f', confFile, '-l', accountLdif]);
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`slapadd failed: ${e.stderr ?? e.message}`);
  }

  let child: ChildProcess | undefined;
  let port = 0;
  for (let attempt = 0; attempt < 3 && !child; attempt++) {
    port = await freePort();
    // -d 0 keeps slapd in the foreground (so it dies with us) without debug output.
    const proc = spawn(options.slapdPath ?? '/usr/sbin/slapd', ['-d', '0', '-f', confFile, '-h', `ldap://127.0.0.1:${port}/`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    proc.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    let exited = false;
    proc.once('exit', () => (exited = true));
    const deadline = Date.now() + 10_000;
    while (!exited && Date.now() < deadline && !(await canConnect(port))) await new Promise((r) => setTimeout(r, 50));
    if (!exited && (await canConnect(port))) child = proc;
    else {
      proc.kill('SIGKILL');
      if (attempt === 2) throw new Error(`slapd did not start: ${stderr.slice(-2000)}`);
    }
  }
  const proc = child!;
  // If the test process dies without calling stop(), do not leave a slapd behind.
  const killOnExit = () => proc.kill('SIGKILL');
  process.once('exit', killOnExit);
  return {
    url: `ldap://127.0.0.1:${port}`,
    bindDN,
    password,
    passwordFile,
    baseDN,
    rootDN,
    rootPassword,
    dir,
    async stop() {
      process.removeListener('exit', killOnExit);
      if (proc.exitCode === null && proc.signalCode === null) {
        const exited = new Promise<void>((r) => proc.once('exit', () => r()));
        proc.kill('SIGTERM');
        const timer = setTimeout(() => proc.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
