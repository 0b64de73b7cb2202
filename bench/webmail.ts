/**
 * `npm run bench:webmail` (issue 17): what a doctor waits at every webmail start. From the click on
 * "Se connecter" to "all zimlets loaded" (the sandbox sets `body[data-zimlets="loaded"]` once
 * ZmZimletMgr has loaded and initialised every zimlet, ZmAppCtxt.allZimletsLoaded), in Chromium with
 * the network of a practice's line emulated (20 Mbit/s both ways, 20 ms RTT; CDP
 * Network.emulateNetworkConditions), with all five zimlets deployed vs with none, each in a fresh
 * browser context (empty cache: the first login of the day). Median of 10 each, the two sandboxes
 * measured in alternation so machine noise falls on both.
 * Target: with ≤ without + max(15 %, 150 ms).
 *
 * Two whole suites (service + sandbox, scripts/start.mjs) run side by side from dist/ (built first
 * when `--build` is given or no zip exists): one with SANDBOX_ZIMLETS_DIR=dist/zimlets, one with an
 * empty zimlets folder. Ports 18704–18709 (helper G3's range).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from '@playwright/test';
import { ROOT, ensureBuilt, fillLogin, launchChromium, median, seed, startSuite, stopSuite, type Suite } from './suite.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 10);
/** 20 Mbit/s in bytes per second; RTT 20 ms (CDP `latency` is the added round-trip latency in ms). */
const LINE = { offline: false, latency: 20, downloadThroughput: 20e6 / 8, uploadThroughput: 20e6 / 8 };

interface Sample {
  ms: number;
  bytes: number;
}

/** One cold login: fresh context, emulated line, click → all zimlets loaded. */
async function loginOnce(browser: Browser, suite: Suite, mail: string): Promise<Sample> {
  const context = await browser.newContext({ baseURL: suite.url });
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', LINE);
    let bytes = 0;
    let counting = false;
    cdp.on('Network.loadingFinished', (e: { encodedDataLength: number }) => {
      if (counting) bytes += e.encodedDataLength;
    });
    await fillLogin(page, mail);
    counting = true;
    const t0 = performance.now();
    await page.locator('#login-submit').click();
    await page.locator('body[data-zimlets="loaded"]').waitFor({ state: 'attached', timeout: 60_000 });
    const ms = performance.now() - t0;
    counting = false;
    return { ms, bytes };
  } finally {
    await context.close();
  }
}

async function main(): Promise<void> {
  const zimletsDir = path.join(ROOT, 'dist', 'zimlets');
  await ensureBuilt();
  const empty = mkdtempSync(path.join(tmpdir(), 'bench-webmail-no-zimlets-'));
  mkdirSync(empty, { recursive: true });
  const suites: Suite[] = [];
  let browser: Browser | undefined;
  try {
    suites.push(await startSuite('webmail-with', [18704, 18705, 18706], zimletsDir));
    suites.push(await startSuite('webmail-none', [18707, 18708, 18709], empty));
    const [withZ, none] = suites as [Suite, Suite];
    browser = await launchChromium();
    const mail = seed.users[0]!.mail;
    // One warm-up login each (service JIT, sandbox caches), not counted.
    await loginOnce(browser, withZ, mail);
    await loginOnce(browser, none, mail);
    const samples: Record<'with' | 'none', Sample[]> = { with: [], none: [] };
    for (let i = 0; i < RUNS; i++) {
      const order = i % 2 === 0 ? [withZ, none] : [none, withZ];
      for (const s of order) samples[s === withZ ? 'with' : 'none'].push(await loginOnce(browser, s, mail));
    }
    const w = median(samples.with.map((s) => s.ms));
    const n = median(samples.none.map((s) => s.ms));
    const wb = median(samples.with.map((s) => s.bytes));
    const nb = median(samples.none.map((s) => s.bytes));
    const goal = n + Math.max(0.15 * n, 150);
    const fmt = (xs: Sample[]) => xs.map((s) => Math.round(s.ms)).join(' ');
    console.log(`webmail start, login click → all zimlets loaded, Chromium, 20 Mbit/s, 20 ms RTT, cold cache, median of ${RUNS}:`);
    console.log(`  with the five zimlets: ${w.toFixed(0)} ms, ${(wb / 1e6).toFixed(2)} MB transferred   (runs: ${fmt(samples.with)})`);
    console.log(`  with no zimlet:        ${n.toFixed(0)} ms, ${(nb / 1e6).toFixed(2)} MB transferred   (runs: ${fmt(samples.none)})`);
    console.log(`  ratio ${(w / n).toFixed(2)}x, +${(w - n).toFixed(0)} ms, +${((wb - nb) / 1e3).toFixed(0)} KB`);
    console.log('  (the sandbox serves Zimlets-nodev_all.js uncompressed; Zimbra serves it gzipped as .zgz: see `npm run build` for the gzip sizes)');
    console.log('');
    const pass = w <= goal;
    console.log(
      `target webmail start with the five zimlets vs none: ${w.toFixed(0)} ms vs ${n.toFixed(0)} ms (+${(((w - n) / n) * 100).toFixed(0)} %) ` +
        `(goal ≤ +15 % or +150 ms, whichever larger: ≤ ${goal.toFixed(0)} ms) ${pass ? 'PASS' : 'FAIL'}`,
    );
    process.exitCode = pass ? 0 : 1;
  } finally {
    await browser?.close();
    await Promise.all(suites.map(stopSuite));
    rmSync(empty, { recursive: true, force: true });
  }
}

await main();
