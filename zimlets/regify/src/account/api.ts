/**
 * The account operations as the regify zimlet calls them (shared/soap/client.ts, same origin, the
 * session's CSRF token and language). Components get this object injected, so tests can replace it with a fake.
 */
import type { ZimletHost } from '../../../../shared/host/zimlet-host.ts';
import { callService } from '../../../../shared/soap/client.ts';
import type { RequestOf, ResponseOf } from '../../../../shared/soap/operations.ts';

export type AccountInfo = ResponseOf<'GetEncryptionAccount'>;
export type AccountView = ResponseOf<'CreateEncryptionAccount'>['account'];
export type AccountOptionsView = AccountView['options'];

export interface AccountApi {
  get(): Promise<AccountInfo>;
  create(req: RequestOf<'CreateEncryptionAccount'>): Promise<AccountView>;
  changePassword(password: string, confirmation: string): Promise<AccountView>;
  setOptions(options: AccountOptionsView): Promise<AccountView>;
  revealUnlockCode(): Promise<string>;
  setOptOut(dontAskAgain: boolean): Promise<boolean>;
  unlock(unlockCode: string): Promise<AccountView>;
}

export function accountApi(host: ZimletHost): AccountApi {
  const opts = () => ({ csrfToken: host.csrfToken(), lang: host.lang });
  return {
    get: () => callService('GetEncryptionAccount', {}, opts()),
    create: async (req) => (await callService('CreateEncryptionAccount', req, opts())).account,
    changePassword: async (password, confirmation) => (await callService('ChangeEncryptionPassword', { password, confirmation }, opts())).account,
    setOptions: async (options) => (await callService('SetEncryptionOptions', { options }, opts())).account,
    revealUnlockCode: async () => (await callService('RevealUnlockCode', {}, opts())).unlockCode,
    setOptOut: async (dontAskAgain) => (await callService('SetWizardOptOut', { dontAskAgain }, opts())).dontAskAgain,
    unlock: async (unlockCode) => (await callService('UnlockEncryptionAccount', { unlockCode }, opts())).account,
  };
}
