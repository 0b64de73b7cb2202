/**
 * The `node` entry point as an operator runs it: configuration from the environment, start, health,
 * graceful stop on SIGTERM; and a clear refusal of a bad configuration.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HEALTH_PATH } from '../../shared/paths.ts';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function run(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, out: () => stdout, err: () => stderr };
}

test('main.ts starts from the environment, answers health, and exits 0 on SIGTERM', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'esante-main-'));
  const p = run({ ESANTE_PORT: '0', ESANTE_DATA_DIR: dir, ESANTE_ZIMBRA_URL: 'http://127.0.0.1:1' });
  try {
    let url: string | undefined;
    for (let i = 0; i < 200 && !url; i++) {
      await new Promise((r) => setTimeout(r, 50));
      url = /"url":"(http:[^"]+)"/.exec(p.out())?.[1];
    }
    assert.ok(url, `no start line; stdout: ${p.out()} stderr: ${p.err()}`);
    // Health is 503 "starting" until every feature is ready (signing makes its test PKI first): wait for the ready line.
    for (let i = 0; i < 400 && !p.out().includes('"msg":"eSanté service ready"'); i++) await new Promise((r) => setTimeout(r, 50));
    const health = await fetch(`${url}${HEALTH_PATH}`);
    assert.equal(health.status, 200);
    p.child.kill('SIGTERM');
    assert.equal(await p.exited, 0);
    assert.match(p.out(), /"msg":"eSanté service stopped"/);
  } finally {
    p.child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
});

test('a bad configuration stops the start with a message naming the variable', async () => {
  const p = run({ ESANTE_PORT: 'http', ESANTE_STORE: 'oracle' });
  assert.equal(await p.exited, 2);
  assert.match(p.err(), /Invalid configuration/);
  assert.match(p.err(), /ESANTE_PORT/);
  assert.match(p.err(), /ESANTE_STORE/);
});
