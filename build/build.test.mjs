// @ts-check
/** The service bundle and its package.json (the zimlets' part is covered by validate-zimlet.test.mjs). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildService } from './build.mjs';
import { ROOT } from './zimlets.mjs';

test('the service bundle keeps npm packages external and lists exactly those it imports', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'esante-service-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const out = await buildService({ outDir: dir, entry: path.join(ROOT, 'build', 'fixtures', 'service-entry.ts') });
  assert.equal(out, path.join(dir, 'esante-service.mjs'));
  const code = await readFile(path.join(dir, 'esante-service.mjs'), 'utf8');
  assert.match(code, /from "pino"/, 'pino is imported, not inlined');
  assert.match(code, /function pickLang/, 'our shared code is inlined');
  const root = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8'));
  const pkg = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8'));
  assert.deepEqual(pkg.dependencies, { pino: root.dependencies.pino });
  assert.equal(pkg.type, 'module');
  assert.equal(pkg.version, root.version);
});

test('a missing service entry fails the build unless explicitly skipped', async () => {
  const entry = path.join(ROOT, 'build', 'fixtures', 'does-not-exist.ts');
  await assert.rejects(buildService({ outDir: tmpdir(), entry }), /service entry build\/fixtures\/does-not-exist\.ts is missing/);
});
