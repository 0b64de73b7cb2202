/**
 * `npm run bench:soak` (issue 16; not part of npm test): 50 simulated users for 10 minutes through
 * nginx on two instances and one PostgreSQL (the bench:load mix, server-extension/test/topology/).
 * Every 5 s it samples each instance's resident memory (/proc/<pid>/status VmRSS) and open file
 * descriptors (/proc/<pid>/fd). Targets, per instance:
 *   RSS, mean of the last minute ≤ 1.15 × mean of the second minute (the first is warm-up);
 *   fds flat: the last minute's highest count ≤ the second minute's highest + 10.
 * Environment: BENCH_USERS=50, BENCH_SECONDS=600 (at least 180: three minutes to compare).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { startTopology } from '../server-extension/test/topology/cluster.ts';
import { prepare, report, runLoad } from '../server-extension/test/topology/load.ts';

const USERS = Number(process.env['BENCH_USERS'] ?? 50);
const SECONDS = Math.max(180, Number(process.env['BENCH_SECONDS'] ?? 600));
const SAMPLE_MS = 5_000;
const RSS_GOAL = 1.15;
const FD_SLACK = 10;

const rssBytes = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) * 1024;
const fds = (pid: number) => readdirSync(`/proc/${pid}/fd`).length;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

console.log(`bench:soak — ${USERS} users × ${SECONDS} s through nginx, two instances, one PostgreSQL; ${availableParallelism()} cores; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
const topo = await startTopology({ instances: 2 });
const lines: string[] = [];
try {
  const prepared = await prepare({ baseUrl: topo.url, sandboxUrl: topo.sandboxUrl, pgUrl: topo.pg.dbUrl, messagesPerUser: 10, portalAccounts: 50 });
  const samples = topo.instances.map(() => [] as Array<{ t: number; rss: number; fds: number; heap: number }>);
  const t0 = Date.now();
  // Also the V8 heap in use (prom-client's nodejs_heap_size_used_bytes on /metrics): tells a leak (heap
  // grows) from RSS that V8 or the allocator has not given back yet (heap flat). Printed, not a target.
  const heapUsed = async (url: string) => Number(/^nodejs_heap_size_used_bytes (\S+)$/m.exec(await (await fetch(url)).text())?.[1] ?? NaN);
  const timer = setInterval(() => {
    topo.instances.forEach((inst, i) => {
      const t = (Date.now() - t0) / 1000;
      const rss = rssBytes(inst.pid);
      const fd = fds(inst.pid);
      void heapUsed(inst.metricsUrl).then(
        (heap) => samples[i]!.push({ t, rss, fds: fd, heap }),
        () => samples[i]!.push({ t, rss, fds: fd, heap: NaN }),
      );
    });
  }, SAMPLE_MS);
  const result = await runLoad(prepared, { users: USERS, durationMs: SECONDS * 1000 });
  clearInterval(timer);
  console.log(`${result.total} calls in ${result.seconds.toFixed(0)} s = ${(result.total / result.seconds).toFixed(0)}/s`);
  for (const line of report(result)) console.log(`  ${line}`);
  lines.push(`target errors: ${result.finalErrors} (goal 0) ${result.finalErrors === 0 ? 'PASS' : 'FAIL'}`);
  topo.instances.forEach((inst, i) => {
    const s = samples[i]!;
    const second = s.filter((x) => x.t > 60 && x.t <= 120);
    const last = s.filter((x) => x.t > SECONDS - 60);
    const ratio = mean(last.map((x) => x.rss)) / mean(second.map((x) => x.rss));
    const fdSecond = Math.max(...second.map((x) => x.fds));
    const fdLast = Math.max(...last.map((x) => x.fds));
    const mib = (xs: number[]) => (mean(xs) / 2 ** 20).toFixed(0);
    console.log(`  ${inst.name}: RSS second minute ${mib(second.map((x) => x.rss))} MiB, last minute ${mib(last.map((x) => x.rss))} MiB; V8 heap used ${mib(second.map((x) => x.heap))} → ${mib(last.map((x) => x.heap))} MiB; fds ${fdSecond} → ${fdLast}`);
    lines.push(`target RSS last/second minute ${inst.name}: ${ratio.toFixed(3)} (goal ≤ ${RSS_GOAL}) ${ratio <= RSS_GOAL ? 'PASS' : 'FAIL'}`);
    lines.push(`target open fds ${inst.name}: last minute max ${fdLast} vs second minute max ${fdSecond} (goal ≤ +${FD_SLACK}) ${fdLast <= fdSecond + FD_SLACK ? 'PASS' : 'FAIL'}`);
  });
} finally {
  await topo.close();
}
console.log(`\n${lines.join('\n')}`);
process.exit(0);
