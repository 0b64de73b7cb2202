import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDirectory, readNdjson, writeDirectoryFiles } from './generate.ts';
import { mailLocalPart } from '../../../shared/provisioning/address.ts';
import { directoryReferences } from './reference.ts';

const work = mkdtempSync(join(tmpdir(), 'esante-gen-'));
after(() => rmSync(work, { recursive: true, force: true }));

const SANDBOX_USERS = new URL('../../../sandbox/seed/users.json', import.meta.url);
const sandbox = JSON.parse(readFileSync(SANDBOX_USERS, 'utf8')) as {
  users: Array<{ givenName: string; sn: string; mail: string }>;
};

test('same seed, same bytes; another seed, other data', () => {
  const a = writeDirectoryFiles(generateDirectory({ count: 400, seed: 's1' }), join(work, 'a'), { seed: 's1' });
  const b = writeDirectoryFiles(generateDirectory({ count: 400, seed: 's1' }), join(work, 'b'), { seed: 's1' });
  const c = writeDirectoryFiles(generateDirectory({ count: 400, seed: 's2' }), join(work, 'c'), { seed: 's2' });
  assert.equal(readFileSync(a.ldif, 'utf8'), readFileSync(b.ldif, 'utf8'));
  assert.equal(readFileSync(a.ndjson, 'utf8'), readFileSync(b.ndjson, 'utf8'));
  assert.notEqual(readFileSync(a.ndjson, 'utf8'), readFileSync(c.ndjson, 'utf8'));
  assert.deepEqual(readNdjson(a.ndjson), generateDirectory({ count: 400, seed: 's1' }));
});

test('named seed users come first, public, with their mail and names; none unless named', () => {
  const recs = generateDirectory({ count: 50, seed: 'x', usersFile: fileURLToPath(SANDBOX_USERS) });
  assert.ok(sandbox.users.length > 0);
  const plain = generateDirectory({ count: 50, seed: 'x' });
  assert.ok(!plain.some((r) => sandbox.users.some((u) => u.mail === r.mail)), 'the service reads no sandbox file unless it is named');
  sandbox.users.forEach((u, i) => {
    const r = recs[i]!;
    assert.equal(r.mail, u.mail);
    assert.equal(r.sn, u.sn);
    assert.equal(r.givenName, u.givenName);
    assert.equal(r.confidentiality, 'public');
  });
});

test('realistic mix: accents, particles, compounds, levels, references', () => {
  const recs = generateDirectory({ count: 3000, seed: 'mix' });
  assert.equal(recs.length, 3000);
  const names = recs.map((r) => `${r.givenName} ${r.sn}`).join('\n');
  for (const needle of [/[éèë]/, /ü/, /ß/, / de /, /Van der /, /\w-\w/, /'/]) assert.match(names, needle);
  const levels = { public: 0, restricted: 0, hidden: 0 };
  for (const r of recs) levels[r.confidentiality]++;
  assert.ok(levels.restricted > 150 && levels.restricted < 450, `restricted ${levels.restricted}`);
  assert.ok(levels.hidden > 60 && levels.hidden < 260, `hidden ${levels.hidden}`);
  const refs = directoryReferences();
  const professions = new Set(refs.professions.map((p) => p.code));
  const specialties = new Set(refs.specialties.map((p) => p.code));
  const sectors = new Set(refs.sectors.map((p) => p.code));
  for (const r of recs) {
    assert.ok(professions.has(r.profession));
    if (r.specialty) assert.ok(specialties.has(r.specialty), r.specialty);
    assert.ok(sectors.has(r.sector), r.sector);
    assert.ok(r.practices.length >= 1);
    for (const p of r.practices) assert.match(p.postalCode, /^\d{4}$/);
  }
  assert.ok(recs.some((r) => r.practices.length > 1));
  assert.ok(recs.some((r) => r.practices.some((p) => p.establishment)));
});

test('ids, mails and identifiers are unique; identifiers are visibly synthetic', () => {
  const recs = generateDirectory({ count: 5000, seed: 'uniq' });
  assert.equal(new Set(recs.map((r) => r.id)).size, recs.length);
  assert.equal(new Set(recs.map((r) => r.mail)).size, recs.length);
  const all = recs.flatMap((r) => r.identifiers.map((i) => i.value));
  assert.equal(new Set(all).size, all.length);
  for (const r of recs) {
    assert.deepEqual(r.identifiers.map((i) => i.type), ['ehealth', 'rpreg', 'rnrpp', 'luxtrust']);
    for (const i of r.identifiers) {
      assert.match(i.value, /-SYN-/);
      assert.doesNotMatch(i.value, /^\d{11,13}$/, 'never shaped like a national matricule');
    }
    assert.match(r.mail, /^[a-z0-9-]+\.[a-z0-9-]+(\.\d+)?@esante\.lu$/);
  }
});

test('every generated mail is the address first login gives that person (shared/provisioning/address.ts)', () => {
  const recs = generateDirectory({ count: 2000, seed: 'mail' });
  for (const r of recs) assert.equal(r.mail.replace(/(\.\d+)?@esante\.lu$/, ''), mailLocalPart(r.givenName, r.sn), r.mail);
});

test('LDIF encodes non-ASCII values in base64 and keeps one entry per record', () => {
  const recs = generateDirectory({ count: 200, seed: 'ldif' });
  const f = writeDirectoryFiles(recs, join(work, 'ldif'), { seed: 'ldif' });
  const ldif = readFileSync(f.ldif, 'utf8');
  assert.equal((ldif.match(/^dn: uid=/gm) ?? []).length, recs.length);
  const raw = ldif.split('\n').filter((l) => /^[^:]+: /.test(l) && /[^\x20-\x7e]/.test(l));
  assert.deepEqual(raw, [], 'no raw non-ASCII value');
  assert.match(ldif, /^cn:: /m, 'accented names are base64');
  const meta = JSON.parse(readFileSync(f.meta, 'utf8')) as { count: number };
  assert.equal(meta.count, 200);
});
