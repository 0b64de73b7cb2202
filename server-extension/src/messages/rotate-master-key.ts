/**
 * Master key rotation command (docs/master-key-rotation.md):
 *
 *   node --import tsx server-extension/src/messages/rotate-master-key.ts add-key   # 1. new current key in the keyring file
 *   (restart every service instance: they now wrap under the new key and still open old values)
 *   node --import tsx server-extension/src/messages/rotate-master-key.ts rewrap    # 2. re-wrap every stored message
 *   node --import tsx server-extension/src/messages/rotate-master-key.ts retire --accounts-rotated   # 3. drop keys nothing names any more
 *
 * Same environment as the service (ESANTE_STORE, ESANTE_PG_URL / ESANTE_SQLITE_PATH, ESANTE_DATA_DIR,
 * ESANTE_MASTER_KEY[_PREVIOUS|_FILE]). With ESANTE_MASTER_KEY (secret manager), step 1 and 3 are done
 * by the operator in the secret manager (new key + ESANTE_MASTER_KEY_PREVIOUS=old; later drop it);
 * `rewrap` then works the same. `rewrap` is resumable: run it again after any interruption.
 * Prints ids and counts only, never key material.
 */
import { join } from 'node:path';
import { loadConfig } from '../config.ts';
import {
  MASTER_KEY_ENV,
  MASTER_KEY_FILE_ENV,
  addNewMasterKeyToFile,
  loadMasterKeyring,
  retireMasterKeysInFile,
} from '../keys/index.ts';
import { openStore, type Store } from '../store/index.ts';
import { referencedKeyIds, rewrapMessages } from './rotation.ts';

type Env = Record<string, string | undefined>;

async function openConfiguredStore(env: Env): Promise<Store> {
  const config = loadConfig(env);
  const store =
    config.store.kind === 'sqlite'
      ? await openStore({ kind: 'sqlite', path: config.store.path })
      : await openStore({ kind: 'postgres', url: config.store.url.reveal(), poolSize: 2 });
  await store.migrate();
  return store;
}

function keyringFile(env: Env): string {
  return env[MASTER_KEY_FILE_ENV]?.trim() || join(loadConfig(env).dataDir, 'master-keys.json');
}

export async function runRotationCommand(
  command: string,
  env: Env = process.env,
  out: (line: string) => void = console.log,
  argv: readonly string[] = [],
): Promise<number> {
  switch (command) {
    case 'add-key': {
      if (env[MASTER_KEY_ENV]?.trim()) {
        out(`${MASTER_KEY_ENV} is set: add the new key in your secret manager (old one in ESANTE_MASTER_KEY_PREVIOUS).`);
        return 2;
      }
      const ring = await addNewMasterKeyToFile(keyringFile(env));
      out(`new current master key ${ring.current.id}; kept for unwrapping: ${ring.ids.filter((id) => id !== ring.current.id).join(', ')}`);
      out('Restart every service instance now, then run: rewrap');
      return 0;
    }
    case 'rewrap': {
      const { keyring } = await loadMasterKeyring({ env, defaultFile: keyringFile(env) });
      const store = await openConfiguredStore(env);
      try {
        const report = await rewrapMessages(store, keyring, (r) => out(`… ${r.scanned} scanned, ${r.rewrapped} re-wrapped`));
        out(`re-wrapped ${report.rewrapped} of ${report.scanned} messages under ${keyring.current.id}; conflicts: ${report.conflicts}${report.conflicts ? ' (run rewrap again)' : ''}`);
        return report.conflicts ? 1 : 0;
      } finally {
        await store.close();
      }
    }
    case 'retire': {
      if (env[MASTER_KEY_ENV]?.trim()) {
        out('ESANTE_MASTER_KEY is set: remove the old keys from ESANTE_MASTER_KEY_PREVIOUS once `rewrap` reported no conflicts.');
        return 2;
      }
      // Encryption accounts' unlock codes (accounts feature) are sealed under the same keys, and the
      // store cannot list them yet: retiring a key one of them still needs would lose that code.
      if (!argv.includes('--accounts-rotated')) {
        out('retire also drops keys that accounts\' unlock codes may still use: re-seal those first, then run: retire --accounts-rotated');
        return 2;
      }
      const store = await openConfiguredStore(env);
      try {
        const { retired, keyring } = await retireMasterKeysInFile(keyringFile(env), await referencedKeyIds(store));
        out(`retired: ${retired.join(', ') || '(none)'}; kept: ${keyring.ids.join(', ')}`);
        return 0;
      } finally {
        await store.close();
      }
    }
    default:
      out('usage: rotate-master-key.ts add-key | rewrap | retire');
      return 2;
  }
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  runRotationCommand(process.argv[2] ?? 'rewrap', process.env, console.log, process.argv.slice(3)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      // The message only: errors here name ids and files, never key material.
      console.error(`rotation failed: ${(err as Error).message}`);
      process.exit(1);
    },
  );
}
