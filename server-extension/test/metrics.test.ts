/**
 * /metrics (issue 16): the Prometheus text format on its own listener, fed by real SOAP calls
 * through a real service on PostgreSQL; never served by the service's port nor the public location.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SERVICE_BASE_PATH } from '../../shared/paths.ts';
import { ServiceFault } from '../../shared/soap/client.ts';
import { ServiceMetrics } from '../src/http/metrics.ts';
import { openStore, type Store } from '../src/store/index.ts';
import { startMailCatcher, type MailCatcher } from './messages-support.ts';
import { startPostgres, type TestPostgres } from './support/postgres.ts';
import { SEED_PASSWORD, callAs, loginAs, startTestEnv, type TestEnv } from './support/service.ts';

const MARIE = 'marie.schmit@esante.lu';
const LUC = 'luc.hoffmann@esante.lu';
const SOPHIE = 'sophie.muller@esante.lu';

/** The value of one sample line (`name{labels} value`), or undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

test('the directory pool (LDAP) as esante_directory_pool_connections, read at scrape time', async () => {
  let stats = { size: 4, bound: 2, in_use: 1 };
  const metrics = new ServiceMetrics([], () => undefined, { directory: () => ({ poolStats: () => stats }) });
  let text = await metrics.registry.metrics();
  assert.equal(sample(text, 'esante_directory_pool_connections{state="size"}'), 4);
  assert.equal(sample(text, 'esante_directory_pool_connections{state="bound"}'), 2);
  assert.equal(sample(text, 'esante_directory_pool_connections{state="in_use"}'), 1);
  stats = { size: 4, bound: 4, in_use: 0 };
  text = await metrics.registry.metrics();
  assert.equal(sample(text, 'esante_directory_pool_connections{state="bound"}'), 4);
  assert.equal(sample(text, 'esante_directory_pool_connections{state="in_use"}'), 0);
});

describe('/metrics', () => {
  let pg: TestPostgres;
  let store: Store;
  let smtp: MailCatcher;
  let env: TestEnv;

  before(async () => {
    [pg, smtp] = await Promise.all([startPostgres(), startMailCatcher()]);
    store = await openStore({ kind: 'postgres', url: pg.url, poolSize: 7 });
    await store.migrate();
    await store.accounts.create({ email: MARIE, fullName: 'Marie Schmit', identityLevel: 3, passwordHash: '$scrypt$test', options: { notifyTransmission: true } });
    const featureEnv = { ESANTE_SMTP_URL: smtp.url, ESANTE_SCHEDULER_INTERVAL_MS: '0' };
    env = await startTestEnv({ ESANTE_METRICS_PORT: '0', ...featureEnv }, { store, env: featureEnv });
  });
  after(async () => {
    await env?.close();
    await store?.close();
    await smtp?.stop();
    await pg?.stop();
  });

  test('counts, latencies, faults, key releases, the outbox, the pool and the process, in the text format', async () => {
    const [marie, luc, sophie] = await Promise.all([MARIE, LUC, SOPHIE].map((m) => loginAs(env.sandboxUrl, m, SEED_PASSWORD)));
    await callAs(env.url, marie!, 'GetServiceInfo', {});
    await callAs(env.sandboxUrl, marie!, 'GetServiceInfo', {}); // through the sandbox's proxy (nginx's place)
    const reg = await callAs(env.url, marie!, 'RegisterSecureMessage', { to: [LUC], cc: [], subject: 'Métriques' });
    await callAs(env.url, marie!, 'ConfirmSecureMessageSent', { messageId: reg.messageId, containerDigest: 'M'.repeat(43), size: 10 });
    await callAs(env.url, luc!, 'ReleaseMessageKey', { messageId: reg.messageId });
    await assert.rejects(callAs(env.url, sophie!, 'ReleaseMessageKey', { messageId: reg.messageId }), (e: unknown) => e instanceof ServiceFault && e.code === 'message.not_recipient');

    assert.ok(env.service.metricsUrl, 'the metrics listener is up');
    const res = await fetch(env.service.metricsUrl!);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    assert.equal(sample(text, 'esante_soap_requests_total{operation="GetServiceInfo"}'), 2);
    assert.equal(sample(text, 'esante_soap_request_duration_seconds_count{operation="GetServiceInfo"}'), 2);
    assert.ok(sample(text, 'esante_soap_request_duration_seconds_sum{operation="GetServiceInfo"}')! > 0);
    assert.equal(sample(text, 'esante_soap_request_duration_seconds_bucket{le="+Inf",operation="GetServiceInfo"}'), 2);
    assert.equal(sample(text, 'esante_soap_requests_total{operation="ReleaseMessageKey"}'), 2);
    assert.equal(sample(text, 'esante_soap_faults_total{operation="ReleaseMessageKey",code="message.not_recipient"}'), 1);
    assert.equal(sample(text, 'esante_key_releases_total{outcome="allowed",channel="zimbra"}'), 1);
    assert.equal(sample(text, 'esante_key_releases_total{outcome="denied",channel="zimbra"}'), 1);
    // The transmission notice and Luc's read notice wait in the outbox (no scheduler run).
    assert.equal(sample(text, 'esante_notification_queue_depth{state="pending"}'), 2);
    assert.equal(sample(text, 'esante_notification_queue_depth{state="failed"}'), 0);
    assert.ok(sample(text, 'esante_notification_queue_oldest_due_seconds')! >= 0);
    assert.equal(sample(text, 'esante_store_up'), 1);
    assert.equal(sample(text, 'esante_store_pool_connections{state="max"}'), 7);
    assert.ok(sample(text, 'esante_store_pool_connections{state="size"}')! >= 1);
    // The embedded directory has no pool: the family is declared, without samples.
    assert.ok(text.includes('# TYPE esante_directory_pool_connections gauge'));
    assert.equal(sample(text, 'esante_directory_pool_connections{state="size"}'), undefined);
    assert.ok(sample(text, 'process_resident_memory_bytes')! > 0, 'process metrics');
    assert.ok(text.includes('# TYPE nodejs_eventloop_lag_seconds gauge'));
    assert.ok(text.includes('# TYPE esante_soap_request_duration_seconds histogram'));

    // An unknown operation is "unknown", never a new label value chosen by the caller.
    const bogus = await fetch(`${env.url}/service/extension/esante/soap`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/xml', Cookie: `ZM_AUTH_TOKEN=${marie!.authToken}`, 'X-Zimbra-Csrf-Token': marie!.csrfToken },
      body: '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><x:Evil123Request xmlns:x="urn:esante"/></soap:Body></soap:Envelope>',
    });
    assert.equal(bogus.status, 400);
    const after = await (await fetch(env.service.metricsUrl!)).text();
    assert.ok(!after.includes('Evil123'));
    assert.ok(sample(after, 'esante_soap_requests_total{operation="unknown"}')! >= 1);
  });

  test('not reachable through the service port nor the public location', async () => {
    for (const url of [`${env.url}/metrics`, `${env.url}${SERVICE_BASE_PATH}/metrics`, `${env.sandboxUrl}${SERVICE_BASE_PATH}/metrics`, `${env.sandboxUrl}/metrics`]) {
      const r = await fetch(url);
      const body = await r.text();
      assert.notEqual(r.status, 200, url);
      assert.ok(!body.includes('esante_soap_requests_total'), url);
    }
    const metrics = new URL(env.service.metricsUrl!);
    assert.notEqual(metrics.port, new URL(env.url).port, 'its own port');
    assert.equal(metrics.hostname, '127.0.0.1', 'loopback by default');
    assert.equal((await fetch(new URL('/other', metrics))).status, 404, 'the listener serves /metrics only');
  });
});
