/**
 * The repository stand-in splits MTOM bodies as they arrive (sandbox/dsp/mtom-receiver.ts): whatever
 * the chunking, it must find exactly the parts, bytes and hashes that the whole-body parser
 * (server-extension/src/dsp/mtom.ts parseMultipart) finds, and refuse the same broken packages.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { MtomReceiver, type ReceivedPart } from '../../sandbox/dsp/mtom-receiver.ts';
import { mtomProvideAndRegister, parseMultipart } from '../src/dsp/mtom.ts';

function receive(body: Buffer, contentType: string, sizes: (i: number) => number): { parts: ReceivedPart[]; roots: number; error: string | undefined } {
  let roots = 0;
  const r = new MtomReceiver(contentType, () => roots++);
  for (let pos = 0, i = 0; pos < body.length; i++) {
    const n = Math.max(1, sizes(i));
    r.push(body.subarray(pos, pos + n));
    pos += n;
  }
  const error = r.end();
  return { parts: r.parts, roots, error };
}

function sample(): { body: Buffer; contentType: string; docs: Buffer[] } {
  // Document bytes full of near-delimiters: CRLF, '--', the boundary's prefix, a CRLF CRLF.
  const tricky = Buffer.concat([randomBytes(3000), Buffer.from('\r\n--MIMEBoundary_\r\n\r\n--\r\n-'), randomBytes(9_000), Buffer.from('\r\n')]);
  const small = Buffer.from('%PDF-1.7\n\r\n--\n%%EOF');
  const m = mtomProvideAndRegister({ action: 'urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b', to: 'http://dsp/repository' }, '<lcm:SubmitObjectsRequest xmlns:lcm="urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0"/>', [
    { id: 'urn:uuid:a', mimeType: 'application/pdf', chunks: [tricky.subarray(0, 5000), tricky.subarray(5000)], size: tricky.length },
    { id: 'urn:uuid:b', mimeType: 'application/pdf', chunks: [small], size: small.length },
  ]);
  return { body: Buffer.concat(m.parts), contentType: m.contentType, docs: [tricky, small] };
}

test('any chunking gives the parts, bytes and SHA-1 of the whole-body parser', () => {
  const { body, contentType, docs } = sample();
  const whole = parseMultipart(body, contentType);
  assert.equal(whole.length, 3);
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % 300;
  const chunkings: [string, (i: number) => number][] = [
    ['1 byte', () => 1],
    ['7 bytes', () => 7],
    ['the delimiter length', () => 52],
    ['random', random],
    ['64 KiB', () => 65536],
    ['all at once', () => body.length],
  ];
  for (const [name, sizes] of chunkings) {
    const got = receive(body, contentType, sizes);
    assert.equal(got.error, undefined, name);
    assert.equal(got.roots, 1, `${name}: the root is announced once`);
    assert.equal(got.parts.length, whole.length, name);
    got.parts.forEach((p, i) => {
      assert.deepEqual(p.headers, whole[i]!.headers, `${name}: headers of part ${i}`);
      assert.ok(Buffer.concat(p.chunks).equals(whole[i]!.body), `${name}: bytes of part ${i}`);
      assert.equal(p.size, whole[i]!.body.length);
    });
    docs.forEach((d, i) => assert.equal(got.parts[i + 1]!.sha1, createHash('sha1').update(d).digest('hex'), `${name}: hash of document ${i}`));
  }
});

test('broken packages are refused as by the whole-body parser', () => {
  const { body, contentType } = sample();
  const cut = body.subarray(0, 10_000); // inside the first document
  assert.throws(() => parseMultipart(cut, contentType), /unterminated part/);
  for (const n of [1, 13, 4096]) assert.equal(receive(cut, contentType, () => n).error, 'unterminated part');
  assert.equal(receive(body, 'multipart/related; type="application/xop+xml"', () => 4096).error, 'multipart without boundary');
  assert.equal(receive(Buffer.from('no delimiter at all'), contentType, () => 4).error, 'boundary not found');
  const headless = Buffer.from(`--${/boundary="([^"]+)"/.exec(contentType)![1]}\r\nContent-Type: text/plain`);
  assert.equal(receive(headless, contentType, () => 5).error, 'part without header end');
});
