import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MalformedRequestError } from '../errors.ts';
import { SOAP_NAMESPACE } from '../../../shared/paths.ts';
import { encodeRequest } from '../../../shared/soap/codec.ts';
import { operations, type OperationName } from '../../../shared/soap/operations.ts';
import { sniffOperation, sniffWithParser } from './sniff.ts';

const ENV = 'http://schemas.xmlsoap.org/soap/envelope/';

test('finds the first element of the Body, after a Header', () => {
  const xml = `<?xml version="1.0"?><!-- c --><s:Envelope xmlns:s="${ENV}"><s:Header><x:h xmlns:x="urn:h"><x:Body/></x:h></s:Header><s:Body><m:PingRequest xmlns:m="urn:m"><a/></m:PingRequest></s:Body></s:Envelope>`;
  assert.deepEqual(sniffOperation(xml), { element: 'PingRequest', namespace: 'urn:m' });
});

// Only the part up to the Body's first element is read: later errors are the soap parser's to find.
test('refuses broken XML, other roots, SOAP 1.2, DTDs and empty bodies', () => {
  for (const xml of [
    '<s:Envelope',
    '<Envelope/>',
    `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><a/></s:Body></s:Envelope>`,
    `<!DOCTYPE s:Envelope><s:Envelope xmlns:s="${ENV}"><s:Body><a/></s:Body></s:Envelope>`,
    `<s:Envelope xmlns:s="${ENV}"><s:Body></s:Body></s:Envelope>`,
    `<s:Envelope xmlns:s="${ENV}"><s:Body>`,
  ]) {
    assert.throws(() => sniffOperation(xml), MalformedRequestError, xml);
  }
});

test('our own client\'s requests are read off the text, with the answer of the full parse', () => {
  const own = (op: OperationName) =>
    `<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="${ENV}"><soap:Body><${op}Request xmlns="${SOAP_NAMESPACE}"></${op}Request></soap:Body></soap:Envelope>`;
  assert.equal(encodeRequest('SearchProfessionals', {}), own('SearchProfessionals'), 'the codec writes this shape');
  for (const op of Object.keys(operations) as OperationName[]) {
    const xml = own(op);
    assert.deepEqual(sniffOperation(xml), sniffWithParser(xml), op);
    assert.deepEqual(sniffOperation(xml), { element: `${op}Request`, namespace: SOAP_NAMESPACE });
  }
  // Near misses take the parser: same answers, and the same refusals.
  const near = [
    `<soap:Envelope xmlns:soap="${ENV}"><soap:Body><PingRequest xmlns="urn:a&amp;b"/></soap:Body></soap:Envelope>`,
    `<soap:Envelope xmlns:soap="${ENV}" xmlns="urn:outer"><soap:Body><PingRequest/></soap:Body></soap:Envelope>`,
    `<soap:Envelope xmlns:soap="${ENV}"><soap:Body><PingRequest xmlns="urn:m" xmlns="urn:n"/></soap:Body></soap:Envelope>`,
  ];
  assert.deepEqual(sniffOperation(near[0]!), { element: 'PingRequest', namespace: 'urn:a&b' });
  assert.deepEqual(sniffOperation(near[1]!), { element: 'PingRequest', namespace: 'urn:outer' });
  // (a repeated attribute: sax keeps the last; the soap parser then refuses or not, as before)
  assert.deepEqual(sniffOperation(near[2]!), sniffWithParser(near[2]!));
  assert.throws(() => sniffOperation(`<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelopeX/"><soap:Body><PingRequest xmlns="urn:m"/>`), MalformedRequestError);
});
