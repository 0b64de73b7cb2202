// Runs every unit and integration test (`*.test.ts` / `*.test.mjs` outside e2e/) with node's own test
// runner. Node 20's `--test` does not expand globs, so the files are listed here.
// Usage: node scripts/run-node-tests.mjs [path-filter…]
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const roots = ['shared', 'zimlets', 'server-extension', 'sandbox', 'build', 'bench', 'fuzz'];
const skip = new Set(['node_modules', 'dist', '.data', 'e2e']);
const files = [];
function walk(dir) {
  for (const name of readdirSync(dir)) {
    if (skip.has(name) || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (/\.test\.(ts|mjs)$/.test(name)) files.push(relative(root, p));
  }
}
for (const r of roots) {
  try { walk(join(root, r)); } catch (e) { if (e.code !== 'ENOENT') throw e; }
}
const filters = process.argv.slice(2);
const selected = files.sort().filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
if (selected.length === 0) {
  console.error('No test file matched.');
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...selected], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, NODE_ENV: 'test' },
});
process.exit(r.status ?? 1);
