import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { addressPart, candidateAddresses, mailLocalPart } from './address.ts';

// Names from the vendored Luxembourg list (server-extension/src/directory/data/names.json, sources there).
test('Luxembourg names: accents, hyphens, particles, apostrophes, compound names', () => {
  const table: Array<[string, string, string]> = [
    ['Marie', 'Schmit', 'marie.schmit'],
    ['Jürgen', 'Müller', 'jurgen.muller'],
    ['Hélène', 'Thill', 'helene.thill'],
    ['João', 'Gonçalves', 'joao.goncalves'],
    ['Zoë', 'Oberlé', 'zoe.oberle'],
    ['Jean-Claude', 'Weber', 'jean-claude.weber'],
    ['Anne-Marie', 'Knauf-Hübel', 'anne-marie.knauf-hubel'],
    ['Ana', 'Da Silva', 'ana.da-silva'],
    ['Sébastien', 'Dos Santos', 'sebastien.dos-santos'],
    ['Frédéric', 'Van der Berg', 'frederic.van-der-berg'],
    ['Léa', 'De Cillia', 'lea.de-cillia'],
    ['Stéphane', "D'Ambrosio", 'stephane.dambrosio'],
    ['Noémie', 'D’Aurelio', 'noemie.daurelio'],
    ['Félix', 'Nascimento Dias', 'felix.nascimento-dias'],
    ['Jean Paul', 'Rodrigues  Batista', 'jean-paul.rodrigues-batista'],
    ['Dorothée', 'Weiß', 'dorothee.weiss'],
    [' René ', ' Lefèvre ', 'rene.lefevre'],
  ];
  for (const [given, sn, expected] of table) assert.equal(mailLocalPart(given, sn), expected, `${given} ${sn}`);
});

test('separators collapse to one hyphen; letters Unicode does not decompose are spelled out', () => {
  assert.equal(addressPart('Jean - Paul'), 'jean-paul');
  assert.equal(addressPart('St. Paul'), 'st-paul');
  assert.equal(addressPart('Søren Łukasz Æsir Œuvre'), 'soren-lukasz-aesir-oeuvre');
  assert.equal(addressPart("-O'Neill-"), 'oneill');
});

test('no address is guessed for a name with nothing writable or one too long for RFC 5321', () => {
  assert.equal(mailLocalPart('李', 'Wang'), null);
  assert.equal(mailLocalPart('Marie', '---'), null);
  assert.equal(mailLocalPart('A'.repeat(40), 'B'.repeat(30)), null);
  assert.deepEqual(candidateAddresses('', 'Weber', 'esante.lu'), []);
});

test('namesakes: prenom.nom@, then prenom.nom.2@, .3@ … within the 64-character limit', () => {
  const c = candidateAddresses('Marie', 'Schmit', 'esante.lu', 4);
  assert.deepEqual(c, ['marie.schmit@esante.lu', 'marie.schmit.2@esante.lu', 'marie.schmit.3@esante.lu', 'marie.schmit.4@esante.lu']);
  // 62 characters: room for ".2" … ".9", not for ".10".
  const local = `${'a'.repeat(30)}.${'b'.repeat(31)}`;
  const long = candidateAddresses('a'.repeat(30), 'b'.repeat(31), 'esante.lu', 20);
  assert.equal(long.length, 9);
  assert.equal(long.at(-1), `${local}.9@esante.lu`);
});

test('every first name × surname of the vendored list gets an address (the directory generator relies on it)', () => {
  const names = JSON.parse(readFileSync(new URL('../../server-extension/src/directory/data/names.json', import.meta.url), 'utf8')) as {
    surnames: Array<{ surname: string }>;
    firstNames: Array<{ firstName: string }>;
  };
  let checked = 0;
  for (const { firstName } of names.firstNames) {
    for (const { surname } of names.surnames) {
      const local = mailLocalPart(firstName, surname);
      assert.match(local ?? '', /^[a-z0-9]+(-[a-z0-9]+)*\.[a-z0-9]+(-[a-z0-9]+)*$/, `${firstName} ${surname}`);
      checked++;
    }
  }
  assert.ok(checked > 5000);
});
