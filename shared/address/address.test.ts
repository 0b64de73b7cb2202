import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AddressError, normaliseAddress, sameAddress, tryNormaliseAddress } from './address.ts';

const refused = (raw: string, problem: string) =>
  assert.throws(() => normaliseAddress(raw), (e: unknown) => e instanceof AddressError && e.problem === problem, `${JSON.stringify(raw)} → ${problem}`);

test('one normal form: NFC, lower case, IDNA A-label domain; what was typed kept for display', () => {
  assert.deepEqual(normaliseAddress('  Dr.Bond@Esante.LU '), { address: 'dr.bond@esante.lu', display: 'Dr.Bond@Esante.LU', local: 'dr.bond', domain: 'esante.lu' });
  assert.equal(normaliseAddress('Jürgen@Müller.LU').address, 'jürgen@xn--mller-kva.lu');
  assert.equal(normaliseAddress('jürgen@xn--mller-kva.lu').address, 'jürgen@xn--mller-kva.lu');
  // Decomposed é (e + U+0301) and precomposed É are one address.
  assert.equal(normaliseAddress('Ren\u0065\u0301@esante.lu').address, normaliseAddress('REN\u00c9@esante.lu').address);
  // UTS #46 maps a fullwidth domain letter and the ideographic full stop: the same DNS name.
  assert.equal(normaliseAddress('a@\uFF45xample\u3002com').address, 'a@example.com');
  assert.ok(sameAddress('Anna@Müller.lu', 'anna@xn--mller-kva.lu'));
  assert.ok(!sameAddress('\u212Aim@x.lu', 'kim@x.lu'));
});

test('local parts that case folding or NFKC turn into ASCII are refused (look-alikes of ASCII addresses)', () => {
  refused('\u212Aim@example.org', 'ambiguous'); // KELVIN SIGN: NFC and lower case give "k"
  refused('\u017Fophie@example.org', 'ambiguous'); // LONG S: upper case "S"
  refused('\u0131van@example.org', 'ambiguous'); // DOTLESS I: upper case "I"
  refused('\u0130van@example.org', 'ambiguous'); // I WITH DOT: lower case "i̇"
  refused('\uFF4Bim@example.org', 'ambiguous'); // fullwidth k: NFKC "k"
  refused('\uFB01x@example.org', 'ambiguous'); // ligature ﬁ: NFKC "fi"
  refused('stra\u00DFe@example.de', 'ambiguous'); // ß: upper case "SS", full case folding "ss"
  // Other scripts are their own letters: accepted, and never equal to the ASCII address.
  assert.equal(normaliseAddress('\u0430lice@example.org').address, '\u0430lice@example.org');
  assert.equal(normaliseAddress('Ω@example.org').address, 'ω@example.org');
});

test('malformed addresses are refused with the reason', () => {
  refused('', 'length');
  refused(`${'a'.repeat(250)}@x.lu`, 'length');
  refused(`${'a'.repeat(65)}@x.lu`, 'length');
  refused('no-at.example.org', 'shape');
  refused('a@b@example.org', 'shape');
  refused('a b@example.org', 'local_part');
  refused('a..b@example.org', 'local_part');
  refused('"quoted"@example.org', 'local_part');
  refused('a@localhost', 'domain');
  refused('a@exa_mple.com', 'domain');
  refused('a@192.0.2.1', 'domain');
  refused('a@-x.lu', 'domain');
  assert.equal(tryNormaliseAddress(42), null);
  assert.equal(tryNormaliseAddress('a@b'), null);
});
