/**
 * The repository stand-in's XUA check in its worker thread (sandbox/dsp/xua-check.ts): the same
 * verdicts as on the calling thread, for an accepted assertion and for each refusal; the root part's
 * facts (documents named, emptied request, patient) come back as plain data.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, test } from 'node:test';
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import { AssertionChecker, checkAssertionXml, checkRootXml } from '../../sandbox/dsp/xua-check.ts';
import { envelopeXml } from '../src/dsp/mtom.ts';
import { issueXuaAssertion, SAML_NS } from '../src/dsp/xua.ts';
import { NS } from '../src/dsp/xds.ts';

const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
const other = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
const patientCx = '1985031412384^^^&2.999.352.1.1&ISO';
const subject = { ehealthId: '1234', displayName: 'Marie Schmit', role: { code: '309343006', scheme: '2.16.840.1.113883.6.96', schemeName: 'SNOMED CT', display: 'Médecin' }, organisation: 'Cabinet', organisationId: 'cabinet', patientId: patientCx, purposeOfUse: { code: 'TREATMENT', scheme: '2.16.840.1.113883.3.18.7.1', schemeName: 'nhin-purpose', display: 'Treatment' } };
const now = new Date();
const signed = issueXuaAssertion({ privateKey, certificate: publicKey }, subject, { issuer: 'urn:esante:test', audience: 'urn:esante:dsp', lifetimeSeconds: 3600, now }).xml;
const alone = (xml: string) => new XMLSerializer().serializeToString(new DOMParser().parseFromString(xml, 'text/xml').getElementsByTagNameNS(SAML_NS, 'Assertion')[0] as never);
const base = { assertionXml: alone(signed), trustedCerts: [publicKey], now: now.getTime(), audience: 'urn:esante:dsp', patientCx };

const checker = new AssertionChecker();
after(() => checker.close());

test('in the worker: the same verdicts as on this thread, accepted and each refusal', async () => {
  const cases = [
    base,
    { ...base, assertionXml: base.assertionXml.replace('Marie Schmit', 'Marc Schmit') },
    { ...base, trustedCerts: [other.publicKey] },
    { ...base, now: now.getTime() + 2 * 3600_000 },
    { ...base, audience: 'urn:another:dsp' },
    { ...base, patientCx: '1990010112345^^^&2.999.352.1.1&ISO' },
    { ...base, assertionXml: base.assertionXml.replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, '') },
  ];
  const expected = [null, 'assertion signature does not verify against a trusted X-Assertion Provider', 'assertion signature does not verify against a trusted X-Assertion Provider', 'assertion expired', 'assertion audience urn:esante:dsp is not this DSP', 'assertion is for another patient', 'assertion not signed'];
  const onThread = cases.map((c) => checkAssertionXml(c));
  assert.deepEqual(onThread, expected);
  assert.deepEqual(await Promise.all(cases.map((c) => checker.check(c))), expected);
  assert.ok(checker.threaded, 'checked in the worker thread, not on this one');
});

test('the root part: documents named, the request emptied, the patient, the XUA verdict', async () => {
  const submit = `<lcm:SubmitObjectsRequest xmlns:lcm="${NS.lcm}"><rim:RegistryObjectList xmlns:rim="${NS.rim}"><rim:RegistryPackage id="ss"><rim:ExternalIdentifier identificationScheme="urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446" value="${patientCx}" id="e" registryObject="ss"/></rim:RegistryPackage></rim:RegistryObjectList></lcm:SubmitObjectsRequest>`;
  const body = `<xdsb:ProvideAndRegisterDocumentSetRequest xmlns:xdsb="${NS.xdsb}">${submit}<xdsb:Document id="d1"><xop:Include xmlns:xop="${NS.xop}" href="cid:doc0%40esante.lu"/></xdsb:Document><xdsb:Document id="d2">QUJD</xdsb:Document></xdsb:ProvideAndRegisterDocumentSetRequest>`;
  const rootXml = envelopeXml({ action: 'urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b', to: 'http://dsp', messageId: 'urn:uuid:1', assertionXml: signed }, body);
  const input = { rootXml, trustedCerts: [publicKey], now: now.getTime(), audience: 'urn:esante:dsp' };
  const facts = await checker.root(input);
  assert.deepEqual(facts, checkRootXml(input));
  assert.equal(facts.fault, undefined);
  assert.equal(facts.messageId, 'urn:uuid:1');
  assert.deepEqual(facts.documents, [{ id: 'd1', cid: 'doc0@esante.lu' }, { id: 'd2', base64: 'QUJD' }]);
  assert.equal(facts.patientCx, patientCx);
  assert.equal(facts.secError, null);
  assert.ok(!facts.emptied.includes('xop:Include') && !facts.emptied.includes('QUJD'), 'documents emptied');
  assert.equal((await checker.root({ ...input, rootXml: rootXml.replace('ProvideAndRegisterDocumentSet-b', 'RegistryStoredQuery') })).fault?.status, 400);
  assert.equal((await checker.root({ ...input, rootXml: '<env:Envelope' })).fault?.reason, 'not well-formed XML');
});
