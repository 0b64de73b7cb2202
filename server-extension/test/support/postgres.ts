/**
 * A private, throw-away PostgreSQL 15 cluster for integration tests.
 *
 *   const pg = await startPostgres();          // ~1 s: initdb + pg_ctl start + CREATE DATABASE
 *   const url = pg.url;                        // postgres://postgres@127.0.0.1:<port>/esante_test
 *   const other = await pg.createDatabase();   // a fresh, empty database on the same cluster
 *   await pg.stop();                           // stops the server and deletes every file
 *
 * How it works: a temp directory (data, Unix socket, log) owned by the `postgres` user, `initdb
 * --auth=trust -U postgres` into it, then `pg_ctl start` on a free TCP port bound to 127.0.0.1 only,
 * with its socket in that directory (never /var/run/postgresql, so it cannot meet a system cluster).
 * PostgreSQL refuses to run as root, so when the tests run as root (CI) the binaries run through
 * `runuser -u postgres --`; as any other user they run directly as that user.
 * fsync is off: the cluster is disposable and tests should be quick.
 *
 * Environment: PG_BIN overrides the binaries' folder (default /usr/lib/postgresql/15/bin).
 * If the test process dies without calling stop(), an exit hook still stops the server and removes
 * the directory.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './free-port.ts';

const run = promisify(execFile);

export interface TestPostgres {
  /** URL of the database created at start (`esante_test`). */
  readonly url: string;
  /** Creates another empty database and returns its URL (names are generated when omitted). */
  createDatabase(name?: string): Promise<string>;
  /** Stops the server and removes its directory; calling it twice is harmless. */
  stop(): Promise<void>;
}

const PG_BIN = process.env['PG_BIN'] ?? '/usr/lib/postgresql/15/bin';
const asRoot = process.getuid?.() === 0;

/** Runs a PostgreSQL binary, as user postgres when we are root. */
async function pgBin(name: string, args: string[]): Promise<void> {
  const bin = join(PG_BIN, name);
  const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  // cwd: runuser keeps ours, and postgres must be able to enter it.
  await run(file, argv, { cwd: '/', timeout: 60_000 });
}

function pgBinSync(name: string, args: string[]): void {
  const bin = join(PG_BIN, name);
  const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  execFileSync(file, argv, { cwd: '/', stdio: 'ignore', timeout: 30_000 });
}


function postgresUid(): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

export async function startPostgres(): Promise<TestPostgres> {
  const root = mkdtempSync(join(tmpdir(), 'esante-pg-'));
  const data = join(root, 'data');
  const log = join(root, 'server.log');
  if (asRoot) {
    const { uid, gid } = postgresUid();
    chownSync(root, uid, gid);
    writeFileSync(log, '');
    chownSync(log, uid, gid);
  }
  chmodSync(root, 0o700);

  let stopped = false;
  const stopSync = (): void => {
    if (stopped) return;
    stopped = true;
    try {
      pgBinSync('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } catch {
      // not running: nothing to stop
    }
    rmSync(root, { recursive: true, force: true });
  };
  process.once('exit', stopSync);

  try {
    await pgBin('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
    let port = 0;
    // The free port may be taken between our probe and the server's bind: try a few.
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      try {
        await pgBin('pg_ctl', [
          '-D', data, '-l', log, '-w', '-t', '30',
          '-o', `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`,
          'start',
        ]);
        break;
      } catch (error) {
        if (attempt >= 3) throw error;
      }
    }

    const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
    let counter = 0;
    const createDatabase = async (name = `esante_test_${process.pid}_${++counter}`): Promise<string> => {
      if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`bad database name: ${name}`);
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    };
    const url = await createDatabase('esante_test');

    return {
      url,
      createDatabase,
      async stop() {
        if (stopped) return;
        stopped = true;
        process.removeListener('exit', stopSync);
        try {
          await pgBin('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
        } finally {
          rmSync(root, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    stopSync();
    process.removeListener('exit', stopSync);
    throw error;
  }
}

/**
 * For a test file or describe block: a private cluster started before its tests and stopped after
 * them. The handle may be kept from the start; it is usable inside the tests.
 */
export function usePostgres(): TestPostgres {
  let cluster: TestPostgres | undefined;
  before(async () => {
    cluster = await startPostgres();
  });
  after(async () => {
    await cluster?.stop();
  });
  const started = (): TestPostgres => {
    if (!cluster) throw new Error('the PostgreSQL cluster starts in before(): use it inside the tests');
    return cluster;
  };
  return {
    get url() {
      return started().url;
    },
    createDatabase: (name) => started().createDatabase(name),
    stop: async () => cluster?.stop(),
  };
}
