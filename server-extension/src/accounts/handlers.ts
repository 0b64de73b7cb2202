/**
 * The SOAP handlers of encryption accounts, one small factory per operation `(deps) => handler`.
 * The account is ALWAYS the caller's: `caller.name` is the address Zimbra vouched for (auth/), and no
 * request of these operations has an address field (the schema refuses unknown elements).
 */
import type { ResponseOf } from '../../../shared/soap/operations.ts';
import { CodedError } from '../errors.ts';
import type { ProfessionalLookup } from '../feature.ts';
import type { Handler, HandlerRegistry } from '../soap/handlers.ts';
import type { EncryptionAccount } from '../store/index.ts';
import { regifyUserOf, type AccountsService } from './service.ts';
import type { AccountsSettings } from './settings.ts';

type AccountView = ResponseOf<'CreateEncryptionAccount'>['account'];

export interface AccountHandlerDeps {
  accounts: AccountsService;
  settings: AccountsSettings;
  professionals: ProfessionalLookup;
}

/** The wire view of an account: never the hash, the sealed code or the attempt counter. */
export function accountView(account: EncryptionAccount, locked: boolean): AccountView {
  return {
    email: account.email,
    regifyUser: regifyUserOf(account.email),
    fullName: account.fullName,
    identityLevel: account.identityLevel,
    createdAt: account.createdAt,
    transactions: account.transactions,
    options: { ...account.options },
    ...(locked && account.lockedUntil ? { lockedUntil: account.lockedUntil } : {}),
  };
}

export function getEncryptionAccount(deps: AccountHandlerDeps): Handler<'GetEncryptionAccount'> {
  return async (_req, { caller }) => {
    const [account, prefs] = await Promise.all([deps.accounts.get(caller.name), deps.accounts.getPreferences(caller.name)]);
    const locked = account ? deps.accounts.isLocked(account) : false;
    return {
      state: !account ? 'none' : locked ? 'locked' : 'active',
      ...(account ? { account: accountView(account, locked) } : {}),
      dontAskAgain: prefs.dontAskAgain,
      email: caller.name,
      regifyUser: regifyUserOf(caller.name),
      suggestedFullName: caller.displayName ?? '',
      servers: { ...deps.settings.servers },
    };
  };
}

export function createEncryptionAccount(deps: AccountHandlerDeps): Handler<'CreateEncryptionAccount'> {
  return async (req, { caller, log }) => {
    // A professional listed in the directory was identified by the eSanté platform; anyone else
    // (e.g. a secretary's mailbox) starts at level 0, "e-mail confirmed" (Regify's scale).
    const listed = await deps.professionals.findByMail(caller.name);
    const identityLevel = listed ? deps.settings.directoryLevel : 0;
    const account = await deps.accounts.createAccount({
      email: caller.name,
      fullName: req.fullName,
      password: req.password,
      confirmation: req.confirmation,
      identityLevel,
    });
    log.info({ account: caller.name, identityLevel }, 'encryption account created');
    return { account: accountView(account, false) };
  };
}

export function changeEncryptionPassword(deps: AccountHandlerDeps): Handler<'ChangeEncryptionPassword'> {
  return async (req, { caller, log }) => {
    const account = await deps.accounts.changePassword(caller.name, req.password, req.confirmation);
    log.info({ account: caller.name }, 'encryption account password changed');
    return { account: accountView(account, deps.accounts.isLocked(account)) };
  };
}

export function setEncryptionOptions(deps: AccountHandlerDeps): Handler<'SetEncryptionOptions'> {
  return async (req, { caller }) => {
    const account = await deps.accounts.setOptions(caller.name, req.options);
    return { account: accountView(account, deps.accounts.isLocked(account)) };
  };
}

export function revealUnlockCode(deps: AccountHandlerDeps): Handler<'RevealUnlockCode'> {
  return async (_req, { caller, log }) => {
    const unlockCode = await deps.accounts.revealUnlockCode(caller.name);
    log.info({ account: caller.name }, 'unlock code revealed to its owner');
    return { unlockCode };
  };
}

export function setWizardOptOut(deps: AccountHandlerDeps): Handler<'SetWizardOptOut'> {
  return async (req, { caller }) => {
    const prefs = await deps.accounts.setDontAskAgain(caller.name, req.dontAskAgain);
    return { dontAskAgain: prefs.dontAskAgain };
  };
}

export function unlockEncryptionAccount(deps: AccountHandlerDeps): Handler<'UnlockEncryptionAccount'> {
  return async (req, { caller, log }) => {
    if (req.unlockCode.trim() === '') throw new CodedError('account.unlock_code_invalid');
    const account = await deps.accounts.unlock(caller.name, req.unlockCode);
    log.info({ account: caller.name }, 'encryption account unlocked');
    return { account: accountView(account, false) };
  };
}

export function accountHandlers(deps: AccountHandlerDeps): HandlerRegistry {
  return {
    GetEncryptionAccount: getEncryptionAccount(deps),
    CreateEncryptionAccount: createEncryptionAccount(deps),
    ChangeEncryptionPassword: changeEncryptionPassword(deps),
    SetEncryptionOptions: setEncryptionOptions(deps),
    RevealUnlockCode: revealUnlockCode(deps),
    SetWizardOptOut: setWizardOptOut(deps),
    UnlockEncryptionAccount: unlockEncryptionAccount(deps),
  };
}
