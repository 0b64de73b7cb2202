/**
 * The bounded fuzz run of `npm test`: 10 000 generated and mutated inputs per parser (fuzz/targets.ts),
 * each checked for its documented errors, a bounded time and a bounded output. A failure prints the
 * shrunk input and the seed; `npm run fuzz -- --seed <seed> --target <name>` replays it.
 * The seed changes every run (a fixed one would test the same 10 000 inputs forever); it is printed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runTarget } from './runner.ts';
import { TARGETS } from './targets.ts';

const RUNS = Number(process.env.ESANTE_FUZZ_RUNS ?? 10_000);
const seed = Number(process.env.ESANTE_FUZZ_SEED ?? Date.now() % 2 ** 31);

for (const target of TARGETS) {
  test(`fuzz: ${target.name} (${RUNS} inputs, seed ${seed})`, async (t) => {
    const r = await runTarget(target, { runs: RUNS, seed });
    assert.equal(r.failure, undefined, r.failure);
    assert.equal(r.runs, RUNS, 'every input was tried');
    t.diagnostic(`slowest ${r.slowestMs.toFixed(1)} ms; ${JSON.stringify(r.outcomes)}`);
  });
}
