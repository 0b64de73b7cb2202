/**
 * Pure (de)serialisation of our SOAP messages from the operation schema, used by the browser client
 * (client.ts). It works on any W3C-DOM-shaped tree (the browser's DOMParser; in Node tests a DOM
 * implementation such as @xmldom/xmldom), so it is testable without a browser.
 */
import { SOAP_NAMESPACE } from '../paths.ts';
import { fieldOf, isObjectField, type Fields, type ScalarField } from './schema.ts';
import { escapeXml } from './wsdl.ts';
import { operations, type OperationName, type RequestOf, type ResponseOf } from './operations.ts';

export const SOAP11_ENV_NS = 'http://schemas.xmlsoap.org/soap/envelope/';

/** The subset of the DOM Node interface the decoder reads. */
export interface XmlNodeLike {
  readonly nodeType: number;
  // Optional because DOM Nodes other than Elements lack them; elements (nodeType 1) always have them.
  readonly localName?: string | null;
  readonly namespaceURI?: string | null;
  readonly textContent: string | null;
  readonly childNodes: ArrayLike<XmlNodeLike>;
  getAttribute?(name: string): string | null;
}
/** The subset of the DOM Document interface the decoder reads. */
export interface XmlDocumentLike {
  readonly documentElement: XmlNodeLike | null;
}

const ELEMENT_NODE = 1;

/** Raised when a response does not match the schema (a broken proxy, a version mismatch). */
export class DecodeError extends Error {
  override name = 'DecodeError';
}

function encodeScalar(f: ScalarField, value: unknown, path: string): string {
  switch (f.type) {
    case 'int':
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new TypeError(`${path}: integer expected`);
      return String(value);
    case 'boolean':
      if (typeof value !== 'boolean') throw new TypeError(`${path}: boolean expected`);
      return value ? 'true' : 'false';
    default:
      if (typeof value !== 'string') throw new TypeError(`${path}: string expected`);
      return escapeXml(value);
  }
}

/** Child elements of `value` in declaration order (unprefixed: the default namespace is ours). */
export function encodeFields(fields: Fields, value: Readonly<Record<string, unknown>>, path = ''): string {
  let xml = '';
  for (const [name, spec] of Object.entries(fields)) {
    const f = fieldOf(spec);
    const v = value[name];
    if (v === undefined || v === null) {
      if (!f.optional && !f.list) throw new TypeError(`${path}${name}: required`);
      continue;
    }
    const items: unknown[] = f.list ? (Array.isArray(v) ? v : [v]) : [v];
    for (const item of items) {
      const content = isObjectField(f)
        ? encodeFields(f.fields, item as Record<string, unknown>, `${path}${name}.`)
        : encodeScalar(f, item, `${path}${name}`);
      xml += `<${name}>${content}</${name}>`;
    }
  }
  return xml;
}

/** The full SOAP 1.1 request envelope of an operation. */
export function encodeRequest<N extends OperationName>(op: N, req: RequestOf<N>): string {
  const fields = operations[op].request as Fields;
  return (
    `<?xml version="1.0" encoding="UTF-8"?>` +
    `<soap:Envelope xmlns:soap="${SOAP11_ENV_NS}"><soap:Body>` +
    `<${op}Request xmlns="${SOAP_NAMESPACE}">${encodeFields(fields, req as Record<string, unknown>)}</${op}Request>` +
    `</soap:Body></soap:Envelope>`
  );
}

function childElements(node: XmlNodeLike): XmlNodeLike[] {
  const out: XmlNodeLike[] = [];
  for (let i = 0; i < node.childNodes.length; i++) {
    const c = node.childNodes[i]!;
    if (c.nodeType === ELEMENT_NODE) out.push(c);
  }
  return out;
}

function decodeScalar(f: ScalarField, el: XmlNodeLike, path: string): string | number | boolean {
  const text = el.textContent ?? '';
  switch (f.type) {
    case 'int': {
      if (!/^\s*[-+]?\d+\s*$/.test(text)) throw new DecodeError(`${path}: integer expected`);
      return Number.parseInt(text, 10);
    }
    case 'boolean': {
      const t = text.trim();
      if (t === 'true' || t === '1') return true;
      if (t === 'false' || t === '0') return false;
      throw new DecodeError(`${path}: boolean expected`);
    }
    default:
      return text;
  }
}

/** Reads the children of `el` per `fields` (unknown elements are ignored: newer servers may add fields). */
export function decodeFields(fields: Fields, el: XmlNodeLike, path = ''): Record<string, unknown> {
  const children = childElements(el);
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(fields)) {
    const f = fieldOf(spec);
    const matches = children.filter((c) => c.localName === name);
    const decode = (c: XmlNodeLike) =>
      isObjectField(f) ? decodeFields(f.fields, c, `${path}${name}.`) : decodeScalar(f, c, `${path}${name}`);
    if (f.list) {
      out[name] = matches.map(decode);
    } else if (matches.length === 0) {
      if (!f.optional) throw new DecodeError(`${path}${name}: missing`);
    } else {
      out[name] = decode(matches[0]!);
    }
  }
  return out;
}

export type DecodedResponse<N extends OperationName> =
  | { ok: true; value: ResponseOf<N> }
  | { ok: false; code: string; message: string };

/** Interprets a parsed SOAP response: the typed response, or the Fault's code and text. */
export function decodeResponse<N extends OperationName>(op: N, doc: XmlDocumentLike): DecodedResponse<N> {
  const env = doc.documentElement;
  if (!env || env.localName !== 'Envelope' || env.namespaceURI !== SOAP11_ENV_NS) {
    throw new DecodeError('not a SOAP 1.1 envelope');
  }
  const body = childElements(env).find((c) => c.localName === 'Body' && c.namespaceURI === SOAP11_ENV_NS);
  const payload = body ? childElements(body)[0] : undefined;
  if (!payload) throw new DecodeError('empty SOAP body');
  if (payload.localName === 'Fault' && payload.namespaceURI === SOAP11_ENV_NS) {
    const parts = childElements(payload);
    const message = parts.find((c) => c.localName === 'faultstring')?.textContent ?? '';
    const detail = parts.find((c) => c.localName === 'detail');
    const error = detail ? childElements(detail).find((c) => c.localName === 'error' && c.namespaceURI === SOAP_NAMESPACE) : undefined;
    const code = error?.getAttribute?.('code') || 'service.internal';
    return { ok: false, code, message };
  }
  if (payload.localName !== `${op}Response`) throw new DecodeError(`expected ${op}Response, got ${payload.localName}`);
  const value = decodeFields(operations[op].response as Fields, payload) as ResponseOf<N>;
  return { ok: true, value };
}
