import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderReadme } from '../../scripts/config-table.ts';

test('the README documents every environment variable the service reads, with its default (npm run docs:config)', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  assert.equal(readme, renderReadme(readme), 'README.md configuration table is out of date: run npm run docs:config');
});
