import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DerError } from './der.ts';
import { createCa } from './test-pki.ts';
import { formatName, parseCertificate, summarize } from './x509.ts';

const der = (pem: string): Buffer => Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');

test('bytes our DER reader walks but OpenSSL refuses are a DerError, not a raw OpenSSL error (found by fuzz/, seed 1350004579)', async () => {
  const ca = der((await createCa('X509 Test CA')).certPem);
  assert.equal(parseCertificate(ca).isCa, true);
  // countryName "LU" as PrintableString (13 02 4C 55) retagged 0x11: still a TLV, no longer a certificate.
  const at = ca.indexOf(Buffer.from([0x13, 0x02, 0x4c, 0x55]));
  assert.ok(at > 0);
  const bad = Buffer.from(ca);
  bad[at] = 0x11;
  assert.throws(() => parseCertificate(bad), (e: unknown) => e instanceof DerError && /Certificate: not a valid structure/.test((e as Error).message));
});

test('names are shown as a person reads them: no RFC 4514 escapes in the summary (issue 13: "sandbox\\, not for production")', async () => {
  const ca = der((await createCa('X509 Test CA')).certPem);
  const s = summarize(parseCertificate(ca));
  assert.match(s.subject, /^CN=X509 Test CA, O=eSanté TEST PKI \(sandbox, not for production\), C=LU$/);
  assert.doesNotMatch(s.subject + s.issuer, /\\/);
  // The escaped form stays for logs and configuration errors.
  assert.match(formatName(parseCertificate(ca).subject), /sandbox\\, not/);
});
