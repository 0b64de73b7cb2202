/** Shared set-up of the sandbox server tests: a sandbox on free ports in a temp dir. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, after } from 'node:test';
import { startSandbox, type RunningSandbox, type SandboxOptions } from '../server/index.ts';

export const PASSWORD = 'Sandbox-2026!';
export const MARIE = 'marie.schmit@esante.lu';
export const JEAN = 'jean-claude.weber@esante.lu';

export interface TestSandbox extends RunningSandbox {
  dataDir: string;
  zimletsDir: string;
  /** Stops the sandbox and removes its temp dirs. */
  dispose(): Promise<void>;
}

export async function startTestSandbox(extra: Partial<SandboxOptions> = {}, dataDir?: string): Promise<TestSandbox> {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'sandbox-test-'));
  const zimletsDir = extra.zimletsDir ?? join(dir, 'zimlets');
  const sb = await startSandbox({ port: 0, smtpPort: 0, dataDir: dir, zimletsDir, ...extra });
  return {
    ...sb,
    dataDir: dir,
    zimletsDir,
    async dispose() {
      await sb.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * One sandbox for the enclosing describe block: started in its `before`, disposed in its `after`.
 * The answer reads through to that sandbox (a Proxy), so tests write `sb.url` as with a variable.
 */
export function sandboxPerSuite(extra: Partial<SandboxOptions> = {}): TestSandbox {
  let current: TestSandbox | undefined;
  before(async () => {
    current = await startTestSandbox(extra);
  });
  after(async () => {
    await current?.dispose();
  });
  return new Proxy({} as TestSandbox, {
    get(_target, key) {
      if (!current) throw new Error('sandbox used outside its tests (before it started)');
      return current[key as keyof TestSandbox];
    },
  });
}

export async function soapRaw(
  url: string,
  path: string,
  requestName: string,
  body: Record<string, unknown>,
  opts: { cookie?: string; csrf?: string; context?: Record<string, unknown>; jsns?: string } = {},
): Promise<{ status: number; json: any; headers: Headers }> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (opts.cookie) headers['Cookie'] = opts.cookie;
  if (opts.csrf) headers['X-Zimbra-Csrf-Token'] = opts.csrf;
  const res = await fetch(new URL(`${path}/${requestName}`, url), {
    method: 'POST',
    headers,
    body: JSON.stringify({
      Header: { context: { _jsns: 'urn:zimbra', ...(opts.context ?? {}) } },
      Body: { [requestName]: { _jsns: opts.jsns ?? 'urn:zimbraAccount', ...body } },
    }),
  });
  return { status: res.status, json: await res.json(), headers: res.headers };
}
