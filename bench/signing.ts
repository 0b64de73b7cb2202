/**
 * Signing benchmark (`npm run bench:signing`, or `node --import tsx bench/signing.ts`).
 * Same messages, same run: our sign/verify (in process, soft token with the unlocked key cached as
 * in the service) against the OpenSSL CLI (`openssl cms -sign` / `-verify`, one process per message,
 * which is how a service would use OpenSSL without a native binding). Prints operations per second
 * and ratios, then `target …: measured (goal …) PASS|FAIL` lines; exits 1 when a target fails.
 * Goals are deliberately modest: in-process JS must not be slower than half of OpenSSL's
 * process-per-message rate. Also reports CSC signing through the local stand-in (HTTP round trips).
 * Env: BENCH_ROUNDS (default 30 per message size).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startCscStandIn } from '../sandbox/csc/server.ts';
import { cscSource } from '../server-extension/src/signing/csc.ts';
import { createSmimeSigner } from '../server-extension/src/signing/signer.ts';
import { openPkcs12, softTokenSource } from '../server-extension/src/signing/soft-token.ts';
import { ensureTestPki } from '../server-extension/src/signing/test-pki.ts';
import { trustAnchorsFromPem, verifyMessage } from '../server-extension/src/signing/verify.ts';
import { toPem } from '../server-extension/src/signing/x509.ts';

const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 30);
const MAIL = 'marie.schmit@esante.lu';
const dir = mkdtempSync(join(tmpdir(), 'esante-bench-signing-'));

function message(bodyBytes: number): Buffer {
  const head =
    `From: Marie Schmit <${MAIL}>\r\nTo: luc.hoffmann@esante.lu\r\nSubject: bench\r\nDate: Sun, 29 Nov 2026 06:00:00 +0100\r\n` +
    'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="bb"\r\n\r\n--bb\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nBonjour, voir la piece jointe.\r\n' +
    '--bb\r\nContent-Type: application/pdf; name="r.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\n';
  const b64 = randomBytes(bodyBytes).toString('base64').replace(/(.{76})/g, '$1\r\n');
  return Buffer.from(`${head}${b64}\r\n--bb--\r\n`, 'latin1');
}

async function rate(n: number, f: (i: number) => Promise<unknown> | unknown): Promise<number> {
  await f(0); // warm-up
  const t = performance.now();
  for (let i = 0; i < n; i++) await f(i);
  return (n * 1000) / (performance.now() - t);
}

function run(args: string[], input?: Buffer): Buffer {
  const r = spawnSync('openssl', args, { input, maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
  return r.stdout;
}

try {
  const pki = await ensureTestPki(join(dir, 'data'), [{ givenName: 'Marie', sn: 'Schmit', mail: MAIL }]);
  const anchors = trustAnchorsFromPem(pki.rootCertPem);
  const signer = createSmimeSigner(softTokenSource(pki));
  const opened = openPkcs12(pki.p12(MAIL)!, pki.pin(MAIL)!);
  const keyFile = join(dir, 'key.pem');
  writeFileSync(keyFile, opened.key.export({ type: 'pkcs8', format: 'pem' }) as string, { mode: 0o600 });
  const certFile = join(dir, 'cert.pem');
  writeFileSync(certFile, toPem(opened.certificates[0]!));
  const chainFile = join(dir, 'chain.pem');
  writeFileSync(chainFile, opened.certificates.slice(1).map((c) => toPem(c)).join(''));
  const rootFile = pki.rootCertPath;

  const rows: Array<{ size: string; ourSign: number; osslSign: number; ourVerify: number; osslVerify: number }> = [];
  for (const [label, bytes] of [['2 KB', 2_000], ['100 KB', 100_000], ['1 MB', 1_000_000]] as const) {
    const msg = message(bytes);
    const msgFile = join(dir, `msg-${bytes}.eml`);
    writeFileSync(msgFile, msg);
    const ours = await signer.sign(msg, { mail: MAIL });
    const theirs = run(['cms', '-sign', '-in', msgFile, '-signer', certFile, '-inkey', keyFile, '-certfile', chainFile, '-md', 'sha256']);
    // Both sides verify both outputs once: the benchmark only counts correct work.
    if (!verifyMessage(ours, anchors).valid || !verifyMessage(theirs, anchors).valid) throw new Error('verification failed');
    run(['cms', '-verify', '-CAfile', rootFile, '-purpose', 'smimesign', '-out', '/dev/null'], ours);
    const n = bytes >= 1_000_000 ? Math.max(5, Math.floor(ROUNDS / 3)) : ROUNDS;
    rows.push({
      size: label,
      ourSign: await rate(n, () => signer.sign(msg, { mail: MAIL })),
      osslSign: await rate(n, () => run(['cms', '-sign', '-in', msgFile, '-signer', certFile, '-inkey', keyFile, '-certfile', chainFile, '-md', 'sha256', '-out', '/dev/null'])),
      ourVerify: await rate(n, () => verifyMessage(ours, anchors)),
      osslVerify: await rate(n, () => run(['cms', '-verify', '-CAfile', rootFile, '-purpose', 'smimesign', '-out', '/dev/null'], ours)),
    });
  }

  // CSC through the local stand-in (HTTP on loopback; SAD per message, as in production).
  const csc = await startCscStandIn({ pki, clients: [{ username: 'bench', password: 'bench-pass' }] });
  const cscSigner = createSmimeSigner(
    cscSource({ baseUrl: csc.url, auth: { kind: 'basic', username: 'bench', password: () => 'bench-pass' }, authData: async (m) => [{ id: 'PIN', value: pki.pin(m)! }] }),
  );
  const small = message(2_000);
  const cscRate = await rate(ROUNDS, () => cscSigner.sign(small, { mail: MAIL }));
  await csc.close();

  const f = (x: number): string => x.toFixed(1).padStart(8);
  console.log(`signing benchmark: ${ROUNDS} rounds per size (1 MB: ${Math.max(5, Math.floor(ROUNDS / 3))}); ops/s, higher is better`);
  console.log('size     | our sign | ossl sign | ratio | our verify | ossl verify | ratio');
  for (const r of rows) {
    console.log(`${r.size.padEnd(8)} | ${f(r.ourSign)} | ${f(r.osslSign)}  | ${(r.ourSign / r.osslSign).toFixed(2)}× | ${f(r.ourVerify)}   | ${f(r.osslVerify)}    | ${(r.ourVerify / r.osslVerify).toFixed(2)}×`);
  }
  console.log(`CSC stand-in sign (2 KB, authorize + signHash over HTTP): ${cscRate.toFixed(1)} ops/s (${(cscRate / rows[0]!.osslSign).toFixed(2)}× openssl process-per-message)`);

  const geo = (xs: number[]): number => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
  const signRatio = geo(rows.map((r) => r.ourSign / r.osslSign));
  const verifyRatio = geo(rows.map((r) => r.ourVerify / r.osslVerify));
  const targets: Array<[string, number, number, string]> = [
    ['sign throughput vs openssl cms -sign (geometric mean of ratios)', signRatio, 0.5, '×'],
    ['verify throughput vs openssl cms -verify (geometric mean of ratios)', verifyRatio, 0.5, '×'],
    ['CSC stand-in sign throughput (2 KB), ops/s', cscRate, 10, ' ops/s'],
  ];
  let failed = false;
  for (const [what, measured, goal, unit] of targets) {
    const pass = measured >= goal;
    failed ||= !pass;
    console.log(`target ${what}: ${measured.toFixed(2)}${unit} (goal >= ${goal}${unit}) ${pass ? 'PASS' : 'FAIL'}`);
  }
  process.exitCode = failed ? 1 : 0;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
