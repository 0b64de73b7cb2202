import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MalformedRequestError } from '../errors.ts';
import { sniffOperation } from './sniff.ts';

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
