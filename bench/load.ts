/**
 * `npm run bench:load` (issue 16): simulated users of a hospital's morning through a real nginx (the
 * README's location block) in front of the service on one PostgreSQL: first ONE instance, then TWO,
 * same machine, same load (server-extension/test/topology/: cluster.ts, load.ts). The mix per user
 * (closed loop, no think time): directory searches 50 %, opening encrypted messages 25 %, sending
 * 10 %, account and service info 13 %, portal log-ins 2 %.
 *
 * Prints per operation the count, p50, p95, p99 and errors of each run, then the target lines:
 *   0 errors (both runs); p99 ≤ 5× p50 for every operation (two instances); throughput with two
 *   instances ≥ 1.3× one instance.
 * The cores of the machine are printed: nginx, PostgreSQL, the Zimbra sandbox and this load
 * generator share them with the instances, so on 2 cores two instances cannot get twice the CPU.
 *
 * Environment (defaults are the numbers): BENCH_USERS=200, BENCH_SECONDS=60, BENCH_WARMUP_SECONDS=5.
 */
import { availableParallelism, cpus, loadavg } from 'node:os';
import { startTopology } from '../server-extension/test/topology/cluster.ts';
import { OPERATIONS, percentile, prepare, report, runLoad, type LoadResult } from '../server-extension/test/topology/load.ts';

const USERS = Number(process.env['BENCH_USERS'] ?? 200);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 60);
const WARMUP = Number(process.env['BENCH_WARMUP_SECONDS'] ?? 5);
const P99_OVER_P50 = 5;
const SCALE = 1.3;

async function measure(instances: number): Promise<LoadResult> {
  const topo = await startTopology({ instances });
  try {
    const prepared = await prepare({ baseUrl: topo.url, sandboxUrl: topo.sandboxUrl, pgUrl: topo.pg.dbUrl, messagesPerUser: 10, portalAccounts: 50 });
    // Warm-up (not counted): JIT, pools, Zimbra session caches.
    await runLoad(prepared, { users: USERS, durationMs: WARMUP * 1000 });
    const result = await runLoad(prepared, { users: USERS, durationMs: SECONDS * 1000 });
    console.log(`\n${instances} instance${instances > 1 ? 's' : ''}: ${result.total} calls in ${result.seconds.toFixed(1)} s = ${(result.total / result.seconds).toFixed(0)}/s (${USERS} users; load average after: ${loadavg().map((x) => x.toFixed(1)).join(' ')})`);
    for (const line of report(result)) console.log(`  ${line}`);
    return result;
  } finally {
    await topo.close();
  }
}

const cores = availableParallelism();
console.log(`bench:load — ${USERS} users × ${SECONDS} s (+${WARMUP} s warm-up) through nginx; ${cores} cores (${cpus()[0]?.model ?? '?'}), shared by nginx, PostgreSQL, the sandbox, this generator and the instances; load average before: ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
const one = await measure(1);
const two = await measure(2);

const lines: string[] = [];
const errors = one.finalErrors + two.finalErrors;
lines.push(`target errors (one + two instances): ${errors} (goal 0) ${errors === 0 ? 'PASS' : 'FAIL'}`);
for (const op of OPERATIONS) {
  const sorted = [...two.stats[op].ms].sort((a, b) => a - b);
  const ratio = percentile(sorted, 0.99) / percentile(sorted, 0.5);
  lines.push(`target p99/p50 ${op} (two instances): ${ratio.toFixed(2)} (goal ≤ ${P99_OVER_P50}) ${ratio <= P99_OVER_P50 ? 'PASS' : 'FAIL'}`);
}
const scale = two.total / two.seconds / (one.total / one.seconds);
const why = scale >= SCALE ? '' : ` — ${cores} cores for everything: the second instance competes for the same CPU with nginx, PostgreSQL, the sandbox and the generator`;
lines.push(`target throughput two/one instances: ${scale.toFixed(2)}× (goal ≥ ${SCALE}×, ${cores} cores) ${scale >= SCALE ? 'PASS' : 'FAIL'}${why}`);
console.log(`\n${lines.join('\n')}`);
process.exit(0);
