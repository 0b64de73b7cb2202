import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DOMParser } from '@xmldom/xmldom';
import { zipSync, strToU8 } from 'fflate';
import { isXdmPackage, parseXdmPackage, XdmError, type ParseXml } from './xdm.ts';
import { sampleMetadataXml, sampleXdmZip, type SampleXdm } from './xdm.sample.ts';

const parseXml: ParseXml = (text) => new DOMParser().parseFromString(text, 'text/xml') as unknown as ReturnType<ParseXml>;
const LIMITS = { maxFileBytes: 1024 * 1024, maxTotalBytes: 4 * 1024 * 1024 };
const PDF = strToU8('%PDF-1.4 lettre de sortie');

const sample: SampleXdm = {
  matricule: '1893120105732',
  familyName: 'SCHMIT',
  givenName: 'Anne',
  birthDate: '18931201',
  documents: [
    {
      uri: 'DOC0001.PDF',
      mimeType: 'application/pdf',
      bytes: PDF,
      title: 'Lettre de sortie',
      classCode: '18842-5',
      typeCode: '18842-5',
      confidentialityCode: 'R',
      formatCode: 'urn:ihe:iti:xds:2017:mimeTypeSufficient',
      serviceStartTime: '20261130101500',
      languageCode: 'fr-LU',
    },
  ],
};

test('recognises an XDM zip, and not an ordinary zip', () => {
  assert.equal(isXdmPackage(sampleXdmZip(sample)), true);
  assert.equal(isXdmPackage(zipSync({ 'a.txt': strToU8('x') })), false);
  assert.equal(isXdmPackage(PDF), false);
});

test('reads the patient (matricule, name, birth date) and each document with its metadata and bytes', () => {
  const pkg = parseXdmPackage(sampleXdmZip(sample), parseXml, LIMITS)!;
  assert.deepEqual(pkg.patient, {
    patientId: '1893120105732^^^&1.3.182.4.4&ISO',
    matricule: '1893120105732',
    familyName: 'SCHMIT',
    givenName: 'Anne',
    birthDate: '1893-12-01',
  });
  assert.equal(pkg.documents.length, 1);
  const d = pkg.documents[0]!;
  assert.equal(d.fileName, 'DOC0001.PDF');
  assert.equal(d.mimeType, 'application/pdf');
  assert.deepEqual([...d.bytes], [...PDF]);
  assert.equal(d.title, 'Lettre de sortie');
  assert.deepEqual(d.codes, { classCode: '18842-5', confidentialityCode: 'R', formatCode: 'urn:ihe:iti:xds:2017:mimeTypeSufficient', typeCode: '18842-5' });
  assert.equal(d.serviceStartTime, '2026-11-30');
  assert.equal(d.languageCode, 'fr-LU');
  assert.equal(d.uniqueId, '1.2.3.4.5.1');
});

test('a patient id that is not a valid matricule gives no matricule (the doctor searches by hand)', () => {
  const pkg = parseXdmPackage(sampleXdmZip({ ...sample, matricule: '1893120105733' }), parseXml, LIMITS)!;
  assert.equal(pkg.patient.matricule, undefined);
  assert.equal(pkg.patient.familyName, 'SCHMIT');
});

test('not XDM → undefined; broken XDM → XdmError; oversized files are not inflated', () => {
  assert.equal(parseXdmPackage(zipSync({ 'a.txt': strToU8('x') }), parseXml, LIMITS), undefined);
  const missingDoc = zipSync({ IHE_XDM: { SUBSET01: { 'METADATA.XML': strToU8(sampleMetadataXml(sample)) } } });
  assert.throws(() => parseXdmPackage(missingDoc, parseXml, LIMITS), (e: unknown) => e instanceof XdmError && /DOC0001\.PDF is missing/.test(e.message));
  const notEbrs = zipSync({ IHE_XDM: { SUBSET01: { 'METADATA.XML': strToU8('<html/>') } } });
  assert.throws(() => parseXdmPackage(notEbrs, parseXml, LIMITS), XdmError);
  const big = sampleXdmZip({ ...sample, documents: [{ ...sample.documents[0]!, bytes: new Uint8Array(LIMITS.maxFileBytes + 1) }] });
  assert.throws(() => parseXdmPackage(big, parseXml, LIMITS), (e: unknown) => e instanceof XdmError && /too large/.test(e.message));
});
