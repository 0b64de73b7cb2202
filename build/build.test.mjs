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

test('a missing service entry fails the build', async () => {
  const entry = path.join(ROOT, 'build', 'fixtures', 'does-not-exist.ts');
  await assert.rejects(buildService({ outDir: tmpdir(), entry }), /service entry build\/fixtures\/does-not-exist\.ts is missing/);
});

test('the real service bundle runs with node alone: it starts on the embedded defaults, answers health, stops on SIGTERM', async (t) => {
  const { spawn } = await import('node:child_process');
  // Built into a folder of its own, as an admin receives it; its npm dependencies resolve from the
  // repository's node_modules (what `npm install --omit=dev` gives an admin), nothing else of the repo.
  const work = await mkdtemp(path.join(ROOT, '.tmp-service-'));
  t.after(() => rm(work, { recursive: true, force: true }));
  const dir = path.join(work, 'service');
  await buildService({ outDir: dir });
  const data = path.join(work, 'data');
  const child = spawn(process.execPath, [path.join(dir, 'esante-service.mjs')], {
    cwd: work,
    env: { PATH: process.env.PATH ?? '', ESANTE_PORT: '0', ESANTE_DATA_DIR: data, ESANTE_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => child.kill('SIGKILL'));
  let out = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start line in 60 s:\n${out}`)), 60_000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /"url":"(http:[^"]+)"/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => reject(new Error(`service exited ${code}:\n${out}`)));
  });
  // "started" = listening; health answers 503 "starting" until every feature is ready, which the
  // service logs once (root.ts). Wait for that line, then health must be 200.
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready line in 60 s:\n${out}`)), 60_000);
    const check = () => {
      if (/eSanté service ready/.test(out)) {
        clearTimeout(timer);
        child.stdout.off('data', check);
        resolve(undefined);
      }
    };
    child.stdout.on('data', check);
    check();
  });
  const health = await fetch(`${url}/service/extension/esante/health`);
  assert.equal(health.status, 200);
  assert.equal((await health.json()).status, 'ok');
  const wsdl = await fetch(`${url}/service/extension/esante/soap?wsdl`);
  assert.match(await wsdl.text(), /SearchProfessionalsRequest/);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  assert.equal(await exited, 0);

  // The rotation tool travels with it and works on the same environment (docs/master-key-rotation.md).
  const { execFile } = await import('node:child_process');
  const run = (/** @type {string} */ command) =>
    new Promise((resolve) => {
      execFile(process.execPath, [path.join(dir, 'rotate-master-key.mjs'), command], { cwd: work, env: { PATH: process.env.PATH ?? '', ESANTE_DATA_DIR: data } }, (err, stdout, stderr) =>
        resolve({ code: err ? err.code : 0, out: stdout + stderr }),
      );
    });
  const before = JSON.parse(await readFile(path.join(data, 'master-keys.json'), 'utf8'));
  const added = /** @type {{ code: number, out: string }} */ (await run('add-key'));
  assert.equal(added.code, 0, added.out);
  assert.match(added.out, /new current master key mk-[0-9a-f]{16}/);
  const after = JSON.parse(await readFile(path.join(data, 'master-keys.json'), 'utf8'));
  assert.equal(after.keys.length, before.keys.length + 1, 'a key was added, none dropped');
  assert.notEqual(after.current, before.current);
  assert.match(added.out, new RegExp(after.current));
  const rewrapped = /** @type {{ code: number, out: string }} */ (await run('rewrap'));
  assert.equal(rewrapped.code, 0, rewrapped.out);
  assert.match(rewrapped.out, /unlock codes: re-wrapped 0 of 0/);
});
