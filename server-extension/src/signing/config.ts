/**
 * Configuration of the signing feature, from environment variables (to be merged into
 * server-extension/src/config.ts's CONFIG_VARS by the composition root; same shape), and the
 * function that builds the SigningService from it.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { ConfigVar, Env } from '../config.ts';
import type { MasterKeyring } from '../keys/index.ts';
import { headerAuthMethod, zimbraAttrAuthMethod, type AuthMethodPort } from './auth-method.ts';
import { cscSource, type CscOptions } from './csc.ts';
import { createSmimeSigner, type CredentialSource } from './signer.ts';
import { createSigningService, type SigningService } from './signing-service.ts';
import { softTokenSource } from './soft-token.ts';
import { ensureTestPki, type PkiUser, type TestPki } from './test-pki.ts';
import { loadTrustAnchors, trustAnchorsFromPem, type RevocationOptions, type TrustAnchors } from './verify.ts';
import { CrlFetcher, createCrlChecker, type CrlLog } from './crl.ts';
import { IssuerFetcher } from './aia.ts';
import { OcspClient, createOcspChecker } from './ocsp.ts';
import { certificatesFromPem, formatName, type ParsedCertificate } from './x509.ts';

export const SIGNING_CONFIG_VARS = [
  { name: 'ESANTE_SIGNER', default: 'soft-token', description: 'Signer adapter: soft-token (embedded test PKI, PKCS#12) or csc (remote signing service, CSC API v2).' },
  { name: 'ESANTE_SIGNING_MASTER_KEY_FILE', default: '(ESANTE_DATA_DIR)/signing/master.key', description: 'soft-token: the OLD separate key of data dirs made before the soft token used the service master keyring (ESANTE_MASTER_KEY*); read only, to convert them at start, never created. Delete it once converted.' },
  { name: 'ESANTE_SIGNING_TRUST_ANCHORS', default: '(the test root of the embedded PKI)', description: 'PEM bundle of the roots a signature must chain to (production: the LuxTrust roots). Required with ESANTE_SIGNER=csc.' },
  { name: 'ESANTE_SIGNING_INTERMEDIATES', default: '', description: 'PEM bundle of intermediate CA certificates used to build a signature\'s path when the message carries only the signer\'s certificate (production: the LuxTrust issuing CAs). Never trusted by themselves: the path must still end at ESANTE_SIGNING_TRUST_ANCHORS. Empty = none.' },
  { name: 'ESANTE_SIGNING_AIA_FETCH', default: 'on', description: 'on: when a signature\'s path lacks an issuer, download it from the certificate\'s Authority Information Access caIssuers URL (http/https, DER or PEM, at most 64 KiB, ESANTE_SIGNING_CRL_TIMEOUT_MS, 3 hops, cached a day; only for a signature whose value verifies, and the path must still end at a trust anchor); off: never.' },
  { name: 'ESANTE_AUTH_METHOD_SOURCE', default: 'zimbra-attr', description: 'Where the session\'s authentication method (card/fallback) comes from: zimbra-attr (GetInfo attribute esanteAuthMethod) or header (set by nginx from the SSO session).' },
  { name: 'ESANTE_AUTH_METHOD_HEADER', default: 'X-Esante-Auth-Method', description: 'With source header: the request header carrying card or fallback.' },
  { name: 'ESANTE_AUTH_METHOD_ACCOUNT_HEADER', default: '', description: 'With source header, optional: header carrying the SSO account\'s mail; the method is believed only when it equals the Zimbra caller.' },
  { name: 'ESANTE_CSC_URL', default: '', description: 'With ESANTE_SIGNER=csc: base URL of the CSC API, ending in /csc/v2.' },
  { name: 'ESANTE_CSC_USER', default: '', description: 'CSC auth/login (HTTP Basic) account of the service; empty = use ESANTE_CSC_TOKEN_FILE.' },
  { name: 'ESANTE_CSC_PASSWORD_FILE', default: '', description: 'File holding the CSC account password.' },
  { name: 'ESANTE_CSC_TOKEN_FILE', default: '', description: 'File holding an OAuth2 bearer token for the CSC API (re-read at each use, so it can be rotated).' },
  { name: 'ESANTE_CSC_TIMEOUT_MS', default: '10000', description: 'Timeout of each CSC call, in milliseconds.' },
  { name: 'ESANTE_SIGNING_TEST_USERS', default: '', description: 'soft-token: JSON file whose users[] {givenName, sn, mail} get a test signing certificate at start (npm start names sandbox/seed/users.json); empty = none.' },
  { name: 'ESANTE_SIGNING_REVOCATION', default: 'crl', description: 'Revocation checking of signatures: crl (CRLs from ESANTE_SIGNING_CRL_DIR and the certificates\' distribution points) or off (reports say "not checked").' },
  { name: 'ESANTE_SIGNING_CRL_DIR', default: '(soft-token: the test PKI\'s signing/pki/crl)', description: 'Directory of CRL files (DER or PEM, any name), re-read when they change: e.g. the LuxTrust CRLs downloaded by a cron job. Empty with csc = distribution points only.' },
  { name: 'ESANTE_SIGNING_CRL_FETCH', default: 'on', description: 'on: fetch a missing or outdated CRL from the certificate\'s CRL Distribution Point (http/https, only for chains to a trust anchor) and cache it until its nextUpdate; off: local directory only.' },
  { name: 'ESANTE_SIGNING_CRL_TIMEOUT_MS', default: '5000', description: 'Timeout of one CRL download, in milliseconds (100-60000).' },
  { name: 'ESANTE_SIGNING_CRL_MAX_BYTES', default: '10485760', description: 'Largest CRL downloaded, in bytes; a bigger one is refused (status unknown).' },
  { name: 'ESANTE_SIGNING_OCSP', default: 'on', description: 'on: ask the OCSP responder of each certificate\'s AIA first (RFC 6960: nonce, signature and validity checked, cached until nextUpdate, ESANTE_SIGNING_CRL_TIMEOUT_MS bound); the CRLs decide when it does not answer usably. off: CRLs only.' },
  { name: 'ESANTE_SIGNING_REVOCATION_UNKNOWN', default: 'accept', description: 'When no valid CRL can be found: accept (signature valid, the report says revocation not checked; Thunderbird\'s default) or reject (signature.revocation_unknown; ETSI EN 319 102-1 "indeterminate").' },
  { name: 'ESANTE_SIGNING_MAX_MESSAGE_BYTES', default: '10240000', description: 'Largest message SignMessage / VerifySignature accept, in bytes (Zimbra\'s default zimbraMtaMaxMessageSize). ESANTE_MAX_REQUEST_BYTES must allow its base64 (x 4/3) plus ~2 KB of envelope.' },
] as const satisfies readonly ConfigVar[];

export interface SigningConfig {
  signer: 'soft-token' | 'csc';
  dataDir: string;
  masterKeyFile: string;
  trustAnchorsFile?: string;
  /** ESANTE_SIGNING_INTERMEDIATES. */
  intermediatesFile?: string;
  /** ESANTE_SIGNING_AIA_FETCH. */
  aiaFetch: boolean;
  authMethod: { source: 'zimbra-attr' } | { source: 'header'; header: string; accountHeader?: string };
  csc?: { url: string; user?: string; passwordFile?: string; tokenFile?: string; timeoutMs: number };
  revocation: RevocationConfig;
}

export interface RevocationConfig {
  mode: 'crl' | 'off';
  /** Explicit ESANTE_SIGNING_CRL_DIR; absent = the test PKI's crl/ with soft-token, none with csc. */
  crlDir?: string;
  fetch: boolean;
  /** ESANTE_SIGNING_OCSP: ask OCSP responders first (ocsp.ts). */
  ocsp: boolean;
  timeoutMs: number;
  maxBytes: number;
  unknown: 'accept' | 'reject';
}

/** Reads the signing variables; throws an Error listing every problem. */
export function loadSigningConfig(env: Env, dataDir: string, cwd = process.cwd()): SigningConfig {
  const problems: string[] = [];
  const str = (n: (typeof SIGNING_CONFIG_VARS)[number]['name']): string => (env[n] ?? '').trim();
  const path = (p: string): string => (isAbsolute(p) ? p : resolve(cwd, p));
  const signer = str('ESANTE_SIGNER') || 'soft-token';
  if (signer !== 'soft-token' && signer !== 'csc') problems.push(`ESANTE_SIGNER="${signer}" must be soft-token or csc`);
  const source = str('ESANTE_AUTH_METHOD_SOURCE') || 'zimbra-attr';
  if (source !== 'zimbra-attr' && source !== 'header') problems.push(`ESANTE_AUTH_METHOD_SOURCE="${source}" must be zimbra-attr or header`);
  const cfg: SigningConfig = {
    signer: signer === 'csc' ? 'csc' : 'soft-token',
    dataDir,
    masterKeyFile: str('ESANTE_SIGNING_MASTER_KEY_FILE') ? path(str('ESANTE_SIGNING_MASTER_KEY_FILE')) : join(dataDir, 'signing', 'master.key'),
    authMethod:
      source === 'header'
        ? { source: 'header', header: str('ESANTE_AUTH_METHOD_HEADER') || 'X-Esante-Auth-Method', ...(str('ESANTE_AUTH_METHOD_ACCOUNT_HEADER') ? { accountHeader: str('ESANTE_AUTH_METHOD_ACCOUNT_HEADER') } : {}) }
        : { source: 'zimbra-attr' },
    aiaFetch: true,
    revocation: { mode: 'crl', fetch: true, ocsp: true, timeoutMs: 5_000, maxBytes: 10 * 1024 * 1024, unknown: 'accept' },
  };
  const mode = str('ESANTE_SIGNING_REVOCATION') || 'crl';
  if (mode !== 'crl' && mode !== 'off') problems.push(`ESANTE_SIGNING_REVOCATION="${mode}" must be crl or off`);
  const fetchFlag = str('ESANTE_SIGNING_CRL_FETCH') || 'on';
  if (fetchFlag !== 'on' && fetchFlag !== 'off') problems.push(`ESANTE_SIGNING_CRL_FETCH="${fetchFlag}" must be on or off`);
  const ocspFlag = str('ESANTE_SIGNING_OCSP') || 'on';
  if (ocspFlag !== 'on' && ocspFlag !== 'off') problems.push(`ESANTE_SIGNING_OCSP="${ocspFlag}" must be on or off`);
  const unknown = str('ESANTE_SIGNING_REVOCATION_UNKNOWN') || 'accept';
  if (unknown !== 'accept' && unknown !== 'reject') problems.push(`ESANTE_SIGNING_REVOCATION_UNKNOWN="${unknown}" must be accept or reject`);
  const int = (name: 'ESANTE_SIGNING_CRL_TIMEOUT_MS' | 'ESANTE_SIGNING_CRL_MAX_BYTES', fallback: number, min: number, max: number): number => {
    const n = Number(str(name) || String(fallback));
    if (!Number.isInteger(n) || n < min || n > max) problems.push(`${name} must be an integer between ${min} and ${max}`);
    return n;
  };
  cfg.revocation = {
    mode: mode === 'off' ? 'off' : 'crl',
    fetch: fetchFlag !== 'off',
    ocsp: ocspFlag !== 'off',
    timeoutMs: int('ESANTE_SIGNING_CRL_TIMEOUT_MS', 5_000, 100, 60_000),
    maxBytes: int('ESANTE_SIGNING_CRL_MAX_BYTES', 10 * 1024 * 1024, 1024, 512 * 1024 * 1024),
    unknown: unknown === 'reject' ? 'reject' : 'accept',
  };
  if (str('ESANTE_SIGNING_CRL_DIR')) cfg.revocation.crlDir = path(str('ESANTE_SIGNING_CRL_DIR'));
  if (str('ESANTE_SIGNING_TRUST_ANCHORS')) cfg.trustAnchorsFile = path(str('ESANTE_SIGNING_TRUST_ANCHORS'));
  if (str('ESANTE_SIGNING_INTERMEDIATES')) cfg.intermediatesFile = path(str('ESANTE_SIGNING_INTERMEDIATES'));
  const aia = str('ESANTE_SIGNING_AIA_FETCH') || 'on';
  if (aia !== 'on' && aia !== 'off') problems.push(`ESANTE_SIGNING_AIA_FETCH="${aia}" must be on or off`);
  cfg.aiaFetch = aia !== 'off';
  if (cfg.signer === 'csc') {
    const url = str('ESANTE_CSC_URL');
    if (!/^https?:\/\/.+\/csc\/v2\/?$/.test(url)) problems.push('ESANTE_CSC_URL must be an http(s) URL ending in /csc/v2 when ESANTE_SIGNER=csc');
    if (!cfg.trustAnchorsFile) problems.push('ESANTE_SIGNING_TRUST_ANCHORS is required when ESANTE_SIGNER=csc');
    const user = str('ESANTE_CSC_USER');
    const timeout = Number(str('ESANTE_CSC_TIMEOUT_MS') || '10000');
    if (!Number.isInteger(timeout) || timeout < 100 || timeout > 120_000) problems.push('ESANTE_CSC_TIMEOUT_MS must be an integer between 100 and 120000');
    cfg.csc = { url, timeoutMs: timeout };
    if (user) {
      if (!str('ESANTE_CSC_PASSWORD_FILE')) problems.push('ESANTE_CSC_PASSWORD_FILE is required with ESANTE_CSC_USER');
      cfg.csc.user = user;
      cfg.csc.passwordFile = path(str('ESANTE_CSC_PASSWORD_FILE'));
    } else if (str('ESANTE_CSC_TOKEN_FILE')) cfg.csc.tokenFile = path(str('ESANTE_CSC_TOKEN_FILE'));
    else problems.push('ESANTE_SIGNER=csc needs ESANTE_CSC_USER + ESANTE_CSC_PASSWORD_FILE or ESANTE_CSC_TOKEN_FILE');
  }
  if (problems.length) throw new Error(`Invalid signing configuration:\n  - ${problems.join('\n  - ')}`);
  return cfg;
}

export interface SigningDeps {
  /** soft-token: the service's master keyring (keys/), which seals the PINs and test CA keys. Without it (tests, bench) a stand-alone signing/master.key is used. */
  keyring?: MasterKeyring;
  /** Seeded users that get a test certificate (soft-token): sandbox/seed/users.json's users. */
  users: readonly PkiUser[];
  /** With csc: the credential authorization data per user (PIN/OTP). */
  cscAuthData?: CscOptions['authData'];
  fetch?: typeof fetch;
  /** The service's clock (signing time, validity checks); the system clock by default. */
  now?: () => Date;
  /** Where CRL problems (download failed, unreadable file) are logged. */
  log?: CrlLog;
}

/** Builds the SigningService (and, in embedded mode, the test PKI it needs). */
export async function createSigningFromConfig(cfg: SigningConfig, deps: SigningDeps): Promise<{ service: SigningService; pki?: TestPki }> {
  let source: CredentialSource;
  let anchors: TrustAnchors;
  let pki: TestPki | undefined;
  if (cfg.signer === 'soft-token') {
    pki = await ensureTestPki(cfg.dataDir, deps.users, { masterKeyFile: cfg.masterKeyFile, ...(deps.keyring ? { keyring: deps.keyring } : {}), ...(deps.now ? { now: deps.now } : {}) });
    source = softTokenSource(pki);
    anchors = cfg.trustAnchorsFile ? loadTrustAnchors(cfg.trustAnchorsFile) : trustAnchorsFromPem(pki.rootCertPem);
  } else {
    const c = cfg.csc!;
    const read = (file: string) => () => readFileSync(file, 'utf8').trim();
    if (!deps.cscAuthData) throw new Error('ESANTE_SIGNER=csc needs a source of credential authorization data (cscAuthData)');
    source = cscSource({
      baseUrl: c.url,
      auth: c.user ? { kind: 'basic', username: c.user, password: read(c.passwordFile!) } : { kind: 'bearer', token: read(c.tokenFile!) },
      authData: deps.cscAuthData,
      timeoutMs: c.timeoutMs,
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
    });
    anchors = loadTrustAnchors(cfg.trustAnchorsFile!);
  }
  const authMethods: AuthMethodPort =
    cfg.authMethod.source === 'header' ? headerAuthMethod({ header: cfg.authMethod.header, ...(cfg.authMethod.accountHeader ? { accountHeader: cfg.authMethod.accountHeader } : {}) }) : zimbraAttrAuthMethod();
  const clock = deps.now ? { now: deps.now } : {};
  const revocation = revocationFromConfig(cfg.revocation, pki, deps);
  const intermediates = cfg.intermediatesFile ? loadIntermediates(cfg.intermediatesFile) : undefined;
  const issuers = cfg.aiaFetch
    ? new IssuerFetcher({ timeoutMs: cfg.revocation.timeoutMs, ...(deps.fetch ? { fetch: deps.fetch } : {}), ...(deps.now ? { now: deps.now } : {}), ...(deps.log ? { log: deps.log } : {}) })
    : undefined;
  return {
    service: createSigningService({
      signer: createSmimeSigner(source, clock),
      authMethods,
      trustAnchors: anchors,
      ...clock,
      ...(revocation ? { revocation } : {}),
      ...(intermediates ? { intermediates } : {}),
      ...(issuers ? { issuers } : {}),
    }),
    ...(pki ? { pki } : {}),
  };
}

/** The CA certificates of ESANTE_SIGNING_INTERMEDIATES; a file without one is a configuration error. */
function loadIntermediates(file: string): ParsedCertificate[] {
  const certs = certificatesFromPem(readFileSync(file, 'utf8'));
  if (certs.length === 0) throw new Error(`ESANTE_SIGNING_INTERMEDIATES: no certificate in ${file}`);
  const notCa = certs.find((c) => !c.isCa);
  if (notCa) throw new Error(`ESANTE_SIGNING_INTERMEDIATES: ${formatName(notCa.subject)} is not a CA certificate`);
  return certs;
}

/** The revocation checker of the configuration (OCSP first, then CRLs), or undefined when revocation checking is off. */
function revocationFromConfig(cfg: RevocationConfig, pki: TestPki | undefined, deps: SigningDeps): RevocationOptions | undefined {
  if (cfg.mode === 'off') return undefined;
  const dir = cfg.crlDir ?? pki?.crlDir;
  const fetcher = cfg.fetch
    ? new CrlFetcher({ timeoutMs: cfg.timeoutMs, maxBytes: cfg.maxBytes, ...(deps.fetch ? { fetch: deps.fetch } : {}), ...(deps.now ? { now: deps.now } : {}), ...(deps.log ? { log: deps.log } : {}) })
    : undefined;
  const crls = createCrlChecker({ ...(dir ? { dirs: [dir] } : {}), ...(fetcher ? { fetcher } : {}), ...(deps.log ? { log: deps.log } : {}) });
  // OCSP first (ocsp.ts), the CRLs as the fallback.
  const ocsp = cfg.ocsp
    ? new OcspClient({ timeoutMs: Math.min(cfg.timeoutMs, 5_000), ...(deps.fetch ? { fetch: deps.fetch } : {}), ...(deps.now ? { now: deps.now } : {}), ...(deps.log ? { log: deps.log } : {}) })
    : undefined;
  const checker = ocsp ? createOcspChecker(ocsp, crls) : crls;
  return { checker, unknown: cfg.unknown };
}
