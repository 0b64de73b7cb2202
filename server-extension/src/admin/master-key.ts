/**
 * Master key rotation, `esante-admin master-key <step>` (docs/master-key-rotation.md); the older
 * `npm run rotate-master-key <step>` / `node rotate-master-key.mjs <step>` run the same code:
 *
 *   npm run rotate-master-key add-key   # 1. new current key in the keyring file
 *   (restart every service instance: they now seal under the new key and still open old values)
 *   npm run rotate-master-key rewrap    # 2. re-wrap every stored message and re-seal every unlock code
 *   npm run rotate-master-key retire    # 3. drop the keys nothing names any more
 *
 * In an installed service (dist/service): `node rotate-master-key.mjs <command>`, same environment.
 *
 * Same environment as the service (ESANTE_STORE, ESANTE_PG_URL / ESANTE_SQLITE_PATH, ESANTE_DATA_DIR,
 * ESANTE_MASTER_KEY[_PREVIOUS|_FILE]). With ESANTE_MASTER_KEY (secret manager), steps 1 and 3 are done
 * by the operator in the secret manager (new key + ESANTE_MASTER_KEY_PREVIOUS=old; later drop it);
 * `rewrap` then works the same. `rewrap` is resumable: run it again after any interruption.
 * Prints ids and counts only, never key material.
 *
 * What is sealed under the master keys, and who rotates it:
 * - messages' data keys and sealed subjects: `rewrap` (messages/rotation.ts);
 * - encryption accounts' unlock codes: `rewrap` (accounts/rotation.ts);
 * - portal e-mail codes: short-lived (minutes); `retire` keeps any key a live code still names;
 * - the embedded soft token's PINs (signing/pin-vault.ts): re-sealed by the service at start.
 */
import { join } from 'node:path';
import { resealUnlockCodes, unlockCodeKeyIds } from '../accounts/rotation.ts';
import { loadConfig } from '../config.ts';
import {
  MASTER_KEY_ENV,
  MASTER_KEY_FILE_ENV,
  addNewMasterKeyToFile,
  loadMasterKeyring,
  retireMasterKeysInFile,
  wrappedKeyId,
  type MasterKeyring,
} from '../keys/index.ts';
import { referencedKeyIds as messageKeyIds, rewrapMessages } from '../messages/rotation.ts';
import type { Store } from '../store/index.ts';
import { openReachableStore } from './store.ts';

type Env = Record<string, string | undefined>;

interface Report {
  scanned: number;
  rewrapped: number;
  conflicts: number;
}

/** Everything `rewrap` re-wraps, in order, and what `retire` must keep. */
const PARTS: ReadonlyArray<{
  what: string;
  rewrap: (store: Store, keyring: MasterKeyring, progress: (r: Report) => void) => Promise<Report>;
  keyIds: (store: Store) => Promise<Set<string>>;
}> = [
  { what: 'messages', rewrap: rewrapMessages, keyIds: messageKeyIds },
  { what: 'unlock codes', rewrap: resealUnlockCodes, keyIds: unlockCodeKeyIds },
];

/** The configured store, refused clearly when unreachable (store.ts), then migrated as the service would. */
async function openConfiguredStore(env: Env): Promise<Store> {
  const store = await openReachableStore(env);
  await store.migrate();
  return store;
}

function keyringFile(env: Env): string {
  return env[MASTER_KEY_FILE_ENV]?.trim() || join(loadConfig(env).dataDir, 'master-keys.json');
}

/** Every master key id a stored value still names. */
export async function keyIdsInUse(store: Store, nowMs: number = Date.now()): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const part of PARTS) for (const id of await part.keyIds(store)) ids.add(id);
  for (const sealed of await store.portal.liveSealedCodes(nowMs)) ids.add(wrappedKeyId(sealed));
  return ids;
}

export async function runRotationCommand(
  command: string,
  env: Env = process.env,
  out: (line: string) => void = console.log,
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
      let conflicts = 0;
      try {
        for (const part of PARTS) {
          const report = await part.rewrap(store, keyring, (r) => out(`… ${part.what}: ${r.scanned} scanned, ${r.rewrapped} re-wrapped`));
          out(`${part.what}: re-wrapped ${report.rewrapped} of ${report.scanned} under ${keyring.current.id}; conflicts: ${report.conflicts}`);
          conflicts += report.conflicts;
        }
        if (conflicts) out('some values changed meanwhile: run rewrap again');
        return conflicts ? 1 : 0;
      } finally {
        await store.close();
      }
    }
    case 'retire': {
      if (env[MASTER_KEY_ENV]?.trim()) {
        out('ESANTE_MASTER_KEY is set: remove the old keys from ESANTE_MASTER_KEY_PREVIOUS once `rewrap` reported no conflicts.');
        return 2;
      }
      const store = await openConfiguredStore(env);
      try {
        const { retired, keyring } = await retireMasterKeysInFile(keyringFile(env), await keyIdsInUse(store));
        out(`retired: ${retired.join(', ') || '(none)'}; kept: ${keyring.ids.join(', ')}`);
        return 0;
      } finally {
        await store.close();
      }
    }
    default:
      out('usage: rotate-master-key add-key | rewrap | retire');
      return 2;
  }
}
