/**
 * The stand-in's persistent schema check (sandbox/dsp/schema-validator.ts) answers what a one-shot
 * `xmllint --schema IHEXDSB.xsd -` answers, for valid, invalid and not well-formed documents, also
 * many at once and across its processes (each has a fixed number of FIFOs).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SchemaValidator, xmllintOnce } from '../../sandbox/dsp/schema-validator.ts';
import { XDS_SCHEMA } from '../../sandbox/dsp/standin.ts';
import { buildSample } from '../src/dsp/sample.ts';

test('the same verdicts and error lines as a one-shot xmllint, many documents at once, over several processes', async () => {
  const { body } = await buildSample();
  const valid = body.replace(/(<xdsb:Document[^>]*>)[^<]*/, '$1');
  const invalid = valid.replace('<rim:Slot name="creationTime">', '<rim:Slot name="creationTime" bogus="1">');
  const broken = valid.slice(0, 400);
  assert.notEqual(invalid, valid);
  const docs = [valid, invalid, broken];
  const expected = await Promise.all(docs.map((d) => xmllintOnce(d, XDS_SCHEMA)));
  assert.deepEqual(expected[0], []);
  assert.ok(expected[1]!.length > 0 && expected[2]!.length > 0);
  // 6 FIFOs: three documents per process, so 6 documents need two processes.
  const v = new SchemaValidator(XDS_SCHEMA, 6);
  try {
    const many = Array.from({ length: 6 }, (_, i) => docs[i % 3]!);
    const got = await Promise.all(many.map((d) => v.validate(d)));
    got.forEach((errors, i) => assert.deepEqual(errors, expected[i % 3], `document ${i}`));
    // And one after the other.
    for (const [i, d] of docs.entries()) assert.deepEqual(await v.validate(d), expected[i]);
  } finally {
    v.close();
  }
});
