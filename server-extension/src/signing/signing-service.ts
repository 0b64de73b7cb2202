/**
 * The signing feature as the SOAP layer will call it (GetSigningStatus, SignMessage,
 * VerifySignature in shared/signing/operations.ts): the Signer port, the auth-method port and the trust
 * anchors put together, with the one rule of the guide (p.7): only a card session signs.
 */
import type { SigningStatus, VerificationReport } from '../../../shared/signing/operations.ts';
import type { AuthMethodCaller, AuthMethodPort } from './auth-method.ts';
import { SigningError } from './errors.ts';
import type { Signer } from './signer.ts';
import type { IssuerFetcher } from './aia.ts';
import { verifyMessage, verifyMessageOnline, type RevocationOptions, type TrustAnchors, type VerifyOptions } from './verify.ts';
import { displayName, summarize, type ParsedCertificate } from './x509.ts';

export interface SigningService {
  status(caller: AuthMethodCaller): Promise<SigningStatus>;
  /** Signs as the caller; throws SigningError (sign.card_required in a non-card session). */
  sign(caller: AuthMethodCaller, mime: Buffer): Promise<Buffer>;
  /** Never throws: a bad signature is a report. Revocation from the CRLs at hand only (no network). */
  verify(rawMime: Buffer): VerificationReport;
  /** Like verify, after fetching missing CRLs from the chain's distribution points (what VerifySignature uses). */
  verifyOnline(rawMime: Buffer): Promise<VerificationReport>;
}

export interface SigningServiceDeps {
  signer: Signer;
  authMethods: AuthMethodPort;
  trustAnchors: TrustAnchors;
  now?: () => Date;
  /** CRL checking (crl.ts); absent = revocation not checked. */
  revocation?: RevocationOptions;
  /** Intermediate CAs for signatures that do not carry their chain (ESANTE_SIGNING_INTERMEDIATES). */
  intermediates?: readonly ParsedCertificate[];
  /** AIA caIssuers look-up (aia.ts); absent = off. */
  issuers?: IssuerFetcher;
}

const DAY = 86_400_000;

export function createSigningService(deps: SigningServiceDeps): SigningService {
  const now = deps.now ?? (() => new Date());
  const options = (): VerifyOptions => ({
    now: now(),
    ...(deps.revocation ? { revocation: deps.revocation } : {}),
    ...(deps.intermediates ? { intermediates: deps.intermediates } : {}),
    ...(deps.issuers ? { issuers: deps.issuers } : {}),
  });
  return {
    async status(caller) {
      const authMethod = await deps.authMethods.getAuthMethod(caller);
      const status: SigningStatus = {
        authMethod,
        canSign: false,
        signerKind: deps.signer.kind,
        trustAnchors: deps.trustAnchors.certificates.map((c) => displayName(c.subject)),
      };
      let chain;
      try {
        chain = await deps.signer.certificates({ mail: caller.name });
      } catch (e) {
        status.reason = e instanceof SigningError ? e.code : 'sign.unavailable';
        return status;
      }
      const cert = chain?.[0];
      if (cert) {
        status.certificate = { ...summarize(cert), daysToExpiry: Math.floor((cert.notAfter.getTime() - now().getTime()) / DAY) };
      }
      if (authMethod !== 'card') status.reason = 'sign.card_required';
      else if (!cert) status.reason = 'sign.no_certificate';
      else if (cert.notBefore > now() || cert.notAfter < now()) status.reason = 'sign.certificate_invalid';
      else status.canSign = true;
      return status;
    },
    async sign(caller, mime) {
      // Checked first, before any key is touched: a fallback session never reaches the signer.
      if ((await deps.authMethods.getAuthMethod(caller)) !== 'card') throw new SigningError('sign.card_required');
      return deps.signer.sign(mime, { mail: caller.name });
    },
    verify(rawMime) {
      return verifyMessage(rawMime, deps.trustAnchors, options());
    },
    verifyOnline(rawMime) {
      return verifyMessageOnline(rawMime, deps.trustAnchors, options());
    },
  };
}
