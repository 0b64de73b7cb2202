import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type AllowedCodes, MAX_LENGTH, MAX_PAGE_SIZE, checkCriteria, checkPage, restrictedMayMatch } from './criteria.ts';
import { directoryOperations } from './operations.ts';
import type { SearchCriteria } from './operations.ts';

const allowed: AllowedCodes = {
  professions: new Set(['infirmier', 'medecin-specialiste']),
  specialties: new Set(['cardiologie-angiologie']),
  sectors: new Set(['hospitalier']),
  communities: new Set(['ammd']),
};

test('normalises every criterion', () => {
  const r = checkCriteria(
    {
      name: ' Van der Berg-Weiß ',
      firstName: 'Zoë',
      profession: 'medecin-specialiste',
      specialty: 'cardiologie-angiologie',
      postalCode: 'L-4240',
      city: 'Esch-sur-Alzette',
      establishment: 'Centre Hospitalier',
      sector: 'hospitalier',
      community: 'ammd',
      identifier: 'eh-syn 1234',
      identifierType: 'ehealth',
    },
    allowed,
  );
  assert.deepEqual(r, {
    ok: true,
    value: {
      name: 'van der berg weiss',
      firstName: 'zoe',
      city: 'esch sur alzette',
      establishment: 'centre hospitalier',
      profession: 'medecin-specialiste',
      specialty: 'cardiologie-angiologie',
      sector: 'hospitalier',
      community: 'ammd',
      postalCode: '4240',
      identifier: { value: 'ehsyn1234', types: ['ehealth'] },
    },
  });
});

test('an identifier without type is looked up in all four', () => {
  const r = checkCriteria({ identifier: 'X1' }, allowed);
  assert.ok(r.ok);
  assert.deepEqual(r.value.identifier?.types, ['ehealth', 'rpreg', 'rnrpp', 'luxtrust']);
});

test('name or identifier is required; blanks count as absent', () => {
  for (const c of [{}, { firstName: 'Marie' }, { name: '  ' }, { name: "-'" }, { identifier: ' - ' }, { identifierType: 'rpreg' }] as SearchCriteria[]) {
    assert.deepEqual(checkCriteria(c, allowed), { ok: false, code: 'search.criteria_required', args: [] }, JSON.stringify(c));
  }
});

test('bad values are refused with the field name', () => {
  const cases: Array<[SearchCriteria, string]> = [
    [{ name: 'x'.repeat(65) }, 'name'],
    [{ name: 'ok', establishment: 'x'.repeat(129) }, 'establishment'],
    [{ name: 'a\u0000b' }, 'name'],
    [{ name: 'ok', city: 'a\nb' }, 'city'],
    [{ name: 'ok', profession: 'Infirmier' }, 'profession'],
    [{ name: 'ok', specialty: 'x' }, 'specialty'],
    [{ name: 'ok', sector: 'x' }, 'sector'],
    [{ name: 'ok', community: 'x' }, 'community'],
    [{ name: 'ok', postalCode: '123' }, 'postalCode'],
    [{ name: 'ok', postalCode: '1234*' }, 'postalCode'],
    [{ identifier: 'x', identifierType: 'nope' as never }, 'identifierType'],
    [{ name: 'ok', extra: 'x' } as SearchCriteria, 'extra'],
    [{ name: ['a'] } as unknown as SearchCriteria, 'name'],
  ];
  for (const [c, field] of cases) assert.deepEqual(checkCriteria(c, allowed), { ok: false, code: 'request.invalid', args: [field] }, field);
});

test('a 64-character name is still accepted', () => {
  assert.equal(checkCriteria({ name: 'x'.repeat(64) }, allowed).ok, true);
});

test('page defaults and bounds', () => {
  assert.deepEqual(checkPage(undefined), { ok: true, value: { offset: 0, limit: 20 } });
  assert.deepEqual(checkPage({ offset: 40, limit: 100 }), { ok: true, value: { offset: 40, limit: 100 } });
  assert.equal(checkPage({ limit: 101 }).ok, false);
  assert.equal(checkPage({ limit: 0 }).ok, false);
  assert.equal(checkPage({ offset: -1 }).ok, false);
  assert.equal(checkPage({ offset: 10_001 }).ok, false);
  assert.equal(checkPage({ limit: 2.5 }).ok, false);
});

test('restricted entries are reachable only through the fields they show', () => {
  assert.equal(restrictedMayMatch({ name: 'a', firstName: 'b', profession: 'infirmier', specialty: 'x' }), true);
  for (const extra of [{ postalCode: '1210' }, { city: 'x' }, { establishment: 'x' }, { sector: 'x' }, { community: 'x' }, { identifier: { value: 'x', types: [] } }]) {
    assert.equal(restrictedMayMatch({ name: 'a', ...extra }), false, Object.keys(extra)[0]);
  }
});

test('the SearchProfessionals request declares every criterion with the same length limit', () => {
  const request = directoryOperations.SearchProfessionals.request as Record<string, { max?: number }>;
  for (const [field, max] of Object.entries(MAX_LENGTH)) assert.equal(request[field]?.max, max, field);
  assert.deepEqual(Object.keys(request).sort(), [...Object.keys(MAX_LENGTH), 'offset', 'limit'].sort());
  assert.ok(MAX_PAGE_SIZE <= 100);
});
