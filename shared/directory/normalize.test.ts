import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fold, foldIdentifier, foldedSpellings, nameKeys, normalisePostalCode, sortKey } from './normalize.ts';

test('fold removes case, diacritics and separators, expands ß/æ/œ', () => {
  assert.equal(fold('Hélène'), 'helene');
  assert.equal(fold('KNAUF-HÜBEL'), 'knauf hubel');
  assert.equal(fold('Zoë'), 'zoe');
  assert.equal(fold('Weiß'), 'weiss');
  assert.equal(fold('Gonçalves'), 'goncalves');
  assert.equal(fold('D’Ambrosio'), 'd ambrosio');
  assert.equal(fold("D'Ambrosio"), 'd ambrosio');
  assert.equal(fold('  Van   der\tBerg  '), 'van der berg');
  assert.equal(fold('Œuvre Æsir Øster'), 'oeuvre aesir oster');
  assert.equal(fold('ﬁne'), 'fine', 'compatibility ligatures decompose');
});

test('fold keeps LDAP metacharacters as data', () => {
  assert.equal(fold('a*b(c)\\d'), 'a*b(c)\\d');
});

test('nameKeys: whole name, joined, and each word-start tail', () => {
  assert.deepEqual(nameKeys('Van der Berg'), ['van der berg', 'vanderberg', 'der berg', 'berg']);
  assert.deepEqual(nameKeys('Schmit'), ['schmit']);
  assert.deepEqual(nameKeys('D’Aurelio'), ['d aurelio', 'daurelio', 'aurelio']);
  assert.deepEqual(nameKeys(' - '), []);
});

test('identifiers compare without case, spaces or dashes', () => {
  assert.equal(foldIdentifier('EH-SYN-4K7Q 2MXA'), 'ehsyn4k7q2mxa');
  assert.equal(foldIdentifier('eh–syn–4k7q2mxa'), 'ehsyn4k7q2mxa', 'en dash');
  assert.equal(foldIdentifier('a*(b)'), 'a*(b)');
});

test('postal codes accept the L- prefix only around 4 digits', () => {
  assert.equal(normalisePostalCode('L-1210'), '1210');
  assert.equal(normalisePostalCode('l 1210'), '1210');
  assert.equal(normalisePostalCode('1210'), '1210');
  assert.equal(normalisePostalCode('12100'), '12100');
  assert.equal(normalisePostalCode('F-1210'), 'F-1210');
});

test('sortKey orders by surname, then first name, then id', () => {
  const keys = [
    sortKey('Muller', 'Zoë', 'b'),
    sortKey('Müller', 'Ana', 'z'),
    sortKey('Mullerb', 'Aaron', 'a'),
    sortKey('Van der Berg', 'X', 'a'),
    sortKey('Van', 'Y', 'a'),
    sortKey('Muller', 'Ana', 'a'),
  ].sort();
  assert.deepEqual(keys.map((k) => k.split('\u0001').join('|')), [
    'muller|ana|a',
    'muller|ana|z',
    'muller|zoe|b',
    'mullerb|aaron|a',
    'van|y|a',
    'van der berg|x|a',
  ]);
});

test('German umlauts: each name is also stored spelled with ae/oe/ue and with its ae/oe/ue read as umlauts', () => {
  const found = (stored: string, typed: string) => nameKeys(stored).some((k) => k.startsWith(fold(typed)));
  for (const [stored, typed] of [
    ['Müller', 'Mueller'], ['Mueller', 'Müller'], ['Müller', 'Muller'], ['Schäfer', 'Schaefer'], ['Schaefer', 'Schäfer'],
    ['Göbel', 'Goebel'], ['Goebel', 'Göbel'], ['MÜLLER', 'mueller'], ['Müller-Lüdenscheidt', 'Luedensch'], ['Mu\u0308ller', 'Mueller'],
  ]) assert.ok(found(stored!, typed!), `${typed} finds ${stored}`);
  for (const [stored, typed] of [['Muller', 'Mueller'], ['Hübel', 'Hoebel'], ['Zoë', 'Zoee']]) {
    assert.ok(!found(stored!, typed!), `${typed} does not find ${stored}`);
  }
  assert.equal(nameKeys('Müller')[0], 'muller', 'the first key is the plain fold (sort order)');
  assert.deepEqual(foldedSpellings('Weiß'), ['weiss']);
  assert.deepEqual(foldedSpellings('Van der Berg'), ['van der berg'], 'no umlaut, one spelling');
});
