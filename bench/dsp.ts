/**
 * `npm run bench:dsp` (issue 11, acceptance 5): filing a 10 MB PDF through the service, "from the
 * click to déposé" — the zimlet's streamed flow (zimlets/medical/src/service.ts fileBytes): the
 * browser hashes the document (crypto.subtle.digest('SHA-1')), calls PrepareFiling (checks, author,
 * (patient, hash) claimed), then POSTs the bytes once to DSP_FILE_PATH/{filingId}; the service passes
 * them on as they arrive into the ITI-41 MTOM request (with the author's XUA assertion) to the XDS.b
 * stand-in, checking size and SHA-1 as they pass, and answers once the stand-in's RegistryResponse
 * is in — as a ratio to a bare HTTP POST of the same 10 MB to the same stand-in endpoint, measured in
 * the same run (target ≤ 2×); and the service's memory growth during one filing (heap + array
 * buffers above the level before it, sampled every 2 ms; target ≤ 3× the document size).
 *
 * Three processes, as in production: the "browser" (bench/dsp-browser-child.ts) holds the document,
 * hashes it and POSTs it — to the service's route, or, for the bare reference, to the stand-in, with
 * the same client code; the stand-in (sandbox/dsp/main.ts) reads it, with every check of a real
 * repository (schema, XUA signature, metadata, hash, size); the sandbox Zimbra the service checks
 * sessions with runs in bench/dsp-sandbox-child.ts; the service alone runs in this process, started
 * with --expose-gc so the memory baseline is taken after a collection. The PrepareFiling SOAP call
 * is made from this process (as FileDocument was), over HTTP to the service's port. Timing starts
 * once the service is ready (the other features' start-up work, e.g. the signing test PKI, is over)
 * and after a warm-up filing; the memory sampler runs on filings of their own, so its calls are not
 * in the timed ones. The reference is a fair one-transfer floor: the stand-in reads every byte, then
 * refuses the type.
 */
import { fork, spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { SANDBOX_PATIENTS } from '../sandbox/dsp/patients.ts';
import { DSP_FILE_PATH } from '../shared/dsp/operations.ts';
import { loadConfig } from '../server-extension/src/config.ts';
import { createService } from '../server-extension/src/root.ts';
import { freePort } from '../server-extension/test/support/free-port.ts';
import { callAs, loginAs, memoryLogger, portalBuilt, SANDBOX_SEED_USERS, SEED_PASSWORD } from '../server-extension/test/support/service.ts';

const SIZE = 10 * 1024 * 1024;
const RUNS = Number(process.env['BENCH_DSP_RUNS'] ?? 5);
const gc = (globalThis as { gc?: () => void }).gc;

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
  // The service as startTestEnv (server-extension/test/support/service.ts) builds it, the sandbox
  // Zimbra in a process of its own.
  await portalBuilt();
  const port = await freePort();
  const serviceUrl = `http://127.0.0.1:${port}`;
  const zimbra = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./dsp-sandbox-child.ts', import.meta.url)), dir, serviceUrl], { stdio: ['ignore', 'pipe', 'inherit'] });
  const sandboxUrl = await new Promise<string>((resolve, reject) => {
    createInterface({ input: zimbra.stdout! }).once('line', (l) => resolve((JSON.parse(l) as { url: string }).url));
    zimbra.once('exit', (c) => reject(new Error(`sandbox exited ${c}`)));
  });
  const config = loadConfig({ ESANTE_PORT: String(port), ESANTE_DATA_DIR: join(dir, 'data'), ESANTE_ZIMBRA_URL: sandboxUrl, ESANTE_PUBLIC_URL: sandboxUrl, ESANTE_ZIMBRA_TIMEOUT_MS: '3000', ESANTE_SHUTDOWN_TIMEOUT_MS: '2000', ESANTE_LOG_LEVEL: 'warn' }, dir);
  const service = await createService(config, {
    log: memoryLogger().log,
    env: {
      ESANTE_DIRECTORY_SEED_USERS: SANDBOX_SEED_USERS,
      ESANTE_SIGNING_TEST_USERS: SANDBOX_SEED_USERS,
      ESANTE_DSP_REPOSITORY_URL: `${standInUrl}/repository`,
      ESANTE_DSP_REGISTRY_URL: `${standInUrl}/registry`,
      ESANTE_DSP_PDQ_URL: `${standInUrl}/pdq`,
      ESANTE_DSP_XUA_KEY_FILE: keyFile,
      ESANTE_DSP_XUA_CERT_FILE: certFile,
    },
  });
  const env = { url: await service.start(), sandboxUrl, service };
  const browser = fork(fileURLToPath(new URL('./dsp-browser-child.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ask = <T>(m: object) =>
    new Promise<T>((resolve) => {
      browser.once('message', (r) => resolve(r as T));
      browser.send(m);
    });
  await new Promise((r) => browser.once('message', r));
  const post = (url: string, headers: Record<string, string>) => ask<{ status: number; text: string }>({ cmd: 'post', url, headers });
  try {
    await env.service.whenReady();
    const marie = await loginAs(env.sandboxUrl, 'marie.schmit@esante.lu', SEED_PASSWORD);
    const patient = SANDBOX_PATIENTS[4]!.matricule;
    const metadata = { title: 'Compte rendu (bench)', classCode: '18842-5', typeCode: '18842-5', confidentialityCode: 'N', languageCode: 'fr-LU' };
    const fileOnce = async (): Promise<{ outcome: string; hash: number; prepare: number; stream: number }> => {
      const t0 = performance.now();
      const { sha1 } = await ask<{ sha1: string }>({ cmd: 'sha1' });
      const t1 = performance.now();
      const p = await callAs(env.url, marie, 'PrepareFiling', { matricule: patient, sha1, size: SIZE, fileName: 'cr.pdf', mimeType: 'application/pdf', metadata });
      if (p.outcome !== 'send') throw new Error(`PrepareFiling: ${p.outcome}`);
      const t2 = performance.now();
      // Straight to the service's port (what nginx forwards), not through the sandbox's proxy.
      const r = await post(`${env.url}${DSP_FILE_PATH}/${p.filingId}`, { Cookie: marie.cookie, 'X-Zimbra-Csrf-Token': marie.csrfToken, 'Content-Type': 'application/pdf' });
      if (r.status !== 200) throw new Error(`filing ${r.status} ${r.text}`);
      return { outcome: (JSON.parse(r.text) as { outcome: string }).outcome, hash: t1 - t0, prepare: t2 - t1, stream: performance.now() - t2 };
    };
    // Warm-up: JIT, the auth cache, the stand-in's xmllint, the assertion the doctor's opening of the patient signs.
    await callAs(env.url, marie, 'ListPatientDocuments', { matricule: patient });
    await ask({ cmd: 'prepare', seed: -1 });
    if ((await fileOnce()).outcome !== 'filed') throw new Error('warm-up filing failed');
    await post(`${standInUrl}/repository`, { 'Content-Type': 'application/pdf' });

    const service: number[] = [];
    const hashes: number[] = [];
    const prepares: number[] = [];
    const streams: number[] = [];
    const bare: number[] = [];
    const growth: number[] = [];
    const used = () => {
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    for (let i = 0; i < RUNS; i++) {
      await ask({ cmd: 'prepare', seed: 1000 + i });
      let t = performance.now();
      // The same bytes to the same endpoint; the stand-in reads all of it, then refuses the type (415).
      const b = await post(`${standInUrl}/repository`, { 'Content-Type': 'application/pdf' });
      bare.push(performance.now() - t);
      if (b.status !== 415) throw new Error(`bare POST: ${b.status}`);

      await ask({ cmd: 'prepare', seed: i });
      t = performance.now();
      const timed = await fileOnce();
      service.push(performance.now() - t);
      if (timed.outcome !== 'filed') throw new Error(`filing ${i}: ${timed.outcome}`);
      hashes.push(timed.hash);
      prepares.push(timed.prepare);
      streams.push(timed.stream);

      // Memory, on a filing of its own (the sampler's calls would be in the timed one).
      await ask({ cmd: 'prepare', seed: 2000 + i });
      // The previous filing's buffers are released once its sockets have closed (a turn of the loop).
      for (let k = 0; k < 2; k++) {
        await new Promise((r) => setImmediate(r));
        gc?.();
      }
      const base = used();
      let peak = base;
      const timer = setInterval(() => {
        peak = Math.max(peak, used());
      }, 2);
      const sampled = await fileOnce();
      clearInterval(timer);
      peak = Math.max(peak, used());
      if (sampled.outcome !== 'filed') throw new Error(`filing ${i} (memory): ${sampled.outcome}`);
      growth.push((peak - base) / SIZE);
    }
    const ratio = median(service) / median(bare);
    const worstGrowth = Math.max(...growth);
    console.log(`document: ${SIZE} bytes PDF, ${RUNS} runs (median)`);
    console.log(`bare HTTP POST to the stand-in: ${median(bare).toFixed(1)} ms`);
    console.log(`  SHA-1 in the browser (crypto.subtle): ${median(hashes).toFixed(1)} ms`);
    console.log(`  PrepareFiling (checks, author, claim): ${median(prepares).toFixed(1)} ms`);
    console.log(`  bytes streamed browser → service → ITI-41 MTOM → stand-in (its checks), answer: ${median(streams).toFixed(1)} ms`);
    console.log(`filing through the service (SHA-1 + PrepareFiling + streamed ITI-41 with XUA + stand-in validation): ${median(service).toFixed(1)} ms`);
    console.log(`memory growth per filing (heap + array buffers): ${growth.map((g) => g.toFixed(2)).join(', ')} × document size`);
    console.log(`target filing time vs bare POST: ${ratio.toFixed(2)}x (goal ≤ 2x) ${ratio <= 2 ? 'PASS' : 'FAIL'}`);
    console.log(`target service memory growth: ${worstGrowth.toFixed(2)}x document size (goal ≤ 3x) ${worstGrowth <= 3 ? 'PASS' : 'FAIL'}`);
    if (!gc) console.log('(run with --expose-gc for a collected baseline)');
  } finally {
    browser.kill('SIGTERM');
    await service.stop();
    const exited = (c: typeof zimbra) => (c.exitCode !== null ? Promise.resolve() : new Promise((r) => c.once('exit', r)));
    zimbra.kill('SIGTERM');
    child.kill('SIGTERM');
    await Promise.all([exited(zimbra), exited(child)]);
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
