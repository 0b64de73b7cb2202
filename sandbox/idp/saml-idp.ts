/**
 * The stand-in portal's identity-provider side (sandbox only, never shipped): a signing key made at
 * first use, and signed SAML 2.0 Responses in the profile of shared/provisioning/saml-profile.ts,
 * shaped like those of a real IdP (Shibboleth, Keycloak): the Assertion carries an enveloped
 * RSA-SHA256 signature (exclusive C14N) placed right after its Issuer, as SAML Core §5.4.1 requires.
 * Tests use `buildResponse` with overrides to make every broken assertion the service must refuse.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SignedXml } from 'xml-crypto';
import {
  ATTRNAME_FORMAT_URI,
  AUTHN_CONTEXT,
  NAMEID_PERSISTENT,
  SAML_ATTRIBUTES,
  SAML_NS,
  SAML_STATUS_SUCCESS,
  SANDBOX_IDP_ENTITY_ID,
} from '../../shared/provisioning/saml-profile.ts';

const execFileAsync = promisify(execFile);

export interface IdpKey {
  /** PKCS#8 PEM private key. */
  privateKey: string;
  /** Self-signed certificate (PEM): what the service is configured to trust. */
  certificate: string;
}

/** Files of the IdP key inside a data dir: `<dir>/idp/idp-key.pem` (600) and `<dir>/idp/idp-cert.pem`. */
export function idpKeyFiles(dataDir: string): { dir: string; key: string; cert: string } {
  const dir = join(dataDir, 'idp');
  return { dir, key: join(dir, 'idp-key.pem'), cert: join(dir, 'idp-cert.pem') };
}

/**
 * A new RSA-2048 key and a self-signed certificate for it (valid 5 years), made by the openssl
 * command line in its own process: generating and signing in JavaScript would stall the sandbox's
 * event loop for a second on a busy machine.
 */
export async function createIdpKey(commonName = 'Portail eSante (sandbox IdP)'): Promise<IdpKey> {
  const dir = await mkdtemp(join(tmpdir(), 'esante-idp-'));
  try {
    const keyFile = join(dir, 'key.pem');
    const certFile = join(dir, 'cert.pem');
    await execFileAsync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '1825', '-subj', `/C=LU/O=Sandbox/CN=${commonName}`, '-keyout', keyFile, '-out', certFile],
      { timeout: 30_000 },
    );
    return { privateKey: await readFile(keyFile, 'utf8'), certificate: await readFile(certFile, 'utf8') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The IdP key of a data dir, made and written at first use (key mode 600), then reused. */
export async function ensureIdpKey(dataDir: string): Promise<IdpKey> {
  const files = idpKeyFiles(dataDir);
  if (existsSync(files.key) && existsSync(files.cert)) {
    return { privateKey: readFileSync(files.key, 'utf8'), certificate: readFileSync(files.cert, 'utf8') };
  }
  const key = await createIdpKey();
  mkdirSync(files.dir, { recursive: true });
  writeFileSync(files.key, key.privateKey, { mode: 0o600 });
  // Written last: the service takes the certificate's presence to mean the portal is ready.
  writeFileSync(files.cert, key.certificate, { mode: 0o644 });
  return key;
}

export interface ResponseOptions {
  key: IdpKey;
  /** Where the browser posts it (the service's ACS URL): Destination and Recipient. */
  acsUrl: string;
  /** The service's entity id (Audience). */
  audience: string;
  issuer?: string;
  /** Directory uid of the professional. */
  professionalId: string;
  givenName?: string;
  surname?: string;
  preferredLanguage?: string;
  /** 'card' → SmartcardPKI, 'fallback' → PasswordProtectedTransport, or any class URI. */
  authContext?: 'card' | 'fallback' | string;
  now?: Date;
  /** Lifetime of the assertion in seconds (default 300). */
  lifetimeSeconds?: number;
  /** Sign the Assertion (default), the whole Response, or nothing. */
  sign?: 'assertion' | 'response' | 'none';
  /** Overrides of the Destination / Recipient (tests of misdirected responses). */
  destination?: string;
  recipient?: string;
  statusCode?: string;
  assertionId?: string;
  /** Sign with RSA-SHA1 / SHA-1 digests (tests: the service must refuse them). */
  sha1?: boolean;
}

const escapeXml = (s: string): string => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
const newId = (): string => `_${randomBytes(20).toString('hex')}`;

function attribute(name: string, value: string | undefined): string {
  if (value === undefined || value === '') return '';
  return `<saml:Attribute Name="${name}" NameFormat="${ATTRNAME_FORMAT_URI}"><saml:AttributeValue xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xs:string">${escapeXml(value)}</saml:AttributeValue></saml:Attribute>`;
}

/** Signs the element with the given ID inside `xml` (enveloped, placed after its Issuer). */
export function signElement(xml: string, key: IdpKey, elementLocalName: 'Assertion' | 'Response', sha1 = false): string {
  const sig = new SignedXml({
    privateKey: key.privateKey,
    publicCert: key.certificate,
    // SHA-1 only for tests proving the service refuses it.
    signatureAlgorithm: sha1 ? 'http://www.w3.org/2000/09/xmldsig#rsa-sha1' : 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  });
  const xpath = `//*[local-name(.)='${elementLocalName}' and namespace-uri(.)='${elementLocalName === 'Assertion' ? SAML_NS.assertion : SAML_NS.protocol}']`;
  sig.addReference({
    xpath,
    digestAlgorithm: sha1 ? 'http://www.w3.org/2000/09/xmldsig#sha1' : 'http://www.w3.org/2001/04/xmlenc#sha256',
    transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
  });
  sig.computeSignature(xml, { prefix: 'ds', location: { reference: `${xpath}/*[local-name(.)='Issuer']`, action: 'after' } });
  return sig.getSignedXml();
}

/** A samlp:Response (XML text, not yet base64) for one professional. */
export function buildResponse(o: ResponseOptions): string {
  const now = o.now ?? new Date();
  const until = new Date(now.getTime() + (o.lifetimeSeconds ?? 300) * 1000);
  const issuer = escapeXml(o.issuer ?? SANDBOX_IDP_ENTITY_ID);
  const context = o.authContext === 'card' || o.authContext === undefined ? AUTHN_CONTEXT.card : o.authContext === 'fallback' ? AUTHN_CONTEXT.fallback : o.authContext;
  const assertionId = o.assertionId ?? newId();
  const iso = (d: Date): string => d.toISOString();
  const assertion =
    `<saml:Assertion xmlns:saml="${SAML_NS.assertion}" ID="${assertionId}" Version="2.0" IssueInstant="${iso(now)}">` +
    `<saml:Issuer>${issuer}</saml:Issuer>` +
    `<saml:Subject><saml:NameID Format="${NAMEID_PERSISTENT}">${escapeXml(o.professionalId)}</saml:NameID>` +
    `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="${iso(until)}" Recipient="${escapeXml(o.recipient ?? o.acsUrl)}"/></saml:SubjectConfirmation></saml:Subject>` +
    `<saml:Conditions NotBefore="${iso(new Date(now.getTime() - 5000))}" NotOnOrAfter="${iso(until)}"><saml:AudienceRestriction><saml:Audience>${escapeXml(o.audience)}</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
    `<saml:AuthnStatement AuthnInstant="${iso(now)}" SessionIndex="${newId()}"><saml:AuthnContext><saml:AuthnContextClassRef>${escapeXml(context)}</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>` +
    `<saml:AttributeStatement>` +
    attribute(SAML_ATTRIBUTES.professionalId, o.professionalId) +
    attribute(SAML_ATTRIBUTES.givenName, o.givenName) +
    attribute(SAML_ATTRIBUTES.surname, o.surname) +
    attribute(SAML_ATTRIBUTES.preferredLanguage, o.preferredLanguage) +
    `</saml:AttributeStatement></saml:Assertion>`;
  const sign = o.sign ?? 'assertion';
  const signedAssertion = sign === 'assertion' ? signElement(assertion, o.key, 'Assertion', o.sha1) : assertion;
  const response =
    `<samlp:Response xmlns:samlp="${SAML_NS.protocol}" xmlns:saml="${SAML_NS.assertion}" ID="${newId()}" Version="2.0" IssueInstant="${iso(now)}" Destination="${escapeXml(o.destination ?? o.acsUrl)}">` +
    `<saml:Issuer>${issuer}</saml:Issuer>` +
    `<samlp:Status><samlp:StatusCode Value="${escapeXml(o.statusCode ?? SAML_STATUS_SUCCESS)}"/></samlp:Status>` +
    signedAssertion +
    `</samlp:Response>`;
  return sign === 'response' ? signElement(response, o.key, 'Response', o.sha1) : response;
}

/** The form field value: base64 of the XML (SAML Bindings §3.5.4). */
export function encodeResponse(xml: string): string {
  return Buffer.from(xml, 'utf8').toString('base64');
}
