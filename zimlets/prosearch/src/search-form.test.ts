import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DirectoryReferences } from '../../../shared/directory/operations.ts';
import { EMPTY_FORM, allowedFromReferences, formToCriteria, specialtiesFor, type FormValues } from './search-form.ts';

const refs: DirectoryReferences = {
  professions: [
    { code: 'medecin-specialiste', fr: 'Médecin spécialiste', de: 'Facharzt', en: 'Specialist' },
    { code: 'infirmier', fr: 'Infirmier', de: 'Krankenpfleger', en: 'Nurse' },
  ],
  specialties: [
    { code: 'cardiologie', fr: 'Cardiologie', de: 'Kardiologie', en: 'Cardiology', professions: ['medecin-specialiste'] },
    { code: 'soins-palliatifs', fr: 'Soins palliatifs', de: 'Palliativpflege', en: 'Palliative care', professions: ['infirmier', 'medecin-specialiste'] },
  ],
  sectors: [{ code: 'hospitalier', fr: 'Hospitalier', de: 'Krankenhaus', en: 'Hospital' }],
  communities: [{ code: 'ammd', fr: 'AMMD', de: 'AMMD', en: 'AMMD' }],
  identifierTypes: [],
};
const allowed = allowedFromReferences(refs);
const form = (v: Partial<FormValues>): FormValues => ({ ...EMPTY_FORM, ...v });

test('the guide’s rule: name OR identifier is required, whatever else is filled', () => {
  assert.deepEqual(formToCriteria(form({ firstName: 'Marie', city: 'Esch', profession: 'infirmier' }), allowed), { ok: false, problem: { kind: 'required' } });
  assert.deepEqual(formToCriteria(form({ name: '   ' }), allowed), { ok: false, problem: { kind: 'required' } });
  assert.equal(formToCriteria(form({ name: 'Schmit' }), allowed).ok, true);
  assert.equal(formToCriteria(form({ identifier: '1234' }), allowed).ok, true);
});

test('filled fields become trimmed criteria; the identifier type goes only with an identifier', () => {
  const r = formToCriteria(
    form({ name: ' Schmit ', firstName: 'Marie', profession: 'medecin-specialiste', specialty: 'cardiologie', establishment: 'CHL', sector: 'hospitalier', community: 'ammd', identifierType: 'rpreg' }),
    allowed,
  );
  assert.deepEqual(r, {
    ok: true,
    criteria: { name: 'Schmit', firstName: 'Marie', profession: 'medecin-specialiste', specialty: 'cardiologie', establishment: 'CHL', sector: 'hospitalier', community: 'ammd' },
  });
  assert.deepEqual(formToCriteria(form({ identifier: 'AB-12', identifierType: 'luxtrust' }), allowed), { ok: true, criteria: { identifier: 'AB-12', identifierType: 'luxtrust' } });
});

test('the two city / postal code pairs: either one, the same value twice, or a conflict', () => {
  assert.deepEqual(formToCriteria(form({ name: 'x', idCity: 'Esch', idPostalCode: '4240' }), allowed), { ok: true, criteria: { name: 'x', city: 'Esch', postalCode: '4240' } });
  assert.deepEqual(formToCriteria(form({ name: 'x', city: 'Esch', postalCode: 'L-4240', idPostalCode: '4240', idCity: 'ÉSCH' }), allowed), {
    ok: true,
    criteria: { name: 'x', city: 'ÉSCH', postalCode: '4240' },
  });
  assert.deepEqual(formToCriteria(form({ name: 'x', idCity: 'Esch', city: 'Wiltz' }), allowed), { ok: false, problem: { kind: 'conflict', field: 'city' } });
  assert.deepEqual(formToCriteria(form({ name: 'x', idPostalCode: '4240', postalCode: '9530' }), allowed), { ok: false, problem: { kind: 'conflict', field: 'postalCode' } });
});

test('bad values are refused with the field to point at, as the service would', () => {
  assert.deepEqual(formToCriteria(form({ name: 'x', profession: 'astronaute' }), allowed), { ok: false, problem: { kind: 'invalid', field: 'profession' } });
  assert.deepEqual(formToCriteria(form({ name: 'x', idPostalCode: '123' }), allowed), { ok: false, problem: { kind: 'invalid', field: 'idPostalCode' } });
  assert.deepEqual(formToCriteria(form({ name: 'x', postalCode: 'abcd' }), allowed), { ok: false, problem: { kind: 'invalid', field: 'postalCode' } });
  assert.deepEqual(formToCriteria(form({ name: 'a'.repeat(65) }), allowed), { ok: false, problem: { kind: 'invalid', field: 'name' } });
  assert.deepEqual(formToCriteria(form({ name: 'x\u0000' }), allowed), { ok: false, problem: { kind: 'invalid', field: 'name' } });
  // Metacharacters are data: accepted here, searched literally by the service.
  assert.deepEqual(formToCriteria(form({ name: '*)(sn=*' }), allowed), { ok: true, criteria: { name: '*)(sn=*' } });
});

test('specialties follow the chosen profession', () => {
  assert.deepEqual(specialtiesFor(refs, 'infirmier').map((s) => s.code), ['soins-palliatifs']);
  assert.deepEqual(specialtiesFor(refs, '').map((s) => s.code), ['cardiologie', 'soins-palliatifs']);
});
