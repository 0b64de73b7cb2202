import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { addressOf, parseContentType, parseEntity, serializeEntity, splitMultipart, toCrlf, toSevenBit } from './mime.ts';

describe('mime', () => {
  test('toCrlf canonicalises LF, CR and keeps CRLF', () => {
    assert.equal(toCrlf(Buffer.from('a\nb\r\nc\rd')).toString(), 'a\r\nb\r\nc\r\nd');
    const same = Buffer.from('a\r\nb\r\n');
    assert.equal(toCrlf(same), same, 'already canonical: no copy');
  });

  test('parseEntity unfolds values and keeps the raw folded field', () => {
    const e = parseEntity(Buffer.from('Subject: a\r\n b\r\nFrom: x@y\r\n\r\nbody\r\n'));
    assert.deepEqual(e.fields.map((f) => [f.name, f.value]), [['subject', 'a b'], ['from', 'x@y']]);
    assert.equal(e.fields[0]!.raw.toString(), 'Subject: a\r\n b\r\n');
    assert.equal(e.body.toString(), 'body\r\n');
    assert.throws(() => parseEntity(Buffer.from('not a header\r\n\r\n')), /invalid header/);
  });

  test('parseContentType reads quoted parameters and defaults to text/plain', () => {
    const ct = parseContentType('Multipart/Signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="a;b=c"');
    assert.equal(ct.mediaType, 'multipart/signed');
    assert.equal(ct.params['boundary'], 'a;b=c');
    assert.equal(ct.params['micalg'], 'sha-256');
    assert.equal(parseContentType(undefined).mediaType, 'text/plain');
  });

  test('splitMultipart excludes the CRLF before each delimiter and ignores boundary text inside lines', () => {
    const body = Buffer.from('preamble\r\n--b\r\nA\r\nx --b not a delimiter\r\n\r\n--b \r\nB\r\n--b--\r\nepilogue');
    const { parts, closed } = splitMultipart(body, 'b');
    assert.deepEqual(parts.map(String), ['A\r\nx --b not a delimiter\r\n', 'B']);
    assert.equal(closed, true);
    assert.equal(splitMultipart(Buffer.from('--b\r\nA\r\n--b\r\nB'), 'b').parts.length, 1, 'a part is only complete at the next delimiter');
  });

  test('addressOf', () => {
    assert.equal(addressOf('"Schmit, Marie" <Marie.Schmit@esante.lu>'), 'marie.schmit@esante.lu');
    assert.equal(addressOf('marie@x.lu (Marie)'), 'marie@x.lu');
    assert.equal(addressOf('undisclosed'), undefined);
  });

  test('toSevenBit re-encodes 8-bit leaves in base64 and keeps 7-bit parts byte for byte', () => {
    const seven = parseEntity(Buffer.from('Content-Type: text/plain\r\n\r\nhello\r\n'));
    assert.equal(toSevenBit(seven), seven);
    const mixed = parseEntity(
      Buffer.from('Content-Type: multipart/mixed; boundary=q\r\n\r\n--q\r\nContent-Type: text/plain\r\n\r\nkeep me\r\n--q\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nété\r\n--q--\r\n', 'utf8'),
    );
    const out = serializeEntity(toSevenBit(mixed)).toString('latin1');
    assert.match(out, /--q\r\nContent-Type: text\/plain\r\n\r\nkeep me\r\n--q\r\n/);
    assert.match(out, /Content-Transfer-Encoding: base64\r\n\r\nw6l0w6k=\r\n/, 'the CRLF before a delimiter is not content');
    assert.ok(!/8bit/.test(out));
    const longLine = parseEntity(Buffer.from(`Content-Type: text/plain\r\n\r\n${'x'.repeat(1200)}\r\n`));
    assert.match(serializeEntity(toSevenBit(longLine)).toString(), /Content-Transfer-Encoding: base64/);
    assert.throws(() => toSevenBit(parseEntity(Buffer.from('Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n\xe9\r\n', 'latin1'))), /8-bit data/);
  });
});
