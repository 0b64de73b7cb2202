/**
 * What the browser benches share (bench:webmail, bench:send, bench:open): a whole suite (service +
 * sandbox, scripts/start.mjs) started from dist/ on given ports, Chromium, a cold login, medians.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from '@playwright/test';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const seed = JSON.parse(readFileSync(path.join(ROOT, 'sandbox/seed/users.json'), 'utf8')) as { password: string; users: Array<{ mail: string }> };

export interface Suite {
  name: string;
  url: string;
  child: ChildProcess;
}

/** Builds dist/ when asked (`--build`) or when the five zips are not there. */
export async function ensureBuilt(): Promise<void> {
  const zimletsDir = path.join(ROOT, 'dist', 'zimlets');
  const zips = existsSync(zimletsDir) ? readdirSync(zimletsDir).filter((f) => f.endsWith('.zip')) : [];
  if (!process.argv.includes('--build') && zips.length === 5) return;
  const b = spawn(process.execPath, ['build/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
  const code = await new Promise((r) => b.once('exit', r));
  if (code !== 0) throw new Error('build failed');
}

/** Starts service + sandbox on (sandbox, service, smtp) ports with fresh data; resolves once healthy. */
export async function startSuite(name: string, ports: [number, number, number], zimletsDir: string, extraEnv: Record<string, string> = {}): Promise<Suite> {
  const dataDir = path.join('.data', `bench-${name}`);
  const env = {
    ...process.env,
    SANDBOX_PORT: String(ports[0]),
    ESANTE_PORT: String(ports[1]),
    SANDBOX_SMTP_PORT: String(ports[2]),
    ESANTE_DATA_DIR: dataDir,
    SANDBOX_DATA_DIR: `${dataDir}/sandbox`,
    SANDBOX_ZIMLETS_DIR: zimletsDir,
    // Any free port for the metrics listener (npm start's 9464 may be another suite's).
    ESANTE_METRICS_PORT: '0',
    ...extraEnv,
  };
  const child = spawn(process.execPath, ['scripts/start.mjs', '--fresh', '--no-build'], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (d) => (err = (err + String(d)).slice(-4000)));
  const url = `http://127.0.0.1:${ports[0]}`;
  for (let i = 0; i < 240; i++) {
    if (child.exitCode !== null) throw new Error(`${name} suite exited ${child.exitCode}:\n${err}`);
    try {
      if ((await fetch(`${url}/service/extension/esante/health`)).ok) return { name, url, child };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  child.kill('SIGTERM');
  throw new Error(`${name} suite did not answer health in 60 s:\n${err}`);
}

export function stopSuite(s: Suite): Promise<void> {
  return new Promise((resolve) => {
    if (s.child.exitCode !== null) return resolve();
    s.child.once('exit', () => resolve());
    s.child.kill('SIGTERM');
  });
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** Fills the sandbox's login form (sandbox/web/README.md ids); the caller clicks #login-submit. */
export async function fillLogin(page: Page, mail: string): Promise<void> {
  await page.goto('/');
  await page.locator('#username').fill(mail);
  await page.locator('#password').fill(seed.password);
  await page.locator('#authMethod-card').check();
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
