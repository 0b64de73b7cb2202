/**
 * Reads the X.509 fields S/MIME checks need (RFC 5280): names, serial, validity, keyUsage,
 * extKeyUsage, subjectAltName mail addresses, basicConstraints. Signature checks of certificates go
 * through node:crypto's X509Certificate (OpenSSL), which handles every algorithm correctly.
 */
import { X509Certificate, createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { DerError, children, decodeOid, decodeString, decodeTime, expect, octets, readOne, type Tlv } from './der.ts';
import { EKU_NAMES, KEY_USAGE_BITS, NAME_ATTRS, OID } from './oids.ts';
import type { CertificateSummary, SignerSummary } from '../../../shared/signing/operations.ts';

export interface NameAttr {
  oid: string;
  value: string;
}

export interface ParsedCertificate {
  der: Buffer;
  /** The DER of the subject / issuer Name, compared byte for byte when building chains. */
  subjectDer: Buffer;
  issuerDer: Buffer;
  /** RDN attributes in encoding order (least specific first, as encoded). */
  subject: NameAttr[];
  issuer: NameAttr[];
  /** Content octets of the serial INTEGER. */
  serial: Buffer;
  notBefore: Date;
  notAfter: Date;
  publicKey: KeyObject;
  /** keyUsage bit names, or null when the extension is absent. */
  keyUsage: string[] | null;
  /** extKeyUsage OIDs, or null when the extension is absent. */
  extKeyUsage: string[] | null;
  /** rfc822Name entries of subjectAltName plus the legacy emailAddress of the subject, lowercased. */
  mails: string[];
  isCa: boolean;
  pathLen: number | null;
  /** SubjectKeyIdentifier (RFC 5280 §4.2.1.2), used when a CMS signer is named by it. */
  subjectKeyIdentifier: Buffer | null;
  /**
   * http(s) URLs of the CRL Distribution Points (RFC 5280 §4.2.1.13) that cover every reason and
   * whose CRL is issued by the certificate's issuer itself (no `reasons`, no `cRLIssuer`): the only
   * ones crl.ts may use. ldap: and other schemes are left out.
   */
  crlDistributionPoints: string[];
  /**
   * http(s) URLs of the Authority Information Access caIssuers entries (RFC 5280 §4.2.2.1): where
   * the issuer's certificate can be downloaded when a signature does not carry it (aia.ts).
   */
  caIssuers: string[];
  /** http(s) URLs of the Authority Information Access id-ad-ocsp entries: the OCSP responders (ocsp.ts, RFC 6960). */
  ocsp: string[];
  /** Critical extensions this code does not process: such a certificate must be refused (RFC 5280 §4.2). */
  unknownCritical: string[];
  x509: X509Certificate;
}

/** Extensions whose meaning this code applies (certificatePolicies: any policy is accepted). */
const PROCESSED_EXTENSIONS = new Set<string>([
  OID.keyUsage, OID.extKeyUsage, OID.subjectAltName, OID.basicConstraints, OID.subjectKeyIdentifier,
  '2.5.29.35', // authorityKeyIdentifier
  '2.5.29.32', // certificatePolicies
  OID.crlDistributionPoints, // read for crl.ts (RFC 5280 §4.2.1.13: SHOULD be non-critical)
  OID.authorityInfoAccess, // read for aia.ts (RFC 5280 §4.2.2.1: MUST be non-critical)
]);

/**
 * What OpenSSL refuses in bytes our DER reader accepted (a key it cannot load, trailing garbage it
 * reads as PEM…) is a malformed certificate too: one documented error, DerError (found by fuzz/).
 */
function byOpenssl<T>(what: string, make: () => T): T {
  try {
    return make();
  } catch (err) {
    throw new DerError(`${what}: not a valid structure (${(err as Error).message})`);
  }
}

export function parseCertificate(der: Buffer): ParsedCertificate {
  const cert = expect(readOne(der), 0x30, 'Certificate');
  const [tbs] = children(cert);
  const fields = children(expect(tbs, 0x30, 'TBSCertificate'));
  let i = 0;
  if (fields[0]?.tag === 0xa0) i++; // [0] EXPLICIT version
  const serial = expect(fields[i++], 0x02, 'serialNumber').value;
  i++; // signature AlgorithmIdentifier
  const issuer = expect(fields[i++], 0x30, 'issuer');
  const validity = children(expect(fields[i++], 0x30, 'validity'));
  const subject = expect(fields[i++], 0x30, 'subject');
  const spki = expect(fields[i++], 0x30, 'subjectPublicKeyInfo');
  let extensions: Tlv | undefined;
  for (; i < fields.length; i++) if (fields[i]!.tag === 0xa3) extensions = children(fields[i]!)[0];

  const out: ParsedCertificate = {
    der: Buffer.from(der),
    subjectDer: Buffer.from(subject.raw),
    issuerDer: Buffer.from(issuer.raw),
    subject: parseName(subject),
    issuer: parseName(issuer),
    serial: Buffer.from(serial),
    notBefore: decodeTime(validity[0]!),
    notAfter: decodeTime(validity[1]!),
    publicKey: byOpenssl('subjectPublicKeyInfo', () => createPublicKey({ key: Buffer.from(spki.raw), format: 'der', type: 'spki' })),
    keyUsage: null,
    extKeyUsage: null,
    mails: [],
    isCa: false,
    pathLen: null,
    subjectKeyIdentifier: null,
    crlDistributionPoints: [],
    caIssuers: [],
    ocsp: [],
    unknownCritical: [],
    x509: byOpenssl('Certificate', () => new X509Certificate(der)),
  };
  for (const ext of extensions ? children(expect(extensions, 0x30, 'extensions')) : []) {
    const parts = children(ext);
    const id = decodeOid(parts[0]!);
    const critical = parts.length === 3 && parts[1]!.tag === 0x01 && parts[1]!.value[0] !== 0;
    if (critical && !PROCESSED_EXTENSIONS.has(id)) out.unknownCritical.push(id);
    const value = readOne(octets(parts[parts.length - 1]!));
    if (id === OID.keyUsage) {
      const bits = expect(value, 0x03, 'keyUsage').value;
      const names: string[] = [];
      KEY_USAGE_BITS.forEach((name, bit) => {
        const byte = bits[1 + (bit >> 3)];
        if (byte !== undefined && byte & (0x80 >> (bit & 7))) names.push(name);
      });
      out.keyUsage = names;
    } else if (id === OID.extKeyUsage) {
      out.extKeyUsage = children(value).map(decodeOid);
    } else if (id === OID.subjectAltName) {
      for (const gn of children(value)) if (gn.tag === 0x81) out.mails.push(gn.value.toString('latin1').toLowerCase());
    } else if (id === OID.subjectKeyIdentifier) {
      out.subjectKeyIdentifier = Buffer.from(expect(value, 0x04, 'subjectKeyIdentifier').value);
    } else if (id === OID.crlDistributionPoints) {
      out.crlDistributionPoints = distributionPointUrls(value);
    } else if (id === OID.authorityInfoAccess) {
      out.caIssuers = accessUrls(value, OID.caIssuers);
      out.ocsp = accessUrls(value, OID.ocsp);
    } else if (id === OID.basicConstraints) {
      for (const c of children(value)) {
        if (c.tag === 0x01) out.isCa = c.value[0] !== 0;
        if (c.tag === 0x02) out.pathLen = c.value.readUIntBE(0, Math.min(c.value.length, 6));
      }
    }
  }
  for (const a of out.subject) if (a.oid === OID.emailAddress && !out.mails.includes(a.value.toLowerCase())) out.mails.push(a.value.toLowerCase());
  return out;
}

/**
 * CRLDistributionPoints ::= SEQUENCE OF DistributionPoint { distributionPoint [0] DistributionPointName
 * OPTIONAL, reasons [1] OPTIONAL, cRLIssuer [2] OPTIONAL }; DistributionPointName ::= CHOICE {
 * fullName [0] GeneralNames, ... }; a URL is GeneralName uniformResourceIdentifier [6] IA5String.
 */
function distributionPointUrls(value: Tlv): string[] {
  const urls: string[] = [];
  for (const dp of children(expect(value, 0x30, 'CRLDistributionPoints'))) {
    const parts = children(expect(dp, 0x30, 'DistributionPoint'));
    // A partitioned (reasons) or indirect (cRLIssuer) point does not cover the certificate alone.
    if (parts.some((p) => p.tag === 0xa1 || p.tag === 0x81 || p.tag === 0xa2)) continue;
    urls.push(...generalNameUrls(parts.find((p) => p.tag === 0xa0)));
  }
  return urls;
}

/**
 * AuthorityInfoAccessSyntax ::= SEQUENCE OF AccessDescription { accessMethod OID, accessLocation
 * GeneralName }: the http(s) uniformResourceIdentifier [6] locations of one access method
 * (id-ad-caIssuers, id-ad-ocsp: RFC 5280 §4.2.2.1).
 */
function accessUrls(value: Tlv, accessMethod: string): string[] {
  const urls: string[] = [];
  for (const ad of children(expect(value, 0x30, 'AuthorityInfoAccess'))) {
    const [method, location] = children(expect(ad, 0x30, 'AccessDescription'));
    if (!method || !location || decodeOid(method) !== accessMethod || location.tag !== 0x86) continue;
    const url = location.value.toString('latin1');
    if (/^https?:\/\//i.test(url)) urls.push(url);
  }
  return urls;
}

/** The http(s) URIs of a DistributionPointName's fullName (also used for a CRL's IssuingDistributionPoint). */
export function generalNameUrls(dpName: Tlv | undefined): string[] {
  const fullName = dpName ? children(dpName).find((n) => n.tag === 0xa0) : undefined;
  if (!fullName) return [];
  return children(fullName)
    .filter((gn) => gn.tag === 0x86)
    .map((gn) => gn.value.toString('latin1'))
    .filter((u) => /^https?:\/\//i.test(u));
}

export function parseName(name: Tlv): NameAttr[] {
  const out: NameAttr[] = [];
  for (const rdn of children(name)) {
    for (const atv of children(expect(rdn, 0x31, 'RDN'))) {
      const [type, value] = children(atv);
      if (!type || !value) throw new DerError('bad AttributeTypeAndValue');
      out.push({ oid: decodeOid(type), value: decodeString(value) });
    }
  }
  return out;
}

/** RFC 4514 string, most specific attribute first: `CN=Marie Schmit,O=eSanté TEST,C=LU`. */
/**
 * A name as a person reads it (reports, the security panel): most significant last as in RFC 4514,
 * but ", " between attributes and no escapes ("O=eSanté TEST PKI (sandbox, not for production)", not
 * "sandbox\\, not"). Not for comparing names: the DER (`subjectDer`) is compared, never this text.
 */
export function displayName(attrs: readonly NameAttr[]): string {
  return [...attrs]
    .reverse()
    .map((a) => `${NAME_ATTRS[a.oid] ?? a.oid}=${a.value}`)
    .join(', ');
}

/** RFC 4514 string of a name (escaped): for logs and configuration errors. */
export function formatName(attrs: readonly NameAttr[]): string {
  return [...attrs]
    .reverse()
    .map((a) => `${NAME_ATTRS[a.oid] ?? a.oid}=${a.value.replace(/([,+"\\<>;=])/g, '\\$1').replace(/^([ #])/, '\\$1').replace(/ $/, '\\ ')}`)
    .join(',');
}

export function nameAttr(attrs: readonly NameAttr[], shortName: string): string | undefined {
  return attrs.find((a) => NAME_ATTRS[a.oid] === shortName)?.value;
}

export function serialHex(c: ParsedCertificate): string {
  return serialBytesHex(c.serial);
}

/** An INTEGER's content octets as upper-case hex without leading zero bytes (how serials are compared). */
export function serialBytesHex(serial: Buffer): string {
  let s = serial.toString('hex').toUpperCase();
  while (s.length > 2 && s.startsWith('00')) s = s.slice(2);
  return s;
}

export function summarize(c: ParsedCertificate): CertificateSummary {
  return {
    subject: displayName(c.subject),
    issuer: displayName(c.issuer),
    serialNumber: serialHex(c),
    notBefore: c.notBefore.toISOString(),
    notAfter: c.notAfter.toISOString(),
    fingerprintSha256: createHash('sha256').update(c.der).digest('hex').toUpperCase().match(/../g)!.join(':'),
  };
}

export function signerSummary(c: ParsedCertificate): SignerSummary {
  const cn = nameAttr(c.subject, 'CN');
  const gn = nameAttr(c.subject, 'GN');
  const sn = nameAttr(c.subject, 'SN');
  return {
    ...summarize(c),
    name: cn ?? [gn, sn].filter(Boolean).join(' '),
    mail: c.mails[0] ?? '',
    mails: [...c.mails],
  };
}

export function ekuNames(oids: readonly string[] | null): string[] {
  return (oids ?? []).map((o) => EKU_NAMES[o] ?? o);
}

export function isWithin(c: ParsedCertificate, at: Date): boolean {
  return c.notBefore.getTime() <= at.getTime() && at.getTime() <= c.notAfter.getTime();
}

/** Certificates of a PEM bundle (LuxTrust roots, the test root…), in file order. */
export function certificatesFromPem(pem: string): ParsedCertificate[] {
  const out: ParsedCertificate[] = [];
  for (const m of pem.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)) {
    out.push(parseCertificate(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64')));
  }
  return out;
}

export function toPem(der: Buffer, label = 'CERTIFICATE'): string {
  const b64 = der.toString('base64').match(/.{1,64}/g)!.join('\n');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}
