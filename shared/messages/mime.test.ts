import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeQuotedPrintable, decodeWords, mailboxAddress, parseHeaderParams, parseMime, textOf, toDisplay } from './mime.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const crlf = (lines: string[]) => enc(lines.join('\r\n'));

describe('header decoding', () => {
  test('RFC 2047 words: B and Q, adjacent words joined, charset split across words', () => {
    assert.equal(decodeWords('=?UTF-8?B?UsOpc3VsdGF0cw==?= du =?ISO-8859-1?Q?patient_=E9?='), 'Résultats du patient é');
    // "é" (C3 A9) split over two encoded words: must be joined before decoding.
    assert.equal(decodeWords('=?utf-8?Q?R=C3?= =?utf-8?Q?=A9sultat?='), 'Résultat');
    assert.equal(decodeWords('plain text'), 'plain text');
  });

  test('RFC 2231 parameters with charset, continuations and quoted values', () => {
    const p = parseHeaderParams(`attachment; filename*0*=utf-8''R%C3%A9sultats%20; filename*1="du labo.pdf"; size=12`);
    assert.equal(p.value, 'attachment');
    assert.equal(p.params['filename'], 'Résultats du labo.pdf');
    assert.equal(p.params['size'], '12');
    const q = parseHeaderParams('multipart/mixed; boundary="a;b\\"c"');
    assert.equal(q.params['boundary'], 'a;b"c');
  });

  test('quoted-printable: hex escapes and soft line breaks', () => {
    const out = decodeQuotedPrintable(enc('Caf=C3=A9 au =\r\nlait=\nchaud = ok'));
    assert.equal(new TextDecoder().decode(out), 'Café au laitchaud = ok');
  });
});

describe('parseMime / toDisplay', () => {
  const message = crlf([
    'From: =?utf-8?Q?Dr_Jos=C3=A9e_Weber?= <josee.weber@esante.lu>',
    'To: marc.muller@esante.lu',
    'Subject: =?utf-8?B?QW5hbHlzZXMgZHUgcGF0aWVudA==?=',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="outer"',
    '',
    'preamble ignored',
    '--outer',
    'Content-Type: multipart/alternative; boundary=alt',
    '',
    '--alt',
    'Content-Type: text/plain; charset=iso-8859-1',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    'R=E9sultats normaux.',
    '--alt',
    'Content-Type: multipart/related; boundary=rel',
    '',
    '--rel',
    'Content-Type: text/html; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from('<p>Résultats <b>normaux</b><img src="cid:logo@x"></p>').toString('base64'),
    '--rel',
    'Content-Type: image/png',
    'Content-ID: <logo@x>',
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from([1, 2, 3]).toString('base64'),
    '--rel--',
    '--alt--',
    '--outer',
    'Content-Type: application/pdf; name="=?utf-8?Q?r=C3=A9sultat.pdf?="',
    'Content-Disposition: attachment',
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from('%PDF-1.4 test').toString('base64'),
    '--outer--',
    'epilogue',
  ]);

  test('nested mixed/alternative/related with encodings and charsets', () => {
    const root = parseMime(message);
    assert.equal(root.contentType, 'multipart/mixed');
    assert.equal(root.parts.length, 2);
    const d = toDisplay(root);
    assert.equal(d.subject, 'Analyses du patient');
    assert.equal(d.from, 'Dr Josée Weber <josee.weber@esante.lu>');
    assert.equal(d.html, '<p>Résultats <b>normaux</b><img src="cid:logo@x"></p>');
    assert.equal(d.text, 'Résultats normaux.');
    assert.equal(d.signed, false);
    assert.equal(d.attachments.length, 2);
    const logo = d.attachments.find((a) => a.contentId === 'logo@x')!;
    assert.equal(logo.inline, true);
    assert.deepEqual([...logo.data], [1, 2, 3]);
    const pdf = d.attachments.find((a) => a.contentType === 'application/pdf')!;
    assert.equal(pdf.filename, 'résultat.pdf');
    assert.equal(pdf.inline, false);
    assert.equal(new TextDecoder().decode(pdf.data), '%PDF-1.4 test');
  });

  test('multipart/signed: first part shown, signature not listed, raw entity kept byte for byte', () => {
    const signed = crlf([
      'Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="sig"',
      'Subject: signed',
      '',
      '--sig',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Bonjour',
      '--sig',
      'Content-Type: application/pkcs7-signature; name=smime.p7s',
      'Content-Disposition: attachment; filename=smime.p7s',
      'Content-Transfer-Encoding: base64',
      '',
      'AAEC',
      '--sig--',
      '',
    ]);
    const root = parseMime(signed);
    const d = toDisplay(root);
    assert.equal(d.signed, true);
    assert.equal(d.text, 'Bonjour');
    assert.equal(d.attachments.length, 0);
    const first = root.parts[0]!;
    assert.equal(new TextDecoder().decode(first.raw), 'Content-Type: text/plain; charset=utf-8\r\n\r\nBonjour');
  });

  test('LF-only messages, missing Content-Type and a missing closing boundary still parse', () => {
    const lf = enc('Subject: x\n\nline1\nline2');
    const d = toDisplay(parseMime(lf));
    assert.equal(d.text, 'line1\nline2');
    const truncated = enc('Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nhello\n--b\nContent-Type: text/plain\nContent-Disposition: attachment; filename=a.txt\n\ncut');
    const t = toDisplay(parseMime(truncated));
    assert.equal(t.text, 'hello');
    assert.equal(t.attachments[0]!.filename, 'a.txt');
    assert.equal(new TextDecoder().decode(t.attachments[0]!.data), 'cut');
  });

  test('unknown charset falls back without throwing; path separators removed from file names', () => {
    const root = parseMime(enc('Content-Type: text/plain; charset=x-unknown\r\n\r\nabc'));
    assert.equal(textOf(root), 'abc');
    const a = toDisplay(parseMime(enc('Content-Type: application/octet-stream\r\nContent-Disposition: attachment; filename="../../etc/passwd"\r\n\r\nx')));
    assert.equal(a.attachments[0]!.filename.includes('/'), false);
  });

  test('deep nesting is bounded', () => {
    let s = '';
    for (let i = 0; i < 60; i++) s += `Content-Type: multipart/mixed; boundary=b${i}\r\n\r\n--b${i}\r\n`;
    s += 'Content-Type: text/plain\r\n\r\nend';
    const root = parseMime(enc(s));
    let depth = 0;
    for (let e = root; e.parts[0]; e = e.parts[0]) depth++;
    assert.ok(depth <= 21, `depth ${depth}`);
  });

  // docs/field-libraries.md: past its limits, or without a usable boundary, the reader used to show
  // nothing of what followed. Nothing the sender sent may be hidden: it is offered as an attachment.
  test('too deep: the innermost multipart is offered whole (its text inside), not dropped', () => {
    let s = '';
    for (let i = 0; i < 60; i++) s += `Content-Type: multipart/mixed; boundary=b${i}\r\n\r\n--b${i}\r\n`;
    s += 'Content-Type: text/plain\r\n\r\nle texte caché';
    const shown = toDisplay(parseMime(enc(s)));
    assert.equal(shown.attachments.length, 1);
    assert.match(shown.attachments[0]!.filename, /^part-\d+\.eml$/);
    assert.match(new TextDecoder().decode(shown.attachments[0]!.data), /le texte caché/);
  });

  test('more parts than the limit: the rest is one attachment holding every remaining part', () => {
    const parts = Array.from({ length: 2100 }, (_, i) => `--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename="f${i}.bin"\r\n\r\nP${i}\r\n`);
    const shown = toDisplay(parseMime(enc(`Content-Type: multipart/mixed; boundary=b\r\n\r\n${parts.join('')}--b--\r\n`)));
    const last = shown.attachments.at(-1)!;
    assert.ok(shown.attachments.length < 2001, String(shown.attachments.length));
    assert.equal(last.contentType, 'application/octet-stream');
    const rest = new TextDecoder().decode(last.data);
    // Every part the reader did not list is in it, up to the very last one.
    const listed = new Set(shown.attachments.slice(0, -1).map((a) => a.filename));
    for (let i = 0; i < 2100; i++) assert.ok(listed.has(`f${i}.bin`) || rest.includes(`filename="f${i}.bin"`), `f${i}.bin kept`);
    assert.match(rest, /P2099$/);
  });

  test('a multipart without a boundary, or with no delimiter in it, is offered whole', () => {
    for (const raw of ['Content-Type: multipart/mixed\r\n\r\nBonjour, le compte rendu.', 'Content-Type: multipart/mixed; boundary=zz\r\n\r\nBonjour, le compte rendu.']) {
      const shown = toDisplay(parseMime(enc(raw)));
      assert.equal(shown.attachments.length, 1, raw);
      assert.match(new TextDecoder().decode(shown.attachments[0]!.data), /Bonjour, le compte rendu\./);
    }
    // Signed but unsplittable: still flagged nowhere as a body, and still offered.
    const signed = toDisplay(parseMime(enc('Content-Type: multipart/signed; protocol="application/pkcs7-signature"\r\n\r\nTexte signé')));
    assert.equal(signed.attachments.length, 1);
  });

  test('multipart/alternative with nothing a reader renders: each alternative is an attachment', () => {
    const raw = 'Content-Type: multipart/alternative; boundary=a\r\n\r\n--a\r\nContent-Type: application/pdf\r\n\r\n%PDF-1\r\n--a\r\nContent-Type: application/msword\r\n\r\nDOC\r\n--a--\r\n';
    const shown = toDisplay(parseMime(enc(raw)));
    assert.deepEqual(shown.attachments.map((a) => a.contentType), ['application/pdf', 'application/msword']);
  });
});

describe('mailboxAddress', () => {
  test('takes the address inside angle brackets, else a bare address, lower-cased', () => {
    assert.equal(mailboxAddress('Dr Marie Schmit <Marie.Schmit@esante.lu>'), 'marie.schmit@esante.lu');
    assert.equal(mailboxAddress('"Schmit, Marie" <marie.schmit@esante.lu>'), 'marie.schmit@esante.lu');
    assert.equal(mailboxAddress('luc.hoffmann@esante.lu'), 'luc.hoffmann@esante.lu');
    // A display name that looks like an address does not win over the real one.
    assert.equal(mailboxAddress('"chef@esante.lu" <mallory@example.org>'), 'mallory@example.org');
    assert.equal(mailboxAddress('Nobody'), '');
    assert.equal(mailboxAddress(''), '');
  });
});
