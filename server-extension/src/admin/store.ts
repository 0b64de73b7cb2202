/**
 * The store the admin CLI works on: the service's own configuration (ESANTE_STORE, ESANTE_PG_URL /
 * ESANTE_SQLITE_PATH, ESANTE_DATA_DIR), and a clear refusal when it cannot be reached, before
 * anything is read or changed. A SQLite file that does not exist is refused too: opening it would
 * create an empty store and the command would report on (or change) nothing, silently.
 */
import { existsSync } from 'node:fs';
import { loadConfig } from '../config.ts';
import { openStore, type Store } from '../store/index.ts';

type Env = Record<string, string | undefined>;

/** The store is not there: exit code 3 (cli.ts), the message says which store and why. */
export class StoreUnreachableError extends Error {
  override name = 'StoreUnreachableError';
  constructor(
    readonly where: string,
    readonly reason: string,
  ) {
    super(`${where}: ${reason}`);
  }
}

/** Host, port and database of a PostgreSQL URL, never its user or password. */
function describePg(url: string): string {
  try {
    const u = new URL(url);
    return `PostgreSQL ${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return 'PostgreSQL (ESANTE_PG_URL)';
  }
}

export async function openReachableStore(env: Env): Promise<Store> {
  const config = loadConfig(env);
  if (config.store.kind === 'sqlite') {
    const path = config.store.path;
    if (path !== ':memory:' && !existsSync(path)) throw new StoreUnreachableError(`SQLite ${path}`, 'no such file (check ESANTE_DATA_DIR / ESANTE_SQLITE_PATH)');
    const store = await openStore({ kind: 'sqlite', path });
    return store;
  }
  const where = describePg(config.store.url.reveal());
  const store = await openStore({ kind: 'postgres', url: config.store.url.reveal(), poolSize: 2 });
  // ping() never throws: false is "does not answer" (refused, timed out, authentication failed).
  if (!(await store.ping())) {
    await store.close().catch(() => undefined);
    throw new StoreUnreachableError(where, 'does not answer');
  }
  return store;
}
