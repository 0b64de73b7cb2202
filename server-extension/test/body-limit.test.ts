/**
 * A request over ESANTE_MAX_REQUEST_BYTES gets its 413 request.too_large Fault whatever the client
 * does: one that reads as soon as an answer comes (browsers), one that sends the whole body first
 * and only then reads (Node's fetch with a buffered body, curl, most server-side HTTP clients), and
 * through the sandbox's reverse proxy (the nginx stand-in). Closing the connection while such a
 * client is still sending makes its writes fail (EPIPE / ECONNRESET) before it ever reads the answer.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { errorText } from '../../shared/errors.ts';
import { SOAP_NAMESPACE, SOAP_PATH } from '../../shared/paths.ts';
import { SEED_PASSWORD, callAs, envelope, loginAs, startTestEnv, type LoginResult, type TestEnv } from './support/service.ts';

const LIMIT = 4096;

/** A well-formed SOAP request of about `bytes` bytes. */
const bigEnvelope = (bytes: number) => envelope(`<GetServiceInfoRequest xmlns="${SOAP_NAMESPACE}">${'x'.repeat(bytes)}</GetServiceInfoRequest>`);

/**
 * HTTP/1.1 over a raw socket: writes the head and the WHOLE body, waits until the kernel took it all,
 * and only then reads the answer (status line, headers, then the body: Content-Length or chunked).
 */
function rawPost(base: string, path: string, headers: Record<string, string>, body: Buffer): Promise<{ status: number; head: string; body: string }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    let received = Buffer.alloc(0);
    socket.on('error', reject);
    const tryParse = (closed: boolean) => {
      const split = received.indexOf('\r\n\r\n');
      if (split < 0) return closed && reject(new Error(`closed before an answer: ${received.toString()}`));
      const head = received.subarray(0, split).toString('latin1');
      const answer = (bytes: Buffer) => {
        socket.destroy();
        resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), head, body: bytes.toString('utf8') });
      };
      const rest = received.subarray(split + 4);
      if (/\r\ntransfer-encoding: *chunked/i.test(head)) {
        // RFC 9112 §7.1: size in hex, CRLF, data, CRLF … until a zero-size chunk.
        const parts: Buffer[] = [];
        for (let at = 0; ;) {
          const eol = rest.indexOf('\r\n', at);
          if (eol < 0) return closed && reject(new Error('closed inside a chunk'));
          const size = parseInt(rest.subarray(at, eol).toString('latin1'), 16);
          if (size === 0) return answer(Buffer.concat(parts));
          if (rest.length < eol + 2 + size + 2) return closed && reject(new Error('closed inside a chunk'));
          parts.push(rest.subarray(eol + 2, eol + 2 + size));
          at = eol + 2 + size + 2;
        }
      }
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? NaN);
      if (rest.length >= length || closed) answer(rest.subarray(0, length));
    };
    socket.on('data', (d: Buffer) => {
      received = Buffer.concat([received, d]);
      tryParse(false);
    });
    socket.on('end', () => tryParse(true));
    // Nothing is read until the whole body is written (resume() below).
    socket.pause();
    const lines = [`POST ${path} HTTP/1.1`, `Host: ${url.host}`, `Content-Length: ${body.length}`, 'Content-Type: text/xml; charset=utf-8'];
    for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    socket.write(body, (err) => {
      if (err) return reject(err);
      socket.resume();
    });
  });
}

describe('body over the limit: a 413 Fault for every HTTP client', () => {
  let env: TestEnv;
  let marie: LoginResult;
  let auth: Record<string, string>;
  before(async () => {
    env = await startTestEnv({ ESANTE_MAX_REQUEST_BYTES: String(LIMIT) });
    marie = await loginAs(env.sandboxUrl, 'marie.schmit@esante.lu', SEED_PASSWORD, 'card');
    auth = { Cookie: `ZM_AUTH_TOKEN=${marie.authToken}`, 'X-Zimbra-Csrf-Token': marie.csrfToken, 'Accept-Language': 'fr' };
  });
  after(async () => {
    await env?.close();
  });

  // 8 MB: far more than the socket buffers hold, so the body is still on its way when the answer leaves.
  const BIG = 8 * 1024 * 1024;

  for (const [name, base] of [['service', () => env.url], ['sandbox proxy', () => env.sandboxUrl]] as const) {
    test(`${name}: Node's fetch with a buffered body gets the 413 Fault`, async () => {
      const res = await fetch(`${base()}${SOAP_PATH}`, { method: 'POST', headers: { ...auth, 'Content-Type': 'text/xml; charset=utf-8' }, body: bigEnvelope(BIG) });
      assert.equal(res.status, 413);
      const text = await res.text();
      assert.match(text, /code="request\.too_large"/);
      assert.ok(text.includes(errorText('request.too_large', 'fr', LIMIT)), text);
    });

    test(`${name}: a raw socket that writes the whole body before reading gets the 413 Fault`, async () => {
      const res = await rawPost(base(), SOAP_PATH, auth, Buffer.from(bigEnvelope(BIG)));
      assert.equal(res.status, 413, res.head);
      assert.match(res.body, /code="request\.too_large"/);
    });

    test(`${name}: an anonymous over-long request written whole gets its 401 Fault`, async () => {
      const res = await rawPost(base(), SOAP_PATH, {}, Buffer.from(bigEnvelope(BIG)));
      assert.equal(res.status, 401, res.head);
      assert.match(res.body, /code="auth\.required"/);
    });
  }

  test('service: a raw client that says Connection: close and writes the whole body gets the 413 Fault', async () => {
    const res = await rawPost(env.url, SOAP_PATH, { ...auth, Connection: 'close' }, Buffer.from(bigEnvelope(BIG)));
    assert.equal(res.status, 413, res.head);
    assert.match(res.body, /code="request\.too_large"/);
  });

  test('the service still answers afterwards, directly and through the proxy', async () => {
    for (const url of [env.url, env.sandboxUrl]) assert.equal((await callAs(url, marie, 'GetServiceInfo', {})).account.name, 'marie.schmit@esante.lu');
  });
});
