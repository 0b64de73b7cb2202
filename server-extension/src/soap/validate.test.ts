import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Fields } from '../../../shared/soap/schema.ts';
import { InvalidRequestError } from '../errors.ts';
import { decodeRequest, encodeResponse } from './validate.ts';

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

describe('encodeResponse', () => {
  const out = { total: 'int', ok: 'boolean', items: { list: true, fields: { id: 'string', note: { type: 'string', optional: true } } } } as const satisfies Fields;
  test('orders by declaration and writes scalars as text', () => {
    const r = encodeResponse(out, { items: [{ note: 'n', id: '1' }], ok: false, total: 3 });
    assert.deepEqual(Object.keys(r), ['total', 'ok', 'items']);
    assert.deepEqual(r, { total: '3', ok: 'false', items: [{ id: '1', note: 'n' }] });
  });
  test('a handler breaking its schema is caught', () => {
    assert.throws(() => encodeResponse(out, { total: '3', ok: true, items: [] }), /total must be an integer/);
    assert.throws(() => encodeResponse(out, { ok: true, items: [] }), /total missing/);
  });
});
