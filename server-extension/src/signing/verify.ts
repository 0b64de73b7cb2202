/**
 * Verifies the S/MIME signature of a raw message (RFC 8551 §3.5 multipart/signed with a detached
 * CMS SignedData, RFC 5652 §5.6 signature verification, RFC 5280 §6 path checks, RFC 8550 §3 mail
 * address match). Never throws: any failure is a "not valid" report with a reason code from
 * shared/signing/reasons.ts.
 *
 * Revocation (RFC 5280 §6.3) through CRLs when a RevocationChecker is given (crl.ts): synchronously
 * from the CRLs at hand (verifyMessage), or after fetching missing ones from the certificates'
 * distribution points (verifyMessageOnline).
 *
 * Intermediates (RFC 5280 §6.1 needs the whole path; RFC 8551 §2.4.2 only says a signer SHOULD send
 * it): the message's own certificates, then a configured bundle (ESANTE_SIGNING_INTERMEDIATES), then
 * the issuers named by AIA caIssuers URLs (aia.ts: fetched by verifyMessageOnline, from its cache
 * only by verifyMessage). None of them is ever a trust anchor.
 *
 * Not done (and said in the report or README): OCSP, RSASSA-PSS, several signers (the first is checked).
 */
import { constants, createHash, verify as cryptoVerify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { SignatureReason } from '../../../shared/signing/reasons.ts';
import type { VerificationReport } from '../../../shared/signing/operations.ts';
import { MAX_AIA_HOPS, type IssuerFetcher } from './aia.ts';
import type { CertRevocation, RevocationChecker } from './crl.ts';
import { CmsError, findSignerCertificate, parseSignedData, type ParsedSignedData, type ParsedSignerInfo } from './cms.ts';
import { addressOf, field, parseContentType, parseEntity, splitMultipart, toCrlf, type Entity } from './mime.ts';
import { DIGESTS, OID } from './oids.ts';
import { certificatesFromPem, displayName, ekuNames, formatName, isWithin, signerSummary, summarize, type ParsedCertificate } from './x509.ts';

/** The certificates a chain must end in: the test root by default, LuxTrust roots in production. */
export interface TrustAnchors {
  certificates: ParsedCertificate[];
}

export function trustAnchorsFromPem(pem: string): TrustAnchors {
  const certificates = certificatesFromPem(pem);
  if (certificates.length === 0) throw new Error('no certificate in the trust anchor bundle');
  return { certificates };
}

/** Loads a PEM bundle file (ESANTE_SIGNING_TRUST_ANCHORS). */
export function loadTrustAnchors(file: string): TrustAnchors {
  return trustAnchorsFromPem(readFileSync(file, 'utf8'));
}

export interface VerifyOptions {
  /** Clock (tests). */
  now?: Date;
  /** Claimed signing times further than this in the future are not believed (clock skew), ms. */
  maxClockSkewMs?: number;
  /** Revocation checking; absent = not checked (report: revocationStatus 'not_checked'). */
  revocation?: RevocationOptions;
  /** Intermediate CA certificates to build paths with (never anchors): ESANTE_SIGNING_INTERMEDIATES. */
  intermediates?: readonly ParsedCertificate[];
  /** Issuers from AIA caIssuers URLs; absent = not looked up. */
  issuers?: IssuerFetcher;
}

export interface RevocationOptions {
  checker: RevocationChecker;
  /**
   * What a status nobody could establish (no usable CRL) means: 'accept' keeps the signature valid
   * (the report says revocation was not checked), 'reject' makes it `signature.revocation_unknown`.
   */
  unknown: 'accept' | 'reject';
}

/** Checks in priority order: the report's `reason` is the first one failing. */
const PRIORITY: SignatureReason[] = [
  'signature.none', 'signature.malformed', 'signature.unsupported', 'signature.tampered', 'signature.invalid',
  'signature.untrusted', 'signature.revoked', 'signature.expired', 'signature.key_usage', 'signature.sender_mismatch',
  'signature.revocation_unknown',
];

const SIGNATURE_ALGORITHMS: Readonly<Record<string, { kind: 'rsa' | 'ec'; name: string; hash?: string }>> = {
  [OID.rsaEncryption]: { kind: 'rsa', name: 'rsa-pkcs1-v1_5' },
  [OID.sha256WithRSA]: { kind: 'rsa', name: 'rsa-pkcs1-v1_5', hash: 'sha256' },
  [OID.sha384WithRSA]: { kind: 'rsa', name: 'rsa-pkcs1-v1_5', hash: 'sha384' },
  [OID.sha512WithRSA]: { kind: 'rsa', name: 'rsa-pkcs1-v1_5', hash: 'sha512' },
  [OID.ecPublicKey]: { kind: 'ec', name: 'ecdsa' },
  [OID.ecdsaSha256]: { kind: 'ec', name: 'ecdsa', hash: 'sha256' },
  [OID.ecdsaSha384]: { kind: 'ec', name: 'ecdsa', hash: 'sha384' },
  [OID.ecdsaSha512]: { kind: 'ec', name: 'ecdsa', hash: 'sha512' },
};

class Report {
  readonly r: VerificationReport;
  readonly failed = new Set<SignatureReason>();
  /** Each certificate below the trust anchor with its issuer (set once the chain is trusted). */
  revocationTargets?: Array<readonly [ParsedCertificate, ParsedCertificate]>;
  /** The certificate the path stopped at for want of its issuer (its AIA may name it). */
  stuckAt?: ParsedCertificate;
  signingTime?: Date;
  constructor(now: Date) {
    this.r = { valid: false, reasons: [], reasonArgs: [], chain: [], trusted: false, keyUsage: [], extKeyUsage: [], revocationChecked: false, checkedAt: now.toISOString() };
  }
  fail(reason: SignatureReason, detail?: string): void {
    this.failed.add(reason);
    if (detail && !this.r.detail) this.r.detail = detail;
  }
  done(): VerificationReport {
    const reasons = PRIORITY.filter((p) => this.failed.has(p));
    this.r.reasons = reasons;
    this.r.valid = reasons.length === 0;
    if (reasons[0]) this.r.reason = reasons[0];
    // Positional arguments shared by every reason text: {0} the From address, {1} the revocation date.
    if (this.failed.has('signature.revoked')) this.r.reasonArgs = [this.r.from ?? '', this.r.revokedAt ?? ''];
    else if (this.failed.has('signature.sender_mismatch')) this.r.reasonArgs = [this.r.from ?? ''];
    return this.r;
  }
}

/** Verifies a raw message; revocation from the CRLs at hand only (no network). Never throws. */
export function verifyMessage(rawMime: Buffer, anchors: TrustAnchors, opts: VerifyOptions = {}): VerificationReport {
  const now = opts.now ?? new Date();
  // Issuers an earlier online verification fetched from AIA URLs (cache only: no network here).
  const walk = checksWithIssuers(rawMime, anchors, now, opts);
  let step = walk.next();
  while (!step.done) step = walk.next(opts.issuers!.cached(step.value));
  const rep = step.value;
  applyRevocation(rep, now, opts.revocation);
  return rep.done();
}

/**
 * Verifies a raw message, first fetching the CRLs the chain's distribution points name when none at
 * hand is usable (only for a trusted chain whose signature value verifies). Never throws.
 */
export async function verifyMessageOnline(rawMime: Buffer, anchors: TrustAnchors, opts: VerifyOptions = {}): Promise<VerificationReport> {
  const now = opts.now ?? new Date();
  const walk = checksWithIssuers(rawMime, anchors, now, opts);
  let step = walk.next();
  while (!step.done) step = walk.next(await opts.issuers!.issuers(step.value));
  const rep = step.value;
  if (opts.revocation && rep.revocationTargets?.length && rep.r.signatureValueOk) {
    try {
      await opts.revocation.checker.prepare(rep.revocationTargets, now);
    } catch {
      // prepare never throws by contract; a broken fetcher only leaves the status unknown.
    }
  }
  applyRevocation(rep, now, opts.revocation);
  return rep.done();
}

/**
 * The checks, run again with each hop of AIA issuers (RFC 5280 §4.2.2.1) up to MAX_AIA_HOPS: yields
 * the caIssuers URLs still to try and takes back the certificates they gave (the caller fetches
 * them, from the network or from the cache only); returns the last run's report. One loop for
 * verifyMessage and verifyMessageOnline.
 */
function* checksWithIssuers(
  rawMime: Buffer,
  anchors: TrustAnchors,
  now: Date,
  opts: VerifyOptions,
): Generator<string[], Report, readonly ParsedCertificate[]> {
  let extra = [...(opts.intermediates ?? [])];
  let rep = runChecks(rawMime, anchors, now, opts, extra);
  const seen = new Set<string>();
  for (let hop = 0; opts.issuers && hop < MAX_AIA_HOPS; hop++) {
    const urls = missingIssuerUrls(rep, seen);
    const found = urls ? yield urls : [];
    if (!found.length) break;
    extra = [...extra, ...found];
    rep = runChecks(rawMime, anchors, now, opts, extra);
  }
  return rep;
}

/**
 * The AIA caIssuers URLs of the certificate the path stopped at, not tried yet in this verification;
 * undefined when there is none or when the signature value itself does not verify (no fetching for
 * a message that is not validly signed by its certificate's key).
 */
function missingIssuerUrls(rep: Report, seen: Set<string>): string[] | undefined {
  if (!rep.stuckAt || !rep.r.signatureValueOk) return undefined;
  const urls = rep.stuckAt.caIssuers.filter((u) => !seen.has(u));
  for (const u of urls) seen.add(u);
  return urls.length ? urls : undefined;
}

function runChecks(rawMime: Buffer, anchors: TrustAnchors, now: Date, opts: VerifyOptions, intermediates: readonly ParsedCertificate[]): Report {
  const rep = new Report(now);
  try {
    verifyInto(rep, rawMime, anchors, now, opts.maxClockSkewMs ?? 5 * 60_000, intermediates);
  } catch (e) {
    // Anything unexpected in a hostile message is a malformed signature, not a crash.
    rep.fail('signature.malformed', e instanceof Error ? `${e.name}: ${e.message}` : 'unexpected error');
    delete rep.revocationTargets;
  }
  return rep;
}

/**
 * RFC 5280 §6.3 for each certificate below the anchor. A certificate revoked at or before the
 * signing time (the signer's claim; now when there is none) makes the signature invalid; revoked
 * after it, the signature stays valid and the report carries the date (a signature made before the
 * card was revoked keeps its value). The earliest problem wins: revoked, then unknown, then
 * revoked after signing.
 */
function applyRevocation(rep: Report, now: Date, opts: RevocationOptions | undefined): void {
  const r = rep.r;
  const targets = rep.revocationTargets;
  if (!opts || !targets) {
    r.revocationStatus = 'not_checked';
    return;
  }
  const results = targets.map(([cert, issuer]) => {
    let res: CertRevocation;
    try {
      res = opts.checker.statusOf(cert, issuer, now);
    } catch (e) {
      res = { status: 'unknown', problems: [(e as Error).message] };
    }
    return { cert, res };
  });
  // Which answered for each certificate below the anchor, signer first (OCSP, a CRL, or nothing).
  r.revocationSources = results.map((x) => x.res.via ?? 'none');
  const at = (rep.signingTime ?? now).getTime();
  const revoked = results.filter((x) => x.res.status === 'revoked');
  const before = revoked.find((x) => x.res.revokedAt!.getTime() <= at);
  const after = revoked.find((x) => x.res.revokedAt!.getTime() > at);
  const shown = before ?? after;
  if (shown) {
    r.revokedAt = shown.res.revokedAt!.toISOString();
    r.revokedSubject = displayName(shown.cert.subject);
    if (shown.res.reason) r.revocationReason = shown.res.reason;
  }
  const unknown = results.filter((x) => x.res.status === 'unknown');
  if (before) {
    r.revocationStatus = 'revoked';
    r.revocationChecked = true;
    rep.fail('signature.revoked');
  } else if (unknown.length) {
    r.revocationStatus = 'unknown';
    r.revocationChecked = false;
    if (!r.detail) r.detail = `revocation not checked: ${unknown.flatMap((x) => x.res.problems).join('; ')}`;
    if (opts.unknown === 'reject') rep.fail('signature.revocation_unknown');
  } else {
    r.revocationStatus = after ? 'revoked_after_signing' : 'good';
    r.revocationChecked = true;
  }
}

function verifyInto(rep: Report, rawMime: Buffer, anchors: TrustAnchors, now: Date, skew: number, intermediates: readonly ParsedCertificate[]): void {
  let top: Entity;
  try {
    top = parseEntity(toCrlf(rawMime));
  } catch (e) {
    return rep.fail('signature.none', (e as Error).message);
  }
  const from = addressOf(field(top.fields, 'from'));
  if (from) rep.r.from = from;
  const ct = parseContentType(field(top.fields, 'content-type'));
  if (ct.mediaType === 'application/pkcs7-mime' || ct.mediaType === 'application/x-pkcs7-mime') {
    return verifyOpaque(rep, top, ct.params['smime-type']?.toLowerCase(), anchors, now, skew, from, intermediates);
  }
  if (ct.mediaType !== 'multipart/signed') return rep.fail('signature.none');
  const protocol = (ct.params['protocol'] ?? '').toLowerCase();
  if (protocol !== 'application/pkcs7-signature' && protocol !== 'application/x-pkcs7-signature') {
    return rep.fail('signature.unsupported', `multipart/signed protocol "${protocol}" (e.g. OpenPGP)`);
  }
  const boundary = ct.params['boundary'];
  if (!boundary) return rep.fail('signature.malformed', 'multipart/signed without boundary');
  const { parts } = splitMultipart(top.body, boundary);
  if (parts.length < 2) return rep.fail('signature.malformed', 'multipart/signed needs two parts (message truncated?)');
  const signedContent = parts[0]!;
  const sigEntity = parseEntity(parts[1]!);
  const sigType = parseContentType(field(sigEntity.fields, 'content-type')).mediaType;
  if (sigType !== 'application/pkcs7-signature' && sigType !== 'application/x-pkcs7-signature') {
    return rep.fail('signature.malformed', `second part is ${sigType}`);
  }
  const sd = decodeCms(rep, sigEntity, 'smime.p7s');
  if (!sd) return;
  if (sd.content) return rep.fail('signature.malformed', 'multipart/signed carries an embedded content');
  checkSigner(rep, sd, sd.signerInfos[0]!, signedContent, anchors, now, skew, from, intermediates);
}

/**
 * Opaque signed data (RFC 8551 §3.5.2: application/pkcs7-mime; smime-type=signed-data): the signed
 * MIME entity travels inside the CMS. Enveloped (encrypted) or compressed data is not a signature
 * we can check here.
 */
function verifyOpaque(
  rep: Report, top: Entity, smimeType: string | undefined, anchors: TrustAnchors, now: Date, skew: number, from: string | undefined, intermediates: readonly ParsedCertificate[],
): void {
  if (smimeType && smimeType !== 'signed-data') return rep.fail('signature.unsupported', `application/pkcs7-mime; smime-type=${smimeType} (encrypted or compressed S/MIME)`);
  const sd = decodeCms(rep, top, 'smime.p7m');
  if (!sd) return;
  if (!sd.content) return rep.fail('signature.malformed', 'opaque signature without content');
  checkSigner(rep, sd, sd.signerInfos[0]!, sd.content, anchors, now, skew, from, intermediates);
}

/** Decodes the base64 CMS of an entity; on failure records the reason and returns undefined. */
function decodeCms(rep: Report, e: Entity, what: string): ParsedSignedData | undefined {
  const cte = (field(e.fields, 'content-transfer-encoding') ?? '7bit').toLowerCase();
  if (cte !== 'base64') {
    rep.fail('signature.malformed', `${what} transfer encoding ${cte}`);
    return undefined;
  }
  const b64 = e.body.toString('latin1').replace(/[\r\n\t ]/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0) {
    rep.fail('signature.malformed', `${what} is not valid base64`);
    return undefined;
  }
  let sd: ParsedSignedData;
  try {
    sd = parseSignedData(Buffer.from(b64, 'base64'));
  } catch (e) {
    if (e instanceof CmsError) {
      rep.fail(e.kind === 'unsupported' ? 'signature.unsupported' : 'signature.malformed', e.message);
      return undefined;
    }
    throw e;
  }
  if (sd.contentType !== OID.data) {
    rep.fail('signature.unsupported', `signed content type ${sd.contentType}`);
    return undefined;
  }
  if (sd.signerInfos.length > 1) rep.r.detail = `${sd.signerInfos.length} signers: the first one is checked`;
  return sd;
}

function checkSigner(
  rep: Report, sd: ParsedSignedData, si: ParsedSignerInfo, content: Buffer, anchors: TrustAnchors, now: Date, skew: number, from: string | undefined,
  intermediates: readonly ParsedCertificate[],
): void {
  const r = rep.r;
  const digest = DIGESTS[si.digestAlgorithmOid];
  if (!digest) {
    const weak = si.digestAlgorithmOid === OID.sha1 || si.digestAlgorithmOid === OID.md5;
    return rep.fail('signature.unsupported', weak ? 'SHA-1/MD5 digests are no longer accepted (RFC 8551 §2.2)' : `digest ${si.digestAlgorithmOid}`);
  }
  r.digestAlgorithm = digest.micalg;
  const sigAlg = SIGNATURE_ALGORITHMS[si.signatureAlgorithmOid];
  if (!sigAlg) return rep.fail('signature.unsupported', `signature algorithm ${si.signatureAlgorithmOid}`);
  r.signatureAlgorithm = sigAlg.name;
  if (si.signingTime) {
    r.signingTime = si.signingTime.toISOString();
    rep.signingTime = si.signingTime;
  }

  const signer = findSignerCertificate(si, sd.certificates);
  if (signer) {
    r.signer = signerSummary(signer);
    r.keyUsage = signer.keyUsage ?? [];
    r.extKeyUsage = ekuNames(signer.extKeyUsage);
  }

  // 1. Was the content changed? (RFC 5652 §5.4: messageDigest must equal the content's digest.)
  const computed = createHash(digest.node).update(content).digest();
  r.computedDigest = computed.toString('hex');
  if (si.signedAttrsDer) {
    if (si.contentType !== OID.data) return rep.fail('signature.malformed', 'signed contentType attribute missing or not id-data');
    if (!si.messageDigest) return rep.fail('signature.malformed', 'messageDigest attribute missing');
    r.signedDigest = si.messageDigest.toString('hex');
    r.contentChanged = !si.messageDigest.equals(computed);
    if (r.contentChanged) rep.fail('signature.tampered');
  }

  // 2. Does the signature value verify with the signer's key?
  if (!signer) {
    rep.fail('signature.untrusted', 'the signer’s certificate is not included in the signature');
    return;
  }
  const keyType = signer.publicKey.asymmetricKeyType;
  if ((sigAlg.kind === 'rsa') !== (keyType === 'rsa')) return rep.fail('signature.invalid', `a ${keyType} key cannot make a ${sigAlg.name} signature`);
  const hash = sigAlg.hash ?? digest.node;
  const signedBytes = si.signedAttrsDer ?? content;
  const key = sigAlg.kind === 'rsa' ? { key: signer.publicKey, padding: constants.RSA_PKCS1_PADDING } : { key: signer.publicKey, dsaEncoding: 'der' as const };
  let ok = false;
  try {
    ok = cryptoVerify(hash, signedBytes, key, si.signature);
  } catch {
    ok = false;
  }
  r.signatureValueOk = ok;
  if (!ok) {
    // Without signed attributes the signature covers the content itself: a change shows up here.
    rep.fail(si.signedAttrsDer ? 'signature.invalid' : 'signature.tampered');
    if (!si.signedAttrsDer) r.contentChanged = true;
  } else if (!si.signedAttrsDer) r.contentChanged = false;

  // 3. Chain to a trust anchor.
  // The message's own certificates first: a signer's chain wins over a configured or fetched one.
  const chain = buildChain(signer, [...sd.certificates, ...intermediates], anchors);
  if (chain.stuck) rep.stuckAt = chain.stuck;
  r.chain = chain.path.map(summarize);
  r.trusted = chain.anchor !== undefined;
  if (chain.anchor) {
    r.trustAnchor = displayName(chain.anchor.subject);
    // Revocation is checked for every certificate below the anchor (the anchor itself is trusted as configured).
    rep.revocationTargets = chain.path.slice(0, -1).map((c, i) => [c, chain.path[i + 1]!] as const);
  } else rep.fail('signature.untrusted', chain.problem);

  // 4. Validity dates of every certificate of the path, at the claimed signing time and now.
  const path = chain.path.length ? chain.path : [signer];
  r.validNow = path.every((c) => isWithin(c, now));
  if (si.signingTime) {
    if (si.signingTime.getTime() > now.getTime() + skew) rep.fail('signature.expired', 'signing time is in the future');
    r.validAtSigningTime = path.every((c) => isWithin(c, si.signingTime!));
  }
  if (!r.validNow || r.validAtSigningTime === false) rep.fail('signature.expired');

  // 5. May this certificate sign mail? (RFC 8550 §4.4.2/§4.4.4.)
  const kuOk = !signer.keyUsage || signer.keyUsage.includes('digitalSignature') || signer.keyUsage.includes('nonRepudiation');
  const ekuOk = !signer.extKeyUsage || signer.extKeyUsage.includes(OID.emailProtection) || signer.extKeyUsage.includes(OID.anyExtendedKeyUsage);
  r.keyUsageOk = kuOk && ekuOk;
  if (!r.keyUsageOk) rep.fail('signature.key_usage');

  // 6. Does the certificate vouch for the sender's address? (RFC 8550 §3.)
  if (from) {
    r.senderMatches = signer.mails.includes(from);
    if (!r.senderMatches) rep.fail('signature.sender_mismatch');
  }
}

interface Chain {
  /** Signer first, anchor last (when found). */
  path: ParsedCertificate[];
  anchor?: ParsedCertificate;
  problem?: string;
  /** Set when the path stopped because the issuer of this (not self-signed) certificate is unknown. */
  stuck?: ParsedCertificate;
}

function sameKey(a: ParsedCertificate, b: ParsedCertificate): boolean {
  return a.publicKey.equals(b.publicKey);
}

/** RFC 5280 §6.1 in its simple form: names chain, signatures verify, CAs are CAs, path lengths hold. */
function buildChain(leaf: ParsedCertificate, pool: readonly ParsedCertificate[], anchors: TrustAnchors): Chain {
  const path: ParsedCertificate[] = [leaf];
  let current = leaf;
  for (let depth = 0; depth < 10; depth++) {
    if (current.unknownCritical.length) {
      return { path, problem: `${formatName(current.subject)} has critical extensions we cannot check: ${current.unknownCritical.join(', ')}` };
    }
    const anchorSelf = anchors.certificates.find((a) => a.subjectDer.equals(current.subjectDer) && sameKey(a, current));
    if (anchorSelf) return { path, anchor: anchorSelf };
    const issuedBy = (c: ParsedCertificate): boolean => c.subjectDer.equals(current.issuerDer) && safeVerify(current, c);
    const anchor = anchors.certificates.find(issuedBy);
    const issuer = anchor ?? pool.find((c) => c !== current && issuedBy(c));
    if (!issuer) {
      const selfSigned = current.subjectDer.equals(current.issuerDer);
      return selfSigned ? { path, problem: `untrusted root ${formatName(current.subject)}` } : { path, problem: `no issuer found for ${formatName(current.subject)}`, stuck: current };
    }
    if (!issuer.isCa || (issuer.keyUsage && !issuer.keyUsage.includes('keyCertSign'))) {
      return { path, problem: `${formatName(issuer.subject)} is not a certification authority` };
    }
    // pathLen counts the intermediate CAs below the issuer (RFC 5280 §4.2.1.9).
    if (issuer.pathLen !== null && path.length - 1 > issuer.pathLen) return { path, problem: 'path length constraint exceeded' };
    path.push(issuer);
    if (anchor) return { path, anchor };
    current = issuer;
  }
  return { path, problem: 'certificate chain too long' };
}

function safeVerify(cert: ParsedCertificate, issuer: ParsedCertificate): boolean {
  try {
    return cert.x509.verify(issuer.publicKey);
  } catch {
    return false;
  }
}
