import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestSandbox, type TestSandbox } from './helpers.ts';

describe('reverse proxy of /service/extension/esante/', () => {
  let sb: TestSandbox;
  let service: Server;
  const seen: Array<{ method: string; url: string; headers: IncomingHttpHeaders; body: string }> = [];
  before(async () => {
    service = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString() });
        res.writeHead(207, { 'Content-Type': 'text/xml', 'Set-Cookie': 'SVC=1; Path=/service/extension/esante' });
        // Streamed in two chunks with a pause: the proxy must pass it through as it comes.
        res.write('<first/>');
        setTimeout(() => res.end('<second/>'), 20);
      });
    });
    await new Promise<void>((r) => service.listen(0, '127.0.0.1', r));
    sb = await startTestSandbox({ serviceUrl: `http://127.0.0.1:${(service.address() as AddressInfo).port}` });
  });
  after(async () => {
    await sb.dispose();
    await new Promise<void>((r) => service.close(() => r()));
  });

  test('method, path, query, body, cookie and CSRF header reach the service; its answer comes back', async () => {
    const res = await fetch(new URL('/service/extension/esante/soap?x=1', sb.url), {
      method: 'POST',
      headers: { Cookie: 'ZM_AUTH_TOKEN=0_abc; other=2', 'X-Zimbra-Csrf-Token': '0_csrf', 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: '"urn:op"' },
      body: '<Envelope/>',
    });
    assert.equal(res.status, 207);
    assert.equal(await res.text(), '<first/><second/>');
    assert.equal(res.headers.get('set-cookie'), 'SVC=1; Path=/service/extension/esante');
    const got = seen.at(-1)!;
    assert.equal(got.method, 'POST');
    assert.equal(got.url, '/service/extension/esante/soap?x=1');
    assert.equal(got.body, '<Envelope/>');
    assert.equal(got.headers.cookie, 'ZM_AUTH_TOKEN=0_abc; other=2');
    assert.equal(got.headers['x-zimbra-csrf-token'], '0_csrf');
    assert.equal(got.headers['soapaction'], '"urn:op"');
    assert.equal(got.headers['x-forwarded-for'], '127.0.0.1');
  });

  test('paths outside the extension are not proxied', async () => {
    const before = seen.length;
    await fetch(new URL('/service/extension/esantefoo', sb.url));
    assert.equal(seen.length, before);
  });
});

test('502 when the service is down', async () => {
  const sb = await startTestSandbox({ serviceUrl: 'http://127.0.0.1:1' });
  try {
    const res = await fetch(new URL('/service/extension/esante/health', sb.url));
    assert.equal(res.status, 502);
  } finally {
    await sb.dispose();
  }
});
