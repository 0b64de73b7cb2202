/**
 * OCSP (RFC 6960) for the certificates of a signature's chain, asked first; the CRLs (crl.ts) stay
 * the fallback. Mail clients do the same (OCSP first, fresher than a CRL published once a day), and
 * certificate authorities such as LuxTrust run responders named in their certificates' AIA.
 *
 * - The responder is the certificate's Authority Information Access id-ad-ocsp URL (RFC 5280
 *   §4.2.2.1), http(s) only, and only for certificates that already chain to a configured trust
 *   anchor (the URL was written by a trusted CA, as for CRL distribution points).
 * - The request (RFC 6960 §4.1.1) names one certificate by CertID with SHA-1 (RFC 5019 §2.1.1: what
 *   every responder accepts) and carries a fresh 32-byte nonce (§4.4.1; RFC 8954 §2.1: 1 to 32 bytes);
 *   it is POSTed as application/ocsp-request (Appendix A.1), with a time and a size bound.
 * - An answer is used only when (§3.2, §4.2.2.2): the response status is successful and of type
 *   id-pkix-ocsp-basic; its signature verifies (exact tbsResponseData bytes, node:crypto) with the
 *   key of the issuing CA itself or of a delegated responder whose certificate is in the response,
 *   issued and signed by that same CA, within its validity, with extKeyUsage id-kp-OCSPSigning; the
 *   responderID names that signer; the SingleResponse is for our CertID; an echoed nonce equals ours
 *   (a response without nonce is accepted, as RFC 5019 §2.2.1 lets pre-produced responses omit it:
 *   replay is then bounded by thisUpdate / nextUpdate); thisUpdate is not in the future (skew) and
 *   nextUpdate, when present, not passed; no critical extension we do not process.
 * - 'good' and 'revoked' answers are cached until nextUpdate (without nextUpdate: one minute); a
 *   failed, refused or 'unknown' answer is not believed, the CRL decides, and the responder is not
 *   asked again for that certificate before `retryAfterMs` (a responder that is down costs one
 *   timeout per minute, not one per message).
 *
 * Library choice: node-forge has no OCSP; pkijs has OCSPRequest / BasicOCSPResponse, but would bring
 * asn1js, pvtsutils and a WebCrypto engine for what is ~250 lines on the DER reader the CRL and CMS
 * code already use (fuzzed in fuzz/, exact signed bytes, the same DerError on malformed input) and
 * the same node:crypto signature check as crl.ts. So this is hand-written on der.ts.
 */
import { createHash, randomBytes } from 'node:crypto';
import { CRL_REASONS, signedBytesOk, type CertRevocation, type CrlReason, type RevocationChecker } from './crl.ts';
import { DerError, children, context, decodeOid, decodeTime, expect, integer, octetString, octets, oid, readOne, seq, type Tlv, nullValue } from './der.ts';
import { RemoteCache, downloadBounded, type RemoteCacheOptions } from './download.ts';
import { OID } from './oids.ts';
import { formatName, parseCertificate, serialHex, type ParsedCertificate } from './x509.ts';

/** OCSPResponseStatus (RFC 6960 §4.2.1). */
const RESPONSE_STATUS = ['successful', 'malformedRequest', 'internalError', 'tryLater', '', 'sigRequired', 'unauthorized'] as const;
/** Extensions of a response we process (nonce) or may ignore when not critical. */
const KNOWN_EXTENSIONS = new Set<string>([OID.ocspNonce]);

export interface CertId {
  der: Buffer;
  /** Hex of issuerNameHash, issuerKeyHash and the serial: our cache key. */
  key: string;
}

/** The SHA-1 CertID of `cert` issued by `issuer` (RFC 6960 §4.1.1). */
export function certIdOf(cert: ParsedCertificate, issuer: ParsedCertificate): CertId {
  const nameHash = createHash('sha1').update(cert.issuerDer).digest();
  const keyHash = Buffer.from(keyHashOf(issuer), 'hex');
  const der = seq(seq(oid(OID.sha1), nullValue()), octetString(nameHash), octetString(keyHash), integer(cert.serial));
  return { der, key: `${nameHash.toString('hex')}:${keyHash.toString('hex')}:${serialHex(cert)}` };
}

/** OCSPRequest { tbsRequest { requestList { Request { reqCert } }, requestExtensions [2] { nonce } } }. */
export function ocspRequest(id: CertId, nonce: Buffer): Buffer {
  const nonceExt = seq(oid(OID.ocspNonce), octetString(octetString(nonce)));
  return seq(seq(seq(seq(id.der)), context(2, seq(nonceExt))));
}

export interface SingleOcspResponse {
  certIdDer: Buffer;
  status: 'good' | 'revoked' | 'unknown';
  revokedAt?: Date;
  reason?: CrlReason;
  thisUpdate: Date;
  nextUpdate: Date | null;
}

export interface ParsedOcspResponse {
  responseStatus: string;
  /** Exact signed bytes (ResponseData). */
  tbsDer: Buffer;
  responderByName?: Buffer;
  responderByKeyHash?: Buffer;
  producedAt: Date;
  responses: SingleOcspResponse[];
  nonce?: Buffer;
  unknownCritical: string[];
  signatureAlgorithm: string;
  signature: Buffer;
  certs: ParsedCertificate[];
}

function extensions(t: Tlv): Array<{ id: string; critical: boolean; value: Buffer }> {
  return children(expect(t, 0x30, 'Extensions')).map((e) => {
    const parts = children(expect(e, 0x30, 'Extension'));
    const critical = parts.length === 3 && parts[1]!.tag === 0x01 && parts[1]!.value[0] !== 0;
    return { id: decodeOid(parts[0]), critical, value: octets(parts[parts.length - 1]) };
  });
}

/** Parses an OCSPResponse (RFC 6960 §4.2.1). Throws DerError on malformed input. */
export function parseOcspResponse(der: Buffer): ParsedOcspResponse {
  const top = children(expect(readOne(der), 0x30, 'OCSPResponse'));
  const statusTlv = expect(top[0], 0x0a, 'responseStatus');
  const responseStatus = RESPONSE_STATUS[statusTlv.value[0] ?? 99] || `status ${statusTlv.value[0]}`;
  const empty: ParsedOcspResponse = { responseStatus, tbsDer: Buffer.alloc(0), producedAt: new Date(0), responses: [], unknownCritical: [], signatureAlgorithm: '', signature: Buffer.alloc(0), certs: [] };
  if (responseStatus !== 'successful') return empty;
  const bytes = children(expect(children(expect(top[1], 0xa0, 'responseBytes'))[0], 0x30, 'ResponseBytes'));
  if (decodeOid(bytes[0]) !== OID.ocspBasic) throw new DerError('OCSP response type is not id-pkix-ocsp-basic');
  const basic = children(expect(readOne(octets(bytes[1])), 0x30, 'BasicOCSPResponse'));
  const tbs = expect(basic[0], 0x30, 'ResponseData');
  const signatureAlgorithm = decodeOid(children(expect(basic[1], 0x30, 'signatureAlgorithm'))[0]);
  const sigBits = expect(basic[2], 0x03, 'signature').value;
  if (sigBits[0] !== 0) throw new DerError('OCSP signature has unused bits');
  const certs = basic[3] ? children(expect(children(expect(basic[3], 0xa0, 'certs'))[0], 0x30, 'certs')).map((c) => parseCertificate(Buffer.from(c.raw))) : [];

  let fields = children(tbs);
  if (fields[0]?.tag === 0xa0) fields = fields.slice(1); // version [0] EXPLICIT, v1 only
  const rid = fields[0];
  const out: ParsedOcspResponse = { ...empty, tbsDer: Buffer.from(tbs.raw), signatureAlgorithm, signature: Buffer.from(sigBits.subarray(1)), certs };
  if (rid?.tag === 0xa1) out.responderByName = Buffer.from(children(rid)[0]?.raw ?? Buffer.alloc(0));
  else if (rid?.tag === 0xa2) out.responderByKeyHash = Buffer.from(octets(children(rid)[0]));
  else throw new DerError('OCSP responderID missing');
  out.producedAt = decodeTime(fields[1]);
  for (const r of children(expect(fields[2], 0x30, 'responses'))) {
    const p = children(expect(r, 0x30, 'SingleResponse'));
    const certIdDer = Buffer.from(expect(p[0], 0x30, 'CertID').raw);
    const st = p[1];
    if (!st) throw new DerError('OCSP certStatus missing');
    const single: SingleOcspResponse = { certIdDer, status: 'unknown', thisUpdate: decodeTime(p[2]), nextUpdate: null };
    if (st.tag === 0x80) single.status = 'good';
    else if (st.tag === 0xa1) {
      single.status = 'revoked';
      const info = children(st);
      single.revokedAt = decodeTime(info[0]);
      if (info[1]?.tag === 0xa0) {
        const name = CRL_REASONS[expect(children(info[1])[0], 0x0a, 'CRLReason').value[0] ?? 99];
        if (name) single.reason = name;
      }
    } else if (st.tag !== 0x82) throw new DerError('OCSP certStatus is not good, revoked or unknown');
    for (const extra of p.slice(3)) {
      if (extra.tag === 0xa0) single.nextUpdate = decodeTime(children(extra)[0]);
      else if (extra.tag === 0xa1) for (const e of extensions(children(extra)[0]!)) if (e.critical) out.unknownCritical.push(e.id);
    }
    out.responses.push(single);
  }
  const ext = fields.slice(3).find((f) => f.tag === 0xa1);
  if (ext) {
    for (const e of extensions(children(ext)[0]!)) {
      if (e.id === OID.ocspNonce) out.nonce = Buffer.from(octets(readOne(e.value)));
      else if (e.critical && !KNOWN_EXTENSIONS.has(e.id)) out.unknownCritical.push(e.id);
    }
  }
  return out;
}

/** Why the response cannot tell the status of `id`; undefined when it can (RFC 6960 §3.2, §4.2.2.2). */
export function ocspProblem(r: ParsedOcspResponse, id: CertId, issuer: ParsedCertificate, nonce: Buffer | undefined, now: Date, skewMs = 5 * 60_000): string | undefined {
  if (r.responseStatus !== 'successful') return `responder answered ${r.responseStatus}`;
  // The signer: the CA itself, or a delegated responder certificate issued by it for OCSP signing.
  const names = (c: ParsedCertificate) =>
    (r.responderByName && c.subjectDer.equals(r.responderByName)) ||
    (r.responderByKeyHash && r.responderByKeyHash.toString('hex') === keyHashOf(c));
  let signer: ParsedCertificate | undefined;
  if (names(issuer)) signer = issuer;
  else {
    const delegated = r.certs.find((c) => names(c));
    if (!delegated) return 'the responder is neither the CA nor a certificate in the response';
    if (!delegated.issuerDer.equals(issuer.subjectDer) || !delegated.x509.verify(issuer.publicKey)) return `responder ${formatName(delegated.subject)} is not certified by ${formatName(issuer.subject)}`;
    if (!delegated.extKeyUsage?.includes(OID.ocspSigning)) return `responder ${formatName(delegated.subject)} lacks id-kp-OCSPSigning`;
    if (delegated.notBefore.getTime() > now.getTime() + skewMs || delegated.notAfter.getTime() < now.getTime()) return `responder certificate ${formatName(delegated.subject)} is not valid now`;
    signer = delegated;
  }
  if (!signedBytesOk(r.signatureAlgorithm, r.tbsDer, r.signature, signer.publicKey)) return 'bad signature on the OCSP response';
  if (r.unknownCritical.length) return `critical extensions not processed (${r.unknownCritical.join(', ')})`;
  if (nonce && r.nonce && !r.nonce.equals(nonce)) return 'the nonce is not ours (replayed response)';
  const single = r.responses.find((s) => s.certIdDer.equals(id.der));
  if (!single) return 'no answer for this certificate';
  if (single.thisUpdate.getTime() > now.getTime() + skewMs) return 'thisUpdate is in the future';
  if (single.nextUpdate && single.nextUpdate.getTime() < now.getTime()) return `the answer expired on ${single.nextUpdate.toISOString()}`;
  return undefined;
}

/** SHA-1 of a certificate's subjectPublicKey BIT STRING value without its unused-bits octet (CertID issuerKeyHash, ResponderID byKey). */
function keyHashOf(c: ParsedCertificate): string {
  const spki = children(readOne(c.publicKey.export({ type: 'spki', format: 'der' })));
  return createHash('sha1').update(expect(spki[1], 0x03, 'subjectPublicKey').value.subarray(1)).digest('hex');
}

export interface OcspAnswer {
  status: 'good' | 'revoked' | 'unknown';
  revokedAt?: Date;
  reason?: CrlReason;
  url: string;
  thisUpdate: Date;
  nextUpdate: Date | null;
}

/** Defaults: 3 s for the whole exchange, 64 KiB per response (a response is a few KiB), 60 s before asking again after a failure. */
export type OcspClientOptions = RemoteCacheOptions;

interface Entry {
  answer?: OcspAnswer;
  problem?: string;
  until: number;
}

/** Asks OCSP responders, one request at a time per certificate, and keeps answers until nextUpdate. */
export class OcspClient extends RemoteCache<Entry> {
  constructor(opts: OcspClientOptions = {}) {
    super(opts, { timeoutMs: 3_000, maxBytes: 64 * 1024 });
  }

  /** The cached answer for `cert`, or why there is none usable (no network). */
  lookup(cert: ParsedCertificate, issuer: ParsedCertificate, now: Date): { answer?: OcspAnswer; problem?: string } {
    const e = this.cache.get(certIdOf(cert, issuer).key);
    // A certificate without a responder: nothing to say, the CRL alone decides as before.
    if (!e) return cert.ocsp.length ? { problem: 'OCSP not asked' } : {};
    if (e.answer && e.answer.nextUpdate && e.answer.nextUpdate.getTime() < now.getTime()) return { problem: 'OCSP answer expired' };
    return e.answer ? { answer: e.answer } : { problem: e.problem ?? 'no OCSP answer' };
  }

  /** Asks the certificate's responders unless a current answer or a recent failure is cached. Never throws. */
  async refresh(cert: ParsedCertificate, issuer: ParsedCertificate): Promise<void> {
    const urls = cert.ocsp.filter((u) => /^https?:\/\//i.test(u));
    if (!urls.length) return;
    let id: CertId;
    try {
      id = certIdOf(cert, issuer);
    } catch {
      return;
    }
    return this.once(id.key, () => this.ask(id, urls, issuer));
  }

  private async ask(id: CertId, urls: string[], issuer: ParsedCertificate): Promise<void> {
    const problems: string[] = [];
    for (const url of urls) {
      const nonce = randomBytes(32);
      try {
        this.requests++;
        const body = await downloadBounded(url, {
          fetch: this.doFetch,
          timeoutMs: this.timeoutMs,
          maxBytes: this.maxBytes,
          accept: 'application/ocsp-response',
          what: 'OCSP response',
          post: { body: ocspRequest(id, nonce), contentType: 'application/ocsp-request' },
        });
        const now = this.now();
        const parsed = parseOcspResponse(body);
        const problem = ocspProblem(parsed, id, issuer, nonce, now);
        if (problem) {
          problems.push(`OCSP ${url}: ${problem}`);
          continue;
        }
        const single = parsed.responses.find((s) => s.certIdDer.equals(id.der))!;
        if (single.status === 'unknown') {
          problems.push(`OCSP ${url}: the responder does not know this certificate`);
          continue;
        }
        const answer: OcspAnswer = { status: single.status, url, thisUpdate: single.thisUpdate, nextUpdate: single.nextUpdate, ...(single.revokedAt ? { revokedAt: single.revokedAt } : {}), ...(single.reason ? { reason: single.reason } : {}) };
        const until = single.nextUpdate ? single.nextUpdate.getTime() : now.getTime() + 60_000;
        this.cache.set(id.key, { answer, until });
        return;
      } catch (err) {
        problems.push(`OCSP ${url}: ${(err as Error).message}`);
      }
    }
    this.opts.log?.warn({ problems }, 'no usable OCSP answer; the CRL decides');
    this.cache.set(id.key, { problem: problems.join('; '), until: this.now().getTime() + this.retryAfterMs });
  }
}

/**
 * The revocation checker with OCSP first: a usable 'good' or 'revoked' answer decides; otherwise
 * (no responder, down, refused, forged, 'unknown') the CRL checker does, and the OCSP problem is kept
 * in the result's problems. The result's `via` says which answered.
 */
export function createOcspChecker(ocsp: OcspClient, fallback: RevocationChecker): RevocationChecker {
  const statusOf = (cert: ParsedCertificate, issuer: ParsedCertificate, now: Date): CertRevocation => {
    const { answer, problem } = ocsp.lookup(cert, issuer, now);
    if (answer && answer.status !== 'unknown') {
      return { status: answer.status, ...(answer.revokedAt ? { revokedAt: answer.revokedAt } : {}), ...(answer.reason ? { reason: answer.reason } : {}), source: answer.url, via: 'ocsp', problems: [] };
    }
    const viaCrl = fallback.statusOf(cert, issuer, now);
    return { ...viaCrl, problems: [...(problem ? [problem] : []), ...viaCrl.problems] };
  };
  return {
    statusOf,
    async prepare(pairs, now) {
      await Promise.all(pairs.map(([cert, issuer]) => ocsp.refresh(cert, issuer)));
      const rest = pairs.filter(([cert, issuer]) => statusOf(cert, issuer, now).via !== 'ocsp');
      if (rest.length) await fallback.prepare(rest, now);
    },
  };
}
