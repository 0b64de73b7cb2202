/**
 * Verifies the SAML 2.0 Response the eSanté portal posts to our assertion consumer (HTTP-POST
 * binding, IdP-initiated Web Browser SSO; profile in shared/provisioning/saml-profile.ts).
 *
 * Every check answers its own code (shared/provisioning/errors.ts), in this order:
 *   size, base64, DTD (sso.malformed: a DTD could expand entities or reach files, XXE) →
 *   XML and shape (sso.malformed) → Destination (sso.wrong_destination) → Status (sso.denied_by_portal) →
 *   exactly one Assertion, no duplicated ID (sso.wrapped) → a signature placed on the Assertion or the
 *   Response (sso.unsigned) → the signature itself with the configured certificate only, RSA-SHA256/512
 *   (sso.bad_signature; a certificate sent in KeyInfo is ignored) → its single Reference points at the
 *   element that carries it (sso.wrapped) → Issuer (sso.wrong_issuer) → Audience (sso.wrong_audience) →
 *   Recipient (sso.wrong_destination) → NotBefore / NotOnOrAfter with the allowed skew
 *   (sso.not_yet_valid / sso.expired).
 * One-time use (sso.replayed) is the caller's last step (provisioning.ts), through the store.
 *
 * Against signature wrapping (XSW), everything is read from the XML that xml-crypto's
 * `getSignedReferences()` returns after a valid signature (the canonical bytes that were hashed),
 * never from the posted document: the assertion we read IS the one that was signed. The posted
 * document must also hold exactly one Assertion and no two elements with the same ID, so a second
 * (unsigned) assertion is refused outright rather than ignored. (The approach of node-saml's
 * `validateSignature`, and of xml-crypto 6's own advice on `validateElementAgainstReferences`.)
 */
import { DOMParser } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { SAML_NS, SAML_STATUS_SUCCESS } from '../../../shared/provisioning/saml-profile.ts';
import type { ProvisioningErrorCode } from '../../../shared/provisioning/errors.ts';
import { childElement as child, childElements as children } from '../../../shared/xml/elements.ts';
import { CodedError } from '../errors.ts';

/** A refused assertion: `code` names the check that failed; `message` is for the log only. */
export class SsoError extends CodedError {
  constructor(code: ProvisioningErrorCode, message?: string) {
    super(code, { message: message ? `${code}: ${message}` : code });
  }
}

export type AuthMethod = 'card' | 'fallback';

export interface SamlVerifierOptions {
  /** PEM certificate (or public key) of the portal's signing key: the only key trusted. */
  idpCertificate: string;
  /** Issuer of the portal's assertions. */
  idpEntityId: string;
  /** Our entity id: the Audience the assertion must name. */
  spEntityId: string;
  /** Our assertion consumer URL: Destination of the Response and Recipient of the confirmation. */
  acsUrl: string;
  /** Tolerated clock difference with the portal, in milliseconds. */
  clockSkewMs: number;
  /** AuthnContextClassRef values meaning "logged in with the LuxTrust card"; anything else is fallback. */
  cardContexts: readonly string[];
}

export interface VerifiedAssertion {
  /** The assertion's ID (one-time use is keyed on issuer + ID). */
  id: string;
  issuer: string;
  /** When the assertion stops being usable (earliest NotOnOrAfter): how long its ID must be remembered. */
  notOnOrAfter: Date;
  authnContextClassRef: string;
  authMethod: AuthMethod;
  nameId?: string;
  /** Attribute values by attribute Name. */
  attributes: Record<string, string[]>;
}

/** Largest SAMLResponse accepted (base64 characters): a real one is a few kilobytes. */
export const MAX_SAML_RESPONSE_CHARS = 256 * 1024;

const ALLOWED_SIGNATURE_ALGORITHMS = new Set([
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
]);
const ALLOWED_DIGEST_ALGORITHMS = new Set(['http://www.w3.org/2001/04/xmlenc#sha256', 'http://www.w3.org/2001/04/xmlenc#sha512']);

/** Parses XML without DTDs; any parser error or warning about broken markup is sso.malformed. */
function parseXml(xml: string): Document {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new SsoError('sso.malformed', 'DTD refused');
  const fail = (msg: string): never => {
    throw new SsoError('sso.malformed', `XML error: ${String(msg).split('\n')[0]}`);
  };
  const doc = new DOMParser({ errorHandler: { warning: () => undefined, error: fail, fatalError: fail } }).parseFromString(xml, 'text/xml');
  if (!doc?.documentElement) fail('no root element');
  return doc as unknown as Document;
}

function textOf(el: Element | undefined): string | undefined {
  const t = el?.textContent?.trim();
  return t ? t : undefined;
}
/** An xs:dateTime attribute as a Date; an absent or unreadable value is undefined / sso.malformed. */
function instant(el: Element | undefined, attr: string): Date | undefined {
  const raw = el?.getAttribute(attr);
  if (!raw) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(raw)) throw new SsoError('sso.malformed', `${attr} is not an xs:dateTime`);
  return new Date(raw);
}

/** Decodes the SAMLResponse form field (strict base64) to the XML text. */
export function decodeSamlResponse(field: string): string {
  if (field.length > MAX_SAML_RESPONSE_CHARS) throw new SsoError('sso.malformed', 'SAMLResponse too large');
  const compact = field.replace(/\s+/g, '');
  if (!compact || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) throw new SsoError('sso.malformed', 'SAMLResponse is not base64');
  return Buffer.from(compact, 'base64').toString('utf8');
}

/** Checks one ds:Signature against the configured key; returns the canonical XML of what it signed. */
function verifySignature(signature: Element, holder: Element, xml: string, certificate: string): string {
  const sig = new SignedXml({ publicCert: certificate, getCertFromKeyInfo: () => null });
  // Only the algorithms we allow: no SHA-1, no HMAC (key confusion), whatever the document names.
  for (const name of Object.keys(sig.SignatureAlgorithms)) {
    if (!ALLOWED_SIGNATURE_ALGORITHMS.has(name)) delete (sig.SignatureAlgorithms as Record<string, unknown>)[name];
  }
  for (const name of Object.keys(sig.HashAlgorithms)) {
    if (!ALLOWED_DIGEST_ALGORITHMS.has(name)) delete (sig.HashAlgorithms as Record<string, unknown>)[name];
  }
  try {
    sig.loadSignature(signature);
  } catch (e) {
    throw new SsoError('sso.bad_signature', `signature unreadable: ${(e as Error).message}`);
  }
  const refs = sig.getReferences();
  const id = holder.getAttribute('ID');
  // One reference, to the element the signature sits in: anything else signs something other than what we read.
  if (refs.length !== 1 || !id || refs[0]!.uri !== `#${id}`) throw new SsoError('sso.wrapped', 'signature does not reference its parent element');
  let valid = false;
  try {
    valid = sig.checkSignature(xml);
  } catch (e) {
    throw new SsoError('sso.bad_signature', (e as Error).message.split('\n')[0]);
  }
  const signed = sig.getSignedReferences();
  if (!valid || signed.length !== 1) throw new SsoError('sso.bad_signature', 'signature value or digest does not match');
  return signed[0]!;
}

/**
 * Verifies a posted SAMLResponse (still base64) at instant `now`. Throws SsoError on any refusal;
 * changes nothing (one-time use is recorded by the caller once this succeeds).
 */
export function verifySamlResponse(samlResponse: string, opts: SamlVerifierOptions, now: Date): VerifiedAssertion {
  const xml = decodeSamlResponse(samlResponse);
  const doc = parseXml(xml);
  const root = doc.documentElement;
  if (root.namespaceURI !== SAML_NS.protocol || root.localName !== 'Response') throw new SsoError('sso.malformed', 'root is not a samlp:Response');
  if (root.getAttribute('Version') !== '2.0') throw new SsoError('sso.malformed', 'Version is not 2.0');
  // SAML Bindings §3.5.5.2: a signed Response posted with HTTP-POST must name where it was sent.
  if (root.getAttribute('Destination') !== opts.acsUrl) throw new SsoError('sso.wrong_destination', 'Response Destination');

  const status = child(root, SAML_NS.protocol, 'Status');
  const statusCode = status ? child(status, SAML_NS.protocol, 'StatusCode')?.getAttribute('Value') : undefined;
  if (statusCode !== SAML_STATUS_SUCCESS) throw new SsoError('sso.denied_by_portal', `status ${statusCode ?? 'missing'}`);

  if (doc.getElementsByTagNameNS(SAML_NS.assertion, 'EncryptedAssertion').length > 0) {
    throw new SsoError('sso.malformed', 'EncryptedAssertion is not supported (TLS protects the POST)');
  }
  const assertions = doc.getElementsByTagNameNS(SAML_NS.assertion, 'Assertion');
  if (assertions.length === 0) throw new SsoError('sso.malformed', 'no Assertion');
  if (assertions.length > 1) throw new SsoError('sso.wrapped', `${assertions.length} Assertion elements`);
  const posted = assertions[0]!;
  if (posted.parentNode !== root) throw new SsoError('sso.wrapped', 'Assertion is not a child of the Response');
  const ids = new Set<string>();
  const all = doc.getElementsByTagName('*');
  for (let i = 0; i < all.length; i++) {
    for (const name of ['ID', 'Id', 'id']) {
      const v = all[i]!.getAttribute(name);
      if (!v) continue;
      if (ids.has(v)) throw new SsoError('sso.wrapped', 'duplicated ID');
      ids.add(v);
    }
  }

  // Prefer the assertion's own signature; else a signature over the whole Response covers it.
  const onAssertion = child(posted, SAML_NS.dsig, 'Signature');
  const onResponse = child(root, SAML_NS.dsig, 'Signature');
  if (!onAssertion && !onResponse) throw new SsoError('sso.unsigned');
  let assertion: Element;
  if (onAssertion) {
    if (onResponse) verifySignature(onResponse, root, xml, opts.idpCertificate);
    const signedXml = verifySignature(onAssertion, posted, xml, opts.idpCertificate);
    assertion = parseXml(signedXml).documentElement as Element;
  } else {
    const signedXml = verifySignature(onResponse!, root, xml, opts.idpCertificate);
    const signedAssertions = parseXml(signedXml).getElementsByTagNameNS(SAML_NS.assertion, 'Assertion');
    if (signedAssertions.length !== 1) throw new SsoError('sso.wrapped', 'signed Response does not hold exactly one Assertion');
    assertion = signedAssertions[0] as Element;
  }
  if (assertion.namespaceURI !== SAML_NS.assertion || assertion.localName !== 'Assertion') throw new SsoError('sso.wrapped', 'signed element is not the Assertion');
  const id = assertion.getAttribute('ID');
  if (!id || id !== posted.getAttribute('ID')) throw new SsoError('sso.wrapped', 'signed Assertion is not the posted one');
  if (assertion.getAttribute('Version') !== '2.0') throw new SsoError('sso.malformed', 'Assertion Version is not 2.0');

  // From here on, only the signed assertion is read.
  const issuer = textOf(child(assertion, SAML_NS.assertion, 'Issuer'));
  if (issuer !== opts.idpEntityId) throw new SsoError('sso.wrong_issuer', 'Assertion Issuer');
  const responseIssuer = textOf(child(root, SAML_NS.assertion, 'Issuer'));
  if (responseIssuer !== undefined && responseIssuer !== opts.idpEntityId) throw new SsoError('sso.wrong_issuer', 'Response Issuer');

  const conditions = child(assertion, SAML_NS.assertion, 'Conditions');
  if (!conditions) throw new SsoError('sso.malformed', 'no Conditions');
  // SAML Core §2.5.1.4: with several AudienceRestriction elements the assertion is valid only for a
  // party named in each; at least one is required here (an assertion for anyone is not for us).
  const restrictions = children(conditions, SAML_NS.assertion, 'AudienceRestriction');
  const forUs = (r: Element): boolean => children(r, SAML_NS.assertion, 'Audience').some((a) => textOf(a) === opts.spEntityId);
  if (restrictions.length === 0 || !restrictions.every(forUs)) throw new SsoError('sso.wrong_audience', 'Audience');

  const subject = child(assertion, SAML_NS.assertion, 'Subject');
  const confirmation = subject
    ? children(subject, SAML_NS.assertion, 'SubjectConfirmation').find((c) => c.getAttribute('Method') === 'urn:oasis:names:tc:SAML:2.0:cm:bearer')
    : undefined;
  const confirmationData = confirmation ? child(confirmation, SAML_NS.assertion, 'SubjectConfirmationData') : undefined;
  if (!confirmationData) throw new SsoError('sso.malformed', 'no bearer SubjectConfirmationData');
  if (confirmationData.getAttribute('Recipient') !== opts.acsUrl) throw new SsoError('sso.wrong_destination', 'Recipient');

  const skew = opts.clockSkewMs;
  const notBefore = instant(conditions, 'NotBefore');
  const ends = [instant(conditions, 'NotOnOrAfter'), instant(confirmationData, 'NotOnOrAfter')].filter((d): d is Date => d !== undefined);
  // Profiles §4.1.4.2: the bearer confirmation MUST carry NotOnOrAfter; an assertion without an end is refused.
  if (ends.length === 0 || !instant(confirmationData, 'NotOnOrAfter')) throw new SsoError('sso.malformed', 'no NotOnOrAfter');
  const notOnOrAfter = new Date(Math.min(...ends.map((d) => d.getTime())));
  if (notBefore && now.getTime() + skew < notBefore.getTime()) throw new SsoError('sso.not_yet_valid');
  if (now.getTime() - skew >= notOnOrAfter.getTime()) throw new SsoError('sso.expired');

  const authn = child(assertion, SAML_NS.assertion, 'AuthnStatement');
  const context = authn ? child(authn, SAML_NS.assertion, 'AuthnContext') : undefined;
  const classRef = context ? textOf(child(context, SAML_NS.assertion, 'AuthnContextClassRef')) : undefined;
  if (!classRef) throw new SsoError('sso.malformed', 'no AuthnContextClassRef');

  const attributes: Record<string, string[]> = {};
  for (const statement of children(assertion, SAML_NS.assertion, 'AttributeStatement')) {
    for (const attr of children(statement, SAML_NS.assertion, 'Attribute')) {
      const name = attr.getAttribute('Name');
      if (!name) continue;
      const values = children(attr, SAML_NS.assertion, 'AttributeValue').map((v) => v.textContent?.trim() ?? '');
      (attributes[name] ??= []).push(...values.filter((v) => v !== ''));
    }
  }
  const nameId = subject ? textOf(child(subject, SAML_NS.assertion, 'NameID')) : undefined;
  return {
    id,
    issuer,
    notOnOrAfter,
    authnContextClassRef: classRef,
    authMethod: opts.cardContexts.includes(classRef) ? 'card' : 'fallback',
    ...(nameId ? { nameId } : {}),
    attributes,
  };
}
