/**
 * The embedded test PKI, made at first start into the data directory: a root clearly named as a
 * test CA, an intermediate, and one S/MIME signing certificate per seeded user, each user's key in a
 * PKCS#12 protected by that user's PIN (see pin-vault.ts for where PINs live and why).
 * Certificates follow RFC 8550 §4.4 (mail address in subjectAltName rfc822Name) and RFC 5280
 * (keyUsage digitalSignature + nonRepudiation, extKeyUsage emailProtection).
 *
 * Layout under `<dataDir>/signing/`:
 *   pins.json                the PINs and the CAs' private keys, sealed under the service's master
 *                            keyring (pin-vault.ts); stand-alone (no keyring given: tests, bench)
 *                            under `master.key`, 32 random bytes, mode 0600
 *   pki/root.pem             test root certificate (the default trust anchor)
 *   pki/intermediate.pem     test signing CA certificate
 *   pki/users/<mail>.pem     a user's certificate; pki/users/<mail>.p12 key + chain, PIN-protected
 *   pki/crl/root.crl         CRLs (DER) of the two test CAs, re-issued at each start and when half
 *   pki/crl/intermediate.crl their validity has passed (refreshCrls); the default ESANTE_SIGNING_CRL_DIR
 *   pki/revocations.json     what the CRLs list, and the last CRL number
 *   pki/revoked/<mail>.pem   the REVOKED test card of the first seeded user ("carte perdue": an older
 *                            certificate with the same name and mail, revoked keyCompromise), its key
 *                            sealed in pins.json: signing with it shows a revoked signature
 * Data dirs made before the keyring (CA keys in pki/<name>-key.pem, PKCS#8 encrypted under
 * master.key) are converted at start when master.key is still there.
 */
import { createPrivateKey, generateKeyPair, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';
import { MasterKey, MasterKeyring } from '../keys/index.ts';
import { decodeCrl, issueCrl, type CrlRevocation } from './crl.ts';
import { certificatesFromPem, serialHex } from './x509.ts';
import { PinVault, keyringFromBytes, loadOrCreateMasterKey, newPin } from './pin-vault.ts';

export const TEST_ROOT_NAME = 'eSanté TEST Root CA — NOT FOR PRODUCTION';
export const TEST_INTERMEDIATE_NAME = 'eSanté TEST Signing CA — NOT FOR PRODUCTION';
const TEST_ORG = 'eSanté TEST PKI (sandbox, not for production)';

export interface PkiUser {
  givenName: string;
  sn: string;
  mail: string;
}

/** A CA (or any certificate) with its key, in memory. */
export interface KeyedCertificate {
  certPem: string;
  /** Unencrypted PKCS#8 PEM: keep in memory only. */
  keyPem: string;
}

export interface CertificateOptions {
  notBefore?: Date;
  notAfter?: Date;
  /** Override the signing key usages (tests of refused certificates). */
  keyUsage?: { digitalSignature?: boolean; nonRepudiation?: boolean; keyEncipherment?: boolean };
  /** Override the extended key usages; [] leaves the extension out. */
  extKeyUsage?: Array<'emailProtection' | 'serverAuth' | 'clientAuth'>;
  /** More extensions, DER value (tests of certificates a verifier must refuse). */
  extraExtensions?: Array<{ id: string; critical: boolean; value: Buffer }>;
}

const HOUR = 3600_000;
const DAY = 24 * HOUR;

async function rsaKeyPair(): Promise<{ publicPem: string; privatePem: string }> {
  // node:crypto (OpenSSL) generates keys in milliseconds; forge's pure-JS generator takes seconds.
  return new Promise((resolve, reject) =>
    generateKeyPair('rsa', { modulusLength: 2048 }, (err, pub, priv) => {
      if (err) reject(err);
      else resolve({ publicPem: pub.export({ type: 'spki', format: 'pem' }) as string, privatePem: priv.export({ type: 'pkcs8', format: 'pem' }) as string });
    }),
  );
}

function serialNumber(): string {
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f; // positive INTEGER
  return b.toString('hex');
}

function utf8(name: string, value: string): forge.pki.CertificateField {
  return { name, value, valueTagClass: forge.asn1.Type.UTF8 as unknown as forge.asn1.Class } as forge.pki.CertificateField;
}

/**
 * The subject of a parsed certificate, ready for setIssuer: forge keeps parsed UTF8String values as
 * UTF-8 bytes but encodes again on output, which would change the issuer name and break chains.
 */
function subjectOf(cert: forge.pki.Certificate): forge.pki.CertificateField[] {
  return cert.subject.attributes.map((a) =>
    a.valueTagClass === (forge.asn1.Type.UTF8 as unknown) ? { ...a, value: forge.util.decodeUtf8(a.value as string) } : a,
  );
}

/** Creates a CA: self-signed root when `issuer` is absent, else an intermediate signed by it. */
export async function createCa(
  commonName: string,
  opts: { issuer?: KeyedCertificate; notBefore?: Date; notAfter?: Date; pathLen?: number } = {},
): Promise<KeyedCertificate> {
  const keys = await rsaKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(keys.publicPem);
  cert.serialNumber = serialNumber();
  cert.validity.notBefore = opts.notBefore ?? new Date(Date.now() - HOUR);
  cert.validity.notAfter = opts.notAfter ?? new Date(Date.now() + (opts.issuer ? 5 : 10) * 365 * DAY);
  cert.setSubject([{ name: 'countryName', value: 'LU' }, utf8('organizationName', TEST_ORG), utf8('commonName', commonName)]);
  const issuerCert = opts.issuer ? forge.pki.certificateFromPem(opts.issuer.certPem) : cert;
  cert.setIssuer(opts.issuer ? subjectOf(issuerCert) : cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true, ...(opts.pathLen !== undefined ? { pathLenConstraint: opts.pathLen } : {}) },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: (opts.issuer ? issuerCert : cert).generateSubjectKeyIdentifier().getBytes() },
  ]);
  const signingKey = forge.pki.privateKeyFromPem(opts.issuer ? opts.issuer.keyPem : keys.privatePem);
  cert.sign(signingKey as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.privatePem };
}

/** Issues an S/MIME signing certificate for a user. */
export async function issueSigningCertificate(ca: KeyedCertificate, user: PkiUser, opts: CertificateOptions = {}): Promise<KeyedCertificate> {
  const keys = await rsaKeyPair();
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(keys.publicPem);
  cert.serialNumber = serialNumber();
  cert.validity.notBefore = opts.notBefore ?? new Date(Date.now() - HOUR);
  cert.validity.notAfter = opts.notAfter ?? new Date(Date.now() + 2 * 365 * DAY);
  cert.setSubject([
    { name: 'countryName', value: 'LU' },
    utf8('organizationName', TEST_ORG),
    utf8('givenName', user.givenName),
    utf8('surname', user.sn),
    utf8('commonName', `${user.givenName} ${user.sn}`),
  ]);
  cert.setIssuer(subjectOf(caCert));
  const ku = opts.keyUsage ?? { digitalSignature: true, nonRepudiation: true };
  const eku = opts.extKeyUsage ?? ['emailProtection'];
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', ...ku, critical: true },
    ...(eku.length ? [{ name: 'extKeyUsage', ...Object.fromEntries(eku.map((k) => [k, true])) }] : []),
    { name: 'subjectAltName', altNames: [{ type: 1, value: user.mail.toLowerCase() }] },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
    ...(opts.extraExtensions ?? []).map((e) => ({ id: e.id, critical: e.critical, value: e.value.toString('binary') })),
  ]);
  cert.sign(forge.pki.privateKeyFromPem(ca.keyPem) as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.privatePem };
}

/** A PKCS#12 (AES-256, PBKDF2) holding the key, its certificate and the CA chain, under `pin`. */
export function toPkcs12(keyed: KeyedCertificate, chainPems: readonly string[], pin: string, friendlyName: string): Buffer {
  const asn1 = forge.pkcs12.toPkcs12Asn1(
    forge.pki.privateKeyFromPem(keyed.keyPem),
    [forge.pki.certificateFromPem(keyed.certPem), ...chainPems.map((p) => forge.pki.certificateFromPem(p))],
    pin,
    { algorithm: 'aes256', friendlyName, count: 2048 },
  );
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}

/** The revoked test card: a certificate of a seeded user that the test intermediate CA has revoked. */
export interface RevokedCard {
  mail: string;
  certPem: string;
  /** Unencrypted PKCS#8 PEM: keep in memory only. */
  keyPem: string;
  /** The intermediate, to put in the signature (the root is the recipients' trust anchor). */
  chainPems: string[];
  revokedAt: Date;
}

/** How long a test CRL is valid; it is re-issued once half of that has passed. */
export const TEST_CRL_VALIDITY_MS = 7 * DAY;

export interface TestPki {
  readonly dir: string;
  /** The CRLs of the test CAs (DER files): the default local CRL directory. */
  readonly crlDir: string;
  /** The test root: the default trust anchor (`openssl cms -verify -CAfile <rootCertPath>`). */
  readonly rootCertPath: string;
  readonly rootCertPem: string;
  readonly intermediateCertPem: string;
  /** Mail addresses that have a signing credential, lowercased. */
  mails(): string[];
  userCertPem(mail: string): string | undefined;
  p12(mail: string): Buffer | undefined;
  /** The PIN of a user's PKCS#12. A secret: for the soft token and the CSC stand-in only. */
  pin(mail: string): string | undefined;
  /** The revoked test card (first seeded user), with its key: to make signatures that must show as revoked. */
  revokedCard(): RevokedCard | undefined;
  /**
   * Re-issues the CRLs when missing, when half their validity has passed, or with `force`.
   * Returns true when it wrote new ones. The signing feature calls it periodically.
   */
  refreshCrls(opts?: { now?: Date; force?: boolean }): boolean;
}

/** pki/revocations.json: what the test CAs have revoked, and the last CRL number issued. */
interface RevocationState {
  crlNumber: number;
  revoked: Array<{ ca: 'root' | 'intermediate'; serial: string; revocationDate: string; reason?: 'keyCompromise' | 'superseded'; mail?: string }>;
}

function writeAtomic(file: string, data: string | Buffer, mode = 0o644): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, data, { mode });
  renameSync(tmp, file);
}

function safeFileName(mail: string): string {
  const m = mail.toLowerCase();
  if (!/^[a-z0-9._+-]+@[a-z0-9.-]+$/.test(m)) throw new Error(`not a plain mail address: ${JSON.stringify(mail)}`);
  return m;
}

/**
 * Makes (or completes) the test PKI: creates what is missing, never replaces what exists, so
 * certificates stay stable across restarts and a user added to the seed gets one at next start.
 * Meant for a single embedded instance (no cross-process lock).
 */
export async function ensureTestPki(
  dataDir: string,
  users: readonly PkiUser[],
  opts: { keyring?: MasterKeyring; masterKeyFile?: string; now?: () => Date } = {},
): Promise<TestPki> {
  const clock = opts.now ?? (() => new Date());
  const base = join(dataDir, 'signing');
  const pkiDir = join(base, 'pki');
  const usersDir = join(pkiDir, 'users');
  const crlDir = join(pkiDir, 'crl');
  const revokedDir = join(pkiDir, 'revoked');
  mkdirSync(usersDir, { recursive: true, mode: 0o700 });
  mkdirSync(crlDir, { recursive: true, mode: 0o755 });
  mkdirSync(revokedDir, { recursive: true, mode: 0o700 });
  // With the service's keyring, the old separate key is only read (to convert), never created.
  const legacyFile = opts.masterKeyFile ?? join(base, 'master.key');
  const legacyKey = opts.keyring ? (existsSync(legacyFile) ? loadOrCreateMasterKey(legacyFile) : undefined) : loadOrCreateMasterKey(legacyFile);
  // The old key stays readable (format-2 entries sealed stand-alone under it) until reseal() moved them.
  const keyring = !opts.keyring
    ? keyringFromBytes(legacyKey!)
    : legacyKey
      ? new MasterKeyring(opts.keyring.current, [...opts.keyring.keys(), MasterKey.fromBytes(legacyKey)])
      : opts.keyring;
  const vault = new PinVault(join(base, 'pins.json'), keyring, legacyKey ? { legacyKey } : {});
  vault.reseal();

  const loadCa = (name: string): KeyedCertificate | undefined => {
    const certFile = join(pkiDir, `${name}.pem`);
    if (!existsSync(certFile)) return undefined;
    const sealed = vault.secret(`ca-key:${name}`);
    if (sealed) {
      try {
        return { certPem: readFileSync(certFile, 'utf8'), keyPem: createPrivateKey({ key: sealed, format: 'der', type: 'pkcs8' }).export({ type: 'pkcs8', format: 'pem' }) as string };
      } finally {
        sealed.fill(0);
      }
    }
    // Format before the keyring: PKCS#8 PEM encrypted with the old master key; converted by saveCa.
    const legacyKeyFile = join(pkiDir, `${name}-key.pem`);
    if (!existsSync(legacyKeyFile) || !legacyKey) return undefined;
    const key = createPrivateKey({ key: readFileSync(legacyKeyFile, 'utf8'), format: 'pem', passphrase: legacyKey });
    const ca = { certPem: readFileSync(certFile, 'utf8'), keyPem: key.export({ type: 'pkcs8', format: 'pem' }) as string };
    saveCa(name, ca);
    rmSync(legacyKeyFile, { force: true });
    return ca;
  };
  function saveCa(name: string, ca: KeyedCertificate): void {
    const der = createPrivateKey(ca.keyPem).export({ type: 'pkcs8', format: 'der' });
    vault.setSecret(`ca-key:${name}`, der);
    der.fill(0);
    writeAtomic(join(pkiDir, `${name}.pem`), ca.certPem);
  }

  let root = loadCa('root');
  let fresh = false;
  if (!root) {
    root = await createCa(TEST_ROOT_NAME);
    saveCa('root', root);
    fresh = true;
  }
  let inter = fresh ? undefined : loadCa('intermediate');
  if (!inter) {
    inter = await createCa(TEST_INTERMEDIATE_NAME, { issuer: root, pathLen: 0 });
    saveCa('intermediate', inter);
    fresh = true;
  }
  for (const u of users) {
    const name = safeFileName(u.mail);
    const p12File = join(usersDir, `${name}.p12`);
    if (!fresh && existsSync(p12File) && vault.has(name)) continue;
    const issued = await issueSigningCertificate(inter, u);
    const pin = newPin();
    vault.set(name, pin);
    writeAtomic(p12File, toPkcs12(issued, [inter.certPem, root.certPem], pin, name), 0o600);
    writeAtomic(join(usersDir, `${name}.pem`), issued.certPem);
  }

  // The revoked test card: an older card of the first seeded user, reported lost (keyCompromise).
  const statePath = join(pkiDir, 'revocations.json');
  const readState = (): RevocationState => (existsSync(statePath) ? (JSON.parse(readFileSync(statePath, 'utf8')) as RevocationState) : { crlNumber: 0, revoked: [] });
  const state = readState();
  if (fresh && state.revoked.length) {
    state.revoked = []; // new CAs: what the old ones revoked means nothing now
    writeAtomic(statePath, `${JSON.stringify(state, null, 2)}\n`);
  }
  const hasSecret = (name: string): boolean => {
    const b = vault.secret(name);
    b?.fill(0);
    return b !== undefined;
  };
  const revokedOwner = users[0] ? safeFileName(users[0].mail) : undefined;
  const revokedCertFile = (mail: string): string => join(revokedDir, `${mail}.pem`);
  if (revokedOwner && (fresh || !existsSync(revokedCertFile(revokedOwner)) || !hasSecret(`revoked-key:${revokedOwner}`))) {
    const owner = users[0]!;
    const issued = await issueSigningCertificate(inter, owner);
    const der = createPrivateKey(issued.keyPem).export({ type: 'pkcs8', format: 'der' });
    vault.setSecret(`revoked-key:${revokedOwner}`, der);
    der.fill(0);
    writeAtomic(revokedCertFile(revokedOwner), issued.certPem);
    // A minute in the past: any signature made with this card from now on is after its revocation.
    const revokedAt = new Date(Math.floor((clock().getTime() - 60_000) / 1000) * 1000);
    const serial = serialHex(certificatesFromPem(issued.certPem)[0]!);
    state.revoked.push({ ca: 'intermediate', serial, revocationDate: revokedAt.toISOString(), reason: 'keyCompromise', mail: revokedOwner });
    state.crlNumber++;
    writeAtomic(statePath, `${JSON.stringify(state, null, 2)}\n`);
    rmSync(join(crlDir, 'intermediate.crl'), { force: true }); // listed at the refresh below
  }

  const refreshCrls = (o: { now?: Date; force?: boolean } = {}): boolean => {
    const now = o.now ?? clock();
    const st = readState();
    let wrote = false;
    for (const name of ['root', 'intermediate'] as const) {
      const file = join(crlDir, `${name}.crl`);
      if (!o.force && existsSync(file)) {
        try {
          const crl = decodeCrl(readFileSync(file));
          // Still more than half its validity ahead: keep it.
          if (crl.nextUpdate && crl.nextUpdate.getTime() - now.getTime() > TEST_CRL_VALIDITY_MS / 2) continue;
        } catch {
          // unreadable: issue a new one
        }
      }
      const ca = loadCa(name);
      if (!ca) throw new Error(`test PKI: the ${name} CA key is missing`);
      st.crlNumber++;
      const revoked: CrlRevocation[] = st.revoked
        .filter((r) => r.ca === name)
        .map((r) => ({ serial: r.serial, revocationDate: new Date(r.revocationDate), ...(r.reason ? { reason: r.reason } : {}) }));
      // thisUpdate a little in the past so that a verifier whose clock is slightly behind accepts it.
      const crl = issueCrl(ca, revoked, { thisUpdate: new Date(now.getTime() - 5 * 60_000), nextUpdate: new Date(now.getTime() + TEST_CRL_VALIDITY_MS), crlNumber: st.crlNumber });
      writeAtomic(file, crl);
      wrote = true;
    }
    if (wrote) writeAtomic(statePath, `${JSON.stringify(st, null, 2)}\n`);
    return wrote;
  };
  refreshCrls({ force: fresh });

  const rootCertPem = root.certPem;
  const intermediateCertPem = inter.certPem;
  const read = (file: string): Buffer | undefined => (existsSync(file) ? readFileSync(file) : undefined);
  return {
    dir: base,
    crlDir,
    refreshCrls,
    revokedCard: () => {
      if (!revokedOwner) return undefined;
      const entry = readState().revoked.find((r) => r.mail === revokedOwner);
      const certPem = read(revokedCertFile(revokedOwner))?.toString('utf8');
      const sealed = vault.secret(`revoked-key:${revokedOwner}`);
      if (!entry || !certPem || !sealed) return undefined;
      try {
        const keyPem = createPrivateKey({ key: sealed, format: 'der', type: 'pkcs8' }).export({ type: 'pkcs8', format: 'pem' }) as string;
        return { mail: revokedOwner, certPem, keyPem, chainPems: [readFileSync(join(pkiDir, 'intermediate.pem'), 'utf8')], revokedAt: new Date(entry.revocationDate) };
      } finally {
        sealed.fill(0);
      }
    },
    rootCertPath: join(pkiDir, 'root.pem'),
    rootCertPem,
    intermediateCertPem,
    mails: () => readdirSync(usersDir).filter((f) => f.endsWith('.p12')).map((f) => f.slice(0, -4)),
    userCertPem: (mail) => read(join(usersDir, `${safeFileName(mail)}.pem`))?.toString('utf8'),
    p12: (mail) => read(join(usersDir, `${safeFileName(mail)}.p12`)),
    pin: (mail) => vault.pin(mail),
  };
}
