import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { DOMParser } from '@xmldom/xmldom';
import { SOAP_NAMESPACE } from '../paths.ts';
import { callService, ServiceFault } from './client.ts';
import { DecodeError, decodeFields, decodeResponse, encodeFields, encodeRequest, SOAP11_ENV_NS, type XmlDocumentLike, type XmlNodeLike } from './codec.ts';
import type { Fields } from './schema.ts';

const parseXml = (text: string) => new DOMParser().parseFromString(text, 'text/xml') as unknown as XmlDocumentLike;

const fields = {
  name: 'string',
  count: 'int',
  urgent: { type: 'boolean', optional: true },
  tags: { type: 'string', list: true },
  owner: { fields: { id: 'string', mail: { type: 'string', optional: true } } },
} as const satisfies Fields;

function root(xml: string): XmlNodeLike {
  return parseXml(xml).documentElement!;
}

describe('encodeFields', () => {
  test('writes fields in declaration order, escaped, lists repeated, optional left out', () => {
    const xml = encodeFields(fields, { owner: { id: '7' }, tags: ['a', 'b<c'], count: 3, name: 'Dr <Müller> & "fils"' });
    assert.equal(xml, '<name>Dr &lt;Müller&gt; &amp; &quot;fils&quot;</name><count>3</count><tags>a</tags><tags>b&lt;c</tags><owner><id>7</id></owner>');
  });
  test('refuses a missing required field and a wrongly typed value', () => {
    assert.throws(() => encodeFields(fields, { count: 1, tags: [], owner: { id: '1' } }), /name: required/);
    assert.throws(() => encodeFields(fields, { name: 'x', count: 1.5, tags: [], owner: { id: '1' } }), /count: integer expected/);
    assert.throws(() => encodeFields(fields, { name: 'x', count: 1, urgent: 'yes', tags: [], owner: { id: '1' } }), /urgent: boolean expected/);
  });
});

describe('decodeFields', () => {
  test('reads ints, booleans, lists and nested objects', () => {
    const v = decodeFields(fields, root('<r xmlns="urn:x"><name> A </name><count>42</count><urgent>1</urgent><tags>x</tags><tags>y</tags><owner><id>9</id><mail>a@b</mail></owner><extra>ignored</extra></r>'));
    assert.deepEqual(v, { name: ' A ', count: 42, urgent: true, tags: ['x', 'y'], owner: { id: '9', mail: 'a@b' } });
  });
  test('an absent list is empty, an absent optional is absent', () => {
    const v = decodeFields(fields, root('<r><name>A</name><count>0</count><owner><id>9</id></owner></r>'));
    assert.deepEqual(v, { name: 'A', count: 0, tags: [], owner: { id: '9' } });
  });
  test('refuses a missing required field and a non-integer', () => {
    assert.throws(() => decodeFields(fields, root('<r><count>1</count><owner><id>9</id></owner></r>')), DecodeError);
    assert.throws(() => decodeFields(fields, root('<r><name>A</name><count>1x</count><owner><id>9</id></owner></r>')), /count: integer expected/);
    assert.throws(() => decodeFields(fields, root('<r><name>A</name><count>1</count><urgent>yes</urgent><owner><id>9</id></owner></r>')), /boolean expected/);
  });
});

const okResponse = `<?xml version="1.0"?><soap:Envelope xmlns:soap="${SOAP11_ENV_NS}"><soap:Body><GetServiceInfoResponse xmlns="${SOAP_NAMESPACE}"><version>1.2.3</version><features>a</features><features>b</features><account><id>i</id><name>n@esante.lu</name></account></GetServiceInfoResponse></soap:Body></soap:Envelope>`;
const faultResponse = `<soap:Envelope xmlns:soap="${SOAP11_ENV_NS}"><soap:Body><soap:Fault><faultcode>soap:Client</faultcode><faultstring xml:lang="de">Ihre Sitzung</faultstring><detail><e:error xmlns:e="${SOAP_NAMESPACE}" code="auth.required"/></detail></soap:Fault></soap:Body></soap:Envelope>`;

describe('encodeRequest / decodeResponse', () => {
  test('the request envelope is SOAP 1.1 with our namespace', () => {
    const doc = parseXml(encodeRequest('GetServiceInfo', {}));
    const env = doc.documentElement!;
    assert.equal(env.namespaceURI, SOAP11_ENV_NS);
    assert.match(encodeRequest('GetServiceInfo', {}), new RegExp(`<GetServiceInfoRequest xmlns="${SOAP_NAMESPACE}"></GetServiceInfoRequest>`));
  });
  test('decodes a response into the typed object', () => {
    const r = decodeResponse('GetServiceInfo', parseXml(okResponse));
    assert.deepEqual(r, { ok: true, value: { version: '1.2.3', features: ['a', 'b'], account: { id: 'i', name: 'n@esante.lu' } } });
  });
  test('decodes a Fault into its code and text', () => {
    assert.deepEqual(decodeResponse('GetServiceInfo', parseXml(faultResponse)), { ok: false, code: 'auth.required', message: 'Ihre Sitzung' });
  });
  test('refuses what is not our envelope', () => {
    assert.throws(() => decodeResponse('GetServiceInfo', parseXml('<html><body>502 Bad Gateway</body></html>')), DecodeError);
    assert.throws(() => decodeResponse('GetServiceInfo', parseXml(okResponse.replaceAll('GetServiceInfoResponse', 'OtherResponse'))), /expected GetServiceInfoResponse/);
  });
});

describe('callService', () => {
  function fakeFetch(status: number, body: string, seen: Array<{ url: string; init: RequestInit }> = []): typeof fetch {
    return (async (url: string | URL | Request, init?: RequestInit) => {
      seen.push({ url: String(url), init: init ?? {} });
      return new Response(body, { status, headers: { 'Content-Type': 'text/xml' } });
    }) as typeof fetch;
  }

  test('POSTs the envelope same-origin with the CSRF header and SOAPAction, and returns the typed response', async () => {
    const seen: Array<{ url: string; init: RequestInit }> = [];
    const r = await callService('GetServiceInfo', {}, { csrfToken: 'csrf-1', lang: 'de', baseUrl: 'https://mail.example.lu', fetch: fakeFetch(200, okResponse, seen), parseXml });
    assert.equal(r.version, '1.2.3');
    assert.equal(seen[0]!.url, 'https://mail.example.lu/service/extension/esante/soap');
    assert.equal(seen[0]!.init.method, 'POST');
    assert.equal(seen[0]!.init.credentials, 'same-origin');
    const h = seen[0]!.init.headers as Record<string, string>;
    assert.equal(h['X-Zimbra-Csrf-Token'], 'csrf-1');
    assert.equal(h['SOAPAction'], `"${SOAP_NAMESPACE}/GetServiceInfo"`);
    assert.equal(h['Accept-Language'], 'de');
  });

  test('throws a ServiceFault with the code and the faultstring', async () => {
    await assert.rejects(
      callService('GetServiceInfo', {}, { csrfToken: 'c', lang: 'de', fetch: fakeFetch(401, faultResponse), parseXml }),
      (e: unknown) => e instanceof ServiceFault && e.code === 'auth.required' && e.message === 'Ihre Sitzung',
    );
  });

  test('a proxy error page or a network failure becomes service.unavailable in the caller’s language', async () => {
    await assert.rejects(
      callService('GetServiceInfo', {}, { csrfToken: 'c', lang: 'en', fetch: fakeFetch(502, '<html>Bad Gateway</html>'), parseXml }),
      (e: unknown) => e instanceof ServiceFault && e.code === 'service.unavailable' && /temporarily unavailable/.test(e.message),
    );
    const failing = (async () => {
      throw new TypeError('fetch failed');
    }) as typeof fetch;
    await assert.rejects(callService('GetServiceInfo', {}, { csrfToken: 'c', lang: 'fr', fetch: failing, parseXml }), (e: unknown) => e instanceof ServiceFault && e.code === 'service.unavailable');
  });

  test('an abort by the caller is passed through, not turned into a Fault', async () => {
    const ac = new AbortController();
    ac.abort();
    const aborting = (async (_u: unknown, init?: RequestInit) => {
      throw init?.signal?.reason ?? new Error('aborted');
    }) as typeof fetch;
    await assert.rejects(callService('GetServiceInfo', {}, { csrfToken: 'c', lang: 'fr', fetch: aborting, parseXml, signal: ac.signal }), (e: unknown) => !(e instanceof ServiceFault));
  });
});
