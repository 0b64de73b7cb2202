/**
 * Detached CMS SignedData (RFC 5652 §5) as S/MIME uses it (RFC 8551 §2): one signer, identified by
 * issuer and serial number, signed attributes contentType + signingTime + messageDigest
 * (RFC 8551 §2.5), its certificate chain included. The private-key operation is a callback over the
 * digest of the DER signed attributes, so the same code serves a local key and a remote signing
 * service that only ever sees that digest (CSC signatures/signHash).
 */
import { constants, createHash, verify as cryptoVerify } from 'node:crypto';
import { OID } from './oids.ts';
import {
  DerError, children, context, decodeOid, decodeTime, expect, integer, nullValue, octets, octetString, oid, readOne, seq, setOf, time, tlv,
  type Tlv,
} from './der.ts';
import { parseCertificate, type ParsedCertificate } from './x509.ts';
import { InternalError } from '../errors.ts';

export type KeyAlgorithm = 'rsa' | 'ec';

const MAX_CERTIFICATES = 32;

export interface SignParams {
  /** Digest of the canonical content, with SHA-256. */
  contentDigest: Buffer;
  /** The signer's certificate first, then intermediates (DER). */
  certificates: Buffer[];
  signingTime: Date;
  keyAlgorithm: KeyAlgorithm;
  /** Signs a SHA-256 digest of the signed attributes; RSA PKCS#1 v1.5 or ECDSA (DER) signature out. */
  signDigest(digest: Buffer): Promise<Buffer>;
}

/** Returns the DER ContentInfo of a detached SignedData. */
export async function buildDetachedSignedData(p: SignParams): Promise<Buffer> {
  const signerCert = parseCertificate(p.certificates[0]!);
  const sha256 = seq(oid(OID.sha256));
  const attrs = [
    seq(oid(OID.contentType), setOf(oid(OID.data))),
    seq(oid(OID.signingTime), setOf(time(p.signingTime))),
    seq(oid(OID.messageDigest), setOf(octetString(p.contentDigest))),
    // RFC 8551 §2.5.2: what we can receive, strongest first (AES-256-CBC, AES-128-CBC).
    seq(oid(OID.smimeCapabilities), setOf(seq(seq(oid(OID.aes256Cbc)), seq(oid(OID.aes128Cbc))))),
  ];
  // RFC 5652 §5.4: the signature covers the DER of the attributes as an explicit SET OF.
  const signedAttrsSet = setOf(...attrs);
  const signature = await p.signDigest(createHash('sha256').update(signedAttrsSet).digest());
  // A remote signer (or a PKCS#12 holding a mismatched certificate) could hand back a signature made
  // with another key: check it now rather than send mail every recipient will see as invalid.
  const key = p.keyAlgorithm === 'rsa' ? { key: signerCert.publicKey, padding: constants.RSA_PKCS1_PADDING } : { key: signerCert.publicKey, dsaEncoding: 'der' as const };
  if (!cryptoVerify('sha256', signedAttrsSet, key, signature)) throw new Error('the signature does not match the signer certificate');
  const signedAttrsImplicit = Buffer.concat([Buffer.from([0xa0]), signedAttrsSet.subarray(1)]);
  const signatureAlgorithm = p.keyAlgorithm === 'rsa' ? seq(oid(OID.rsaEncryption), nullValue()) : seq(oid(OID.ecdsaSha256));
  const signerInfo = seq(
    integer(1),
    seq(signerCert.issuerDer, integer(signerCert.serial)),
    sha256,
    signedAttrsImplicit,
    signatureAlgorithm,
    octetString(signature),
  );
  const signedData = seq(
    integer(1),
    setOf(sha256),
    seq(oid(OID.data)), // no eContent: detached (RFC 5652 §5.2)
    tlv(0xa0, ...p.certificates),
    setOf(signerInfo),
  );
  return seq(oid(OID.signedData), context(0, signedData));
}

export interface ParsedSignerInfo {
  /** Matches the signer's certificate. */
  sid: { issuerDer: Buffer; serial: Buffer } | { subjectKeyIdentifier: Buffer };
  digestAlgorithmOid: string;
  /** DER of the signed attributes re-tagged as SET OF (what the signature covers), if present. */
  signedAttrsDer?: Buffer;
  contentType?: string;
  messageDigest?: Buffer;
  signingTime?: Date;
  signatureAlgorithmOid: string;
  signature: Buffer;
}

export interface ParsedSignedData {
  /** eContentType; `data` for S/MIME. */
  contentType: string;
  /** The encapsulated content for opaque signatures; absent when detached. */
  content?: Buffer;
  certificates: ParsedCertificate[];
  signerInfos: ParsedSignerInfo[];
}

/**
 * A CMS structure we cannot read. The verifier turns it into a report reason (verify.ts); should one
 * escape, it is a bug of ours (service.internal), never shown with its detail.
 */
export class CmsError extends InternalError {
  override readonly name = 'CmsError';
  constructor(
    message: string,
    readonly kind: 'malformed' | 'unsupported',
  ) {
    super({ message });
  }
}

/** Parses a CMS ContentInfo holding SignedData. Throws CmsError (malformed / unsupported). */
export function parseSignedData(der: Buffer): ParsedSignedData {
  try {
    const ci = children(expect(readOne(der), 0x30, 'ContentInfo'));
    const type = decodeOid(ci[0]!);
    if (type !== OID.signedData) throw new CmsError(`content type ${type} is not SignedData`, 'unsupported');
    const sd = children(expect(children(expect(ci[1], 0xa0, '[0] content'))[0], 0x30, 'SignedData'));
    let i = 1; // version
    i++; // digestAlgorithms (each signer names its own)
    const encap = children(expect(sd[i++], 0x30, 'EncapsulatedContentInfo'));
    const contentType = decodeOid(encap[0]!);
    const content = encap[1] ? octets(children(expect(encap[1], 0xa0, 'eContent'))[0]!) : undefined;
    const certificates: ParsedCertificate[] = [];
    if (sd[i]?.tag === 0xa0) {
      const all = children(sd[i]!);
      // Chain building tries each certificate: bound the work a hostile message can ask for.
      if (all.length > MAX_CERTIFICATES) throw new CmsError(`more than ${MAX_CERTIFICATES} certificates`, 'unsupported');
      for (const c of all) if (c.tag === 0x30) certificates.push(parseCertificate(Buffer.from(c.raw)));
      i++;
    }
    if (sd[i]?.tag === 0xa1) i++; // CRLs: not used
    const signerInfos = children(expect(sd[i], 0x31, 'signerInfos')).map(parseSignerInfo);
    if (signerInfos.length === 0) throw new CmsError('no SignerInfo', 'malformed');
    return { contentType, ...(content ? { content } : {}), certificates, signerInfos };
  } catch (e) {
    if (e instanceof CmsError) throw e;
    if (e instanceof DerError || e instanceof RangeError || e instanceof TypeError) throw new CmsError(e.message, 'malformed');
    // node:crypto rejects broken certificates with its own errors.
    throw new CmsError(e instanceof Error ? e.message : String(e), 'malformed');
  }
}

function parseSignerInfo(t: Tlv): ParsedSignerInfo {
  const f = children(expect(t, 0x30, 'SignerInfo'));
  let i = 1; // version
  const sidT = f[i++]!;
  let sid: ParsedSignerInfo['sid'];
  if (sidT.tag === 0x30) {
    const [issuer, serial] = children(sidT);
    sid = { issuerDer: Buffer.from(expect(issuer, 0x30, 'issuer').raw), serial: Buffer.from(expect(serial, 0x02, 'serial').value) };
  } else if (sidT.tag === 0x80) {
    sid = { subjectKeyIdentifier: Buffer.from(sidT.value) };
  } else throw new CmsError('unknown SignerIdentifier', 'malformed');
  const digestAlgorithmOid = decodeOid(children(expect(f[i++], 0x30, 'digestAlgorithm'))[0]!);
  const out: ParsedSignerInfo = { sid, digestAlgorithmOid, signatureAlgorithmOid: '', signature: Buffer.alloc(0) };
  if (f[i]?.tag === 0xa0) {
    const attrsT = f[i++]!;
    // The signature covers the attributes with the SET OF tag, not the [0] IMPLICIT one.
    out.signedAttrsDer = Buffer.concat([Buffer.from([0x31]), attrsT.raw.subarray(1)]);
    const seen = new Set<string>();
    for (const attr of children(attrsT)) {
      const [typeT, valuesT] = children(expect(attr, 0x30, 'Attribute'));
      const values = children(expect(valuesT, 0x31, 'AttributeValues'));
      const type = decodeOid(typeT!);
      // Two messageDigest (or signingTime…) attributes would let a reader and a checker disagree.
      if (seen.has(type)) throw new CmsError(`attribute ${type} appears twice`, 'malformed');
      seen.add(type);
      // RFC 5652 §11: these three attributes carry exactly one value.
      if ((type === OID.contentType || type === OID.messageDigest || type === OID.signingTime) && values.length !== 1) {
        throw new CmsError(`attribute ${type} must have one value`, 'malformed');
      }
      if (type === OID.contentType) out.contentType = decodeOid(values[0]!);
      else if (type === OID.messageDigest) out.messageDigest = Buffer.from(expect(values[0], 0x04, 'messageDigest').value);
      else if (type === OID.signingTime) out.signingTime = decodeTime(values[0]!);
    }
  }
  out.signatureAlgorithmOid = decodeOid(children(expect(f[i++], 0x30, 'signatureAlgorithm'))[0]!);
  out.signature = Buffer.from(octets(f[i++]!));
  return out;
}

export function findSignerCertificate(si: ParsedSignerInfo, certs: readonly ParsedCertificate[]): ParsedCertificate | undefined {
  const sid = si.sid;
  if ('issuerDer' in sid) {
    const serial = stripZeros(sid.serial);
    return certs.find((c) => c.issuerDer.equals(sid.issuerDer) && stripZeros(c.serial).equals(serial));
  }
  return certs.find((c) => c.subjectKeyIdentifier?.equals(sid.subjectKeyIdentifier));
}

function stripZeros(b: Buffer): Buffer {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i);
}
