/**
 * `npm run bench:dsp` (issue 11, acceptance 5): filing a 10 MB PDF through the service, "from the
 * click to déposé" — the zimlet's two calls: POST the bytes to the upload route, then FileDocument,
 * which sends the ITI-41 MTOM request (with a freshly signed XUA assertion) to the XDS.b stand-in and
 * waits for its RegistryResponse — as a ratio to a bare HTTP POST of the same 10 MB to the same
 * stand-in endpoint, measured in the same run (target ≤ 2×); and the service's memory growth during
 * one filing (heap + array buffers above the level before it, sampled every 2 ms; target ≤ 3× the
 * document size: the bytes are streamed as the chunks received, never joined or base64-encoded).
 *
 * The stand-in runs in its own process (sandbox/dsp/main.ts) so its own buffering is not counted; the
 * service (and the idle sandbox Zimbra it checks sessions with) run in this process, which is
 * started with --expose-gc so the baseline is taken after a collection.
 */
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { SANDBOX_PATIENTS } from '../sandbox/dsp/patients.ts';
import { DSP_UPLOAD_PATH } from '../shared/dsp/operations.ts';
import { callAs, loginAs, SEED_PASSWORD, startTestEnv } from '../server-extension/test/support/service.ts';

const SIZE = 10 * 1024 * 1024;
const RUNS = Number(process.env['BENCH_DSP_RUNS'] ?? 5);
const gc = (globalThis as { gc?: () => void }).gc;

function post(url: string, body: Buffer, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'Content-Length': String(body.length), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function pdfOf(i: number): Buffer {
  const b = Buffer.alloc(SIZE, 0x20);
  b.write(`%PDF-1.7\n% bench document ${i} ${Date.now()}\n`, 0, 'latin1');
  b.write('\n%%EOF\n', SIZE - 7, 'latin1');
  return b;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-dsp-'));
  const keyFile = join(dir, 'xua-key.pem');
  const certFile = join(dir, 'xua-cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '1', '-subj', '/CN=bench XUA', '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../sandbox/dsp/main.ts', import.meta.url)), certFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  const standInUrl = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (l) => resolve((JSON.parse(l) as { url: string }).url));
    child.once('exit', (c) => reject(new Error(`stand-in exited ${c}`)));
  });
  const env = await startTestEnv({ ESANTE_LOG_LEVEL: 'warn' }, {
    env: {
      ESANTE_DSP_REPOSITORY_URL: `${standInUrl}/repository`,
      ESANTE_DSP_REGISTRY_URL: `${standInUrl}/registry`,
      ESANTE_DSP_PDQ_URL: `${standInUrl}/pdq`,
      ESANTE_DSP_XUA_KEY_FILE: keyFile,
      ESANTE_DSP_XUA_CERT_FILE: certFile,
    },
  });
  try {
    const marie = await loginAs(env.sandboxUrl, 'marie.schmit@esante.lu', SEED_PASSWORD);
    const patient = SANDBOX_PATIENTS[4]!.matricule;
    const metadata = { title: 'Compte rendu (bench)', classCode: '18842-5', typeCode: '18842-5', confidentialityCode: 'N', languageCode: 'fr-LU' };
    const fileOnce = async (bytes: Buffer): Promise<string> => {
      // Straight to the service's port (what nginx forwards), not through the sandbox's proxy.
      const up = await post(`${env.url}${DSP_UPLOAD_PATH}`, bytes, { Cookie: marie.cookie, 'X-Zimbra-Csrf-Token': marie.csrfToken, 'Content-Type': 'application/pdf' });
      if (up.status !== 200) throw new Error(`upload ${up.status} ${up.text}`);
      const r = await callAs(env.url, marie, 'FileDocument', { matricule: patient, uploadId: (JSON.parse(up.text) as { uploadId: string }).uploadId, fileName: 'cr.pdf', mimeType: 'application/pdf', metadata });
      return r.outcome;
    };
    // Warm-up: JIT, the auth cache, the stand-in's xmllint.
    if ((await fileOnce(pdfOf(-1))) !== 'filed') throw new Error('warm-up filing failed');
    await post(`${standInUrl}/repository`, pdfOf(-2), { 'Content-Type': 'application/pdf' });

    const service: number[] = [];
    const bare: number[] = [];
    const growth: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const bytesBare = pdfOf(1000 + i);
      let t = performance.now();
      // The same bytes to the same endpoint; the stand-in reads all of it, then refuses the type (415).
      await post(`${standInUrl}/repository`, bytesBare, { 'Content-Type': 'application/pdf' });
      bare.push(performance.now() - t);

      const bytes = pdfOf(i);
      gc?.();
      const used = () => {
        const m = process.memoryUsage();
        return m.heapUsed + m.arrayBuffers;
      };
      // The document itself, held by this bench as the "browser", is in the baseline.
      const base = used();
      let peak = base;
      const timer = setInterval(() => {
        peak = Math.max(peak, used());
      }, 2);
      t = performance.now();
      const outcome = await fileOnce(bytes);
      service.push(performance.now() - t);
      clearInterval(timer);
      peak = Math.max(peak, used());
      if (outcome !== 'filed') throw new Error(`filing ${i}: ${outcome}`);
      growth.push((peak - base) / SIZE);
    }
    const ratio = median(service) / median(bare);
    const worstGrowth = Math.max(...growth);
    console.log(`document: ${SIZE} bytes PDF, ${RUNS} runs (median)`);
    console.log(`bare HTTP POST to the stand-in: ${median(bare).toFixed(1)} ms`);
    console.log(`upload + FileDocument through the service (ITI-41 MTOM + XUA + stand-in validation): ${median(service).toFixed(1)} ms`);
    console.log(`memory growth per filing (heap + array buffers): ${growth.map((g) => g.toFixed(2)).join(', ')} × document size`);
    console.log(`target filing time vs bare POST: ${ratio.toFixed(2)}x (goal ≤ 2x) ${ratio <= 2 ? 'PASS' : 'FAIL'}`);
    console.log(`target service memory growth: ${worstGrowth.toFixed(2)}x document size (goal ≤ 3x) ${worstGrowth <= 3 ? 'PASS' : 'FAIL'}`);
    if (!gc) console.log('(run with --expose-gc for a collected baseline)');
  } finally {
    await env.close();
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
