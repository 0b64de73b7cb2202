/**
 * SOAP operations of encryption accounts (guide p.5, 6, 12), spread into shared/soap/operations.ts.
 * Every operation acts on the CALLER's own account: no request carries an e-mail address (the
 * service takes it from the Zimbra session), so there is no way to name another account.
 * Secrets travel only from the browser to the service (passwords) or, on explicit request, back to
 * their owner (the unlock code); responses never carry a password or a hash.
 */
import type { OperationSpec } from '../soap/schema.ts';

/**
 * Bound on password fields at the SOAP layer. The policy's own limit (128, PASSWORD_MAX_LENGTH) is
 * checked by the handler so a long password gets the translated `password.too_long`, not a schema error.
 */
const PASSWORD_FIELD_MAX = 1024;

/** The Options tab (guide p.6). */
const options = {
  fields: {
    /** "Délai de lecture (en jours)", 1…365. */
    readDeadlineDays: 'int',
    /** "Notification de transmission". */
    notifyTransmission: 'boolean',
    /** "Notification de lecture". */
    notifyRead: 'boolean',
    /** "Notification du dépassement du délai de lecture". */
    notifyDeadline: 'boolean',
    /** "Durée d'accès par défaut (en jours)": 0 = no access end; else at least readDeadlineDays, at most 365. Absent in a request = unchanged. */
    accessDays: { type: 'int', optional: true },
  },
} as const;

/** The caller's account as the Informations tab shows it. */
export const encryptionAccountFields = {
  fields: {
    email: 'string',
    /** "Utilisateur Regify": the address with '@' written '.' (guide p.5: agent.sqli.esante.lu). */
    regifyUser: 'string',
    fullName: 'string',
    /** Regify identity level 0/1/3/5/7 ("niveau d'authentification", guide p.12). */
    identityLevel: 'int',
    createdAt: 'dateTime',
    /** "Nb de transactions". */
    transactions: 'int',
    options,
    /** Set while log-ins are refused after too many wrong passwords. */
    lockedUntil: { type: 'dateTime', optional: true },
  },
} as const;

/** Server settings of the Informations tab, from the service's configuration (ESANTE_ACCOUNT_*). */
const servers = {
  fields: {
    imapHost: 'string',
    imapPort: 'int',
    /** e.g. "TLS", "STARTTLS". */
    imapSecurity: 'string',
    smtpHost: 'string',
    smtpPort: 'int',
    smtpSecurity: 'string',
    /** "Serveur Regify". */
    encryptionServer: 'string',
    /** "Accéder au portail Regify". */
    portalUrl: 'string',
  },
} as const;

export const accountOperations = {
  GetEncryptionAccount: {
    doc: 'The caller’s encryption account (state "none" when they have none yet), their "don’t ask again" choice and the server settings of the Informations tab.',
    auth: 'user',
    request: {},
    response: {
      /** 'none' | 'active' | 'locked'. */
      state: 'string',
      account: { ...encryptionAccountFields, optional: true },
      /** "Ne plus me poser la question au démarrage": the wizard does not open by itself. */
      dontAskAgain: 'boolean',
      /** The caller's address and Zimbra display name, to fill the wizard. */
      email: 'string',
      regifyUser: 'string',
      suggestedFullName: 'string',
      servers,
    },
  },
  CreateEncryptionAccount: {
    doc: 'Creates the caller’s encryption account. Identity level: the configured one when the caller is a listed professional, else 0. Two simultaneous requests create one account; the other gets account.already_exists.',
    auth: 'user',
    request: {
      fullName: { type: 'string', max: 1024 },
      password: { type: 'string', max: PASSWORD_FIELD_MAX },
      confirmation: { type: 'string', max: PASSWORD_FIELD_MAX },
    },
    response: { account: encryptionAccountFields },
  },
  ChangeEncryptionPassword: {
    doc: 'Sets a new password on the caller’s account (the Zimbra session proves who they are; guide p.14: a forgotten password is changed in the Options tab).',
    auth: 'user',
    request: {
      password: { type: 'string', max: PASSWORD_FIELD_MAX },
      confirmation: { type: 'string', max: PASSWORD_FIELD_MAX },
    },
    response: { account: encryptionAccountFields },
  },
  SetEncryptionOptions: {
    doc: 'Saves the Options tab: read deadline (1–365 days), the three notifications and the default access period (0 = none, else from the read deadline to 365 days).',
    auth: 'user',
    request: { options },
    response: { account: encryptionAccountFields },
  },
  RevealUnlockCode: {
    doc: 'The caller’s unlock code ("Code de déblocage", shown behind "Cliquez pour voir"). Each reveal is audited.',
    auth: 'user',
    request: {},
    response: { unlockCode: 'string' },
  },
  SetWizardOptOut: {
    doc: 'Records "Ne plus me poser la question au démarrage (je ne chiffre pas mes mails)" (works with or without an account).',
    auth: 'user',
    request: { dontAskAgain: 'boolean' },
    response: { dontAskAgain: 'boolean' },
  },
  UnlockEncryptionAccount: {
    doc: 'Lifts a lockout of the caller’s account with its unlock code. A wrong code counts as a failed attempt.',
    auth: 'user',
    request: { unlockCode: { type: 'string', max: 64 } },
    response: { account: encryptionAccountFields },
  },
} as const satisfies Record<string, OperationSpec>;
