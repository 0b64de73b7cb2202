/**
 * The Signer port and the S/MIME assembly shared by its adapters. A signer turns a complete MIME
 * message into an RFC 8551 §3.5 `multipart/signed; protocol="application/pkcs7-signature";
 * micalg=sha-256` message: the routing headers (From, To, Subject, Date, Message-ID…) stay on the
 * outer message, the Content-* headers move into the signed first part, the second part is the
 * detached CMS SignedData `smime.p7s`. Adapters only provide a credential: a certificate chain and
 * a way to sign a digest (soft-token.ts: PKCS#12; csc.ts: remote signing service).
 */
import { createHash } from 'node:crypto';
import { buildDetachedSignedData, type KeyAlgorithm } from './cms.ts';
import { SigningError } from './errors.ts';
import {
  CRLF, MimeError, addressOf, base64Lines, field, makeField, newBoundary, parseEntity, serializeEntity, toCrlf, toSevenBit,
} from './mime.ts';
import { isWithin, parseCertificate, type ParsedCertificate } from './x509.ts';

export interface SignerIdentity {
  /** The account's primary address: the certificate must vouch for it, and From must be it. */
  mail: string;
}

/** What an adapter gives the assembly: a chain and a private-key operation on a SHA-256 digest. */
export interface SigningCredential {
  /** DER certificates: the signer's first, then intermediates (the root may be left out). */
  certificates: Buffer[];
  keyAlgorithm: KeyAlgorithm;
  /** RSA PKCS#1 v1.5 (DigestInfo SHA-256) or ECDSA (DER) signature of `digest`. */
  signDigest(digest: Buffer): Promise<Buffer>;
}

export interface CredentialSource {
  readonly kind: 'soft-token' | 'csc';
  /** The credential for a mail address, or null when the account has none. */
  credential(mail: string): Promise<SigningCredential | null>;
}

/** The Signer port (ARCHITECTURE.md: "Signer"). */
export interface Signer {
  readonly kind: 'soft-token' | 'csc';
  /** Signs a complete RFC 5322 message. Throws SigningError (sign.*) and nothing else on bad input. */
  sign(mime: Buffer, signer: SignerIdentity): Promise<Buffer>;
  /** The signer's certificate chain (signer first), or null: for GetSigningStatus. */
  certificates(signer: SignerIdentity): Promise<ParsedCertificate[] | null>;
}

export interface SignerOptions {
  /** Clock (tests). */
  now?: () => Date;
}

export function createSmimeSigner(source: CredentialSource, opts: SignerOptions = {}): Signer {
  const now = opts.now ?? (() => new Date());
  return {
    kind: source.kind,
    async sign(mime, signer) {
      const credential = await source.credential(signer.mail);
      if (!credential) throw new SigningError('sign.no_certificate');
      return signMime(mime, credential, { mail: signer.mail, now: now() });
    },
    async certificates(signer) {
      const credential = await source.credential(signer.mail);
      return credential ? credential.certificates.map(parseCertificate) : null;
    },
  };
}

const day = (d: Date): string => d.toISOString().slice(0, 10);

/** Outer headers that describe the content: they go into the signed part (RFC 8551 §3.5). */
const isContentField = (name: string): boolean => name.startsWith('content-');

export async function signMime(mime: Buffer, credential: SigningCredential, opts: { mail: string; now: Date }): Promise<Buffer> {
  const cert = parseCertificate(credential.certificates[0]!);
  const mail = opts.mail.toLowerCase();
  if (!cert.mails.includes(mail)) throw new SigningError('sign.no_certificate', [], { detail: 'certificate does not name the account' });
  if (!isWithin(cert, opts.now)) throw new SigningError('sign.certificate_invalid', [day(cert.notBefore), day(cert.notAfter)]);

  let entity;
  try {
    entity = parseEntity(toCrlf(mime));
  } catch (e) {
    throw new SigningError('sign.message_invalid', [(e as Error).message]);
  }
  const from = addressOf(field(entity.fields, 'from'));
  if (!from) throw new SigningError('sign.message_invalid', ['From']);
  if (from !== mail) throw new SigningError('sign.sender_mismatch', [from, mail]);

  const outer = entity.fields.filter((f) => !isContentField(f.name) && f.name !== 'mime-version');
  const innerFields = entity.fields.filter((f) => isContentField(f.name));
  // RFC 2045 §5.2: no Content-Type means text/plain; us-ascii. Say so explicitly in the signed part.
  if (!innerFields.some((f) => f.name === 'content-type')) innerFields.unshift(makeField('Content-Type', 'text/plain; charset=us-ascii'));
  // A MimeError is already sign.message_invalid with its detail (mime.ts).
  const inner = serializeEntity(toSevenBit({ fields: innerFields, body: entity.body }));

  let p7s: Buffer;
  try {
    p7s = await buildDetachedSignedData({
      contentDigest: createHash('sha256').update(inner).digest(),
      certificates: credential.certificates,
      signingTime: opts.now,
      keyAlgorithm: credential.keyAlgorithm,
      signDigest: (d) => credential.signDigest(d),
    });
  } catch (e) {
    if (e instanceof SigningError) throw e;
    throw new SigningError('sign.unavailable', [], { cause: e });
  }

  const boundary = newBoundary(inner);
  const head = Buffer.from(
    'MIME-Version: 1.0\r\n' +
      `Content-Type: multipart/signed; protocol="application/pkcs7-signature";\r\n micalg=sha-256; boundary="${boundary}"\r\n` +
      '\r\n' +
      'This is a cryptographically signed message in MIME format (S/MIME).\r\n' +
      '\r\n' +
      `--${boundary}\r\n`,
    'latin1',
  );
  const sigPart = Buffer.from(
    `\r\n--${boundary}\r\n` +
      'Content-Type: application/pkcs7-signature; name="smime.p7s"\r\n' +
      'Content-Transfer-Encoding: base64\r\n' +
      'Content-Disposition: attachment; filename="smime.p7s"\r\n' +
      'Content-Description: S/MIME Cryptographic Signature\r\n' +
      '\r\n',
    'latin1',
  );
  return Buffer.concat([
    ...outer.map((f) => f.raw),
    head,
    inner,
    sigPart,
    base64Lines(p7s),
    Buffer.from(`--${boundary}--`, 'latin1'),
    CRLF,
  ]);
}
