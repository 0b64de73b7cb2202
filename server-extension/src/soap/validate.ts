/**
 * Request values against the operation schema, before any handler runs.
 * Input is what the `soap` package's parser made of the body. We configure it (endpoint.ts) to hand
 * over every scalar as text, because its own conversion is lossy ("abc" -> NaN for ints, anything
 * but "true"/"1" -> false for booleans); the strict conversions are here.
 * Shapes it produces: text -> string; element with attributes -> {attributes, $value};
 * element with children -> object; repeated element -> array; empty element -> {} or undefined.
 * Output is the typed value the handler receives; every problem is an InvalidRequestError naming the field.
 */
import { fieldOf, isObjectField, type Fields, type ScalarField } from '../../../shared/soap/schema.ts';
import { InvalidRequestError } from '../errors.ts';

const META_KEYS = new Set(['attributes', '$value', '$xml']);

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
  for (const [name, spec] of Object.entries(fields)) {
    const f = fieldOf(spec);
    const p = `${path}${name}`;
    const v = raw[name];
    const one = (item: unknown) => (isObjectField(f) ? decodeRequest(f.fields, item, `${p}.`) : scalar(f, item, p));
    if (f.list) {
      const items = v === undefined ? [] : Array.isArray(v) ? v : [v];
      if (f.max !== undefined && items.length > f.max) throw new InvalidRequestError(`${p}: at most ${f.max} items`);
      out[name] = items.map(one);
    } else if (v === undefined) {
      if (!f.optional) throw new InvalidRequestError(`${p}: required`);
    } else if (Array.isArray(v)) {
      throw new InvalidRequestError(`${p}: must occur once`);
    } else {
      out[name] = one(v);
    }
  }
  return out;
}

/**
 * A handler's result in declaration order (the XSD is a sequence), scalars as text, and checked:
 * a handler that returns something else than its schema says is a bug we want loudly (InternalError).
 */
export function encodeResponse(fields: Fields, value: Readonly<Record<string, unknown>>, path = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(fields)) {
    const f = fieldOf(spec);
    const v = value[name];
    const p = `${path}${name}`;
    if (v === undefined || v === null) {
      if (!f.optional && !f.list) throw new Error(`response field ${p} missing`);
      continue;
    }
    const one = (item: unknown): unknown => {
      if (isObjectField(f)) {
        if (!isPlainObject(item)) throw new Error(`response field ${p} must be an object`);
        return encodeResponse(f.fields, item, `${p}.`);
      }
      if (f.type === 'int' && !(typeof item === 'number' && Number.isSafeInteger(item))) throw new Error(`response field ${p} must be an integer`);
      if (f.type === 'boolean' && typeof item !== 'boolean') throw new Error(`response field ${p} must be a boolean`);
      if ((f.type === 'string' || f.type === 'dateTime') && typeof item !== 'string') throw new Error(`response field ${p} must be a string`);
      return String(item);
    };
    if (f.list) {
      if (!Array.isArray(v)) throw new Error(`response field ${p} must be a list`);
      if (v.length > 0) out[name] = v.map(one);
    } else {
      out[name] = one(v);
    }
  }
  return out;
}
