import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeWords as decodeHeader, parseHeaderParams as parseParams, parseMime as parseEntity, toDisplay } from './mime.ts';

// The cases the portal's former reader was tested with, now run on the one shared reader.
const parseMime = (bytes: Uint8Array) => toDisplay(parseEntity(bytes));

const enc = (s: string) => new TextEncoder().encode(s);

test('multipart/mixed with alternative bodies and an RFC 2231 attachment name', () => {
  const raw = [
    'From: =?UTF-8?Q?H=C3=A9l=C3=A8ne_Thill?= <helene.thill@esante.lu>',
    'To: luc.hoffmann@esante.lu',
    'Subject: =?utf-8?B?UsOpc3VsdGF0cw==?= =?utf-8?B?IGR1IGpvdXI=?=',
    'Content-Type: multipart/mixed; boundary="outer"',
    '',
    'preamble',
    '--outer',
    'Content-Type: multipart/alternative; boundary=inner',
    '',
    '--inner',
    'Content-Type: text/plain; charset=iso-8859-1',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    'R=E9sultats normaux, pas d=27urgence.=',
    '',
    '--inner',
    'Content-Type: text/html; charset=utf-8',
    '',
    '<p>Résultats <b>normaux</b></p>',
    '--inner--',
    '--outer',
    'Content-Type: application/pdf',
    "Content-Disposition: attachment; filename*=UTF-8''compte%20rendu%20%C3%A9t%C3%A9.pdf",
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from([0, 1, 2, 255]).toString('base64'),
    '--outer--',
    'epilogue',
  ].join('\r\n');
  const view = parseMime(enc(raw));
  assert.equal(view.subject, 'Résultats du jour');
  assert.equal(view.from, 'Hélène Thill <helene.thill@esante.lu>');
  assert.equal(view.text, "Résultats normaux, pas d'urgence.");
  assert.equal(view.html, '<p>Résultats <b>normaux</b></p>');
  assert.equal(view.attachments.length, 1);
  assert.equal(view.attachments[0]!.filename, 'compte rendu été.pdf');
  assert.deepEqual([...view.attachments[0]!.data], [0, 1, 2, 255]);
});

test('a single-part message with LF line ends and no Content-Type is plain text', () => {
  const view = parseMime(enc('Subject: Hello\nFrom: a@b.lu\n\nLine 1\nLine 2\n'));
  assert.equal(view.subject, 'Hello');
  assert.equal(view.text, 'Line 1\nLine 2\n');
  assert.equal(view.html, undefined);
  assert.deepEqual(view.attachments, []);
});

test('parameters: quoted, continued (RFC 2231) and case-insensitive names', () => {
  const p = parseParams('Attachment; FileName*0="long "; filename*1="name.txt"; Size=12');
  assert.equal(p.value.toLowerCase(), 'attachment'); // the value keeps its case; callers compare lowercased
  assert.equal(p.params['filename'], 'long name.txt');
  assert.equal(p.params['size'], '12');
  assert.equal(decodeHeader('plain text'), 'plain text');
});
