// @ts-check
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseXml } from './xml.mjs';

test('parses elements, attributes, entities, CDATA and comments', () => {
  const root = parseXml('<?xml version="1.0"?>\n<!-- c --><a x="1 &amp; 2" y=\'&#x41;\'><b>t&lt;<![CDATA[<raw>]]></b><c/></a>\n');
  assert.equal(root.name, 'a');
  assert.deepEqual(root.attrs, { x: '1 & 2', y: 'A' });
  assert.deepEqual(
    root.children.map((c) => [c.name, c.text]),
    [
      ['b', 't<<raw>'],
      ['c', ''],
    ],
  );
});

test('rejects what Zimbra’s parser would reject, and DOCTYPE', () => {
  for (const [xml, why] of [
    ['<a><b></a>', /does not match/],
    ['<a x="1" x="2"/>', /duplicate attribute/],
    ['<a x="1"y="2"/>', /malformed start tag/],
    ['<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>', /DOCTYPE/],
    ['<a/><b/>', /more than one root/],
    ['<a>&nbsp;</a>', /unknown entity/],
    ['<a>', /not closed/],
    ['text<a/>', /outside the root/],
    [' <?xml version="1.0"?><a/>', /not at the start/],
  ]) {
    assert.throws(() => parseXml(/** @type {string} */ (xml)), why, String(xml));
  }
});
