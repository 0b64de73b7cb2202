/**
 * Signing and verification shapes shared by the service (server-extension/src/signing/) and the
 * security zimlet. `signingOperations` holds the SOAP operations (GetSigningStatus, SignMessage,
 * VerifySignature), declared in the schema language of shared/soap/schema.ts and spread into
 * shared/soap/operations.ts. Their values are exactly the TypeScript interfaces below
 * (server-extension/src/signing/wire-types.ts checks at compile time that they stay in step).
 */
import type { OperationSpec } from '../soap/schema.ts';
import type { SignatureReason } from './reasons.ts';

/** How the Zimbra session was opened: LuxTrust card, or the fallback login (guide p.7 "mode de secours"). */
export type AuthMethod = 'card' | 'fallback' | 'unknown';

/** One X.509 certificate as the zimlet shows it. Dates are ISO 8601 (UTC). */
export interface CertificateSummary {
  /** RFC 4514 string, most specific first: `CN=Marie Schmit,O=…,C=LU`. */
  subject: string;
  issuer: string;
  /** Hex, upper case, no separators. */
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  /** SHA-256 of the DER, hex upper case with ':' like browsers show it. */
  fingerprintSha256: string;
}

export interface SignerSummary extends CertificateSummary {
  /** The certificate's common name (or given name + surname). */
  name: string;
  /** First rfc822Name of subjectAltName (or emailAddress of the subject). */
  mail: string;
  /** Every mail address the certificate vouches for. */
  mails: string[];
}

/**
 * What the verifier found. `valid` is true only when every check passed; otherwise `reason` is the
 * first failing check in this order: malformed/unsupported/none, tampered, invalid, untrusted,
 * revoked, expired, key_usage, sender_mismatch, revocation_unknown; `reasons` lists every failing one.
 * `reasonArgs` are positional and shared by every reason text: {0} the From address, {1} the
 * revocation date (already formatted for the reader by the service).
 */
export interface VerificationReport {
  valid: boolean;
  reason?: SignatureReason;
  reasons: SignatureReason[];
  /** Arguments of the reason texts: [0] the From address (`signature.sender_mismatch`), [1] the revocation date (`signature.revoked`). */
  reasonArgs: string[];
  /** A short technical detail for the report dialog and the logs (never secrets, never message content). */
  detail?: string;
  signer?: SignerSummary;
  /** The signer's claimed signing time (CMS signingTime attribute), ISO 8601; not a trusted timestamp. */
  signingTime?: string;
  /** 'sha-256', 'sha-384', 'sha-512' (micalg names, RFC 8551 §3.4.3.2). */
  digestAlgorithm?: string;
  /** e.g. 'rsa-pkcs1-v1_5', 'ecdsa'. */
  signatureAlgorithm?: string;
  /** The digest the signer signed (messageDigest attribute) and the one of the content received, hex. */
  signedDigest?: string;
  computedDigest?: string;
  /** True when the content's digest differs from the signed one. */
  contentChanged?: boolean;
  /** True when the signature value verifies with the signer's public key. */
  signatureValueOk?: boolean;
  /** Chain from the signer (first) up to the trust anchor (last) when one was found. */
  chain: CertificateSummary[];
  trusted: boolean;
  /** Subject of the trust anchor the chain ends in. */
  trustAnchor?: string;
  /** Every certificate of the chain was within its validity dates at the claimed signing time / now. */
  validAtSigningTime?: boolean;
  validNow?: boolean;
  /** keyUsage names present ('digitalSignature', 'nonRepudiation', …) and extKeyUsage OIDs or names. */
  keyUsage: string[];
  extKeyUsage: string[];
  keyUsageOk?: boolean;
  /** The From address of the message and whether the certificate vouches for it. */
  from?: string;
  senderMatches?: boolean;
  /**
   * True only when the revocation status of every certificate below the trust anchor was read from
   * a valid CRL (status 'good', 'revoked' or 'revoked_after_signing'); false when it could not be
   * established ('unknown') or was not asked for ('not_checked'). A banner must not say "checked"
   * unless this is true.
   */
  revocationChecked: boolean;
  /** What the CRLs said (server-extension/src/signing/crl.ts); absent from older services. */
  revocationStatus?: RevocationStatus;
  /** When revoked: the revocation date (the key's invalidity date when the CRL gives an earlier one), ISO 8601. */
  revokedAt?: string;
  /** When revoked: the CRL reason (RFC 5280 §5.3.1 name: 'keyCompromise', 'superseded'…), if the CRL gives one. */
  revocationReason?: string;
  /** When revoked: the subject of the revoked certificate (the signer's, or an intermediate CA's). */
  revokedSubject?: string;
  /**
   * Which answered the revocation question for each certificate below the anchor, signer first:
   * an OCSP responder (RFC 6960, asked first), a CRL (the fallback), or none (status unknown).
   */
  revocationSources?: Array<'ocsp' | 'crl' | 'none'>;
  checkedAt: string;
}

/**
 * Revocation status of a signature's chain (RFC 5280 §6.3):
 * - 'good': every certificate below the anchor is absent from a valid CRL of its issuer;
 * - 'revoked': a certificate was revoked at or before the signing time (or, without a signing time,
 *   before now): the signature is not valid (`signature.revoked`);
 * - 'revoked_after_signing': revoked after the (claimed) signing time: the signature stays valid, the
 *   report carries the date;
 * - 'unknown': no valid CRL could be found for at least one certificate; valid or not depends on
 *   the service's ESANTE_SIGNING_REVOCATION_UNKNOWN (`signature.revocation_unknown` when refused);
 * - 'not_checked': the chain is not trusted (nothing worth checking) or revocation checking is off.
 */
export type RevocationStatus = 'good' | 'revoked' | 'revoked_after_signing' | 'unknown' | 'not_checked';

/** Whether the caller can sign now, and with which certificate (GetSigningStatus). */
export interface SigningStatus {
  authMethod: AuthMethod;
  canSign: boolean;
  /** Error code (shared/errors.ts) explaining why not, e.g. 'sign.card_required'. */
  reason?: string;
  /** 'soft-token' (embedded test PKI) or 'csc' (remote signing service). */
  signerKind: string;
  certificate?: CertificateSummary & { daysToExpiry: number };
  /** Subjects of the configured trust anchors. */
  trustAnchors: string[];
}

const certificateFields = {
  subject: 'string',
  issuer: 'string',
  serialNumber: 'string',
  notBefore: 'dateTime',
  notAfter: 'dateTime',
  fingerprintSha256: 'string',
} as const;

/** Future SOAP operations of the signing feature (to be spread into shared/soap/operations.ts). */
export const signingOperations = {
  GetSigningStatus: {
    doc: 'How the session was opened (card or fallback), whether the caller may sign, the signing certificate and the trust anchors.',
    auth: 'user',
    request: {},
    response: {
      authMethod: { type: 'string', doc: "'card' | 'fallback' | 'unknown'" },
      canSign: 'boolean',
      reason: { type: 'string', optional: true, doc: 'Error code when canSign is false, e.g. sign.card_required' },
      signerKind: { type: 'string', doc: "'soft-token' | 'csc'" },
      certificate: { optional: true, fields: { ...certificateFields, daysToExpiry: 'int' } },
      trustAnchors: { type: 'string', list: true },
    },
  },
  SignMessage: {
    doc: 'Signs a complete MIME message (RFC 5322, base64 of its bytes) as S/MIME multipart/signed; card sessions only (Fault sign.card_required).',
    auth: 'user',
    request: {
      mime: { type: 'string', max: 36_000_000, doc: 'base64 of the message bytes (From must be the caller)' },
    },
    response: {
      mime: { type: 'string', doc: 'base64 of the signed message, to upload and send as it is (SendMsgRequest {m:{aid}})' },
    },
  },
  VerifySignature: {
    doc: 'Verifies the S/MIME signature of a raw message; never a Fault for a bad signature, a report instead.',
    auth: 'user',
    request: {
      mime: { type: 'string', max: 36_000_000, doc: 'base64 of the raw message (/service/content/get)' },
    },
    response: {
      report: {
        fields: {
          valid: 'boolean',
          reason: { type: 'string', optional: true },
          reasons: { type: 'string', list: true },
          reasonArgs: { type: 'string', list: true },
          detail: { type: 'string', optional: true },
          signer: {
            optional: true,
            fields: { ...certificateFields, name: 'string', mail: 'string', mails: { type: 'string', list: true } },
          },
          signingTime: { type: 'dateTime', optional: true },
          digestAlgorithm: { type: 'string', optional: true },
          signatureAlgorithm: { type: 'string', optional: true },
          signedDigest: { type: 'string', optional: true },
          computedDigest: { type: 'string', optional: true },
          contentChanged: { type: 'boolean', optional: true },
          signatureValueOk: { type: 'boolean', optional: true },
          chain: { list: true, fields: certificateFields },
          trusted: 'boolean',
          trustAnchor: { type: 'string', optional: true },
          validAtSigningTime: { type: 'boolean', optional: true },
          validNow: { type: 'boolean', optional: true },
          keyUsage: { type: 'string', list: true },
          extKeyUsage: { type: 'string', list: true },
          keyUsageOk: { type: 'boolean', optional: true },
          from: { type: 'string', optional: true },
          senderMatches: { type: 'boolean', optional: true },
          revocationChecked: 'boolean',
          revocationStatus: { type: 'string', optional: true, doc: "'good' | 'revoked' | 'revoked_after_signing' | 'unknown' | 'not_checked'" },
          revokedAt: { type: 'dateTime', optional: true },
          revocationReason: { type: 'string', optional: true, doc: 'RFC 5280 CRL reason name, e.g. keyCompromise' },
          revokedSubject: { type: 'string', optional: true },
          revocationSources: { type: 'string', list: true, optional: true, doc: "per certificate below the anchor, signer first: 'ocsp' | 'crl' | 'none'" },
          checkedAt: 'dateTime',
        },
      },
    },
  },
} as const satisfies Record<string, OperationSpec>;
