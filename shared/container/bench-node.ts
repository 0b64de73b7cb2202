/**
 * Quick measurement, not a test: seal/open time of 1, 10 and 25 MB containers with WebCrypto in Node,
 * next to `openssl speed -evp aes-256-gcm` on the same machine in the same run. It informs the
 * Chromium benchmark (`npm run bench:crypto`, bench/), which is the one the acceptance criteria use.
 *
 *   node --import tsx shared/container/bench-node.ts
 */
import { execFileSync } from 'node:child_process';
import { openContainer, sealContainer } from './container.ts';

const RUNS = 7;

/** All threads of the process (WebCrypto works in libuv's pool), user + system, in ms. */
function cpuMs(u: NodeJS.CpuUsage): number {
  return (u.user + u.system) / 1000;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

/**
 * OpenSSL's single-thread AES-256-GCM throughput on 1 MiB blocks (one of our segments), bytes/s.
 * Note: `openssl speed` divides by CPU time, not wall time, so on a busy machine compare it with our
 * CPU column; the wall column is what a user waits.
 */
function opensslBytesPerSecond(): number {
  const out = execFileSync('openssl', ['speed', '-evp', 'aes-256-gcm', '-bytes', String(1024 * 1024), '-seconds', '2'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  // Last line: "AES-256-GCM    4439146.50k" (thousands of bytes per second).
  const m = /AES-256-GCM\s+([\d.]+)k\s*$/m.exec(out);
  if (!m) throw new Error(`unexpected openssl output:\n${out}`);
  return Number(m[1]) * 1000;
}

const key = globalThis.crypto.getRandomValues(new Uint8Array(32));
const opensslRate = opensslBytesPerSecond();
console.log(`openssl speed -evp aes-256-gcm (1 MiB blocks): ${(opensslRate / 1e6).toFixed(0)} MB/s`);
for (const mb of [1, 10, 25]) {
  const mime = new Uint8Array(mb * 1_000_000);
  globalThis.crypto.getRandomValues(mime.subarray(0, 65536));
  const seal: number[] = [];
  const open: number[] = [];
  const sealCpu: number[] = [];
  const openCpu: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    let t = performance.now();
    let c = process.cpuUsage();
    const sealed = await sealContainer({ messageId: 'bench', keyService: 'https://localhost/soap', sender: 'a@esante.lu', mime, key });
    seal.push(performance.now() - t);
    sealCpu.push(cpuMs(process.cpuUsage(c)));
    t = performance.now();
    c = process.cpuUsage();
    await openContainer(sealed, async () => key);
    open.push(performance.now() - t);
    openCpu.push(cpuMs(process.cpuUsage(c)));
  }
  const opensslMs = (mime.length / opensslRate) * 1000;
  const row = (name: string, wall: number[], cpu: number[]) =>
    `${name} ${median(wall).toFixed(1)} ms wall (${(median(wall) / opensslMs).toFixed(1)}×), ${median(cpu).toFixed(1)} ms CPU (${(median(cpu) / opensslMs).toFixed(1)}×)`;
  console.log(`${String(mb).padStart(2)} MB: ${row('seal', seal, sealCpu)}; ${row('open', open, openCpu)}; openssl ${opensslMs.toFixed(1)} ms`);
}
