/**
 * Request values against the operation schema, before any handler runs.
 * Input is what the `soap` package's parser made of the body. We configure it (endpoint.ts) to hand
 * over every scalar as text, because its own conversion is lossy ("abc" -> NaN for ints, anything
 * but "true"/"1" -> false for booleans); the strict conversions are here.
 * Shapes it produces: text -> string; element with attributes -> {attributes, $value};
 * element with children -> object; repeated element -> array; empty element -> {} or undefined.
 * Output is the typed value the handler receives; every problem is an InvalidRequestError naming the field.
 *
 * And the other way: a handler's result checked against the schema and written as the response
 * element's XML content (encodeResponseXml, below).
 * Field lists are compiled once per schema object, and the hot loops create no closures: tsx/esbuild
 * wraps every named closure in a `__name` call, which showed up per field per row in profiles.
 */
import { fieldOf, isObjectField, type Fields, type ObjectField, type ScalarField } from '../../../shared/soap/schema.ts';
import { InvalidRequestError } from '../errors.ts';

const META_KEYS = new Set(['attributes', '$value', '$xml']);

/** A Fields object as an ordered list, built once per schema object (schemas are constants). */
type Compiled = ReadonlyArray<readonly [name: string, field: ScalarField | ObjectField]>;
const compiled = new WeakMap<Fields, Compiled>();
function compile(fields: Fields): Compiled {
  let c = compiled.get(fields);
  if (!c) {
    c = Object.entries(fields).map(([name, spec]) => [name, fieldOf(spec)] as const);
    compiled.set(fields, c);
  }
  return c;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

function textOf(raw: unknown, path: string): string {
  if (typeof raw === 'string') return raw;
  if (raw === undefined || raw === null) return '';
  if (isPlainObject(raw)) {
    const extra = Object.keys(raw).filter((k) => !META_KEYS.has(k));
    if (extra.length > 0) throw new InvalidRequestError(`${path}: text expected, found element ${extra[0]}`);
    const v = raw['$value'];
    return v === undefined || v === null ? '' : String(v);
  }
  return String(raw);
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

function scalar(f: ScalarField, raw: unknown, path: string): string | number | boolean {
  const text = textOf(raw, path);
  switch (f.type) {
    case 'int': {
      const t = text.trim();
      if (!/^[-+]?\d{1,10}$/.test(t)) throw new InvalidRequestError(`${path}: integer expected`);
      const n = Number.parseInt(t, 10);
      if (n > 2_147_483_647 || n < -2_147_483_648) throw new InvalidRequestError(`${path}: integer out of range`);
      return n;
    }
    case 'boolean': {
      const t = text.trim();
      if (t === 'true' || t === '1') return true;
      if (t === 'false' || t === '0') return false;
      throw new InvalidRequestError(`${path}: true or false expected`);
    }
    case 'dateTime': {
      const t = text.trim();
      if (!DATE_TIME.test(t) || Number.isNaN(Date.parse(t))) throw new InvalidRequestError(`${path}: date-time expected (ISO 8601)`);
      return t;
    }
    default: {
      // On a list, `max` bounds the number of items (checked by the caller), not their length.
      if (f.max !== undefined && !f.list && [...text].length > f.max) {
        throw new InvalidRequestError(`${path}: at most ${f.max} characters`);
      }
      return text;
    }
  }
}

/** Validates and converts `raw` (the request element's content) per `fields`. */
export function decodeRequest(fields: Fields, raw: unknown, path = ''): Record<string, unknown> {
  if (raw === undefined || raw === null || raw === '') raw = {};
  if (!isPlainObject(raw)) throw new InvalidRequestError(`${path || 'request'}: elements expected`);
  for (const k of Object.keys(raw)) {
    if (!META_KEYS.has(k) && !Object.hasOwn(fields, k)) throw new InvalidRequestError(`${path}${k}: unknown element`);
  }
  const out: Record<string, unknown> = {};
  for (const [name, f] of compile(fields)) {
    const p = `${path}${name}`;
    const v = raw[name];
    if (f.list) {
      const items = v === undefined ? [] : Array.isArray(v) ? v : [v];
      if (f.max !== undefined && items.length > f.max) throw new InvalidRequestError(`${p}: at most ${f.max} items`);
      out[name] = items.map((item: unknown) => decodeOne(f, item, p));
    } else if (v === undefined) {
      if (!f.optional) throw new InvalidRequestError(`${p}: required`);
    } else if (Array.isArray(v)) {
      throw new InvalidRequestError(`${p}: must occur once`);
    } else {
      out[name] = decodeOne(f, v, p);
    }
  }
  return out;
}

function decodeOne(f: ScalarField | ObjectField, item: unknown, p: string): unknown {
  return isObjectField(f) ? decodeRequest(f.fields, item, `${p}.`) : scalar(f, item, p);
}

/** One scalar of a handler's result as element text; throws when it is not of the declared type. */
function responseScalar(f: ScalarField, item: unknown, p: string): string {
  if (f.type === 'int') {
    if (!(typeof item === 'number' && Number.isSafeInteger(item))) throw new Error(`response field ${p} must be an integer`);
    return String(item);
  }
  if (f.type === 'boolean') {
    if (typeof item !== 'boolean') throw new Error(`response field ${p} must be a boolean`);
    return item ? 'true' : 'false';
  }
  if (typeof item !== 'string') throw new Error(`response field ${p} must be a string`);
  return escapeText(item);
}

/**
 * A handler's result as the XML content of its response element: fields in declaration order (the
 * XSD is a sequence), unprefixed (the response element declares our namespace as the default, as the
 * WSDL's elementFormDefault="qualified" says), a list as repeated elements, absent optional fields
 * and empty lists left out. Checked on the way: a handler that returns something else than its schema
 * says is a bug we want loudly (InternalError from the endpoint).
 *
 * This is the XML soap@1.13 wrote from the same values (wsdl/index.js objectToXML, text escaped by
 * utils.js xmlEscape); serialize.test.ts compares both on every operation. Written here in one pass
 * because the package's generic walker (schema lookups per element) cost more than the directory
 * search itself on a 20-row answer. One deliberate difference: soap writes a string that looks like
 * `<![CDATA[…]]>` raw, which would let stored text inject elements; here every string is escaped.
 */
export function encodeResponseXml(fields: Fields, value: Readonly<Record<string, unknown>>, path = ''): string {
  let xml = '';
  for (const [name, f] of compile(fields)) {
    const v = value[name];
    if (v === undefined || v === null) {
      if (!f.optional && !f.list) throw new Error(`response field ${path}${name} missing`);
      continue;
    }
    if (f.list && !Array.isArray(v)) throw new Error(`response field ${path}${name} must be a list`);
    const items: readonly unknown[] = f.list ? (v as unknown[]) : [v];
    for (const item of items) {
      let content: string;
      if (isObjectField(f)) {
        if (!isPlainObject(item)) throw new Error(`response field ${path}${name} must be an object`);
        content = encodeResponseXml(f.fields, item, `${path}${name}.`);
      } else {
        content = responseScalar(f, item, `${path}${name}`);
      }
      xml += `<${name}>${content}</${name}>`;
    }
  }
  return xml;
}

/**
 * Element text escaped like soap@1.13 (utils.js xmlEscape): the five XML specials, and tab, CR and LF
 * as character references so that a parser's line-end normalisation cannot change them.
 */
const TEXT_SPECIAL = /[&<>"'\t\r\n]/;
const TEXT_SPECIAL_ALL = /[&<>"'\t\r\n]/g;
const TEXT_ENTITY: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\t': '&#x9;',
  '\r': '&#xD;',
  '\n': '&#xA;',
};
export function escapeText(text: string): string {
  return TEXT_SPECIAL.test(text) ? text.replace(TEXT_SPECIAL_ALL, (c) => TEXT_ENTITY[c]!) : text;
}
