import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AjxCallback, AjxListener, AjxEmailAddress } from './ajx.ts';

describe('AjxCallback / AjxListener (AjxCallback.js, AjxListener.js)', () => {
  test('run() passes the stored args first, then the call args, with obj as this', () => {
    const obj = { tag: 'o', seen: [] as unknown[] };
    const cb = new AjxCallback(obj, function (this: typeof obj, ...args: unknown[]) {
      this.seen.push(...args);
      return this.tag;
    }, ['a', 'b']);
    assert.equal(cb.run('c'), 'o');
    assert.deepEqual(obj.seen, ['a', 'b', 'c']);
  });
  test('a non-array args value is one leading argument (pgp-zimlet: new AjxListener(this, fn, controller))', () => {
    const got: unknown[] = [];
    const l = new AjxListener(null, (...a: unknown[]) => got.push(...a), 'controller');
    l.handleEvent('ev');
    assert.deepEqual(got, ['controller', 'ev']);
  });
  test('new AjxCallback(func, args) form', () => {
    const cb = new AjxCallback((x: number, y: number) => x + y, [2]);
    assert.equal(cb.run(3), 5);
  });
  test('AjxListener inherits AjxCallback (subclassing with .call works)', () => {
    const l = new AjxListener(null, () => 1);
    assert.ok(l instanceof AjxCallback);
    assert.equal(l.isAjxListener, true);
    assert.equal(l.isAjxCallback, true);
  });
});

describe('AjxEmailAddress (AjxEmailAddress.js)', () => {
  test('type constants are Zimbra strings', () => {
    assert.equal(AjxEmailAddress.TO, 'TO');
    assert.equal(AjxEmailAddress.CC, 'CC');
    assert.equal(AjxEmailAddress.BCC, 'BCC');
    assert.equal(AjxEmailAddress.fromSoapType['f'], 'FROM');
    assert.equal(AjxEmailAddress.toSoapType['BCC'], 'b');
  });
  test('parse: bare, angle, quoted name with escaped quote', () => {
    assert.equal(AjxEmailAddress.parse('marie.schmit@esante.lu')?.address, 'marie.schmit@esante.lu');
    const a = AjxEmailAddress.parse('Marie Schmit <marie.schmit@esante.lu>');
    assert.equal(a?.address, 'marie.schmit@esante.lu');
    assert.equal(a?.name, 'Marie Schmit');
    const q = AjxEmailAddress.parse('"Weber, \\"JC\\"" <jean-claude.weber@esante.lu>');
    assert.equal(q?.name, 'Weber, "JC"');
  });
  test('parse rejects what Zimbra rejects: no @, no dot after @, trailing dot, unmatched quote', () => {
    for (const bad of ['marie', 'marie@esante', 'marie@esante.', '"marie@esante.lu', '', 'a b@c@d.lu']) {
      assert.equal(AjxEmailAddress.parse(bad), null, bad);
    }
  });
  test('split on ; , newline and space after an address, but keep "Smith, John <x>" whole', () => {
    assert.deepEqual(AjxEmailAddress.split('a@x.lu; b@y.lu,c@z.lu\nd@w.lu e@v.lu'), ['a@x.lu', 'b@y.lu', 'c@z.lu', 'd@w.lu', 'e@v.lu']);
    assert.deepEqual(AjxEmailAddress.split('Smith, John <js@x.lu>, "Weber; JC" <jc@x.lu>'), ['Smith, John <js@x.lu>', '"Weber; JC" <jc@x.lu>']);
  });
  test('parseEmailString separates good and bad and sets the type', () => {
    const r = AjxEmailAddress.parseEmailString('a@x.lu; nobody; Smith, John <js@x.lu>', AjxEmailAddress.CC);
    assert.deepEqual(r.good.getArray().map((a) => a.address), ['a@x.lu', 'js@x.lu']);
    assert.deepEqual(r.bad.getArray(), ['nobody']);
    assert.equal(r.good.get(0)?.type, 'CC');
    assert.equal(r.good.get(1)?.name, 'Smith, John');
    assert.equal(r.all.size(), 3);
  });
  test('toString quotes names; short form prefers the name', () => {
    const a = new AjxEmailAddress('x@y.lu', AjxEmailAddress.TO, 'A "B"');
    assert.equal(a.toString(), '"A \\"B\\"" <x@y.lu>');
    assert.equal(a.toString(true), 'A "B"');
    assert.equal(new AjxEmailAddress('x@y.lu').toString(), 'x@y.lu');
  });
});
