// The sandbox's eSanté portal lists professionals with their profession in words, never as a raw id
// ("medecin-generaliste"), in the page's language (issue 13).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_COUNT, DEFAULT_SEED, generateDirectory } from '../../server-extension/src/directory/generate.ts';
import { rawData } from '../../server-extension/src/directory/reference.ts';
import { professionText } from '../idp/portal.ts';

test('profession and specialty in words, in each language', () => {
  assert.equal(professionText({ profession: 'medecin' }, 'fr'), 'médecin');
  assert.equal(professionText({ profession: 'medecin' }, 'de'), 'Arzt / Ärztin');
  assert.equal(professionText({ profession: 'medecin' }, 'en'), 'physician (medical doctor)');
});

test('every professional of the default directory reads in words: each code has its label', () => {
  const data = rawData();
  const records = generateDirectory({ count: DEFAULT_COUNT, seed: DEFAULT_SEED, usersFile: new URL('../seed/users.json', import.meta.url).pathname });
  for (const lang of ['fr', 'de', 'en'] as const) {
    for (const r of records) {
      const profession = data.professions.find((p) => p.code === r.profession);
      assert.ok(profession, `${r.id}: profession ${r.profession} has no label`);
      const specialty = r.specialty ? data.specialties.find((x) => x.code === r.specialty) : undefined;
      if (r.specialty) assert.ok(specialty, `${r.id}: specialty ${r.specialty} has no label`);
      assert.equal(professionText(r, lang), specialty ? `${profession[lang]} – ${specialty[lang]}` : profession[lang]);
    }
  }
  // A code unknown to the data shows as itself rather than as nothing.
  assert.equal(professionText({ profession: 'inconnu' }, 'fr'), 'inconnu');
});

test('the portal page lists professions in words in its language, no code in the row', async () => {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { createServer } = await import('node:http');
  const { IdpPortal } = await import('../idp/portal.ts');
  const dataDir = mkdtempSync(join(tmpdir(), 'idp-'));
  const portal = new IdpPortal({ dataDir, baseUrl: () => 'http://127.0.0.1', hasMailbox: () => false });
  const server = createServer((req, res) => void portal.handle(new URL(req.url ?? '/', 'http://x'), req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const port = (server.address() as { port: number }).port;
    const page = await (await fetch(`http://127.0.0.1:${port}/idp/?lang=de`)).text();
    const rows = [...page.matchAll(/<small>([^<]*) — /g)].map((m) => m[1]!);
    assert.ok(rows.length > 5, 'rows listed');
    const codes = new Set(rawData().professions.map((p) => p.code).filter((c) => !rawData().professions.some((p) => p.de === c)));
    for (const row of rows) assert.ok(![...codes].some((c) => row === c || row.startsWith(`${c} –`)), `raw code in "${row}"`);
    for (const row of rows) assert.ok(rawData().professions.some((p) => row.startsWith(p.de)), `not a German label: "${row}"`);
  } finally {
    server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
