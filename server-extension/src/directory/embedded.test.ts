/**
 * The embedded index's fast paths (typed-array code columns, per-profession name index, shared hit
 * buffer) against a brute force over the same records. The full Directory contract, on both adapters,
 * is server-extension/test/directory.contract.test.ts; this covers what only the index's shortcuts
 * could get wrong.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fold, nameKeys } from '../../../shared/directory/normalize.ts';
import type { SearchCriteria } from '../../../shared/directory/operations.ts';
import { EmbeddedDirectory } from './embedded.ts';
import { generateDirectory } from './generate.ts';
import { searchKeys, type DirectoryRecord } from './model.ts';
import { directoryReferences } from './reference.ts';

const records = generateDirectory({ count: 3000, seed: 'embedded-unit' });
const dir = new EmbeddedDirectory(records);
const visible = records.filter((r) => r.confidentiality !== 'hidden');

interface Other {
  profession?: string;
  specialty?: string;
  sector?: string;
  firstName?: string;
  city?: string;
  establishment?: string;
}
const starts = (keys: readonly string[], prefix: string | undefined) => prefix === undefined || keys.some((k) => k.startsWith(prefix));

/** Ids, in result order, of the visible records matching a name prefix and the other criteria (brute force). */
function oracle(name: string, codes: Other): string[] {
  const restrictedOk = codes.sector === undefined && codes.city === undefined && codes.establishment === undefined;
  return visible
    .filter((r) => nameKeys(r.sn).some((k) => k.startsWith(name)))
    .filter((r) => restrictedOk || r.confidentiality === 'public')
    .filter((r) => {
      const k = searchKeys(r);
      return starts(k.givenName, codes.firstName) && starts(k.city, codes.city) && starts(k.establishment, codes.establishment);
    })
    .filter((r) => (codes.profession === undefined || r.profession === codes.profession) && (codes.specialty === undefined || r.specialty === codes.specialty) && (codes.sector === undefined || r.sector === codes.sector))
    .sort((a: DirectoryRecord, b: DirectoryRecord) => (searchKeys(a).sort < searchKeys(b).sort ? -1 : 1))
    .map((r) => r.id);
}

async function allIds(criteria: SearchCriteria): Promise<{ total: number; ids: string[] }> {
  const ids: string[] = [];
  let total = 0;
  for (let offset = 0; ; offset += 100) {
    const page = await dir.search(criteria, { offset, limit: 100 });
    total = page.total;
    ids.push(...page.items.map((i) => i.id));
    if (page.items.length < 100) break;
  }
  return { total, ids };
}

describe('EmbeddedDirectory fast paths', () => {
  test('name + profession / specialty / sector / first name / city / establishment: same hits, same order as a brute force', async () => {
    const sample = visible.filter((_, i) => i % 97 === 0).slice(0, 25);
    assert.ok(sample.length >= 20);
    for (const r of sample) {
      // As the criteria rules fold it ("d'Amico" → "d " → "d").
      const name = fold(nameKeys(r.sn)[0]!.slice(0, 2));
      const k = searchKeys(r);
      const firstName = fold(k.givenName[0]!.slice(0, 2));
      const city = k.city[0] ? fold(k.city[0].slice(0, 3)) : undefined;
      const establishment = k.establishment[0] ? fold(k.establishment[0].slice(0, 4)) : undefined;
      const variants: Other[] = [
        { profession: r.profession },
        { firstName },
        // A long first-name prefix: its range is shorter than the name's, so it drives the scan.
        { firstName: k.givenName[0]! },
        { firstName, profession: r.profession },
        ...(city ? [{ city, profession: r.profession }, { city, firstName }] : []),
        ...(establishment ? [{ establishment }] : []),
        ...(r.specialty ? [{ specialty: r.specialty }] : []),
        ...(r.sector ? [{ sector: r.sector, profession: r.profession }] : []),
      ];
      for (const codes of variants) {
        const expected = oracle(name, codes);
        const got = await allIds({ name, ...codes });
        assert.equal(got.total, expected.length, `${name} ${JSON.stringify(codes)}`);
        assert.deepEqual(got.ids, expected, `${name} ${JSON.stringify(codes)}`);
        const restrictedHidden = r.confidentiality === 'restricted' && (codes.sector ?? codes.city ?? codes.establishment) !== undefined;
        assert.equal(got.ids.includes(r.id), !restrictedHidden, `${r.id} found by its own name and criteria`);
      }
    }
  });

  test('a known code that no record carries matches nothing (not the records without a code)', async () => {
    const refs = directoryReferences();
    const used = new Set(records.map((r) => r.specialty));
    const unusedSpecialty = refs.specialties.find((s) => !used.has(s.code));
    const withoutSpecialty = visible.find((r) => !r.specialty)!;
    const name = nameKeys(withoutSpecialty.sn)[0]!;
    assert.ok((await dir.search({ name })).total > 0);
    if (unusedSpecialty) assert.equal((await dir.search({ name, specialty: unusedSpecialty.code })).total, 0);
    const usedProfessions = new Set(records.map((r) => r.profession));
    const unusedProfession = refs.professions.find((p) => !usedProfessions.has(p.code));
    if (unusedProfession) assert.equal((await dir.search({ name, profession: unusedProfession.code })).total, 0);
    // A small index where such codes surely exist: one record, one profession, no specialty.
    const one = new EmbeddedDirectory([withoutSpecialty]);
    const otherProfession = refs.professions.find((p) => p.code !== withoutSpecialty.profession)!;
    const someSpecialty = refs.specialties[0]!;
    assert.equal((await one.search({ name })).total, 1);
    assert.equal((await one.search({ name, profession: otherProfession.code })).total, 0);
    assert.equal((await one.search({ name, specialty: someSpecialty.code })).total, 0);
  });

  test('consecutive searches do not see each other\'s hits (one shared buffer)', async () => {
    const a = visible[10]!;
    const b = visible[2000]!;
    const first = await dir.search({ name: nameKeys(a.sn)[0]! });
    const second = await dir.search({ name: nameKeys(b.sn)[0]! });
    const again = await dir.search({ name: nameKeys(a.sn)[0]! });
    assert.deepEqual(again, first);
    assert.ok(second.items.every((i) => nameKeys(i.sn).some((k) => k.startsWith(nameKeys(b.sn)[0]!))));
  });
});
