/**
 * Readiness (issue 16): /health answers 503 naming the part not ready until every feature is
 * ready, signing included, so a load balancer (Zimbra's nginx, a health-checking proxy) sends no
 * traffic to an instance that has said "started" but cannot sign yet.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { HEALTH_PATH } from '../../shared/paths.ts';
import { loadConfig } from '../src/config.ts';
import type { Feature, FeatureFactory } from '../src/feature.ts';
import { createLogger } from '../src/log.ts';
import { createService } from '../src/root.ts';
import { createSigningFeature } from '../src/signing/feature.ts';
import { SANDBOX_SEED_USERS } from './support/service.ts';

const log = createLogger({ level: 'silent', destination: new Writable({ write: (_c, _e, cb) => cb() }) });

async function health(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await fetch(`${url}${HEALTH_PATH}`);
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

/** A feature whose readiness the test decides. */
function gated(name: string): { factory: FeatureFactory; ready: Promise<void>; resolve: () => void; reject: (e: Error) => void } {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const ready = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  const feature: Feature = { name, handlers: {}, ready: () => ready };
  ready.catch(() => undefined);
  return { factory: () => feature, ready, resolve, reject };
}

describe('health is 503 until every feature is ready', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'esante-ready-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const config = (sub: string) => loadConfig({ ESANTE_PORT: '0', ESANTE_DATA_DIR: join(dir, sub), ESANTE_ZIMBRA_URL: 'http://127.0.0.1:9' }, dir);

  test('a feature getting ready is named; 200 once it is; one that fails is named down', async () => {
    const slow = gated('slow');
    const broken = gated('broken');
    const service = await createService(config('gated'), { log, env: {}, featureFactories: [slow.factory, broken.factory] });
    const url = await service.start();
    try {
      assert.deepEqual(await health(url), { status: 503, body: { status: 'starting', version: service.version, store: true, starting: ['slow', 'broken'] } });
      slow.resolve();
      await slow.ready;
      // The root records a feature's readiness in its own continuation of ready(): let it run.
      await new Promise((r) => setImmediate(r));
      assert.deepEqual((await health(url)).body['starting'], ['broken']);
      broken.reject(new Error('no PKI'));
      await assert.rejects(service.whenReady(), /not ready: broken/);
      assert.deepEqual(await health(url), { status: 503, body: { status: 'degraded', version: service.version, store: true, down: ['broken'] } });
    } finally {
      await service.stop();
    }
  });

  test('on a fresh data dir, signing is not ready when the service says started; health is 200 once it is', async () => {
    const env = { ESANTE_SIGNING_TEST_USERS: SANDBOX_SEED_USERS };
    const service = await createService(config('fresh'), { log, env, featureFactories: [createSigningFeature] });
    const url = await service.start();
    try {
      // Making the test PKI (one RSA key per seeded user) takes seconds; this answer takes milliseconds.
      const first = await health(url);
      assert.equal(first.status, 503);
      assert.equal(first.body['status'], 'starting');
      assert.deepEqual(first.body['starting'], ['signing']);
      await service.whenReady();
      assert.deepEqual(await health(url), { status: 200, body: { status: 'ok', version: service.version, store: true } });
    } finally {
      await service.stop();
    }
  });
});
