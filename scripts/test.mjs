// `npm test`: every test of the suite, in the order a failure is cheapest to find:
// system programs present → type-check → build (zips validated) → unit + integration (node:test,
// real slapd / PostgreSQL / SMTP started by the tests) → e2e in Chromium against the sandbox.
// Ends with one plain line "N passed, N failed" over all layers.
import { spawn } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
let passed = 0;
let failed = 0;

function run(label, cmd, args, { count } = {}) {
  console.log(`\n=== ${label}: ${cmd} ${args.join(' ')}`);
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env: process.env });
    let out = '';
    child.stdout.on('data', (d) => {
      process.stdout.write(d);
      if (count) out += d.toString();
    });
    child.on('close', (code) => {
      if (count) {
        const p = count(out);
        passed += p.passed;
        failed += p.failed;
      }
      resolve(code ?? 1);
    });
  });
}

// node --test spec reporter closes with "ℹ pass N" / "ℹ fail N".
const nodeCounts = (out) => ({
  passed: Number(/ℹ pass (\d+)/.exec(out)?.[1] ?? 0),
  failed: Number(/ℹ fail (\d+)/.exec(out)?.[1] ?? 0),
});
// Playwright's list reporter closes with "N passed" and, when any, "N failed" / "N flaky".
const pwCounts = (out) => ({
  passed: Number(/(\d+) passed/.exec(out)?.[1] ?? 0),
  failed: Number(/(\d+) failed/.exec(out)?.[1] ?? 0) + Number(/(\d+) flaky/.exec(out)?.[1] ?? 0),
});

const steps = [
  ['system programs', 'bash', ['scripts/ensure-system.sh']],
  ['type-check', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']],
  ['build', 'npm', ['run', '--silent', 'build']],
  ['unit + integration', process.execPath, ['scripts/run-node-tests.mjs'], { count: nodeCounts }],
  ['e2e (Chromium)', 'npx', ['playwright', 'test', '-c', 'e2e/playwright.config.ts'], { count: pwCounts }],
];

let status = 0;
for (const [label, cmd, args, opts] of steps) {
  const code = await run(label, cmd, args, opts);
  if (code !== 0) {
    console.log(`\n=== ${label} failed (exit ${code})`);
    status = 1;
    // Without a build or the system programs, later layers can only fail for the same reason.
    if (label === 'system programs' || label === 'build') {
      failed += 1;
      break;
    }
  }
}
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(status || (failed > 0 ? 1 : 0));
