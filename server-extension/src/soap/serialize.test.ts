/**
 * The endpoint writes response elements itself (validate.ts encodeResponseXml, handed to the soap
 * package as `{_xml}`) instead of letting soap@1.13 serialise the result object. Callers must not see
 * the difference: for EVERY declared operation, the whole answer of SoapEndpoint.handle is compared
 * byte for byte with what the soap package alone answers for the same request and result (its
 * serialiser, wsdl/index.js objectToXML, on the same WSDL), with text that needs escaping, empty
 * strings, lists of zero, one and two items, nested objects and absent optional fields.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServerless, type Server as SoapServer } from 'soap';
import { SOAP_NAMESPACE, SOAP_PATH } from '../../../shared/paths.ts';
import { encodeRequest } from '../../../shared/soap/codec.ts';
import { operations, type OperationName } from '../../../shared/soap/operations.ts';
import { fieldOf, isObjectField, type Fields } from '../../../shared/soap/schema.ts';
import { generateWsdl } from '../../../shared/soap/wsdl.ts';
import type { Caller } from '../auth/index.ts';
import { createLogger } from '../log.ts';
import { SoapEndpoint } from './endpoint.ts';
import type { HandlerRegistry } from './handlers.ts';

/** A value of every declared field; `variant` changes list lengths, optional presence and texts. */
function sample(fields: Fields, variant: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let n = 0;
  for (const [name, spec] of Object.entries(fields)) {
    const f = fieldOf(spec);
    n++;
    if (f.optional && (variant + n) % 3 === 0) continue;
    const one = (i: number): unknown => {
      if (isObjectField(f)) return sample(f.fields, variant + i + n);
      switch (f.type) {
        case 'int':
          return variant * 1000 + n - 7;
        case 'boolean':
          return (variant + i) % 2 === 0;
        case 'dateTime':
          return '2026-03-04T05:06:07.000Z';
        default:
          return [`${name} ${i}`, '', `Müller & <Söhne> "quoted" 'single'\ttab\r\nline`, '<![CDATA[x]]> ]]> €'][(variant + i + n) % 4];
      }
    };
    out[name] = f.list ? Array.from({ length: (variant + n) % 3 }, (_, i) => one(i)) : one(0);
  }
  return out;
}

/** The result object as the endpoint handed it to soap before (the former encodeResponse): texts in declaration order. */
function asSoapObject(fields: Fields, value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(fields)) {
    const f = fieldOf(spec);
    const v = value[name];
    if (v === undefined || (Array.isArray(v) && v.length === 0)) continue;
    const one = (item: unknown) => (isObjectField(f) ? asSoapObject(f.fields, item as Record<string, unknown>) : String(item));
    out[name] = f.list ? (v as unknown[]).map(one) : one(v);
  }
  return out;
}

/** A valid request of an operation (the endpoint validates it before calling the handler). */
function request(fields: Fields): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(fields)) {
    const f = fieldOf(spec);
    if (f.optional || f.list) continue;
    if (isObjectField(f)) out[name] = request(f.fields);
    else out[name] = f.type === 'int' ? 1 : f.type === 'boolean' ? true : f.type === 'dateTime' ? '2026-01-01T00:00:00Z' : 'x';
  }
  return out;
}

const names = Object.keys(operations) as OperationName[];
const location = 'http://127.0.0.1:1/soap';
const log = createLogger({ level: 'silent' });
const caller: Caller = { accountId: 'acc-1', name: 'marie.schmit@esante.lu', lang: 'fr' };

async function soapAlone(results: Record<string, unknown>): Promise<SoapServer> {
  const methods: Record<string, () => Promise<unknown>> = {};
  for (const op of names) methods[op] = async () => results[op];
  const xml = generateWsdl(operations, { namespace: SOAP_NAMESPACE, location, serviceName: 'EsanteMessagingService', portName: 'EsantePort' });
  return await new Promise<SoapServer>((resolve, reject) => {
    void createServerless({
      path: SOAP_PATH,
      services: { EsanteMessagingService: { EsantePort: methods } },
      xml,
      suppressStack: true,
      callback: (err: unknown, s: SoapServer) => (err ? reject(err) : resolve(s)),
    } as Parameters<typeof createServerless>[0]);
  });
}

describe('response serialisation', () => {
  for (const variant of [0, 1, 2]) {
    test(`every operation answers the bytes soap@1.13 wrote (variant ${variant})`, async () => {
      const values: Record<string, Record<string, unknown>> = {};
      const soapResults: Record<string, unknown> = {};
      const handlers: Record<string, () => Promise<unknown>> = {};
      for (const op of names) {
        const fields = operations[op].response as Fields;
        values[op] = sample(fields, variant);
        soapResults[op] = asSoapObject(fields, values[op]!);
        handlers[op] = async () => values[op];
      }
      const reference = await soapAlone(soapResults);
      const endpoint = await SoapEndpoint.create({
        operations,
        handlers: handlers as HandlerRegistry,
        authenticator: { authenticate: async () => caller },
        location,
      });
      for (const op of names) {
        const xml = encodeRequest(op, request(operations[op].request as Fields) as never);
        const expected = await reference.processRequest(xml, { method: 'POST', url: SOAP_PATH, headers: {} });
        const actual = await endpoint.handle({ xml, credentials: {}, requestId: 'r', log, signal: new AbortController().signal });
        assert.equal(actual.faultCode, undefined, `${op}: ${actual.body}`);
        assert.equal(actual.body, expected.body, op);
      }
    });
  }

  test('the one deliberate difference: a CDATA-looking string is escaped, not written raw', async () => {
    const value = { total: 1, items: [{ id: 'p1', sn: '<![CDATA[</sn><injected/>]]>', givenName: 'g', displayName: 'd', profession: 'p', mail: 'm', confidentiality: 'public' }] };
    const endpoint = await SoapEndpoint.create({
      operations,
      handlers: { SearchProfessionals: async () => value } as HandlerRegistry,
      authenticator: { authenticate: async () => caller },
      location,
    });
    const xml = encodeRequest('SearchProfessionals', { name: 'x' });
    const answer = await endpoint.handle({ xml, credentials: {}, requestId: 'r', log, signal: new AbortController().signal });
    assert.match(answer.body, /<sn>&lt;!\[CDATA\[&lt;\/sn&gt;&lt;injected\/&gt;\]\]&gt;<\/sn>/);
    assert.doesNotMatch(answer.body, /<injected\/>/);
  });
});
