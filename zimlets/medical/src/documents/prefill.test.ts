import { test } from 'node:test';
import assert from 'node:assert/strict';
import { guessCode, prefillMetadata, titleFromFileName, type DspOptions } from './prefill.ts';
import type { XdmDocument } from './xdm.ts';

const c = (code: string, display: string) => ({ code, scheme: '2.16.840.1.113883.6.1', display });
const OPTIONS: DspOptions = {
  maxDocumentBytes: 20 * 1024 * 1024,
  allowedTypes: ['application/pdf', 'image/jpeg', 'text/plain'],
  classCodes: [c('11488-4', 'Note de consultation'), c('11502-2', 'Compte rendu de laboratoire'), c('18842-5', 'Lettre de sortie')],
  typeCodes: [c('34133-9', 'Synthèse'), c('11502-2', 'Résultats de laboratoire'), c('18748-4', 'Rapport d’imagerie')],
  confidentialityCodes: [c('N', 'Normal'), c('R', 'Restreint'), c('V', 'Très restreint')],
  formatCodes: [c('urn:ihe:iti:xds:2017:mimeTypeSufficient', 'MIME suffisant'), c('urn:ihe:pcc:xds-ms:2007', 'XDS-MS')],
  formatByMimeType: [
    { mimeType: 'application/pdf', formatCode: 'urn:ihe:iti:xds:2017:mimeTypeSufficient' },
    { mimeType: 'image/jpeg', formatCode: 'urn:ihe:iti:xds:2017:mimeTypeSufficient' },
  ],
  practiceSettingCodes: [c('394802001', 'Médecine générale'), c('394579002', 'Cardiologie')],
  healthcareFacilityTypeCodes: [c('35971002', 'Cabinet médical'), c('22232009', 'Hôpital')],
  languages: [c('fr-LU', 'français'), c('de-LU', 'allemand'), c('en-GB', 'anglais')],
  author: { ehealthId: '2854201475', givenName: 'Marie', familyName: 'Schmit', practiceSettingCode: '394579002', healthcareFacilityTypeCode: '22232009' },
};

test('title from the file name, without extension and with spaces', () => {
  assert.equal(titleFromFileName('Resultats_labo_2026-11.pdf'), 'Resultats labo 2026-11');
  assert.equal(titleFromFileName('compte-rendu__consultation.pdf'), 'compte-rendu consultation');
  assert.equal(titleFromFileName('radio thorax.JPEG'), 'radio thorax');
  assert.equal(titleFromFileName('x'.repeat(300) + '.pdf').length, 128);
});

test('a PDF lab result: class/type from the name, normal confidentiality, format from the MIME type, author’s setting, mail date, reader’s language', () => {
  const m = prefillMetadata({ fileName: 'Analyses_laboratoire.pdf', mimeType: 'application/pdf', mailDate: new Date(2026, 10, 30, 23, 30) }, OPTIONS, 'de');
  assert.deepEqual(m, {
    title: 'Analyses laboratoire',
    classCode: '11502-2',
    typeCode: '11502-2',
    confidentialityCode: 'N',
    formatCode: 'urn:ihe:iti:xds:2017:mimeTypeSufficient',
    practiceSettingCode: '394579002',
    healthcareFacilityTypeCode: '22232009',
    serviceStartTime: '2026-11-30',
    languageCode: 'de-LU',
  });
});

test('nothing to go by: the first codes; an unknown MIME type has no format; an author outside the value sets gives no setting', () => {
  const m = prefillMetadata(
    { fileName: 'IMG_0042.heic', mimeType: 'image/heic' },
    { ...OPTIONS, author: { ehealthId: '1', givenName: 'A', familyName: 'B', practiceSettingCode: 'nope' } },
    'en',
  );
  assert.equal(m.classCode, '11488-4');
  assert.equal(m.typeCode, '34133-9');
  assert.equal(m.formatCode, undefined);
  assert.equal(m.practiceSettingCode, undefined);
  assert.equal(m.serviceStartTime, undefined);
  assert.equal(m.languageCode, 'en-GB');
});

test('an XDM entry’s own metadata wins when the value sets know its codes', () => {
  const xdm: XdmDocument = {
    fileName: 'DOC0001.PDF',
    mimeType: 'application/pdf',
    bytes: new Uint8Array(1),
    title: 'Lettre de sortie du 30/11',
    codes: { classCode: '18842-5', typeCode: 'UNKNOWN', confidentialityCode: 'R' },
    languageCode: 'fr-LU',
    serviceStartTime: '2026-11-28',
  };
  const m = prefillMetadata({ fileName: 'DOC0001.PDF', mimeType: 'application/pdf', mailDate: new Date(2026, 11, 1), xdm }, OPTIONS, 'de');
  assert.equal(m.title, 'Lettre de sortie du 30/11');
  assert.equal(m.classCode, '18842-5');
  assert.equal(m.typeCode, '34133-9'); // unknown code: falls back (no hint matches "lettre" in the type list)
  assert.equal(m.confidentialityCode, 'R');
  assert.equal(m.serviceStartTime, '2026-11-28');
  assert.equal(m.languageCode, 'fr-LU');
});

test('guessCode matches words in fr/de/en, without accents', () => {
  assert.equal(guessCode(OPTIONS.typeCodes, 'Röntgen Thorax'), '18748-4');
  assert.equal(guessCode(OPTIONS.typeCodes, 'radiographie_thorax.jpg'), undefined); // only whole words count
  assert.equal(guessCode(OPTIONS.typeCodes, 'radio_thorax.jpg'), '18748-4');
  assert.equal(guessCode(OPTIONS.classCodes, 'Lettre de sortie.pdf'), '18842-5');
  assert.equal(guessCode(OPTIONS.typeCodes, 'Laborbefund.pdf'), undefined); // glued words are not guessed
});
