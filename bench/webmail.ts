/**
 * `npm run bench:webmail` (issue 17): what a doctor waits at every webmail start. From the click on
 * "Se connecter" to "all zimlets loaded" (the sandbox sets `body[data-zimlets="loaded"]` once
 * ZmZimletMgr has loaded and initialised every zimlet, ZmAppCtxt.allZimletsLoaded), in Chromium with
 * the network of a practice's line emulated (20 Mbit/s both ways, 20 ms RTT; CDP
 * Network.emulateNetworkConditions), with all five zimlets deployed vs with none, each in a fresh
 * browser context (empty cache: the first login of the day). Median of 10 each, the two sandboxes
 * measured in alternation so machine noise falls on both.
 * Target: with ≤ without + max(15 %, 150 ms).
 * The user is a doctor with an encryption account (created through the service first, as the wizard
 * would): every start after the first. A user without one gets the creation wizard at every start
 * (guide p.5), whose part (the password dictionaries, ~460 KB gzipped) then loads at once; that start
 * is measured too, in the same alternation, and printed for reading (no target).
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
    const urls = new Map<string, string>();
    const detail: Array<[string, number, number]> = [];
    let t0 = 0;
    cdp.on('Network.requestWillBeSent', (e: { requestId: string; request: { url: string } }) => urls.set(e.requestId, e.request.url));
    cdp.on('Network.loadingFinished', (e: { requestId: string; encodedDataLength: number }) => {
      if (!counting) return;
      bytes += e.encodedDataLength;
      detail.push([urls.get(e.requestId) ?? e.requestId, e.encodedDataLength, performance.now() - t0]);
    });
    await fillLogin(page, mail);
    counting = true;
    t0 = performance.now();
    await page.locator('#login-submit').click();
    await page.locator('body[data-zimlets="loaded"]').waitFor({ state: 'attached', timeout: 60_000 });
    const ms = performance.now() - t0;
    counting = false;
    // BENCH_WEBMAIL_DETAIL=1: what one login transferred and when each answer was complete (for reading).
    if (process.env.BENCH_WEBMAIL_DETAIL) {
      for (const [u, n, at] of detail) console.log(`    ${String(n).padStart(8)} B  done at ${at.toFixed(0).padStart(5)} ms  ${u.replace(suite.url, '')}`);
      console.log(`    all zimlets loaded at ${ms.toFixed(0)} ms`);
      console.log(`    ${detail.length} responses, ${bytes} bytes`);
    }
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
    const mail = seed.users[0]!.mail;
    const newcomer = seed.users[1]!.mail;
    // The doctor's encryption account, created through the service of the suite with zimlets.
    process.env.E2E_SANDBOX_PORT = new URL(withZ.url).port;
    const { ensureEncryptionAccount } = await import('../e2e/support/encryption.ts');
    await ensureEncryptionAccount(mail, 'Dr Marie Schmit');
    browser = await launchChromium();
    // One warm-up login each (service JIT, sandbox caches), not counted.
    await loginOnce(browser, withZ, mail);
    await loginOnce(browser, none, mail);
    await loginOnce(browser, withZ, newcomer);
    const samples: Record<'with' | 'none' | 'wizard', Sample[]> = { with: [], none: [], wizard: [] };
    const steps: Array<[keyof typeof samples, Suite, string]> = [
      ['with', withZ, mail],
      ['none', none, mail],
      ['wizard', withZ, newcomer],
    ];
    for (let i = 0; i < RUNS; i++) {
      const order = i % 2 === 0 ? steps : [...steps].reverse();
      for (const [kind, s, who] of order) samples[kind].push(await loginOnce(browser, s, who));
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
    const z = median(samples.wizard.map((s) => s.ms));
    const zb = median(samples.wizard.map((s) => s.bytes));
    console.log(`  info: a user without an encryption account (the wizard opens at each start): ${z.toFixed(0)} ms, ${(zb / 1e6).toFixed(2)} MB, ${(z / n).toFixed(2)}x none (no target)   (runs: ${fmt(samples.wizard)})`);
    console.log('  (zimlet files gzipped by the sandbox as Jetty\'s GzipHandler does in Zimbra: zm-jetty-conf jetty.xml.production, minGzipSize 2048)');
    console.log('');
    const pass = w <= goal;
    console.log(
      `target webmail start with the five zimlets (user with an encryption account) vs none: ${w.toFixed(0)} ms vs ${n.toFixed(0)} ms (+${(((w - n) / n) * 100).toFixed(0)} %) ` +
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
