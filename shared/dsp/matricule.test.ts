import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkMatricule, makeMatricule } from './matricule.ts';

test('the public worked example and the sourced synthetic numbers are valid (identifiers.md §1)', () => {
  for (const m of ['1893120105732', '1985031412382', '1972113000781']) assert.equal(checkMatricule(m).ok, true, m);
  assert.deepEqual(checkMatricule('1893 1201 057 32'), { ok: true, kind: '13', value: '1893120105732', birthDate: '1893-12-01' });
});

test('a wrong Luhn or Verhoeff digit, a wrong length or letters are refused', () => {
  for (const m of ['1893120105722', '1893120105733', '2000060500127', '189312010573', '18931201057321', '1893I20105732', '']) {
    assert.equal(checkMatricule(m).ok, false, m);
  }
});

test('the old 11-digit form is checked with its mod-11 digit', () => {
  // 1980052012x: 1*5+9*4+8*3+0*2+0*7+5*6+2*5+0*4+1*3+2*2 = 112, 112 mod 11 = 2, digit 9.
  assert.equal(checkMatricule('19800520129').ok, true);
  assert.equal(checkMatricule('19800520128').ok, false);
});

test('makeMatricule builds numbers the check accepts', () => {
  assert.equal(makeMatricule('1893-12-01', 57), '1893120105732');
  for (let s = 0; s < 50; s++) assert.equal(checkMatricule(makeMatricule('1990-07-14', s)).ok, true);
});
