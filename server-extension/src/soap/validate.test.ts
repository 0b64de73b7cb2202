import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Fields } from '../../../shared/soap/schema.ts';
import { InvalidRequestError } from '../errors.ts';
import { decodeRequest, encodeResponseXml } from './validate.ts';

const fields = {
  query: { type: 'string', max: 5 },
  limit: { type: 'int', optional: true },
  exact: { type: 'boolean', optional: true },
  since: { type: 'dateTime', optional: true },
  to: { type: 'string', list: true, max: 2 },
  who: { optional: true, fields: { id: 'string' } },
} as const satisfies Fields;

function invalid(raw: unknown, re: RegExp) {
  assert.throws(() => decodeRequest(fields, raw), (e: unknown) => e instanceof InvalidRequestError && re.test(String(e.args[0])));
}

describe('decodeRequest', () => {
  test('converts text to the declared types', () => {
    assert.deepEqual(decodeRequest(fields, { query: 'abc', limit: '10', exact: 'true', since: '2026-01-02T03:04:05Z', to: 'a@b', who: { id: '1' } }), {
      query: 'abc',
      limit: 10,
      exact: true,
      since: '2026-01-02T03:04:05Z',
      to: ['a@b'],
      who: { id: '1' },
    });
  });
  test('accepts the soap package’s {attributes, $value} shape and repeated elements', () => {
    assert.deepEqual(decodeRequest(fields, { attributes: { xmlns: 'urn:x' }, query: { attributes: { a: '1' }, $value: 'q' }, to: ['x', 'y'] }), { query: 'q', to: ['x', 'y'] });
  });
  test('counts characters, not UTF-16 units, for max', () => {
    assert.deepEqual(decodeRequest(fields, { query: '😀😀😀😀😀' }).query, '😀😀😀😀😀');
    invalid({ query: 'abcdef' }, /query: at most 5 characters/);
  });
  test('refuses wrong types, missing fields, unknown and repeated elements, too many items', () => {
    invalid({}, /query: required/);
    invalid({ query: 'a', limit: 'ten' }, /limit: integer expected/);
    invalid({ query: 'a', limit: '99999999999' }, /limit/);
    invalid({ query: 'a', exact: 'yes' }, /exact: true or false expected/);
    invalid({ query: 'a', since: 'yesterday' }, /since: date-time expected/);
    invalid({ query: 'a', to: ['1', '2', '3'] }, /to: at most 2 items/);
    invalid({ query: 'a', admin: 'true' }, /admin: unknown element/);
    invalid({ query: ['a', 'b'] }, /query: must occur once/);
    invalid({ query: 'a', who: { id: '1', role: 'x' } }, /who.role: unknown element/);
    invalid({ query: { sub: 'x' } }, /query: text expected/);
    // Names inherited from Object.prototype are not fields either.
    invalid({ query: 'a', constructor: 'x' }, /constructor: unknown element/);
  });
});

describe('encodeResponseXml', () => {
  const out = { total: 'int', ok: 'boolean', items: { list: true, fields: { id: 'string', note: { type: 'string', optional: true } } } } as const satisfies Fields;
  test('orders by declaration and writes scalars as text', () => {
    assert.equal(
      encodeResponseXml(out, { items: [{ note: 'n', id: '1' }, { id: '2' }], ok: false, total: 3 }),
      '<total>3</total><ok>false</ok><items><id>1</id><note>n</note></items><items><id>2</id></items>',
    );
  });
  test('leaves out an empty list and absent optional fields', () => {
    assert.equal(encodeResponseXml(out, { total: 0, ok: true, items: [] }), '<total>0</total><ok>true</ok>');
  });
  test('escapes text like soap@1.13, and a CDATA-looking string too', () => {
    const text = { s: 'string' } as const satisfies Fields;
    assert.equal(encodeResponseXml(text, { s: `a<b>&"'\t\r\nz` }), '<s>a&lt;b&gt;&amp;&quot;&apos;&#x9;&#xD;&#xA;z</s>');
    assert.equal(encodeResponseXml(text, { s: '<![CDATA[</s><x/>]]>' }), '<s>&lt;![CDATA[&lt;/s&gt;&lt;x/&gt;]]&gt;</s>');
  });
  test('a handler breaking its schema is caught', () => {
    assert.throws(() => encodeResponseXml(out, { total: '3', ok: true, items: [] }), /total must be an integer/);
    assert.throws(() => encodeResponseXml(out, { total: 1.5, ok: true, items: [] }), /total must be an integer/);
    assert.throws(() => encodeResponseXml(out, { ok: true, items: [] }), /total missing/);
    assert.throws(() => encodeResponseXml(out, { total: 1, ok: 'yes', items: [] }), /ok must be a boolean/);
    assert.throws(() => encodeResponseXml(out, { total: 1, ok: true, items: { id: '1' } }), /items must be a list/);
    assert.throws(() => encodeResponseXml(out, { total: 1, ok: true, items: ['1'] }), /items must be an object/);
    assert.throws(() => encodeResponseXml(out, { total: 1, ok: true, items: [{ id: 7 }] }), /items\.id must be a string/);
  });
});
