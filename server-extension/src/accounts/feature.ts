/**
 * The accounts feature's entry in the service: builds its ports from the environment and the shared
 * context, and answers its SOAP handlers (see ../feature.ts). The master keys (for the sealed unlock
 * codes) are loaded at start, from the same sources as the key service's (keys/master-key.ts:
 * ESANTE_MASTER_KEY, ESANTE_MASTER_KEY_FILE, else `<data dir>/master-keys.json`).
 */
import { join } from 'node:path';
import type { Feature, FeatureContext } from '../feature.ts';
import { loadMasterKeyring, type MasterKeyring } from '../keys/index.ts';
import { accountHandlers } from './handlers.ts';
import { AccountsService } from './service.ts';
import { accountsConfigVars, readAccountsSettings } from './settings.ts';

/** Environment variables this feature reads (listed in the README's configuration table). */
export { accountsConfigVars };

export function createAccountsFeature(ctx: FeatureContext): Feature {
  // Read at construction: a bad value stops the service at start, naming the variable.
  const settings = readAccountsSettings(ctx.env, ctx.config);
  let keyring: MasterKeyring | undefined;
  const accounts = new AccountsService({
    store: ctx.store,
    keyring: () => {
      if (!keyring) throw new Error('master keys used before the service started');
      return keyring;
    },
    clock: ctx.clock,
    log: ctx.log,
    settings,
  });
  return {
    name: 'accounts',
    handlers: accountHandlers({ accounts, settings, professionals: ctx.professionals }),
    async start() {
      keyring = (await loadMasterKeyring({ env: ctx.env, defaultFile: join(ctx.config.dataDir, 'master-keys.json') })).keyring;
    },
  };
}
