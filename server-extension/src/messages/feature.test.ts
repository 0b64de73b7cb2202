import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { SERVICE_BASE_PATH } from '../../../shared/paths.ts';
import { ConfigError, loadConfig } from '../config.ts';
import { systemClock, type FeatureContext } from '../feature.ts';
import { createLogger } from '../log.ts';
import type { ZimbraClient } from '../zimbra/client.ts';
import { createMessagesFeature } from './feature.ts';
import { readMessagesConfig } from './config.ts';

/** Only what the messages feature reads; other ports (directory…) are not used by it. */
function context(env: Record<string, string>): FeatureContext {
  const ctx: Omit<FeatureContext, 'directory' | 'professionals' | 'zimbra'> & { zimbra: ZimbraClient } = {
    config: loadConfig({}),
    env,
    log: createLogger({ level: 'silent', destination: new Writable({ write: (_c, _e, cb) => cb() }) }),
    clock: systemClock,
    store: () => {
      throw new Error('not started');
    },
    zimbra: {} as ZimbraClient,
  };
  return ctx as FeatureContext;
}

test('the test clock routes exist only with ESANTE_TEST_CLOCK=1', () => {
  const normal = createMessagesFeature(context({ ESANTE_SMTP_URL: 'smtp://127.0.0.1:1' }));
  assert.deepEqual(normal.routes?.map((r) => r.prefix), [`${SERVICE_BASE_PATH}/portal`]);
  const testing = createMessagesFeature(context({ ESANTE_TEST_CLOCK: '1' }));
  assert.deepEqual(testing.routes?.map((r) => r.prefix), [`${SERVICE_BASE_PATH}/portal`, `${SERVICE_BASE_PATH}/test`]);
  assert.deepEqual(Object.keys(normal.handlers).sort(), [
    'ConfirmSecureMessageSent', 'ExportSecureMessageHistory', 'GetSecureMessageHistory', 'GetSecureMessageStatus',
    'ListSentSecureMessages', 'RegisterSecureMessage', 'ReleaseMessageKey', 'RevokeSecureMessage', 'UpdateSecureMessage',
  ]);
});

test('bad settings are refused at start, each named', () => {
  assert.throws(() => readMessagesConfig({ ESANTE_LEVEL_BANNER_THRESHOLD: '9', ESANTE_SMTP_URL: 'http://x', ESANTE_TEST_CLOCK: 'yes' }), (e: Error) =>
    /ESANTE_LEVEL_BANNER_THRESHOLD/.test(e.message) && /ESANTE_SMTP_URL/.test(e.message) && /ESANTE_TEST_CLOCK/.test(e.message),
  );
  const c = readMessagesConfig({});
  assert.equal(c.levelBannerThreshold, 3);
  assert.equal(c.smtpUrl, 'smtp://127.0.0.1:2525');
  assert.equal(c.testClock, false);
});

test('a scheduler lease no longer than the SMTP send timeout is refused at start (it would never send)', () => {
  for (const lease of ['1000', '30000']) {
    assert.throws(() => readMessagesConfig({ ESANTE_SCHEDULER_LEASE_MS: lease }), (e: Error) => e instanceof ConfigError && /ESANTE_SCHEDULER_LEASE_MS=\d+ must exceed the SMTP send timeout \(30000 ms\)/.test(e.message), lease);
  }
  assert.equal(readMessagesConfig({ ESANTE_SCHEDULER_LEASE_MS: '30001' }).leaseMs, 30_001);
  assert.equal(readMessagesConfig({}).leaseMs, 300_000);
});
