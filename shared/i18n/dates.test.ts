import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDateTime } from './dates.ts';

test('a Date header in each language, Luxembourg time (CET in winter, CEST in summer), 24 h', () => {
  const header = 'Sun, 06 Dec 2026 21:07:52 +0000';
  assert.equal(formatDateTime(header, 'fr', 'date'), '06/12/2026');
  assert.equal(formatDateTime(header, 'de', 'date'), '06.12.2026');
  assert.equal(formatDateTime(header, 'en', 'time'), '22:07');
  assert.match(formatDateTime(header, 'fr', 'full'), /^dimanche 6 décembre 2026 (à )?22:07$/);
  assert.match(formatDateTime(header, 'de', 'full'), /^Sonntag, 6\. Dezember 2026 (um )?22:07$/);
  assert.match(formatDateTime(header, 'en', 'full'), /^Sunday,? 6 December 2026 (at )?22:07$/);
  assert.equal(formatDateTime('2026-07-01T10:00:00Z', 'fr', 'time'), '12:00', 'summer time: UTC+2');
});

test('nothing gives nothing; what is not a date is shown as written', () => {
  assert.equal(formatDateTime(undefined, 'fr'), '');
  assert.equal(formatDateTime('', 'de'), '');
  assert.equal(formatDateTime('demain', 'fr'), 'demain');
});

test("'day' is the medium date alone (a birth date, a document's day), in Luxembourg time", () => {
  assert.equal(formatDateTime('1980-05-12', 'fr', 'day'), '12 mai 1980');
  assert.equal(formatDateTime('1980-05-12', 'de', 'day'), '12.05.1980');
  assert.equal(formatDateTime('2026-12-31T23:30:00Z', 'en', 'day'), '1 Jan 2027', 'after midnight in Luxembourg');
  assert.equal(formatDateTime('19800512', 'fr', 'day'), '19800512', 'not a date: shown as written');
});
