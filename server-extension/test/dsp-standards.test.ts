/**
 * The DSP messages against outside judges: the XUA assertion's signature with xmlsec1 (Debian
 * xmlsec1), the sample ITI-41 body (XOP-decoded) with xmllint against IHEXDSB.xsd, and the sandbox
 * repository answering a ProvideAndRegister written by another implementation (inline <Document>,
 * default namespaces, symbolic ids, as in the IHE samples) with a RegistryResponse valid against
 * ebRS30/rs.xsd.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { SANDBOX_PATIENTS } from '../../sandbox/dsp/patients.ts';
import { startDspStandIn, xmllint, XDS_SCHEMA } from '../../sandbox/dsp/standin.ts';
import { buildSample } from '../src/dsp/sample.ts';
import { issueXuaAssertion, type XuaKey } from '../src/dsp/xua.ts';

const run = promisify(execFile);
const RS_XSD = join(XDS_SCHEMA, '..', '..', 'ebRS30', 'rs.xsd');
let dir: string;
let key: XuaKey;
let dsp: Awaited<ReturnType<typeof startDspStandIn>>;
const patient = `${SANDBOX_PATIENTS[3]!.matricule}^^^&2.999.352.1.1&ISO`;

const subject = {
  ehealthId: '2854102337',
  displayName: 'Marie Schmit',
  role: { code: '309343006', scheme: '2.16.840.1.113883.6.96', schemeName: 'SNOMED CT', display: 'Médecin' },
  organisation: 'Cabinet Schmit',
  organisationId: 'cabinet-schmit',
  patientId: patient,
  purposeOfUse: { code: 'TREATMENT', scheme: '2.16.840.1.113883.3.18.7.1', schemeName: 'nhin-purpose', display: 'Treatment' },
};

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dsp-std-'));
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '2', '-subj', '/CN=XUA test', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')]);
  key = { privateKey: await readFile(join(dir, 'key.pem'), 'utf8'), certificate: await readFile(join(dir, 'cert.pem'), 'utf8') };
  dsp = await startDspStandIn({ trustedCerts: () => [key.certificate] });
});
after(async () => {
  await dsp?.stop();
  await rm(dir, { recursive: true, force: true });
});

test('the XUA assertion verifies with xmlsec1, and a changed attribute does not', async () => {
  const { xml } = issueXuaAssertion(key, subject, { issuer: 'https://webmail.esante.lu/service/extension/esante', audience: 'urn:esante:dsp', lifetimeSeconds: 300, now: new Date() });
  const file = join(dir, 'assertion.xml');
  const args = ['--verify', '--id-attr:ID', 'urn:oasis:names:tc:SAML:2.0:assertion:Assertion', '--pubkey-cert-pem', join(dir, 'cert.pem'), '--trusted-pem', join(dir, 'cert.pem'), file];
  await writeFile(file, `<?xml version="1.0" encoding="UTF-8"?>\n${xml}`);
  const ok = await run('xmlsec1', args);
  assert.match(ok.stderr, /OK/);
  await writeFile(file, `<?xml version="1.0" encoding="UTF-8"?>\n${xml.replace('TREATMENT', 'EMERGENCY')}`);
  await assert.rejects(run('xmlsec1', args), /FAIL|failed/i);
});

test('the built-in sample (npm run dsp:sample) validates with IHEXDSB.xsd as a whole Body child', async () => {
  const { envelope, body } = await buildSample({ key });
  assert.match(envelope, /<wsa:Action env:mustUnderstand="true">urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b<\/wsa:Action>/);
  assert.match(envelope, /<xdsb:Document id="[^"]+">JVBER/);
  assert.deepEqual(await xmllint(body, XDS_SCHEMA), []);
});

/** A ProvideAndRegister as another implementation writes it (default namespaces, symbolic ids, inline document). */
function foreignPnr(doc: Buffer, assertionXml: string, uniqueId: string): string {
  const sha1 = createHash('sha1').update(doc).digest('hex');
  const cls = (id: string, scheme: string, code: string, codingScheme: string) =>
    `<Classification id="${id}" classificationScheme="${scheme}" classifiedObject="Document01" nodeRepresentation="${code}"><Slot name="codingScheme"><ValueList><Value>${codingScheme}</Value></ValueList></Slot><Name><LocalizedString value="${code}"/></Name></Classification>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://www.w3.org/2005/08/addressing">
 <s:Header>
  <a:Action s:mustUnderstand="1">urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b</a:Action>
  <a:MessageID>urn:uuid:0b3bd6f2-6b1c-4f8e-9d6a-3f0c8d1f2e11</a:MessageID>
  <a:To s:mustUnderstand="1">${dsp.url}/repository</a:To>
  <wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">${assertionXml}</wsse:Security>
 </s:Header>
 <s:Body>
  <ProvideAndRegisterDocumentSetRequest xmlns="urn:ihe:iti:xds-b:2007">
   <SubmitObjectsRequest xmlns="urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0">
    <RegistryObjectList xmlns="urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0">
     <ExtrinsicObject id="Document01" mimeType="text/plain" objectType="urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1">
      <Slot name="creationTime"><ValueList><Value>20261201093000</Value></ValueList></Slot>
      <Slot name="hash"><ValueList><Value>${sha1}</Value></ValueList></Slot>
      <Slot name="languageCode"><ValueList><Value>de-LU</Value></ValueList></Slot>
      <Slot name="size"><ValueList><Value>${doc.length}</Value></ValueList></Slot>
      <Slot name="sourcePatientId"><ValueList><Value>${patient}</Value></ValueList></Slot>
      <Name><LocalizedString value="Befund"/></Name>
      ${cls('cl01', 'urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a', '11502-2', '2.16.840.1.113883.6.1')}
      ${cls('cl02', 'urn:uuid:f4f85eac-e6cb-4883-b524-f2705394840f', 'N', '2.16.840.1.113883.5.25')}
      ${cls('cl03', 'urn:uuid:a09d5840-386c-46f2-b5ad-9c3699a4309d', 'urn:ihe:iti:xds:2017:mimeTypeSufficient', '1.3.6.1.4.1.19376.1.2.3')}
      ${cls('cl04', 'urn:uuid:f33fb8ac-18af-42cc-ae0e-ed0b0bdb91e1', 'HOSP', '2.16.840.1.113883.5.111')}
      ${cls('cl05', 'urn:uuid:cccf5598-8b07-4b77-a05e-ae952c785ead', '394802001', '2.16.840.1.113883.6.96')}
      ${cls('cl06', 'urn:uuid:f0306f51-975f-434e-a61c-c59651d33983', '11502-2', '2.16.840.1.113883.6.1')}
      <ExternalIdentifier id="ei01" identificationScheme="urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427" registryObject="Document01" value="${patient}"><Name><LocalizedString value="XDSDocumentEntry.patientId"/></Name></ExternalIdentifier>
      <ExternalIdentifier id="ei02" identificationScheme="urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab" registryObject="Document01" value="${uniqueId}"><Name><LocalizedString value="XDSDocumentEntry.uniqueId"/></Name></ExternalIdentifier>
     </ExtrinsicObject>
     <RegistryPackage id="SubmissionSet01">
      <Slot name="submissionTime"><ValueList><Value>20261201093000</Value></ValueList></Slot>
      <Classification id="cl07" classificationScheme="urn:uuid:aa543740-bdda-424e-8c96-df4873be8500" classifiedObject="SubmissionSet01" nodeRepresentation="34133-9"><Slot name="codingScheme"><ValueList><Value>2.16.840.1.113883.6.1</Value></ValueList></Slot><Name><LocalizedString value="Summary"/></Name></Classification>
      <ExternalIdentifier id="ei03" identificationScheme="urn:uuid:96fdda7c-d067-4183-912e-bf5ee74998a8" registryObject="SubmissionSet01" value="${uniqueId}.1"><Name><LocalizedString value="XDSSubmissionSet.uniqueId"/></Name></ExternalIdentifier>
      <ExternalIdentifier id="ei04" identificationScheme="urn:uuid:554ac39e-e3fe-47fe-b233-965d2a147832" registryObject="SubmissionSet01" value="1.3.6.1.4.1.21367.2026.1"><Name><LocalizedString value="XDSSubmissionSet.sourceId"/></Name></ExternalIdentifier>
      <ExternalIdentifier id="ei05" identificationScheme="urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446" registryObject="SubmissionSet01" value="${patient}"><Name><LocalizedString value="XDSSubmissionSet.patientId"/></Name></ExternalIdentifier>
     </RegistryPackage>
     <Classification id="cl08" classifiedObject="SubmissionSet01" classificationNode="urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd"/>
     <Association id="as01" associationType="urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember" sourceObject="SubmissionSet01" targetObject="Document01"><Slot name="SubmissionSetStatus"><ValueList><Value>Original</Value></ValueList></Slot></Association>
    </RegistryObjectList>
   </SubmitObjectsRequest>
   <Document id="Document01">${doc.toString('base64')}</Document>
  </ProvideAndRegisterDocumentSetRequest>
 </s:Body>
</s:Envelope>`;
}

async function postForeign(body: string): Promise<string> {
  const res = await fetch(`${dsp.url}/repository`, { method: 'POST', headers: { 'Content-Type': 'application/soap+xml; charset=UTF-8; action="urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b"' }, body });
  assert.equal(res.status, 200);
  return res.text();
}

const registryResponseOf = (envelope: string) => /<rs:RegistryResponse[\s\S]*<\/rs:RegistryResponse>|<rs:RegistryResponse[^>]*\/>/.exec(envelope)![0];

test('another implementation’s inline ProvideAndRegister is accepted; the RegistryResponse validates with rs.xsd', async () => {
  const doc = Buffer.from('Glukose nüchtern: 92 mg/dl\n', 'utf8');
  const { xml: assertionXml } = issueXuaAssertion(key, subject, { issuer: 'urn:other:xua', audience: 'urn:esante:dsp', lifetimeSeconds: 300, now: new Date() });
  const ok = registryResponseOf(await postForeign(foreignPnr(doc, assertionXml, '1.3.6.1.4.1.21367.2026.77')));
  assert.match(ok, /ResponseStatusType:Success/);
  assert.deepEqual(await xmllint(ok, RS_XSD), []);
  assert.equal(dsp.standIn.entries.at(-1)?.hash, createHash('sha1').update(doc).digest('hex'));

  // The same unique id again: the registry refuses it with the standard code, also schema-valid.
  const dup = registryResponseOf(await postForeign(foreignPnr(doc, assertionXml, '1.3.6.1.4.1.21367.2026.77')));
  assert.match(dup, /errorCode="XDSDuplicateUniqueIdInRegistry"/);
  assert.deepEqual(await xmllint(dup, RS_XSD), []);

  // A wrong hash: XDSRepositoryMetadataError (ITI TF-2b §3.41.4.1.3).
  const bad = registryResponseOf(await postForeign(foreignPnr(doc, assertionXml, '1.3.6.1.4.1.21367.2026.78').replace(/<Value>[0-9a-f]{40}<\/Value>/, `<Value>${'0'.repeat(40)}</Value>`)));
  assert.match(bad, /errorCode="XDSRepositoryMetadataError"/);
});
