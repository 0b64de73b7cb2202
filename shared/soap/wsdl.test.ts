import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { DOMParser } from '@xmldom/xmldom';
import { operations } from './operations.ts';
import type { OperationSpec } from './schema.ts';
import { escapeXml, generateWsdl, soapActionOf, XSD_NS } from './wsdl.ts';

const NS = 'urn:test:1';
const sample = {
  FindThings: {
    doc: 'Finds <things> & more',
    auth: 'user',
    request: {
      query: { type: 'string', max: 200 },
      limit: { type: 'int', optional: true },
      tags: { type: 'string', list: true, max: 5 },
    },
    response: {
      total: 'int',
      more: 'boolean',
      items: { list: true, fields: { id: 'string', at: { type: 'dateTime', optional: true } } },
    },
  },
} as const satisfies Record<string, OperationSpec>;

function parse(xml: string) {
  const errors: string[] = [];
  const doc = new DOMParser({ errorHandler: { warning: () => {}, error: (e) => errors.push(e), fatalError: (e) => errors.push(e) } }).parseFromString(xml, 'text/xml');
  assert.deepEqual(errors, [], 'WSDL is well-formed XML');
  return doc;
}

function xsdElement(doc: Document, name: string): Element {
  const all = Array.from(doc.getElementsByTagNameNS(XSD_NS, 'element'));
  const el = all.find((e) => e.getAttribute('name') === name);
  assert.ok(el, `xsd:element ${name}`);
  return el;
}

describe('generateWsdl', () => {
  const xml = generateWsdl(sample, { namespace: NS, location: 'https://mail.example.lu/service/extension/esante/soap?a=1&b=2' });
  const doc = parse(xml) as unknown as Document;

  test('declares request and response elements with occurrence and length rules from the schema', () => {
    assert.ok(xsdElement(doc, 'FindThingsRequest'));
    assert.ok(xsdElement(doc, 'FindThingsResponse'));
    assert.equal(xsdElement(doc, 'limit').getAttribute('minOccurs'), '0');
    assert.equal(xsdElement(doc, 'limit').getAttribute('type'), 'xsd:int');
    assert.equal(xsdElement(doc, 'tags').getAttribute('maxOccurs'), '5');
    assert.equal(xsdElement(doc, 'tags').getAttribute('minOccurs'), '0', 'a list may be empty');
    assert.equal(xsdElement(doc, 'query').hasAttribute('minOccurs'), false, 'required by default');
    assert.equal(xsdElement(doc, 'items').getAttribute('maxOccurs'), 'unbounded');
    assert.equal(xsdElement(doc, 'more').getAttribute('type'), 'xsd:boolean');
    assert.equal(xsdElement(doc, 'at').getAttribute('type'), 'xsd:dateTime');
    const maxLength = xsdElement(doc, 'query').getElementsByTagNameNS(XSD_NS, 'maxLength')[0];
    assert.equal(maxLength?.getAttribute('value'), '200');
  });

  test('keeps the declaration order of fields (the XSD is a sequence)', () => {
    assert.ok(xml.indexOf('name="query"') < xml.indexOf('name="limit"'));
    assert.ok(xml.indexOf('name="limit"') < xml.indexOf('name="tags"'));
  });

  test('binds every operation as document/literal SOAP 1.1 with its SOAPAction', () => {
    assert.match(xml, /<soap:binding style="document" transport="http:\/\/schemas.xmlsoap.org\/soap\/http"\/>/);
    assert.ok(xml.includes(`soapAction="${soapActionOf(NS, 'FindThings')}"`));
    assert.match(xml, /<wsdl:input message="tns:FindThingsRequest"\/>/);
  });

  test('escapes documentation and the location', () => {
    assert.ok(xml.includes('Finds &lt;things&gt; &amp; more'));
    assert.ok(xml.includes('location="https://mail.example.lu/service/extension/esante/soap?a=1&amp;b=2"'));
  });

  test('is deterministic: the real operations give the same bytes in two independent processes', () => {
    // Two fresh module graphs (separate node processes, other time zone and locale), so nothing cached
    // in this process (a memoised WSDL, a shared object) can make them agree by accident.
    const script = (url: string, wsdlUrl: string) =>
      `Promise.all([import(${JSON.stringify(url)}), import(${JSON.stringify(wsdlUrl)})]).then(([o, w]) => ` +
      `process.stdout.write(w.generateWsdl(o.operations, { namespace: 'urn:lu:esante:messaging:1', location: 'https://mail.example.lu/soap' })))`;
    const code = script(new URL('./operations.ts', import.meta.url).href, new URL('./wsdl.ts', import.meta.url).href);
    const build = (env: Record<string, string>): string => {
      const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', code], { encoding: 'utf8', env: { ...process.env, ...env } });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout;
    };
    const a = build({ TZ: 'UTC', LANG: 'fr_LU.UTF-8' });
    const b = build({ TZ: 'Pacific/Kiritimati', LANG: 'de_DE.UTF-8' });
    assert.ok(a.length > 10_000 && a.includes('SearchProfessionals'), 'a real WSDL');
    assert.equal(a, b);
    assert.equal(generateWsdl(operations, { namespace: 'urn:lu:esante:messaging:1', location: 'https://mail.example.lu/soap' }), a);
  });

  test('refuses names that would not be valid XML', () => {
    const bad = { Bad: { ...sample.FindThings, request: { 'a b': 'string' } } } as unknown as Record<string, OperationSpec>;
    assert.throws(() => generateWsdl(bad, { namespace: NS, location: 'http://x' }), /invalid XML element name/);
    const badOp = { 'lower<case': sample.FindThings } as Record<string, OperationSpec>;
    assert.throws(() => generateWsdl(badOp, { namespace: NS, location: 'http://x' }), /invalid operation name/);
  });

  test('the real operations produce a well-formed WSDL', () => {
    const real = parse(generateWsdl(operations, { namespace: NS, location: 'http://x' })) as unknown as Document;
    for (const op of Object.keys(operations)) assert.ok(xsdElement(real, `${op}Request`));
  });
});

test('escapeXml escapes the five XML specials (the apostrophe as &#39;, valid in XML and HTML)', () => {
  assert.equal(escapeXml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
});
