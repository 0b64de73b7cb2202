/**
 * The runner's time bound: an input slow by nature fails the run (every one of its three tries is over
 * the bound); a single stall of the machine on one try does not.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { runTarget } from './runner.ts';
import { MAX_MS_PER_INPUT, type Target } from './targets.ts';

/** Burns CPU for `ms` (a parser stuck on its input, not a timer). */
function spin(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

test('an input that is slow every time fails the run, named with its seed', async () => {
  const target: Target<number> = {
    name: 'always slow on 7',
    setup: async () => fc.constantFrom(1, 2, 7),
    check: (n) => {
      if (n === 7) spin(MAX_MS_PER_INPUT + 30);
      return 'ok';
    },
  };
  const r = await runTarget(target as Target<never>, { runs: 30, seed: 42 });
  assert.match(r.failure ?? '', /always slow on 7: took \d+ ms, fastest of 3 runs \(bound 250 ms\)[\s\S]*seed 42[\s\S]*input 7/);
});

test('one stall on a first try is retried and does not fail the run', async () => {
  let calls = 0;
  const target: Target<number> = {
    name: 'stalls once',
    setup: async () => fc.constantFrom(1, 2, 3),
    check: () => {
      calls += 1;
      if (calls === 3) spin(MAX_MS_PER_INPUT + 30);
      return 'ok';
    },
  };
  const r = await runTarget(target as Target<never>, { runs: 20, seed: 42 });
  assert.equal(r.failure, undefined);
  assert.ok(r.slowestMs < MAX_MS_PER_INPUT, `slowest counted ${r.slowestMs}`);
  assert.equal(calls, 21, 'the stalled input ran once more');
});
