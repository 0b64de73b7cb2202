/**
 * Settings of the messages feature (key service, notifications, scheduler, portal), read from the
 * environment once at start. Every variable is listed in `messagesConfigVars` (README table).
 */
import { isIP } from 'node:net';
import { ConfigError, envReader, type ConfigVar } from '../config.ts';

export const messagesConfigVars: readonly ConfigVar[] = [
  { name: 'ESANTE_MASTER_KEY', default: '', description: 'Current master key (base64 of 32 bytes) wrapping every data key; empty = keyring file (below). Never logged.' },
  { name: 'ESANTE_MASTER_KEY_PREVIOUS', default: '', description: 'Comma-separated older master keys kept to unwrap values not yet rotated (see docs/master-key-rotation.md).' },
  { name: 'ESANTE_MASTER_KEY_FILE', default: '(ESANTE_DATA_DIR)/master-keys.json', description: 'Keyring file (mode 0600). When set explicitly it must exist; the embedded default is created on first start.' },
  { name: 'ESANTE_LEVEL_BANNER_THRESHOLD', default: '3', description: 'Lowest sender identity level (0/1/3/5/7) for which readers see "authentifié de niveau N".' },
  { name: 'ESANTE_SMTP_URL', default: 'smtp://127.0.0.1:2525', description: 'SMTP server for notifications (pooled); the sandbox MTA in the embedded mode. Credentials in the URL are never logged.' },
  { name: 'ESANTE_NOTIFY_FROM', default: 'Messagerie sécurisée eSanté <no-reply@esante.lu>', description: 'From address of notification mails.' },
  { name: 'ESANTE_SCHEDULER_INTERVAL_MS', default: '30000', description: 'How often each instance scans for due deadlines and sends pending notifications (0 = never by itself).' },
  { name: 'ESANTE_SCHEDULER_LEASE_MS', default: '300000', description: 'How long a claimed notification job is reserved for its instance; a crashed claim is retried after it. Must exceed the 30 s SMTP send timeout (refused at start otherwise).' },
  { name: 'ESANTE_SCHEDULER_MAX_ATTEMPTS', default: '10', description: 'Failed SMTP attempts after which a notification job is given up (state failed, logged).' },
  { name: 'ESANTE_TEST_CLOCK', default: '', description: 'TESTS ONLY: 1 exposes POST …/test/clock {advanceMs} and …/test/scheduler/run. Never in production (a warning is logged).' },
  { name: 'ESANTE_PORTAL_ORIGIN', default: '(origin of ESANTE_PUBLIC_URL)', description: 'Public origin of the recipients\' portal (scheme://host[:port], no path), e.g. https://portail.messagerie.esante.lu: its own host name, so a script of the webmail cannot reach the portal\'s session (security review #17). Cover mails, code mails and log-in links point there; the webmail origin then refuses the portal (redirect). Same as ESANTE_PUBLIC_URL = the old single-origin set-up.' },
  { name: 'ESANTE_PORTAL_SESSION_MINUTES', default: '30', description: 'Lifetime of a portal session (outside recipients).' },
  { name: 'ESANTE_PORTAL_CODE_MINUTES', default: '15', description: 'Lifetime of a portal registration code mailed to prove an address.' },
  { name: 'ESANTE_TRUSTED_PROXIES', default: '127.0.0.1,::1', description: 'Comma-separated IPs of the reverse proxies (Zimbra\'s nginx) whose X-Forwarded-For names the client; the portal rate-limits per client IP. none = the TCP peer is the client.' },
  { name: 'ESANTE_PORTAL_LOGINS_PER_MINUTE', default: '120', description: 'Portal log-in attempts accepted per minute from all clients together (shared by all instances); beyond: 429 with Retry-After.' },
  { name: 'ESANTE_PORTAL_CODES_PER_HOUR', default: '600', description: 'Portal code / "account exists" mails per hour for all addresses together (shared by all instances); beyond: 429 with Retry-After.' },
  { name: 'ESANTE_MESSAGE_MAX_DAYS', default: '365', description: 'Latest read deadline or access end a sender may set after sending (UpdateSecureMessage), in days after the message was registered.' },
  { name: 'ESANTE_PORTAL_MAX_CONTAINER_BYTES', default: '52428800', description: 'Largest container the portal page accepts for opening in the browser.' },
];

/**
 * Longest one SMTP step of a notification may take (nodemailer's connection, greeting and socket
 * timeouts, mailer.ts). The scheduler starts no send with less than this left on its lease
 * (scheduler.ts), so ESANTE_SCHEDULER_LEASE_MS must exceed it: a shorter lease would never send.
 */
export const SMTP_TIMEOUT_MS = 30_000;

export interface MessagesConfig {
  levelBannerThreshold: number;
  smtpUrl: string;
  notifyFrom: string;
  schedulerIntervalMs: number;
  leaseMs: number;
  maxAttempts: number;
  testClock: boolean;
  /** ESANTE_PORTAL_ORIGIN as an origin (no path, no trailing slash); undefined = the origin of ESANTE_PUBLIC_URL. */
  portalOrigin?: string;
  portalSessionMs: number;
  portalCodeMs: number;
  portalMaxContainerBytes: number;
  /** Normalised IPs (no IPv4-mapped prefix) whose X-Forwarded-For is believed. */
  trustedProxies: string[];
  portalLoginsPerMinute: number;
  portalCodesPerHour: number;
  /** Issue 12: UpdateSecureMessage's latest date, in days after registration. */
  messageMaxDays: number;
}

/** `::ffff:127.0.0.1` (an IPv4 peer on a dual-stack socket) is 127.0.0.1. */
export function normaliseIp(ip: string): string {
  const v = ip.trim().toLowerCase();
  return v.startsWith('::ffff:') && isIP(v.slice(7)) === 4 ? v.slice(7) : v;
}

/** `value` as an http(s) origin (scheme, host, port), or null when it has a path, query, fragment or credentials. */
export function originOf(value: string): string | null {
  try {
    const u = new URL(value);
    if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.username || u.password || u.search || u.hash || (u.pathname !== '/' && u.pathname !== '')) return null;
    return u.origin;
  } catch {
    return null;
  }
}

export function readMessagesConfig(env: Readonly<Record<string, string | undefined>>): MessagesConfig {
  const { problems, str, int } = envReader(env);
  const threshold = int('ESANTE_LEVEL_BANNER_THRESHOLD', 3, 0, 7);
  const smtpUrl = str('ESANTE_SMTP_URL', 'smtp://127.0.0.1:2525');
  if (!/^smtps?:\/\/[^\s]+$/.test(smtpUrl)) problems.push('ESANTE_SMTP_URL must be an smtp:// or smtps:// URL');
  const testClock = str('ESANTE_TEST_CLOCK', '');
  if (testClock !== '' && testClock !== '0' && testClock !== '1') problems.push('ESANTE_TEST_CLOCK must be 1 or empty');
  const config: MessagesConfig = {
    levelBannerThreshold: threshold,
    smtpUrl,
    notifyFrom: str('ESANTE_NOTIFY_FROM', 'Messagerie sécurisée eSanté <no-reply@esante.lu>'),
    schedulerIntervalMs: int('ESANTE_SCHEDULER_INTERVAL_MS', 30_000, 0, 86_400_000),
    leaseMs: int('ESANTE_SCHEDULER_LEASE_MS', 300_000, 1000, 86_400_000),
    maxAttempts: int('ESANTE_SCHEDULER_MAX_ATTEMPTS', 10, 1, 1000),
    testClock: testClock === '1',
    portalSessionMs: int('ESANTE_PORTAL_SESSION_MINUTES', 30, 1, 24 * 60) * 60_000,
    portalCodeMs: int('ESANTE_PORTAL_CODE_MINUTES', 15, 1, 24 * 60) * 60_000,
    portalMaxContainerBytes: int('ESANTE_PORTAL_MAX_CONTAINER_BYTES', 52_428_800, 1024, 2 ** 31),
    trustedProxies: [],
    portalLoginsPerMinute: int('ESANTE_PORTAL_LOGINS_PER_MINUTE', 120, 1, 100_000),
    portalCodesPerHour: int('ESANTE_PORTAL_CODES_PER_HOUR', 600, 1, 1_000_000),
    messageMaxDays: int('ESANTE_MESSAGE_MAX_DAYS', 365, 1, 3650),
  };
  if (config.leaseMs <= SMTP_TIMEOUT_MS) {
    problems.push(`ESANTE_SCHEDULER_LEASE_MS=${config.leaseMs} must exceed the SMTP send timeout (${SMTP_TIMEOUT_MS} ms): the scheduler starts no send with less than that left on its lease, so no notification would ever be sent`);
  }
  const proxies = str('ESANTE_TRUSTED_PROXIES', '127.0.0.1,::1');
  for (const entry of proxies === 'none' ? [] : proxies.split(',')) {
    if (entry.trim() === '') continue;
    if (isIP(entry.trim()) === 0) problems.push(`ESANTE_TRUSTED_PROXIES: ${entry.trim().slice(0, 60)} is not an IP address`);
    else config.trustedProxies.push(normaliseIp(entry));
  }
  const portalOrigin = str('ESANTE_PORTAL_ORIGIN', '');
  if (portalOrigin !== '') {
    const origin = originOf(portalOrigin);
    if (origin) config.portalOrigin = origin;
    else problems.push(`ESANTE_PORTAL_ORIGIN="${portalOrigin.slice(0, 200)}" must be an http(s) origin such as https://portail.example.lu (no path, query or credentials)`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
