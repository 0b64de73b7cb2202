import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildMimeMessage, encodeHeaderText } from './build-mime.ts';
import { parseMime, toDisplay } from './mime.ts';

const decoder = new TextDecoder();

describe('buildMimeMessage: the MIME our own reader (and mail clients) read back', () => {
  test('text only: headers, UTF-8 text, no multipart', () => {
    const raw = buildMimeMessage({ from: 'jean.weber@esante.lu', to: ['marie.muller@esante.lu'], cc: ['a@b.lu'], subject: 'Re: Résultats de Mme Müller – très urgent, à lire avant la consultation de demain', text: 'Merci.\n> Bonjour\n', inReplyTo: '<x@esante.lu>' });
    const s = decoder.decode(raw);
    assert.ok(!/[^\r]\n/.test(s), 'every line ends with CRLF');
    for (const line of s.split('\r\n')) assert.ok(line.length <= 78, `line too long: ${line}`);
    const d = toDisplay(parseMime(raw));
    assert.equal(d.subject, 'Re: Résultats de Mme Müller – très urgent, à lire avant la consultation de demain');
    assert.equal(d.from, 'jean.weber@esante.lu');
    assert.equal(d.to, 'marie.muller@esante.lu');
    assert.equal(d.cc, 'a@b.lu');
    assert.equal(d.text?.replace(/\r\n/g, '\n'), 'Merci.\n> Bonjour\n');
    assert.equal(d.attachments.length, 0);
    assert.match(s, /\r\nIn-Reply-To: <x@esante\.lu>\r\nReferences: <x@esante\.lu>\r\n/);
    assert.match(s, /\r\nMessage-ID: <[0-9a-f]{24}@esante\.lu>\r\n/);
  });

  test('attachments: names with accents, bytes intact, the body stays the first part', () => {
    const pdf = new Uint8Array(100_003).map((_, i) => (i * 7) % 256);
    const raw = buildMimeMessage({
      from: 'jean.weber@esante.lu',
      to: ['marie.muller@esante.lu'],
      subject: 'Fwd: compte rendu',
      text: 'Voir pièces jointes.',
      attachments: [
        { fileName: 'compte-rendu opératoire.pdf', mimeType: 'application/pdf', bytes: pdf },
        { fileName: 'notes.txt', mimeType: 'not a type', bytes: new TextEncoder().encode('--=_esante_ boundary-like text') },
      ],
    });
    const d = toDisplay(parseMime(raw));
    assert.equal(d.text, 'Voir pièces jointes.');
    assert.deepEqual(d.attachments.map((a) => [a.filename, a.contentType]), [['compte-rendu opératoire.pdf', 'application/pdf'], ['notes.txt', 'application/octet-stream']]);
    assert.deepEqual(d.attachments[0]!.data, pdf);
    assert.equal(decoder.decode(d.attachments[1]!.data), '--=_esante_ boundary-like text');
  });

  test('header text: ASCII as is, anything else as encoded-words of at most 75 characters, no CR/LF injection', () => {
    assert.equal(encodeHeaderText('Plain subject'), 'Plain subject');
    assert.equal(encodeHeaderText('a\r\nBcc: x@y'), 'a Bcc: x@y');
    const words = encodeHeaderText('é'.repeat(60)).split('\r\n ');
    assert.ok(words.length > 1);
    for (const w of words) assert.ok(w.length <= 75 && /^=\?utf-8\?B\?[A-Za-z0-9+/=]+\?=$/.test(w), w);
  });
});
