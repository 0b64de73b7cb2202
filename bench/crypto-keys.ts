/**
 * Key-release benchmark (the key-service part of `npm run bench:crypto`):
 *
 *   node --import tsx bench/crypto-keys.ts [--clients 50] [--seconds 5]
 *
 * Starts the real service (SQLite store, the sandbox as Zimbra) and measures, in the same run and
 * with the same SOAP client the zimlets use, how many ReleaseMessageKey calls per second 50
 * concurrent clients complete (each release: authorisation, first-open record, transaction count,
 * audit entry, unwrap under the master key) against GetServiceInfo calls per second (the service's
 * cheapest authenticated call: the floor of HTTP + SOAP + auth). Target: ratio ≥ 0.7 (issue 17; issue 5 had 0.5).
 * Prints `target key releases/s vs GetServiceInfo/s: … PASS|FAIL`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openStore } from '../server-extension/src/store/index.ts';
import { SEED_PASSWORD, callAs, loginAs, startTestEnv } from '../server-extension/test/support/service.ts';
import { containerDigest, dataKeyFromBase64, sealContainer } from '../shared/container/container.ts';

export interface KeyBenchOptions {
  clients?: number;
  seconds?: number;
  /** Also told each line as it is made (the CLI prints them). */
  print?: (line: string) => void;
}

export interface KeyBenchResult {
  /** The printed report (bench/crypto.ts prints these in its combined output). */
  lines: string[];
  releasesPerSecond: number;
  serviceInfoPerSecond: number;
  ratio: number;
  pass: boolean;
}

export const KEY_RELEASE_TARGET_RATIO = 0.7;

/** Runs `call` from `clients` concurrent loops for `seconds`; returns completed calls per second. */
async function throughput(clients: number, seconds: number, call: () => Promise<unknown>): Promise<number> {
  const until = performance.now() + seconds * 1000;
  let done = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < until) {
        await call();
        done++;
      }
    }),
  );
  return done / ((performance.now() - started) / 1000);
}

export async function runKeyReleaseBench(options: KeyBenchOptions = {}): Promise<KeyBenchResult> {
  const clients = options.clients ?? 50;
  const seconds = options.seconds ?? 5;
  const lines: string[] = [];
  const print = (line: string): void => {
    lines.push(line);
    options.print?.(line);
  };
  const dir = await mkdtemp(join(tmpdir(), 'esante-bench-keys-'));
  const store = await openStore({ kind: 'sqlite', path: join(dir, 'esante.sqlite') });
  await store.migrate();
  await store.accounts.create({ email: 'marie.schmit@esante.lu', fullName: 'Marie Schmit', identityLevel: 3, passwordHash: '$scrypt$bench' });
  const env = { ESANTE_SCHEDULER_INTERVAL_MS: '0', ESANTE_LOG_LEVEL: 'silent', ESANTE_DATA_DIR: join(dir, 'data') };
  const service = await startTestEnv(env, { store, env });
  try {
    const marie = await loginAs(service.sandboxUrl, 'marie.schmit@esante.lu', SEED_PASSWORD);
    const luc = await loginAs(service.sandboxUrl, 'luc.hoffmann@esante.lu', SEED_PASSWORD);
    const reg = await callAs(service.url, marie, 'RegisterSecureMessage', { to: ['luc.hoffmann@esante.lu'], cc: [], subject: 'Bench' });
    // Sent as the zimlet sends it: sealed, then confirmed with the container's digest (recipients get
    // the key of confirmed messages only).
    const container = await sealContainer({
      messageId: reg.messageId,
      keyService: reg.keyService,
      sender: 'marie.schmit@esante.lu',
      mime: new TextEncoder().encode('Subject: Bench\r\n\r\nbench'),
      key: dataKeyFromBase64(reg.dataKey),
    });
    await callAs(service.url, marie, 'ConfirmSecureMessageSent', { messageId: reg.messageId, containerDigest: await containerDigest(container), size: container.length });
    const release = () => callAs(service.url, luc, 'ReleaseMessageKey', { messageId: reg.messageId });
    const info = () => callAs(service.url, luc, 'GetServiceInfo', {});
    // Warm-up: JIT, the auth cache, SQLite's page cache.
    await throughput(clients, 1, release);
    await throughput(clients, 1, info);
    const serviceInfoPerSecond = await throughput(clients, seconds, info);
    const releasesPerSecond = await throughput(clients, seconds, release);
    const ratio = releasesPerSecond / serviceInfoPerSecond;
    const pass = ratio >= KEY_RELEASE_TARGET_RATIO;
    print(`key releases: ${releasesPerSecond.toFixed(0)}/s with ${clients} concurrent clients (SQLite store)`);
    print(`GetServiceInfo: ${serviceInfoPerSecond.toFixed(0)}/s with ${clients} concurrent clients`);
    print(`target key releases/s vs GetServiceInfo/s: ${ratio.toFixed(2)} (goal ≥ ${KEY_RELEASE_TARGET_RATIO}) ${pass ? 'PASS' : 'FAIL'}`);
    return { lines, releasesPerSecond, serviceInfoPerSecond, ratio, pass };
  } finally {
    await service.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({ options: { clients: { type: 'string', default: '50' }, seconds: { type: 'string', default: '5' } } });
  runKeyReleaseBench({ clients: Number(values.clients), seconds: Number(values.seconds), print: (l) => console.log(l) }).then(
    (r) => process.exit(r.pass ? 0 : 1),
    (err: unknown) => {
      console.error(err);
      process.exit(2);
    },
  );
}
