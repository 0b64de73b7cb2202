import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Secret } from './config.ts';
import { isSecretName, redact, REDACTED } from './log.ts';
import { memoryLogger } from '../test/support/memory-logger.ts';

/** The tests' one capturing logger (a real pino logger writing into an array). */
const capture = () => memoryLogger();

const SECRETS = ['pw-123', 'tok-456', 'cookie-789', 'csrf-abc', '1234', 'key-def', 'otp-code', 'shh', 'Bearer xyz', 'admin-pw', 'pre-auth'];

test('a logged object never shows secret-named fields, at any depth, in arrays or errors', () => {
  const { log, lines } = capture();
  const err = Object.assign(new Error('boom'), { authToken: 'tok-456' });
  log.info(
    {
      user: 'marie.schmit@esante.lu',
      password: 'pw-123',
      nested: { deeper: { authToken: 'tok-456', list: [{ cookie: 'cookie-789' }, { csrf: 'csrf-abc' }] } },
      req: { headers: { authorization: 'Bearer xyz', 'x-zimbra-csrf-token': 'csrf-abc', cookie: 'cookie-789' } },
      pin: '1234',
      dataKey: 'key-def',
      code: 'otp-code',
      clientSecret: 'shh',
      adminPassword: new Secret('admin-pw'),
      preauth: 'pre-auth',
      err,
    },
    'hello',
  );
  const out = lines.join('');
  for (const s of SECRETS) assert.ok(!out.includes(s), `${s} leaked: ${out}`);
  const line = JSON.parse(out) as Record<string, unknown>;
  assert.equal(line['user'], 'marie.schmit@esante.lu', 'non-secret kept');
  assert.equal(line['password'], REDACTED);
  assert.equal((line['err'] as { message: string }).message, 'boom', 'errors keep their message');
  assert.ok(out.includes('"stack"'));
});

test('redact copies without touching the original and survives cycles', () => {
  const o: Record<string, unknown> = { token: 't', a: 1 };
  o['self'] = o;
  const r = redact(o) as Record<string, unknown>;
  assert.equal(o['token'], 't');
  assert.equal(r['token'], REDACTED);
  assert.equal(r['self'], '[circular]');
});

test('secret names are recognised, ordinary names are not', () => {
  for (const n of ['password', 'authToken', 'ZM_AUTH_TOKEN', 'cookie', 'csrfToken', 'pin', 'apiKey', 'privateKey', 'code', 'secret', 'Authorization', 'preauthKey'])
    assert.ok(isSecretName(n), n);
  for (const n of ['name', 'accountId', 'errorCode', 'status', 'path', 'version', 'mail']) assert.ok(!isSecretName(n), n);
});

test('child-logger bindings are redacted too', () => {
  const { log, lines } = capture();
  log.child({ requestId: 'r-1', sessionToken: 'tok-child' }).info('x');
  const out = lines.join('');
  assert.ok(out.includes('r-1'));
  assert.ok(!out.includes('tok-child'));
});
