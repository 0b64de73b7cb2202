import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LatestLoad } from './latest-load.ts';

test('only the latest run reports; the older one is aborted and stays silent', async () => {
  const loads = new LatestLoad();
  const seen: string[] = [];
  let release!: (v: string) => void;
  let firstSignal!: AbortSignal;
  const slow = loads.run(
    (signal) => {
      firstSignal = signal;
      return new Promise<string>((r) => (release = r));
    },
    (v) => seen.push(`value ${v}`),
    () => seen.push('error'),
  );
  await loads.run(async () => 'new', (v) => seen.push(`value ${v}`), () => seen.push('error'));
  release('old');
  await slow;
  assert.equal(firstSignal.aborted, true);
  assert.deepEqual(seen, ['value new']);
});

test('an error or a missing loader is reported once; cancel silences the run in flight', async () => {
  const loads = new LatestLoad();
  const errors: unknown[] = [];
  await loads.run(async () => Promise.reject(new Error('down')), () => assert.fail('no value'), (e) => errors.push(e));
  await loads.run(undefined, () => assert.fail('no value'), (e) => errors.push(e));
  assert.deepEqual(errors.map((e) => (e as Error).message), ['down', 'no loader set']);
  let release!: () => void;
  const pending = loads.run(() => new Promise<void>((r) => (release = r)), () => assert.fail('cancelled'), () => assert.fail('cancelled'));
  loads.cancel();
  release();
  await pending;
});
