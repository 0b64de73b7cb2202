/**
 * The built-in sample of `npm run dsp:sample -- FILE`: the ITI-41 request the service sends for a
 * small PDF, written XOP-decoded (the document inline as base64, as the XSD sees it) so anyone can
 * check it with outside tools, e.g.
 *   xmllint --noout --schema ../shared/standards/ihe-xds/IHE/IHEXDSB.xsd <(xmllint --xpath '//*[local-name()="ProvideAndRegisterDocumentSetRequest"]' FILE)
 * Built with the same functions as a real filing (xds.ts, mtom.ts, xua.ts).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { DSP_OIDS } from './config.ts';
import { inlineProvideAndRegister } from './mtom.ts';
import { DEFAULT_VALUE_SETS, display } from './value-sets.ts';
import { ACTIONS, dtm, NS, submitObjectsXml } from './xds.ts';
import { issueXuaAssertion, type XuaKey } from './xua.ts';

export const SAMPLE_PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
  'latin1',
);

async function testKey(): Promise<XuaKey> {
  const dir = await mkdtemp(join(tmpdir(), 'dsp-sample-'));
  try {
    await promisify(execFile)('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '1', '-subj', '/CN=dsp:sample XUA', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem')]);
    return { privateKey: await readFile(join(dir, 'k.pem'), 'utf8'), certificate: await readFile(join(dir, 'c.pem'), 'utf8') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The envelope, and its ProvideAndRegisterDocumentSetRequest alone (what xmllint validates). */
export async function buildSample(o: { key?: XuaKey; now?: Date } = {}): Promise<{ envelope: string; body: string }> {
  const key = o.key ?? (await testKey());
  const now = o.now ?? new Date();
  const patientId = `1985031412382^^^&${DSP_OIDS.patient}&ISO`;
  const vs = DEFAULT_VALUE_SETS;
  const pick = (l: typeof vs.classCodes, code: string) => display(l.find((i) => i.code === code)!, 'fr');
  const author = { ehealthId: '2854102337', givenName: 'Marie', familyName: 'Schmit', idRoot: DSP_OIDS.ehealth, role: 'Médecin', organisation: 'Cabinet médical Schmit', organisationId: 'cabinet-schmit', organisationRoot: DSP_OIDS.organisation };
  const entryUUID = 'urn:uuid:4e8c2a9e-6f0b-4a4c-9d51-2b1f0c7d3a10';
  const submit = submitObjectsXml(
    {
      entryUUID,
      uniqueId: '2.25.104599371208516547316462340817238425722',
      patientId,
      mimeType: 'application/pdf',
      title: 'Résultat de laboratoire — HbA1c',
      classCode: pick(vs.classCodes, '11502-2'),
      typeCode: pick(vs.typeCodes, '11502-2'),
      confidentialityCode: pick(vs.confidentialityCodes, 'N'),
      formatCode: pick(vs.formatCodes, 'urn:ihe:iti:xds:2017:mimeTypeSufficient'),
      practiceSettingCode: pick(vs.practiceSettingCodes, '394814009'),
      healthcareFacilityTypeCode: pick(vs.healthcareFacilityTypeCodes, 'PC'),
      languageCode: 'fr-LU',
      creationTime: dtm(now),
      serviceStartTime: '20261201',
      hash: createHash('sha1').update(SAMPLE_PDF).digest('hex'),
      size: SAMPLE_PDF.length,
      author,
    },
    { entryUUID: 'urn:uuid:9b7f3c1d-2e4a-4b6c-8d0e-1f2a3b4c5d6e', uniqueId: '2.25.287395436105623454377846212397856143701', sourceId: DSP_OIDS.source, submissionTime: dtm(now), contentTypeCode: display(vs.contentTypeCode, 'fr') },
  );
  const assertionXml = issueXuaAssertion(
    key,
    {
      ehealthId: author.ehealthId,
      displayName: 'Marie Schmit',
      role: { code: '309343006', scheme: '2.16.840.1.113883.6.96', schemeName: 'SNOMED CT', display: 'Médecin' },
      organisation: author.organisation,
      organisationId: author.organisationId,
      patientId,
      purposeOfUse: { code: 'TREATMENT', scheme: '2.16.840.1.113883.3.18.7.1', schemeName: 'nhin-purpose', display: 'Treatment' },
    },
    { issuer: 'http://127.0.0.1:8080/service/extension/esante', audience: 'urn:esante:dsp', lifetimeSeconds: 300, now },
  ).xml;
  const envelope = inlineProvideAndRegister({ action: ACTIONS.iti41, to: 'http://127.0.0.1:8080/sandbox/dsp/repository', assertionXml }, submit, [{ id: entryUUID, mimeType: 'application/pdf', chunks: [SAMPLE_PDF], size: SAMPLE_PDF.length }]);
  const start = envelope.indexOf('<xdsb:ProvideAndRegisterDocumentSetRequest');
  const end = envelope.indexOf('</xdsb:ProvideAndRegisterDocumentSetRequest>') + '</xdsb:ProvideAndRegisterDocumentSetRequest>'.length;
  return { envelope, body: envelope.slice(start, end) };
}

// `npm run dsp:sample -- FILE`
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const out = process.argv[2];
  if (!out) {
    process.stderr.write('usage: npm run dsp:sample -- FILE\n');
    process.exit(2);
  }
  const { envelope } = await buildSample();
  await writeFile(out, envelope);
  process.stdout.write(`ITI-41 SOAP 1.2 envelope (XOP-decoded, ${envelope.length} characters, namespace ${NS.xdsb}) written to ${out}\n`);
}
