/**
 * Container sealing and opening IN CHROMIUM (issue 5, then issue 17): the real shared/container code,
 * bundled with esbuild into a test page served from 127.0.0.1 (a secure context, so WebCrypto is
 * available), timed for 1, 10 and 25 MB messages against what our code cannot go below: bare WebCrypto
 * AES-256-GCM over the same bytes, in the same segments, with the same 4 calls in flight, in the same
 * page and run (targets: sealing ≤ 1.2×, opening ≤ 1.5×). `openssl speed -evp aes-256-gcm` on the same
 * machine is printed as context, without a target: a fresh buffer of the message's size alone costs
 * more than openssl's whole encryption on this VM (the "fresh buffer" column).
 * Sealing and opening are timed both keeping the data as segments (sealContainerParts,
 * openContainerParts) and as one contiguous copy (sealContainer, openContainer). The zimlet's send and
 * the portal's answer seal as segments (uploaded as their Blob); the readers (zimlet and portal) open
 * with openContainer, because the MIME reader needs the message in one buffer. Target lines: sealing
 * as segments, opening as segments, and opening contiguous (what the readers do); sealing contiguous,
 * which nothing shipped calls any more, is printed as information.
 *
 * Exported for bench/crypto.ts (`npm run bench:crypto`); runnable alone with
 * `node --import tsx bench/crypto-browser.ts`.
 */
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium } from '@playwright/test';
import { build } from 'esbuild';
import { SEND_SEGMENT_SIZE } from '../zimlets/regify/src/messages/segment.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const SIZES_MB = [1, 10, 25] as const;
export const SEAL_TARGET = 1.2;
export const OPEN_TARGET = 1.5;
/** Runs per size, interleaved (bare, parts, contiguous, bare decrypt, open); the median is kept. */
/** Runs per size: an even number, in pairs of opposite step order (see runBench). */
const RUNS = 16;

export interface BrowserCryptoResult {
  sizeMb: number;
  segmentKib: number;
  /** sealContainerParts. */
  sealMs: number;
  /** sealContainer (contiguous). */
  sealContiguousMs: number;
  /** openContainer (contiguous, what the zimlet and the portal call today). */
  openMs: number;
  /** openContainerParts. */
  openPartsMs: number;
  /** Bare WebCrypto AES-GCM encrypt / decrypt of the same bytes and segments, 4 in flight, no container. */
  bareEncryptMs: number;
  bareDecryptMs: number;
  opensslMs: number;
  /** Allocating and filling a fresh buffer of the message's size in the same page. */
  freshMemoryMs: number;
  /** Medians of the run-by-run ratios to bare WebCrypto (encrypt for sealing, decrypt for opening). */
  sealRatio: number;
  sealContiguousRatio: number;
  openPartsRatio: number;
  openRatio: number;
}

/** The page's script: seal and open with the production code and with bare WebCrypto, medians in ms. */
const PAGE_ENTRY = `
import { sealContainer, sealContainerParts, openContainer, openContainerParts } from './shared/container/container.ts';

function randomBytes(n) {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 65536) crypto.getRandomValues(out.subarray(i, Math.min(n, i + 65536)));
  return out;
}
const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/** The container's own scheduling: count jobs, 4 in flight (shared/container/container.ts CONCURRENCY). */
async function pool(count, job) {
  let next = 0;
  const worker = async () => { while (next < count) await job(next++); };
  await Promise.all(Array.from({ length: Math.min(4, count) }, worker));
}

window.runBench = async (sizesMb, runs, segmentSize) => {
  const results = [];
  for (const mb of sizesMb) {
    const mime = randomBytes(mb * 1024 * 1024);
    const key = crypto.getRandomValues(new Uint8Array(32));
    const cryptoKey = await crypto.subtle.importKey('raw', key, 'AES-GCM', false, ['encrypt', 'decrypt']);
    const count = Math.ceil(mime.length / segmentSize);
    const ivs = Array.from({ length: count }, () => crypto.getRandomValues(new Uint8Array(12)));
    const m = { bareEnc: [], parts: [], contiguous: [], bareDec: [], open: [], openParts: [], fresh: [] };
    for (let r = 0; r < runs; r++) {
      // Each timed step starts on a collected heap (Chromium started with --expose-gc), so the garbage
      // of the step before is not collected on its neighbour's clock; and the order of the steps is
      // reversed every other run, so neither bare WebCrypto nor our code is always the one that runs
      // second (warmer crypto thread, fuller heap).
      const timed = async (into, op) => {
        window.gc?.();
        const t = performance.now();
        const out = await op();
        into.push(performance.now() - t);
        return out;
      };
      const params = { messageId: 'bench-' + r, keyService: location.origin + '/soap', sender: 'bench@esante.lu', mime, key: cryptoKey, segmentSize };
      const bareEncrypt = () => timed(m.bareEnc, async () => {
        const bare = new Array(count);
        await pool(count, async (i) => {
          bare[i] = await crypto.subtle.encrypt({ name: 'AES-GCM', iv: ivs[i] }, cryptoKey, mime.subarray(i * segmentSize, (i + 1) * segmentSize));
        });
        return bare;
      });
      const sealSteps = [() => timed(m.parts, () => sealContainerParts(params)), () => timed(m.contiguous, () => sealContainer(params))];
      let bare, parts, sealed;
      if (r % 2 === 0) {
        bare = await bareEncrypt();
        parts = await sealSteps[0]();
        sealed = await sealSteps[1]();
      } else {
        sealed = await sealSteps[1]();
        parts = await sealSteps[0]();
        bare = await bareEncrypt();
      }
      const bareDecrypt = () => timed(m.bareDec, () => pool(count, async (i) => { await crypto.subtle.decrypt({ name: 'AES-GCM', iv: ivs[i] }, cryptoKey, bare[i]); }));
      const openSteps = [() => timed(m.open, () => openContainer(sealed, async () => cryptoKey)), () => timed(m.openParts, () => openContainerParts(sealed, async () => cryptoKey))];
      let opened, openedParts;
      if (r % 2 === 0) {
        await bareDecrypt();
        opened = await openSteps[0]();
        openedParts = await openSteps[1]();
      } else {
        openedParts = await openSteps[1]();
        opened = await openSteps[0]();
        await bareDecrypt();
      }
      if (openedParts.length !== mime.length) throw new Error('round trip differs');
      if (opened.mime.length !== mime.length || opened.mime[mime.length - 1] !== mime[mime.length - 1] || parts.length !== sealed.length) throw new Error('round trip differs');
      await timed(m.fresh, async () => new Uint8Array(mime.length).fill(1));
    }
    // Ratios paired run by run (ours next to bare WebCrypto in the same run): the other processes of a
    // shared machine slow whole runs down, which a ratio of medians would not cancel. Two consecutive
    // runs have opposite step orders, so each run pair's ratio is the geometric mean of its two runs'
    // ratios (the order effect cancels out), and the figure is the median over the pairs.
    const paired = (xs, bare) => {
      const perRun = xs.map((x, i) => x / bare[i]);
      const perPair = [];
      for (let i = 0; i + 1 < perRun.length; i += 2) perPair.push(Math.sqrt(perRun[i] * perRun[i + 1]));
      return median(perPair);
    };
    results.push({
      sizeMb: mb, sealMs: median(m.parts), sealContiguousMs: median(m.contiguous), openMs: median(m.open), openPartsMs: median(m.openParts),
      bareEncryptMs: median(m.bareEnc), bareDecryptMs: median(m.bareDec), freshMemoryMs: median(m.fresh),
      sealRatio: paired(m.parts, m.bareEnc), sealContiguousRatio: paired(m.contiguous, m.bareEnc),
      openPartsRatio: paired(m.openParts, m.bareDec), openRatio: paired(m.open, m.bareDec),
    });
  }
  return results;
};
window.benchReady = true;
`;

async function bundlePage(): Promise<string> {
  const out = await build({
    stdin: { contents: PAGE_ENTRY, resolveDir: ROOT, sourcefile: 'bench-page.ts', loader: 'ts' },
    bundle: true,
    format: 'iife',
    target: 'es2022',
    minify: true,
    write: false,
    logLevel: 'silent',
  });
  return out.outputFiles[0]!.text;
}

function serve(script: string): Promise<{ server: Server; url: string }> {
  const page = `<!doctype html><html><head><meta charset="utf-8"><title>crypto bench</title></head><body><script src="/bench.js"></script></body></html>`;
  const server = createServer((req, res) => {
    if (req.url === '/bench.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
      res.end(script);
    } else {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(page);
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const addr = server.address();
    resolve({ server, url: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/` });
  }));
}

/** AES-256-GCM bytes per second by `openssl speed -evp aes-256-gcm` (machine-readable `+F:…:bytes/s`), 16 KiB blocks. */
export async function opensslThroughput(): Promise<number> {
  const { stdout } = await promisify(execFile)('openssl', ['speed', '-evp', 'aes-256-gcm', '-bytes', '16384', '-seconds', '2', '-mr'], { timeout: 60_000 });
  const line = stdout.split('\n').find((l) => l.startsWith('+F:'));
  const value = line ? Number(line.split(':').pop()) : NaN;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`cannot read openssl speed output: ${stdout.slice(0, 200)}`);
  return value;
}

export async function runBrowserCryptoBench(segmentSize: number = SEND_SEGMENT_SIZE): Promise<BrowserCryptoResult[]> {
  const bytesPerSecond = await opensslThroughput();
  const script = await bundlePage();
  const { server, url } = await serve(script);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--js-flags=--max-old-space-size=2048 --expose-gc'],
  });
  try {
    const page = await browser.newPage();
    await page.goto(url);
    await page.waitForFunction('window.benchReady === true');
    const measured = (await page.evaluate(`window.runBench(${JSON.stringify(SIZES_MB)}, ${RUNS}, ${segmentSize})`)) as Array<Omit<BrowserCryptoResult, 'segmentKib' | 'opensslMs'>>;
    return measured.map((m) => ({ ...m, segmentKib: segmentSize / 1024, opensslMs: ((m.sizeMb * 1024 * 1024) / bytesPerSecond) * 1000 }));
  } finally {
    await browser.close();
    server.close();
  }
}

/** Lines of the report (measurements, then one target line per target) and whether all pass. */
export function formatBrowserResults(results: BrowserCryptoResult[]): { lines: string[]; pass: boolean } {
  const lines = [
    `Container crypto in Chromium (${results[0]?.segmentKib ?? '?'} KiB segments, as the zimlet seals), median of ${RUNS} (ratios: median over run pairs of opposite order of the run-by-run ratios), vs bare WebCrypto over the same bytes in the same page:`,
  ];
  for (const r of results) {
    lines.push(
      `  ${String(r.sizeMb).padStart(2)} MB  seal (parts) ${r.sealMs.toFixed(1)} ms (${r.sealRatio.toFixed(2)}x)  seal (contiguous) ${r.sealContiguousMs.toFixed(1)} ms (${r.sealContiguousRatio.toFixed(2)}x)  bare encrypt ${r.bareEncryptMs.toFixed(1)} ms` +
        `  |  open (parts) ${r.openPartsMs.toFixed(1)} ms (${r.openPartsRatio.toFixed(2)}x)  open (contiguous) ${r.openMs.toFixed(1)} ms (${r.openRatio.toFixed(2)}x)  bare decrypt ${r.bareDecryptMs.toFixed(1)} ms` +
        `  |  context: openssl ${r.opensslMs.toFixed(1)} ms, fresh ${r.sizeMb} MB buffer ${r.freshMemoryMs.toFixed(1)} ms`,
    );
  }
  const worst = (f: (r: BrowserCryptoResult) => number) => Math.max(...results.map(f));
  const sizes = results.map((r) => r.sizeMb).join(', ');
  lines.push(`info sealing contiguous (sealContainer, no longer called by the zimlet or the portal) vs bare WebCrypto, ${sizes} MB: worst ${worst((r) => r.sealContiguousRatio).toFixed(2)}x`);
  const rows = [
    { what: 'sealing as segments (sealContainerParts: the zimlet\'s send, the portal\'s answer)', ratio: worst((r) => r.sealRatio), goal: SEAL_TARGET },
    { what: 'opening as segments (openContainerParts)', ratio: worst((r) => r.openPartsRatio), goal: OPEN_TARGET },
    // What the readers call: the MIME reader needs one buffer, so the segments are joined (one copy).
    { what: 'opening contiguous (openContainer: the zimlet\'s and the portal\'s readers)', ratio: worst((r) => r.openRatio), goal: OPEN_TARGET },
  ];
  for (const row of rows) {
    lines.push(`target ${row.what} vs bare WebCrypto, ${sizes} MB: worst ${row.ratio.toFixed(2)}x (goal ≤ ${row.goal}x) ${row.ratio <= row.goal ? 'PASS' : 'FAIL'}`);
  }
  const sealPass = rows[0]!.ratio <= SEAL_TARGET;
  const openPass = rows[1]!.ratio <= OPEN_TARGET;
  return { lines, pass: sealPass && openPass };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const kib = Number(process.env.BENCH_SEGMENT_KIB ?? 0);
  const { lines, pass } = formatBrowserResults(await runBrowserCryptoBench(kib > 0 ? kib * 1024 : SEND_SEGMENT_SIZE));
  for (const l of lines) console.log(l);
  process.exitCode = pass ? 0 : 1;
}
