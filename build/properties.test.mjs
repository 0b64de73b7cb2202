// @ts-check
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseProperties, stringifyProperties } from './properties.mjs';

test('reads the Java properties syntax', () => {
  const p = parseProperties('# c\n! c\nkey1 = a value \nkey2:b\nkey3 c\nlong = one \\\n    two\nesc = \\u00e9\\tx\\\\\n\\ spaced\\=key = v\n');
  assert.deepEqual(Object.fromEntries(p), { key1: 'a value ', key2: 'b', key3: 'c', long: 'one two', esc: 'é\tx\\', ' spaced=key': 'v' });
});

test('writes pure ASCII that reads back the same, astral characters as surrogate escapes', () => {
  const entries = new Map([
    ['label', 'Gestionnaire de sécurité'],
    ['quote', 'd’un compte…'],
    ['emoji', '🔒 chiffré'],
    ['lead', ' leading space'],
    ['multi', 'a\nb'],
  ]);
  const text = stringifyProperties(entries, 'en-tête');
  assert.match(text, /^[\x20-\x7e\n]*$/);
  assert.match(text, /^emoji=\\ud83d\\udd12 chiffr\\u00e9$/m);
  assert.deepEqual(parseProperties(text), entries);
});
