/**
 * XUA (IHE ITI-40) identity assertion: a SAML 2.0 Assertion the service issues and signs for the
 * caller, carried in the WS-Security header of every ITI-41 / ITI-18 request to the DSP.
 *
 * Attributes: IHE ITI TF-2b §3.40.4.1.2 (XUA subject-id, organization, organization-id,
 * subject:role and purposeofuse as HL7 CE, resource-id = the patient's CX) following OASIS XSPA
 * SAML profile; signature: enveloped XML-DSig, exclusive c14n, RSA-SHA256, placed after Issuer
 * (SAML core §5.4). Trust model: README.md beside this file.
 */
import { randomBytes } from 'node:crypto';
import { SignedXml } from 'xml-crypto';
import { escapeXml } from './xds.ts';

export const SAML_NS = 'urn:oasis:names:tc:SAML:2.0:assertion';

export interface XuaKey {
  privateKey: string;
  certificate: string;
}

export interface XuaSubject {
  /** eHealth ID of the professional (NameID and subject-id's identifier). */
  ehealthId: string;
  displayName: string;
  /** HL7 CE role code (e.g. SNOMED CT 309343006 "Physician"). */
  role: { code: string; scheme: string; schemeName: string; display: string };
  organisation: string;
  organisationId: string;
  /** CX of the patient (resource-id). */
  patientId: string;
  /** PurposeOfUse code (HL7 v3 ActReason, e.g. TREATMENT). */
  purposeOfUse: { code: string; scheme: string; schemeName: string; display: string };
}

export interface XuaOptions {
  issuer: string;
  audience: string;
  lifetimeSeconds: number;
  now: Date;
}

const attr = (n: string, value: string): string =>
  `<saml2:Attribute Name="${n}"><saml2:AttributeValue xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xs:string">${escapeXml(value)}</saml2:AttributeValue></saml2:Attribute>`;
const ceAttr = (n: string, element: 'Role' | 'PurposeOfUse', c: XuaSubject['role']): string =>
  `<saml2:Attribute Name="${n}"><saml2:AttributeValue><hl7:${element} xmlns:hl7="urn:hl7-org:v3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="hl7:CE" code="${escapeXml(c.code)}" codeSystem="${escapeXml(c.scheme)}" codeSystemName="${escapeXml(c.schemeName)}" displayName="${escapeXml(c.display)}"/></saml2:AttributeValue></saml2:Attribute>`;

/** Builds and signs the assertion; answers its XML (no XML declaration) and its ID. */
export function issueXuaAssertion(key: XuaKey, s: XuaSubject, o: XuaOptions): { xml: string; id: string; notOnOrAfter: Date } {
  const id = `_${randomBytes(20).toString('hex')}`;
  const now = new Date(Math.floor(o.now.getTime() / 1000) * 1000);
  const notBefore = new Date(now.getTime() - 60_000).toISOString();
  const end = new Date(now.getTime() + o.lifetimeSeconds * 1000);
  const xml = [
    `<saml2:Assertion xmlns:saml2="${SAML_NS}" ID="${id}" IssueInstant="${now.toISOString()}" Version="2.0">`,
    `<saml2:Issuer>${escapeXml(o.issuer)}</saml2:Issuer>`,
    '<saml2:Subject>',
    `<saml2:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified">${escapeXml(s.ehealthId)}</saml2:NameID>`,
    // Bearer over mutual TLS: the DSP trusts the service's signing key (README "Trust model").
    `<saml2:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml2:SubjectConfirmationData NotOnOrAfter="${end.toISOString()}"/></saml2:SubjectConfirmation>`,
    '</saml2:Subject>',
    `<saml2:Conditions NotBefore="${notBefore}" NotOnOrAfter="${end.toISOString()}"><saml2:AudienceRestriction><saml2:Audience>${escapeXml(o.audience)}</saml2:Audience></saml2:AudienceRestriction></saml2:Conditions>`,
    `<saml2:AuthnStatement AuthnInstant="${now.toISOString()}"><saml2:AuthnContext><saml2:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI</saml2:AuthnContextClassRef></saml2:AuthnContext></saml2:AuthnStatement>`,
    '<saml2:AttributeStatement>',
    attr('urn:oasis:names:tc:xspa:1.0:subject:subject-id', s.displayName),
    attr('urn:oasis:names:tc:xspa:1.0:subject:organization', s.organisation),
    attr('urn:oasis:names:tc:xspa:1.0:subject:organization-id', s.organisationId),
    ceAttr('urn:oasis:names:tc:xacml:2.0:subject:role', 'Role', s.role),
    ceAttr('urn:oasis:names:tc:xspa:1.0:subject:purposeofuse', 'PurposeOfUse', s.purposeOfUse),
    attr('urn:oasis:names:tc:xacml:2.0:resource:resource-id', s.patientId),
    '</saml2:AttributeStatement>',
    '</saml2:Assertion>',
  ].join('');
  const sig = new SignedXml({
    privateKey: key.privateKey,
    publicCert: key.certificate,
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  });
  const xpath = `//*[local-name(.)='Assertion' and namespace-uri(.)='${SAML_NS}']`;
  sig.addReference({
    xpath,
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
    transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
  });
  sig.computeSignature(xml, { prefix: 'ds', location: { reference: `${xpath}/*[local-name(.)='Issuer']`, action: 'after' } });
  return { xml: sig.getSignedXml(), id, notOnOrAfter: end };
}
