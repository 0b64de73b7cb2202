/**
 * The accounts module for other features (e.g. the recipients' portal of the messages feature):
 *
 *   const accounts = createAccountsService({ store: ctx.store, keyring: () => ring, clock: ctx.clock, log: ctx.log,
 *                                            settings: readAccountsSettings(ctx.env, ctx.config) });
 *   await accounts.createAccount({ email: proved, fullName, password, confirmation, identityLevel: 0 });
 *   const r = await accounts.verifyPassword(proved, password, { countFailures: true });  // owner proved: counts, locks
 *   if (r.kind !== 'Ok') throw accounts.errorOf(r);
 *   await accounts.verifyPassword(address, password, { countFailures: false });  // anonymous (portal): never locks
 *
 * `hashPassword` / `verifyPasswordHash` are the bare scrypt functions (password-hash.ts).
 */
import { AccountsService, type AccountsServiceDeps } from './service.ts';

export {
  AccountsService,
  checkNewPassword,
  generateUnlockCode,
  normaliseUnlockCode,
  ownerOf,
  regifyUserOf,
  UNLOCK_CODE_PURPOSE,
  type AccountsServiceDeps,
  type NewAccountInput,
  type VerifyPasswordResult,
} from './service.ts';
export { hashPassword, verifyPasswordHash } from './password-hash.ts';
export { accountsConfigVars, readAccountsSettings, type AccountsSettings, type ServerSettings } from './settings.ts';

export function createAccountsService(deps: AccountsServiceDeps): AccountsService {
  return new AccountsService(deps);
}
