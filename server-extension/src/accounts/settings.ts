/**
 * Settings of encryption accounts, read from the environment (ESANTE_ACCOUNT_*). The server settings
 * shown in the Informations tab (guide p.12) come from here, never from constants in the zimlet: each
 * deployment (integration, production) has its own mail and encryption servers.
 */
import { ConfigError, envReader, type Config, type ConfigVar } from '../config.ts';
import { SERVICE_BASE_PATH } from '../../../shared/paths.ts';
import { IDENTITY_LEVELS, type IdentityLevel } from '../store/types.ts';
import { SCRYPT_DEFAULT_LOG2N, SCRYPT_MAX_LOG2N, SCRYPT_MIN_LOG2N } from './password-hash.ts';

/** The guide's integration platform (p.12); a deployment sets its own. */
const GUIDE_SERVER = 'regify-integration.esante.lu';

export const accountsConfigVars: readonly ConfigVar[] = [
  { name: 'ESANTE_ACCOUNT_DIRECTORY_LEVEL', default: '3', description: 'Identity level (Regify scale 0/1/3/5/7) of an encryption account created by a professional listed in the directory; others get 0.' },
  { name: 'ESANTE_ACCOUNT_MAX_ATTEMPTS', default: '5', description: 'Wrong unlock codes (webmail) in a row before the encryption account is locked (1–100). Portal log-ins never lock: they back off (accounts/README.md).' },
  { name: 'ESANTE_ACCOUNT_LOCK_MINUTES', default: '15', description: 'How long a locked encryption account stays locked, in minutes (1–10080); its unlock code lifts the lock at once.' },
  { name: 'ESANTE_ACCOUNT_SCRYPT_LOG2N', default: String(SCRYPT_DEFAULT_LOG2N), description: `scrypt cost exponent of new password hashes (N = 2^value, r = 8, p = 1; ${SCRYPT_MIN_LOG2N}–${SCRYPT_MAX_LOG2N}). Existing hashes keep their own.` },
  { name: 'ESANTE_ACCOUNT_IMAP_HOST', default: GUIDE_SERVER, description: 'IMAP server shown in the Regify Informations tab.' },
  { name: 'ESANTE_ACCOUNT_IMAP_PORT', default: '993', description: 'IMAP port shown in the Informations tab.' },
  { name: 'ESANTE_ACCOUNT_IMAP_SECURITY', default: 'TLS', description: 'IMAP connection security shown in the Informations tab (TLS, STARTTLS).' },
  { name: 'ESANTE_ACCOUNT_SMTP_HOST', default: GUIDE_SERVER, description: 'SMTP server shown in the Informations tab.' },
  { name: 'ESANTE_ACCOUNT_SMTP_PORT', default: '465', description: 'SMTP port shown in the Informations tab.' },
  { name: 'ESANTE_ACCOUNT_SMTP_SECURITY', default: 'TLS', description: 'SMTP connection security shown in the Informations tab (TLS, STARTTLS).' },
  { name: 'ESANTE_ACCOUNT_ENCRYPTION_SERVER', default: GUIDE_SERVER, description: 'Encryption server ("Serveur Regify") shown in the Informations tab.' },
  { name: 'ESANTE_ACCOUNT_PORTAL_URL', default: `(ESANTE_PORTAL_ORIGIN, else ESANTE_PUBLIC_URL)${SERVICE_BASE_PATH}/portal/`, description: 'Portal linked as "Accéder au portail Regify".' },
];

export interface ServerSettings {
  imapHost: string;
  imapPort: number;
  imapSecurity: string;
  smtpHost: string;
  smtpPort: number;
  smtpSecurity: string;
  encryptionServer: string;
  portalUrl: string;
}

export interface AccountsSettings {
  directoryLevel: IdentityLevel;
  maxAttempts: number;
  lockMinutes: number;
  scryptLog2n: number;
  servers: ServerSettings;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Reads ESANTE_ACCOUNT_*; throws ConfigError naming every bad value. */
export function readAccountsSettings(env: Env, config: Pick<Config, 'publicUrl'>): AccountsSettings {
  const { problems, str, int } = envReader(env);
  const host = (name: string): string => {
    const raw = str(name, GUIDE_SERVER);
    if (!/^[A-Za-z0-9.:[\]-]{1,253}$/.test(raw)) problems.push(`${name}="${raw}" is not a host name`);
    return raw;
  };
  const security = (name: string): string => {
    const raw = str(name, 'TLS');
    if (!/^[A-Za-z0-9/ -]{1,32}$/.test(raw)) problems.push(`${name}="${raw}" must be a short word such as TLS or STARTTLS`);
    return raw;
  };

  const level = int('ESANTE_ACCOUNT_DIRECTORY_LEVEL', 3, 0, 7);
  if (!IDENTITY_LEVELS.includes(level as IdentityLevel)) problems.push(`ESANTE_ACCOUNT_DIRECTORY_LEVEL="${level}" must be one of ${IDENTITY_LEVELS.join(', ')}`);
  // The recipients' portal on its own origin when it has one (ESANTE_PORTAL_ORIGIN, checked by the messages config).
  let portalOrigin = config.publicUrl;
  try {
    const raw = str('ESANTE_PORTAL_ORIGIN', '');
    if (raw !== '') portalOrigin = new URL(raw).origin;
  } catch {
    // A bad value is reported by the messages config; the link keeps Zimbra's origin meanwhile.
  }
  const portalUrl = str('ESANTE_ACCOUNT_PORTAL_URL', `${portalOrigin}${SERVICE_BASE_PATH}/portal/`);
  try {
    const u = new URL(portalUrl);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('scheme');
  } catch {
    problems.push(`ESANTE_ACCOUNT_PORTAL_URL="${portalUrl}" must be an absolute http(s) URL`);
  }
  const settings: AccountsSettings = {
    directoryLevel: level as IdentityLevel,
    maxAttempts: int('ESANTE_ACCOUNT_MAX_ATTEMPTS', 5, 1, 100),
    lockMinutes: int('ESANTE_ACCOUNT_LOCK_MINUTES', 15, 1, 10_080),
    scryptLog2n: int('ESANTE_ACCOUNT_SCRYPT_LOG2N', SCRYPT_DEFAULT_LOG2N, SCRYPT_MIN_LOG2N, SCRYPT_MAX_LOG2N),
    servers: {
      imapHost: host('ESANTE_ACCOUNT_IMAP_HOST'),
      imapPort: int('ESANTE_ACCOUNT_IMAP_PORT', 993, 1, 65_535),
      imapSecurity: security('ESANTE_ACCOUNT_IMAP_SECURITY'),
      smtpHost: host('ESANTE_ACCOUNT_SMTP_HOST'),
      smtpPort: int('ESANTE_ACCOUNT_SMTP_PORT', 465, 1, 65_535),
      smtpSecurity: security('ESANTE_ACCOUNT_SMTP_SECURITY'),
      encryptionServer: host('ESANTE_ACCOUNT_ENCRYPTION_SERVER'),
      portalUrl,
    },
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return settings;
}
