/**
 * Certificate revocation lists (RFC 5280 §5) and the revocation check of a signature's chain
 * (RFC 5280 §6.3, the subset that matters for S/MIME signatures from one CA hierarchy):
 *
 * - for each certificate below the trust anchor, a CRL of its issuer is looked for in a local
 *   directory (ESANTE_SIGNING_CRL_DIR; DER or PEM files, re-read when they change) and, when none is
 *   usable, fetched from the certificate's CRL Distribution Points over http(s) (short timeout, size
 *   cap) and cached until its nextUpdate;
 * - a CRL is used only if: its issuer name is the certificate's issuer, its signature verifies with
 *   the issuer's key (which must allow cRLSign), the inner and outer signature algorithms agree,
 *   thisUpdate is not in the future, nextUpdate is present and not passed, it has no critical
 *   extension we do not process (delta CRLs, indirect CRLs, unknown ones: RFC 5280 §5.2, §5.3), and
 *   its IssuingDistributionPoint (if any) covers this certificate (§6.3.3 b);
 * - anything else leaves the status "unknown", never "good".
 *
 * Why fetching a URL taken from a message is acceptable: only certificates that already chain to a
 * configured trust anchor are looked at, so the URLs were written by a trusted CA (not by whoever
 * sent the message); only http: and https: are followed, with a timeout and a byte limit.
 *
 * node:crypto has no CRL API; the DER is read with der.ts, the signature checked with node:crypto.
 */
import { constants, createPrivateKey, sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { DerError, children, context, decodeOid, decodeTime, expect, integer, octetString, oid, readOne, seq, tlv, time, type Tlv } from './der.ts';
import { OID } from './oids.ts';
import { certificatesFromPem, formatName, generalNameUrls, parseName, serialBytesHex, serialHex, type NameAttr, type ParsedCertificate } from './x509.ts';
import { RemoteCache, downloadBounded, type RemoteCacheOptions } from './download.ts';

// ---- parsing ------------------------------------------------------------------------------

/** CRLReason names by code (RFC 5280 §5.3.1; 7 is unused). */
export const CRL_REASONS = [
  'unspecified', 'keyCompromise', 'cACompromise', 'affiliationChanged', 'superseded',
  'cessationOfOperation', 'certificateHold', '', 'removeFromCRL', 'privilegeWithdrawn', 'aACompromise',
] as const;
export type CrlReason = Exclude<(typeof CRL_REASONS)[number], ''>;

export interface CrlEntry {
  /** Serial as serialHex() prints it. */
  serial: string;
  revocationDate: Date;
  reason?: CrlReason;
  /** When the key is known or suspected to have been compromised (RFC 5280 §5.3.2). */
  invalidityDate?: Date;
}

export interface IssuingDistributionPoint {
  /** True when the CRL names its distribution point (the certificate's CDP must list it). */
  hasDistributionPoint: boolean;
  urls: string[];
  onlyContainsUserCerts: boolean;
  onlyContainsCACerts: boolean;
  /** A CRL for some reasons only, indirect, or for attribute certificates: not usable here. */
  partial: boolean;
}

export interface ParsedCrl {
  der: Buffer;
  /** The exact signed bytes (TBSCertList). */
  tbsDer: Buffer;
  innerSignatureAlgorithm: string;
  signatureAlgorithm: string;
  signature: Buffer;
  issuerDer: Buffer;
  issuer: NameAttr[];
  thisUpdate: Date;
  nextUpdate: Date | null;
  crlNumber: string | null;
  idp: IssuingDistributionPoint | null;
  /** Critical CRL or entry extensions we do not process: the CRL must not be used (RFC 5280 §5.2, §5.3). */
  unknownCritical: string[];
  entries: Map<string, CrlEntry>;
}

const CRL_EXTENSIONS = new Set<string>([OID.authorityKeyIdentifier, OID.crlNumber, OID.issuingDistributionPoint]);
const ENTRY_EXTENSIONS = new Set<string>([OID.crlReason, OID.invalidityDate, OID.holdInstructionCode]);

function extensionsOf(t: Tlv): Array<{ id: string; critical: boolean; value: Tlv }> {
  return children(expect(t, 0x30, 'Extensions')).map((ext) => {
    const parts = children(expect(ext, 0x30, 'Extension'));
    const critical = parts.length === 3 && parts[1]!.tag === 0x01 && parts[1]!.value[0] !== 0;
    return { id: decodeOid(parts[0]!), critical, value: readOne(expect(parts[parts.length - 1], 0x04, 'extnValue').value) };
  });
}

function algorithmOid(t: Tlv | undefined): string {
  return decodeOid(children(expect(t, 0x30, 'AlgorithmIdentifier'))[0]!);
}

/** Parses a DER CertificateList. Throws DerError on anything malformed. */
export function parseCrl(der: Buffer): ParsedCrl {
  const top = children(expect(readOne(der), 0x30, 'CertificateList'));
  const tbs = expect(top[0], 0x30, 'TBSCertList');
  const signatureAlgorithm = algorithmOid(top[1]);
  const sigBits = expect(top[2], 0x03, 'signatureValue').value;
  if (sigBits[0] !== 0) throw new DerError('signature BIT STRING with unused bits');
  const f = children(tbs);
  let i = 0;
  if (f[i]?.tag === 0x02) {
    // version: v2 is 1 (RFC 5280 §5.1.2.1); absent means v1.
    if (f[i]!.value.length !== 1 || f[i]!.value[0] !== 1) throw new DerError('unsupported CRL version');
    i++;
  }
  const innerSignatureAlgorithm = algorithmOid(f[i++]);
  const issuer = expect(f[i++], 0x30, 'issuer');
  const thisUpdate = decodeTime(f[i++]!);
  let nextUpdate: Date | null = null;
  if (f[i] && (f[i]!.tag === 0x17 || f[i]!.tag === 0x18)) nextUpdate = decodeTime(f[i++]!);
  const crl: ParsedCrl = {
    der: Buffer.from(der),
    tbsDer: Buffer.from(tbs.raw),
    innerSignatureAlgorithm,
    signatureAlgorithm,
    signature: Buffer.from(sigBits.subarray(1)),
    issuerDer: Buffer.from(issuer.raw),
    issuer: parseName(issuer),
    thisUpdate,
    nextUpdate,
    crlNumber: null,
    idp: null,
    unknownCritical: [],
    entries: new Map(),
  };
  if (f[i]?.tag === 0x30) {
    for (const rc of children(f[i++]!)) {
      const p = children(expect(rc, 0x30, 'revokedCertificate'));
      const entry: CrlEntry = { serial: serialBytesHex(expect(p[0], 0x02, 'userCertificate').value), revocationDate: decodeTime(p[1]!) };
      for (const ext of p[2] ? extensionsOf(p[2]) : []) {
        if (ext.critical && !ENTRY_EXTENSIONS.has(ext.id)) crl.unknownCritical.push(ext.id);
        if (ext.id === OID.crlReason) {
          const code = expect(ext.value, 0x0a, 'CRLReason').value[0] ?? -1;
          const name = CRL_REASONS[code];
          if (name) entry.reason = name;
        } else if (ext.id === OID.invalidityDate) entry.invalidityDate = decodeTime(ext.value);
      }
      crl.entries.set(entry.serial, entry);
    }
  }
  if (f[i]?.tag === 0xa0) {
    for (const ext of extensionsOf(children(f[i++]!)[0]!)) {
      if (ext.critical && !CRL_EXTENSIONS.has(ext.id)) crl.unknownCritical.push(ext.id);
      if (ext.id === OID.crlNumber) crl.crlNumber = serialBytesHex(expect(ext.value, 0x02, 'CRLNumber').value);
      else if (ext.id === OID.issuingDistributionPoint) crl.idp = parseIdp(ext.value);
    }
  }
  if (i !== f.length) throw new DerError('unexpected field in TBSCertList');
  return crl;
}

/** IssuingDistributionPoint (RFC 5280 §5.2.5); the BOOLEANs are [n] IMPLICIT, DEFAULT FALSE. */
function parseIdp(v: Tlv): IssuingDistributionPoint {
  const idp: IssuingDistributionPoint = { hasDistributionPoint: false, urls: [], onlyContainsUserCerts: false, onlyContainsCACerts: false, partial: false };
  const on = (t: Tlv): boolean => t.value[0] !== 0;
  for (const p of children(expect(v, 0x30, 'IssuingDistributionPoint'))) {
    if (p.tag === 0xa0) {
      idp.hasDistributionPoint = true;
      idp.urls = generalNameUrls(p);
    } else if (p.tag === 0x81) idp.onlyContainsUserCerts = on(p);
    else if (p.tag === 0x82) idp.onlyContainsCACerts = on(p);
    else if (p.tag === 0x83 || p.tag === 0x23) idp.partial = true; // onlySomeReasons
    else if (p.tag === 0x84 || p.tag === 0x85) idp.partial ||= on(p); // indirectCRL, onlyContainsAttributeCerts
  }
  return idp;
}

/** A CRL file or HTTP body: DER, or PEM ("X509 CRL"). Throws DerError when it is neither. */
export function decodeCrl(bytes: Buffer): ParsedCrl {
  if (bytes[0] === 0x30) return parseCrl(bytes);
  const m = /-----BEGIN X509 CRL-----([\s\S]*?)-----END X509 CRL-----/.exec(bytes.toString('latin1'));
  if (!m) throw new DerError('neither a DER nor a PEM CRL');
  return parseCrl(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64'));
}

// ---- is this CRL the right one, and authentic? -----------------------------------------------

const SIGNATURE_ALGORITHMS: Readonly<Record<string, { kind: 'rsa' | 'ec'; hash: string }>> = {
  [OID.sha256WithRSA]: { kind: 'rsa', hash: 'sha256' },
  [OID.sha384WithRSA]: { kind: 'rsa', hash: 'sha384' },
  [OID.sha512WithRSA]: { kind: 'rsa', hash: 'sha512' },
  [OID.ecdsaSha256]: { kind: 'ec', hash: 'sha256' },
  [OID.ecdsaSha384]: { kind: 'ec', hash: 'sha384' },
  [OID.ecdsaSha512]: { kind: 'ec', hash: 'sha512' },
};

function signatureOk(crl: ParsedCrl, key: KeyObject): boolean {
  return signedBytesOk(crl.signatureAlgorithm, crl.tbsDer, crl.signature, key);
}

/** True when `signature` over `tbs` verifies with `key` under the X.509 signature algorithm `algOid` (CRLs, OCSP responses). */
export function signedBytesOk(algOid: string, tbs: Buffer, signature: Buffer, key: KeyObject): boolean {
  const alg = SIGNATURE_ALGORITHMS[algOid];
  if (!alg || (alg.kind === 'rsa') !== (key.asymmetricKeyType === 'rsa')) return false;
  try {
    const k = alg.kind === 'rsa' ? { key, padding: constants.RSA_PKCS1_PADDING } : { key, dsaEncoding: 'der' as const };
    return cryptoVerify(alg.hash, tbs, k, signature);
  } catch {
    return false;
  }
}

/**
 * Why this CRL cannot tell the status of `cert` (issued by `issuer`) at `now`; undefined when it can.
 * The checks of RFC 5280 §6.3.3 that apply to a direct, complete CRL.
 */
export function crlProblem(crl: ParsedCrl, cert: ParsedCertificate, issuer: ParsedCertificate, now: Date, skewMs = 5 * 60_000): string | undefined {
  const from = formatName(crl.issuer);
  if (!crl.issuerDer.equals(cert.issuerDer) || !issuer.subjectDer.equals(cert.issuerDer)) return `CRL of ${from} is not for ${formatName(cert.issuer)}`;
  if (issuer.keyUsage && !issuer.keyUsage.includes('cRLSign')) return `${formatName(issuer.subject)} may not sign CRLs`;
  if (crl.innerSignatureAlgorithm !== crl.signatureAlgorithm) return `CRL of ${from}: signature algorithms differ`;
  if (!signatureOk(crl, issuer.publicKey)) return `CRL of ${from}: bad signature`;
  if (crl.unknownCritical.length) return `CRL of ${from}: critical extensions not processed (${crl.unknownCritical.join(', ')})`;
  if (crl.thisUpdate.getTime() > now.getTime() + skewMs) return `CRL of ${from} is not valid yet`;
  if (!crl.nextUpdate) return `CRL of ${from} has no nextUpdate`;
  if (crl.nextUpdate.getTime() < now.getTime()) return `CRL of ${from} expired on ${crl.nextUpdate.toISOString()}`;
  const idp = crl.idp;
  if (idp) {
    if (idp.partial) return `CRL of ${from} is partial or indirect`;
    if (idp.onlyContainsUserCerts && cert.isCa) return `CRL of ${from} covers end-entity certificates only`;
    if (idp.onlyContainsCACerts && !cert.isCa) return `CRL of ${from} covers CA certificates only`;
    if (idp.hasDistributionPoint && !idp.urls.some((u) => cert.crlDistributionPoints.includes(u))) return `CRL of ${from} is for another distribution point`;
  }
  return undefined;
}

// ---- the status of one certificate ---------------------------------------------------------------

export interface CertRevocation {
  status: 'good' | 'revoked' | 'unknown';
  /** The date that counts: the revocation date, or the earlier invalidity date (key compromised before). */
  revokedAt?: Date;
  reason?: CrlReason;
  /** Where the CRL used came from (file path or URL), or the OCSP responder's URL. */
  source?: string;
  /** Which answered: an OCSP responder (ocsp.ts) or a CRL; absent when neither could. */
  via?: 'ocsp' | 'crl';
  problems: string[];
}

/** A CRL and where it came from. */
export interface CrlCandidate {
  crl: ParsedCrl;
  source: string;
}

/** The status of `cert` from the usable CRL with the latest thisUpdate among `candidates`. */
export function statusFromCrls(cert: ParsedCertificate, issuer: ParsedCertificate, candidates: readonly CrlCandidate[], now: Date): CertRevocation {
  const problems: string[] = [];
  let best: CrlCandidate | undefined;
  for (const c of candidates) {
    const problem = crlProblem(c.crl, cert, issuer, now);
    if (problem) problems.push(`${problem} (${c.source})`);
    else if (!best || c.crl.thisUpdate > best.crl.thisUpdate) best = c;
  }
  if (!best) {
    if (!candidates.length) problems.push(`no CRL for ${formatName(cert.issuer)}`);
    return { status: 'unknown', problems };
  }
  const entry = best.crl.entries.get(serialHex(cert));
  // removeFromCRL belongs to delta CRLs (not used here): the certificate is no longer on hold.
  if (!entry || entry.reason === 'removeFromCRL') return { status: 'good', source: best.source, via: 'crl', problems };
  const revokedAt = entry.invalidityDate && entry.invalidityDate < entry.revocationDate ? entry.invalidityDate : entry.revocationDate;
  return { status: 'revoked', revokedAt, ...(entry.reason ? { reason: entry.reason } : {}), source: best.source, via: 'crl', problems };
}

// ---- where CRLs come from ----------------------------------------------------------------------

export interface CrlLog {
  warn(obj: object, msg: string): void;
}

/**
 * The CRL files of a directory (`*.crl`, `*.der`, `*.pem`, any name): read again when a file's size
 * or mtime changes, so an administrator's cron job can drop new CRLs in without a restart.
 * Files that do not parse are skipped (and logged once per version).
 */
export class CrlDirectory {
  private readonly files = new Map<string, { stamp: string; crl: ParsedCrl | null }>();
  private lastScan = 0;
  constructor(
    readonly dir: string,
    private readonly log?: CrlLog,
    /** Re-read the directory at most this often (ms): a verification should not stat files by the hundred. */
    private readonly rescanMs = 2_000,
  ) {}

  /** Every parsable CRL of the directory whose issuer is `issuerDer`. */
  forIssuer(issuerDer: Buffer): CrlCandidate[] {
    this.scan();
    const out: CrlCandidate[] = [];
    // The file name only: the source may end up in a report's detail, the server's paths should not.
    for (const [file, e] of this.files) if (e.crl && e.crl.issuerDer.equals(issuerDer)) out.push({ crl: e.crl, source: basename(file) });
    return out;
  }

  private scan(): void {
    const now = Date.now();
    if (now - this.lastScan < this.rescanMs && this.files.size) return;
    this.lastScan = now;
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      names = [];
    }
    const seen = new Set<string>();
    for (const name of names) {
      const file = join(this.dir, name);
      let stamp: string;
      try {
        const st = statSync(file);
        if (!st.isFile() || st.size > 64 * 1024 * 1024) continue;
        stamp = `${st.size}:${st.mtimeMs}`;
      } catch {
        continue;
      }
      seen.add(file);
      if (this.files.get(file)?.stamp === stamp) continue;
      let crl: ParsedCrl | null = null;
      try {
        crl = decodeCrl(readFileSync(file));
      } catch (e) {
        this.log?.warn({ file, err: (e as Error).message }, 'not a CRL: ignored');
      }
      this.files.set(file, { stamp, crl });
    }
    for (const file of this.files.keys()) if (!seen.has(file)) this.files.delete(file);
  }
}

/** Defaults: 5 s per request, 10 MiB per CRL, 60 s before a failed URL is tried again. */
export type CrlFetcherOptions = RemoteCacheOptions;

interface CacheEntry {
  crl?: ParsedCrl;
  /** Do not fetch this URL again before (ms epoch): the CRL's nextUpdate, or now + retryAfterMs after a failure. */
  until: number;
}

/**
 * Fetches CRLs from distribution point URLs (http/https only), one request at a time per URL,
 * and keeps each until its nextUpdate: a URL is not fetched again before that (RFC 5280 §5.1.2.5:
 * nextUpdate is when the next CRL will be issued).
 */
export class CrlFetcher extends RemoteCache<CacheEntry> {
  constructor(opts: CrlFetcherOptions = {}) {
    super(opts, { timeoutMs: 5_000, maxBytes: 10 * 1024 * 1024 });
  }

  /** The cached CRL of a URL (possibly expired: the caller checks), if any. */
  cached(url: string): ParsedCrl | undefined {
    return this.cache.get(url)?.crl;
  }

  /** Fetches `url` unless its cached CRL is still current or a recent attempt failed. Never throws. */
  async refresh(url: string): Promise<void> {
    if (!/^https?:\/\//i.test(url)) return;
    return this.once(url, () => this.load(url));
  }

  private async load(url: string): Promise<void> {
    const old = this.cache.get(url);
    try {
      const crl = decodeCrl(await this.download(url));
      const now = this.now().getTime();
      // Keep it until nextUpdate; one without nextUpdate (not allowed by RFC 5280) is retried soon.
      const until = crl.nextUpdate && crl.nextUpdate.getTime() > now ? crl.nextUpdate.getTime() : now + this.retryAfterMs;
      this.cache.set(url, { crl, until });
    } catch (e) {
      this.opts.log?.warn({ url, err: (e as Error).message }, 'CRL download failed');
      // Keep the old CRL (it may still be current for a clock-skewed caller); do not retry at once.
      this.cache.set(url, { ...(old?.crl ? { crl: old.crl } : {}), until: this.now().getTime() + this.retryAfterMs });
    }
  }

  private async download(url: string): Promise<Buffer> {
    this.requests++;
    return downloadBounded(url, { fetch: this.doFetch, timeoutMs: this.timeoutMs, maxBytes: this.maxBytes, accept: 'application/pkix-crl, application/x-pkcs7-crl, */*', what: 'CRL' });
  }
}

// ---- the checker the verifier uses -------------------------------------------------------------

/** What verify.ts needs: the status of one certificate, and (optionally) a way to fetch what is missing first. */
export interface RevocationChecker {
  /** From the CRLs at hand (local directory, fetched CRLs still cached): synchronous, no network. */
  statusOf(cert: ParsedCertificate, issuer: ParsedCertificate, now: Date): CertRevocation;
  /** Fetches the CRLs the certificates' distribution points name, when none at hand is usable. Never throws. */
  prepare(pairs: ReadonlyArray<readonly [ParsedCertificate, ParsedCertificate]>, now: Date): Promise<void>;
}

export interface CrlCheckerOptions {
  /** Local CRL directories (ESANTE_SIGNING_CRL_DIR, the test PKI's crl/). */
  dirs?: string[];
  /** Fetch from CRL Distribution Points; absent = never go to the network. */
  fetcher?: CrlFetcher;
  log?: CrlLog;
}

export function createCrlChecker(opts: CrlCheckerOptions): RevocationChecker {
  const dirs = (opts.dirs ?? []).map((d) => new CrlDirectory(d, opts.log));
  const candidates = (cert: ParsedCertificate): CrlCandidate[] => {
    const out = dirs.flatMap((d) => d.forIssuer(cert.issuerDer));
    for (const url of opts.fetcher ? cert.crlDistributionPoints : []) {
      const crl = opts.fetcher!.cached(url);
      if (crl) out.push({ crl, source: url });
    }
    return out;
  };
  const statusOf = (cert: ParsedCertificate, issuer: ParsedCertificate, now: Date): CertRevocation => statusFromCrls(cert, issuer, candidates(cert), now);
  return {
    statusOf,
    async prepare(pairs, now) {
      if (!opts.fetcher) return;
      const jobs: Array<Promise<void>> = [];
      for (const [cert, issuer] of pairs) {
        // A usable CRL at hand (local file, or a cached one still current) is enough: no request.
        if (statusOf(cert, issuer, now).status !== 'unknown') continue;
        for (const url of cert.crlDistributionPoints) jobs.push(opts.fetcher.refresh(url));
      }
      await Promise.all(jobs);
    },
  };
}

// ---- issuing CRLs (the embedded test PKI, tests) ---------------------------------------------

export interface CrlRevocation {
  /** Serial as hex (any case, leading zeros allowed). */
  serial: string;
  revocationDate: Date;
  reason?: CrlReason;
  invalidityDate?: Date;
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return seq(oid(id), ...(critical ? [Buffer.from([0x01, 0x01, 0xff])] : []), octetString(value));
}

function generalizedTime(d: Date): Buffer {
  return tlv(0x18, Buffer.from(d.toISOString().replace(/[-:T]/g, '').replace(/\.\d+Z$/, 'Z'), 'latin1'));
}

/**
 * A v2 CRL signed by `ca` (RFC 5280 §5.1) with sha256WithRSAEncryption: authorityKeyIdentifier and
 * cRLNumber extensions, reasonCode and invalidityDate entry extensions. `openssl crl -verify` accepts it.
 */
export function issueCrl(
  ca: { certPem: string; keyPem: string },
  revoked: readonly CrlRevocation[],
  opts: { thisUpdate: Date; nextUpdate: Date; crlNumber: number; extraCrlExtensions?: Array<{ id: string; critical: boolean; value: Buffer }> },
): Buffer {
  const caCert = certificatesFromPem(ca.certPem)[0];
  if (!caCert) throw new Error('issueCrl: not a PEM certificate');
  const algId = seq(oid(OID.sha256WithRSA), Buffer.from([0x05, 0x00]));
  const entries = revoked.map((r) => {
    const exts: Buffer[] = [];
    if (r.reason) exts.push(extension(OID.crlReason, false, tlv(0x0a, Buffer.from([CRL_REASONS.indexOf(r.reason)]))));
    if (r.invalidityDate) exts.push(extension(OID.invalidityDate, false, generalizedTime(r.invalidityDate)));
    return seq(integer(Buffer.from(r.serial.length % 2 ? `0${r.serial}` : r.serial, 'hex')), time(r.revocationDate), ...(exts.length ? [seq(...exts)] : []));
  });
  const crlExts = [
    ...(caCert.subjectKeyIdentifier ? [extension(OID.authorityKeyIdentifier, false, seq(tlv(0x80, caCert.subjectKeyIdentifier)))] : []),
    extension(OID.crlNumber, false, integer(opts.crlNumber)),
    ...(opts.extraCrlExtensions ?? []).map((e) => extension(e.id, e.critical, e.value)),
  ];
  const tbs = seq(
    integer(1),
    algId,
    caCert.subjectDer,
    time(opts.thisUpdate),
    time(opts.nextUpdate),
    ...(entries.length ? [seq(...entries)] : []),
    context(0, seq(...crlExts)),
  );
  const signature = cryptoSign('sha256', tbs, createPrivateKey(ca.keyPem));
  return seq(tbs, algId, tlv(0x03, Buffer.concat([Buffer.from([0]), signature])));
}
