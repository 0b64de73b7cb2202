import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeMatricule } from '../../../../shared/dsp/matricule.ts';
import { findMatricules } from './patient-detect.ts';

// Worked example of /work/shared/data/lu/identifiers.md §1.
const EXAMPLE = '1893120105732';

test('finds a 13-digit matricule in the subject or the body, also written in groups', () => {
  assert.deepEqual(findMatricules(`Résultats ${EXAMPLE}`), [EXAMPLE]);
  assert.deepEqual(findMatricules('Objet', 'Patient : 1893 1201 057 32, merci.'), [EXAMPLE]);
  assert.deepEqual(findMatricules('matr. 1893.1201.05732'), [EXAMPLE]);
});

test('ignores numbers whose check digits are wrong, and digits glued to other text', () => {
  assert.deepEqual(findMatricules('Tél. 1893120105733, commande 1893120105723'), []);
  assert.deepEqual(findMatricules(`ref${EXAMPLE}`, `${EXAMPLE}7`), []);
});

test('several patients: each once, in order of appearance; the old 11-digit form too', () => {
  const other = makeMatricule('1972-04-18', 123);
  assert.deepEqual(findMatricules(`${other} et ${EXAMPLE}`, `rappel ${other}`), [other, EXAMPLE]);
  // 1987 form: 19720418 + order 12 + check digit 9 (weights 5,4,3,2,7,6,5,4,3,2).
  assert.deepEqual(findMatricules('ancien numéro 19720418129'), ['19720418129']);
});
