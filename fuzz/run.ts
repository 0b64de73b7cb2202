/**
 * `npm run fuzz -- [--seconds N] [--target text] [--seed S]`: fuzzes every parser (or those whose name
 * contains `text`) in rounds of 10 000 inputs with fresh seeds until N seconds (default 300) have
 * passed, then prints what it found. Exit 1 when anything was found.
 */
import { parseArgs } from 'node:util';
import { runTarget } from './runner.ts';
import { TARGETS } from './targets.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '300' }, target: { type: 'string' }, seed: { type: 'string' } } });
const deadline = Date.now() + Number(values.seconds) * 1000;
const targets = TARGETS.filter((t) => !values.target || t.name.includes(values.target));
if (targets.length === 0) throw new Error(`no target matches ${values.target}`);
const found: string[] = [];
const tried = new Map<string, number>();
let seed = values.seed !== undefined ? Number(values.seed) : Date.now() % 2 ** 31;
do {
  for (const t of targets) {
    const r = await runTarget(t, { runs: 10_000, seed });
    tried.set(t.name, (tried.get(t.name) ?? 0) + r.runs);
    console.log(`${t.name}: seed ${seed}, ${r.runs} inputs, slowest ${r.slowestMs.toFixed(1)} ms, ${JSON.stringify(r.outcomes)}${r.failure ? ' — FOUND' : ''}`);
    if (r.failure) found.push(r.failure);
  }
  seed = (seed + 1) % 2 ** 31;
} while (Date.now() < deadline && values.seed === undefined);
console.log('');
for (const [name, n] of tried) console.log(`${name}: ${n} inputs`);
console.log(found.length === 0 ? 'nothing found' : `found ${found.length}:\n${found.join('\n\n')}`);
process.exit(found.length === 0 ? 0 : 1);
