import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { test } from 'node:test';
import { readMessagesConfig } from './config.ts';
import { clientIp } from './portal.ts';

const req = (peer: string | undefined, forwardedFor?: string): IncomingMessage =>
  ({ socket: { remoteAddress: peer }, headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor } }) as unknown as IncomingMessage;

test('client IP: the TCP peer unless it is a trusted proxy; then the rightmost untrusted X-Forwarded-For entry', () => {
  const trusted = new Set(['127.0.0.1', '::1', '10.0.0.5']);
  // A client talking to the service directly cannot choose its IP with a header.
  assert.equal(clientIp(req('203.0.113.9', '198.51.100.1'), trusted), '203.0.113.9');
  // nginx appends the address it saw; what the client wrote to the left proves nothing.
  assert.equal(clientIp(req('127.0.0.1', '1.2.3.4, 198.51.100.7'), trusted), '198.51.100.7');
  assert.equal(clientIp(req('::ffff:127.0.0.1', '198.51.100.7'), trusted), '198.51.100.7', 'IPv4-mapped peer');
  // Two trusted proxies in a row (a load balancer, then nginx).
  assert.equal(clientIp(req('127.0.0.1', '198.51.100.7, 10.0.0.5'), trusted), '198.51.100.7');
  // No header, or garbage where the client should be: the proxy itself, never the garbage.
  assert.equal(clientIp(req('127.0.0.1'), trusted), '127.0.0.1');
  assert.equal(clientIp(req('127.0.0.1', 'not-an-ip'), trusted), '127.0.0.1');
  assert.equal(clientIp(req('127.0.0.1', '2001:db8::1'), trusted), '2001:db8::1');
  assert.equal(clientIp(req(undefined), trusted), undefined);
  // Nothing trusted (ESANTE_TRUSTED_PROXIES=none): the header is ignored.
  assert.equal(clientIp(req('127.0.0.1', '198.51.100.7'), new Set()), '127.0.0.1');
});

test('ESANTE_TRUSTED_PROXIES: loopback by default, none, a list; a bad entry is a configuration error', () => {
  assert.deepEqual(readMessagesConfig({}).trustedProxies, ['127.0.0.1', '::1']);
  assert.deepEqual(readMessagesConfig({ ESANTE_TRUSTED_PROXIES: 'none' }).trustedProxies, []);
  assert.deepEqual(readMessagesConfig({ ESANTE_TRUSTED_PROXIES: '10.0.0.5, ::FFFF:10.0.0.6' }).trustedProxies, ['10.0.0.5', '10.0.0.6']);
  assert.throws(() => readMessagesConfig({ ESANTE_TRUSTED_PROXIES: '10.0.0.0/8' }), /ESANTE_TRUSTED_PROXIES/);
  assert.equal(readMessagesConfig({}).portalLoginsPerMinute, 120);
  assert.throws(() => readMessagesConfig({ ESANTE_PORTAL_CODES_PER_HOUR: '0' }), /ESANTE_PORTAL_CODES_PER_HOUR/);
});
