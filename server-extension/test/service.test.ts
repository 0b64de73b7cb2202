/**
 * Integration: the real composition root, the sandbox as Zimbra, real HTTP, the shared browser
 * client and the `soap` package's own client.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { createClientAsync } from 'soap';
import { errorText } from '../../shared/errors.ts';
import { HEALTH_PATH, SOAP_NAMESPACE, SOAP_PATH } from '../../shared/paths.ts';
import { ServiceFault } from '../../shared/soap/client.ts';
import { AuthRequiredError } from '../src/errors.ts';
import type { Store } from '../src/store/index.ts';
import {
  GET_SERVICE_INFO,
  SEED_PASSWORD,
  callAs,
  envelope,
  freePort,
  loginAs,
  postSoap,
  startTestEnv,
  type LoginResult,
  type TestEnv,
} from './support/service.ts';


/**
 * A chunked POST whose body is `chunk` again and again up to `total` bytes, produced only as the
 * server reads it: `sent()` tells how much it had read when the answer came.
 */
function streamedPost(chunk: string, total: number) {
  let sent = 0;
  const bytes = new TextEncoder().encode(chunk);
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      // Endless unless the server stops reading: proves the answer does not wait for the end.
      sent += bytes.length;
      if (sent > total) controller.close();
      else controller.enqueue(bytes);
    },
  });
  return {
    sent: () => sent,
    post: (url: string, headers: Record<string, string>) => fetch(url, { method: 'POST', headers, body, duplex: 'half' } as RequestInit & { duplex: 'half' }),
  };
}

describe('service over the sandbox', () => {
  let env: TestEnv;
  let marie: LoginResult;

  before(async () => {
    env = await startTestEnv({ ESANTE_MAX_REQUEST_BYTES: '4096' });
    marie = await loginAs(env.sandboxUrl, 'marie.schmit@esante.lu', SEED_PASSWORD, 'card');
  });
  after(async () => {
    await env?.close();
  });

  test('GetServiceInfo answers the identity Zimbra vouches for', async () => {
    const info = await callAs(env.url, marie, 'GetServiceInfo', {});
    assert.equal(info.version, env.service.version);
    assert.ok(Array.isArray(info.features));
    assert.equal(info.account.name, 'marie.schmit@esante.lu');
    assert.match(info.account.id, /\S/);
    assert.equal(info.account.displayName, 'Marie Schmit');
    assert.equal(info.account.authMethod, 'card');
  });

  test('the session of another user resolves to that user, with their login method', async () => {
    const luc = await loginAs(env.sandboxUrl, 'luc.hoffmann@esante.lu', SEED_PASSWORD, 'fallback');
    const info = await callAs(env.url, luc, 'GetServiceInfo', {});
    assert.equal(info.account.name, 'luc.hoffmann@esante.lu');
    assert.equal(info.account.authMethod, 'fallback');
  });

  test('without the cookie: Fault auth.required, in the Accept-Language of the caller', async () => {
    const r = await postSoap(env.url, GET_SERVICE_INFO, { headers: { 'X-Zimbra-Csrf-Token': marie.csrfToken, 'Accept-Language': 'de-LU,de;q=0.9' } });
    assert.equal(r.status, 401);
    assert.equal(r.faultCode, 'auth.required');
    assert.equal(r.faultString, errorText('auth.required', 'de'));
    assert.match(r.body, /<faultcode>soap:Client<\/faultcode>/);
  });

  test('with a wrong CSRF header, or none: Fault auth.required', async () => {
    const wrong = await postSoap(env.url, GET_SERVICE_INFO, { login: { authToken: marie.authToken, csrfToken: 'not-the-token' } });
    assert.equal(wrong.faultCode, 'auth.required');
    const none = await postSoap(env.url, GET_SERVICE_INFO, { headers: { Cookie: `ZM_AUTH_TOKEN=${marie.authToken}` } });
    assert.equal(none.faultCode, 'auth.required');
    // Another user's CSRF token does not go with Marie's cookie either.
    const sophie = await loginAs(env.sandboxUrl, 'sophie.muller@esante.lu', SEED_PASSWORD);
    const crossed = await postSoap(env.url, GET_SERVICE_INFO, { login: { authToken: marie.authToken, csrfToken: sophie.csrfToken } });
    assert.equal(crossed.faultCode, 'auth.required');
  });

  test('the browser client throws a ServiceFault carrying the code and the translated text', async () => {
    await assert.rejects(
      callAs(env.url, { authToken: 'forged', csrfToken: 'forged' }, 'GetServiceInfo', {}, { lang: 'en' }),
      (e: unknown) => e instanceof ServiceFault && e.code === 'auth.required' && e.message === errorText('auth.required', 'en'),
    );
  });

  test('faults after authentication speak the caller’s Zimbra language', async () => {
    const sophie = await loginAs(env.sandboxUrl, 'sophie.muller@esante.lu', SEED_PASSWORD);
    const r = await postSoap(env.url, envelope(`<GetServiceInfoRequest xmlns="${SOAP_NAMESPACE}"><bogus>1</bogus></GetServiceInfoRequest>`), {
      login: sophie,
      headers: { 'Accept-Language': 'en' },
    });
    assert.equal(r.faultCode, 'request.invalid');
    assert.match(r.faultString ?? '', /^Die Anfrage ist ungültig/);
  });

  test('malformed XML, XXE, billion laughs, too large, unknown operation: each its Fault, and the service still answers', async () => {
    // Signed-in callers: an anonymous request is refused before its body is even read (next test).
    const malformed = await postSoap(env.url, '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><GetServ', { login: marie });
    assert.equal(malformed.faultCode, 'request.malformed');
    assert.equal(malformed.status, 400);

    const notSoap = await postSoap(env.url, '<hello/>', { login: marie });
    assert.equal(notSoap.faultCode, 'request.malformed');

    const xxe = await postSoap(
      env.url,
      `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>` +
        envelope(`<GetServiceInfoRequest xmlns="${SOAP_NAMESPACE}">&x;</GetServiceInfoRequest>`),
      { login: marie },
    );
    assert.equal(xxe.faultCode, 'request.malformed');
    assert.doesNotMatch(xxe.body, /root:/);

    const laughs = await postSoap(
      env.url,
      `<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>` +
        envelope(`<GetServiceInfoRequest xmlns="${SOAP_NAMESPACE}">&b;</GetServiceInfoRequest>`),
      { login: marie },
    );
    assert.equal(laughs.faultCode, 'request.malformed');

    const big = await postSoap(env.url, envelope(`<GetServiceInfoRequest xmlns="${SOAP_NAMESPACE}">${'x'.repeat(64 * 1024)}</GetServiceInfoRequest>`), { login: marie });
    assert.equal(big.status, 413);
    assert.equal(big.faultCode, 'request.too_large');
    assert.equal(big.faultString, errorText('request.too_large', 'fr', 4096));

    const unknown = await postSoap(env.url, envelope(`<DropTablesRequest xmlns="${SOAP_NAMESPACE}"/>`), { login: marie });
    assert.equal(unknown.faultCode, 'request.unknown_operation');
    assert.equal(unknown.faultString, errorText('request.unknown_operation', 'fr', 'DropTablesRequest'));

    const info = await callAs(env.url, marie, 'GetServiceInfo', {});
    assert.equal(info.account.name, 'marie.schmit@esante.lu');
  });

  test('an anonymous request is refused before its body is read: no XML work for unauthenticated callers', async () => {
    // Malformed, entity-laden or huge: without a Zimbra session the answer is auth.required, at once.
    for (const xml of ['<soap:Envelope><soap:Body><GetServ', `<!DOCTYPE l [<!ENTITY a "a">]><x>&a;</x>`, envelope(`<DropTablesRequest xmlns="${SOAP_NAMESPACE}"/>`)]) {
      const r = await postSoap(env.url, xml);
      assert.equal(r.faultCode, 'auth.required', xml);
      assert.equal(r.status, 401);
    }
    const upload = streamedPost('<a>'.repeat(4096), 12 * 1024 * 1024);
    const res = await upload.post(`${env.url}${SOAP_PATH}`, { 'Content-Type': 'text/xml', 'X-Zimbra-Csrf-Token': 'forged' });
    // The answer comes before the body is sent (the rest is discarded unread: server.ts #answerAndLinger).
    const sentAtAnswer = upload.sent();
    assert.equal(res.status, 401);
    assert.match(await res.text(), /code="auth\.required"/);
    assert.ok(sentAtAnswer < 12 * 1024 * 1024, `answered after ${sentAtAnswer} bytes`);
  });

  test('a streamed (chunked) body over the limit is cut off without being read whole', async () => {
    const upload = streamedPost('x'.repeat(1024), 10 * 1024 * 1024);
    const res = await upload.post(`${env.url}${SOAP_PATH}`, { 'Content-Type': 'text/xml', Cookie: `ZM_AUTH_TOKEN=${marie.authToken}`, 'X-Zimbra-Csrf-Token': marie.csrfToken });
    // The 413 comes as soon as the limit is passed, not at the end of the body (the rest is
    // discarded unread, so a client that finishes its upload still gets the Fault: body-limit.test.ts).
    const sentAtAnswer = upload.sent();
    assert.equal(res.status, 413);
    assert.match(await res.text(), /code="request\.too_large"/);
    assert.ok(sentAtAnswer < 10 * 1024 * 1024, `answered after ${sentAtAnswer} bytes`);
    const info = await callAs(env.url, marie, 'GetServiceInfo', {});
    assert.equal(info.account.name, 'marie.schmit@esante.lu');
  });

  test('?wsdl is served and the soap package’s own client calls GetServiceInfo with it', async () => {
    const res = await fetch(`${env.url}${SOAP_PATH}?wsdl`);
    assert.equal(res.status, 200);
    const wsdl = await res.text();
    assert.match(wsdl, /<xsd:element name="GetServiceInfoRequest">/);
    assert.match(wsdl, new RegExp(`location="${env.sandboxUrl}${SOAP_PATH}"`));

    const client = await createClientAsync(`${env.url}${SOAP_PATH}?wsdl`, {}, `${env.url}${SOAP_PATH}`);
    client.addHttpHeader('Cookie', `ZM_AUTH_TOKEN=${marie.authToken}`);
    client.addHttpHeader('X-Zimbra-Csrf-Token', marie.csrfToken);
    const [result] = (await client['GetServiceInfoAsync']({})) as [{ version: string; account: { name: string } }];
    assert.equal(result.version, env.service.version);
    assert.equal(result.account.name, 'marie.schmit@esante.lu');
  });

  test('health reports ok, the version and the store', async () => {
    await env.service.whenReady(); // 503 "starting" until signing's test PKI is made (readiness.test.ts)
    const res = await fetch(`${env.url}${HEALTH_PATH}`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ok', version: env.service.version, store: true });
  });

  test('other paths are 404 and other methods on soap are 405', async () => {
    assert.equal((await fetch(`${env.url}/service/extension/esante/nope`)).status, 404);
    assert.equal((await fetch(`${env.url}/`)).status, 404);
    assert.equal((await fetch(`${env.url}${SOAP_PATH}`, { method: 'PUT', body: 'x' })).status, 405);
  });

  test('through the sandbox’s reverse proxy (as behind Zimbra’s nginx) the same call works', async () => {
    const info = await callAs(env.sandboxUrl, marie, 'GetServiceInfo', {});
    assert.equal(info.account.name, 'marie.schmit@esante.lu');
    await env.service.whenReady();
    const health = await fetch(`${env.sandboxUrl}${HEALTH_PATH}`);
    assert.equal(health.status, 200);
  });

  test('no log line carries the auth token or the CSRF token', () => {
    const all = env.lines.join('\n');
    assert.ok(env.lines.length > 10);
    assert.ok(!all.includes(marie.authToken), 'auth token in logs');
    assert.ok(!all.includes(marie.csrfToken), 'csrf token in logs');
  });
});

describe('service when Zimbra is down', () => {
  let env: TestEnv;
  before(async () => {
    // A port that refuses connections.
    const port = await freePort();
    env = await startTestEnv({ ESANTE_ZIMBRA_URL: `http://127.0.0.1:${port}` });
  });
  after(async () => {
    await env?.close();
  });

  test('a session cannot be proved: Fault service.unavailable (soap:Server), not auth.required', async () => {
    const r = await postSoap(env.url, GET_SERVICE_INFO, { login: { authToken: 'some-token', csrfToken: 'some-csrf' } });
    assert.equal(r.status, 503);
    assert.equal(r.faultCode, 'service.unavailable');
    assert.match(r.body, /<faultcode>soap:Server<\/faultcode>/);
  });
});

describe('service with other ports plugged in', () => {
  test('stop() lets an in-flight request finish, then refuses connections', async () => {
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    const env = await startTestEnv(
      {},
      {
        authenticator: {
          async authenticate(creds) {
            if (!creds.authToken) throw new AuthRequiredError();
            entered();
            await delay(300);
            return { accountId: 'a1', name: 'slow@esante.lu', lang: 'fr' };
          },
        },
      },
    );
    try {
      const pending = callAs(env.url, { authToken: 't', csrfToken: 'c' }, 'GetServiceInfo', {});
      await inside;
      const stopped = env.service.stop();
      const info = await pending;
      assert.equal(info.account.name, 'slow@esante.lu');
      await stopped;
      await assert.rejects(fetch(`${env.url}${HEALTH_PATH}`));
    } finally {
      await env.close();
    }
  });

  test('an internal error becomes service.internal with a reference that is logged with the stack, never sent', async () => {
    const env = await startTestEnv(
      {},
      {
        handlers: {
          GetServiceInfo: async () => {
            throw new Error('database exploded at /secret/path');
          },
        },
        authenticator: { authenticate: async () => ({ accountId: 'a1', name: 'x@esante.lu', lang: 'en' }) },
      },
    );
    try {
      const r = await postSoap(env.url, GET_SERVICE_INFO, { login: { authToken: 't', csrfToken: 'c' } });
      assert.equal(r.status, 500);
      assert.equal(r.faultCode, 'service.internal');
      assert.match(r.body, /<faultcode>soap:Server<\/faultcode>/);
      const ref = /Reference: ([0-9A-F]{12})/.exec(r.faultString ?? '')?.[1];
      assert.ok(ref, r.faultString);
      assert.doesNotMatch(r.body, /exploded|secret\/path|at /);
      const logged = env.lines.find((l) => l.includes(ref));
      assert.ok(logged && logged.includes('database exploded') && logged.includes('"stack"'), 'reference logged with the stack');
    } finally {
      await env.close();
    }
  });

  test('health is 503 degraded when the store does not answer', async () => {
    let closed = false;
    const store = {
      migrate: async () => {},
      ping: async () => false,
      close: async () => {
        closed = true;
      },
    } as unknown as Store;
    const env = await startTestEnv({}, { store });
    try {
      await env.service.whenReady();
      const res = await fetch(`${env.url}${HEALTH_PATH}`);
      assert.equal(res.status, 503);
      assert.deepEqual(await res.json(), { status: 'degraded', version: env.service.version, store: false });
    } finally {
      await env.close();
    }
    assert.equal(closed, false, 'a store passed in is closed by its owner, not by the root');
  });
});
