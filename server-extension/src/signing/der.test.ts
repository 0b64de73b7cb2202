import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DerError, children, decodeOid, decodeTime, integer, oid, readOne, readTlv, seq, setOf, time, tlv } from './der.ts';

describe('der', () => {
  test('OID and INTEGER round trips', () => {
    for (const o of ['1.2.840.113549.1.7.2', '2.16.840.1.101.3.4.2.1', '2.5.29.37.0', '1.3.6.1.5.5.7.3.4']) assert.equal(decodeOid(readOne(oid(o))), o);
    assert.deepEqual(integer(1), Buffer.from([2, 1, 1]));
    assert.deepEqual(integer(Buffer.from([0x80])), Buffer.from([2, 2, 0, 0x80]), 'a high bit gets a leading zero');
    assert.deepEqual(integer(Buffer.from([0, 0, 5])), Buffer.from([2, 1, 5]), 'redundant zeros dropped');
  });

  test('setOf sorts its members by encoding (DER SET OF)', () => {
    const s = setOf(Buffer.from([4, 1, 2]), Buffer.from([4, 1, 1]));
    assert.deepEqual(s, Buffer.from([0x31, 6, 4, 1, 1, 4, 1, 2]));
  });

  test('times: UTCTime before 2050, GeneralizedTime after; both decode', () => {
    const d = new Date(Date.UTC(2026, 10, 29, 6, 1, 2));
    assert.equal(time(d)[0], 0x17);
    assert.equal(decodeTime(readOne(time(d))).getTime(), d.getTime());
    const far = new Date(Date.UTC(2051, 0, 1));
    assert.equal(time(far)[0], 0x18);
    assert.equal(decodeTime(readOne(time(far))).getTime(), far.getTime());
  });

  test('BER indefinite lengths are read; truncations and trailing bytes are errors', () => {
    const indef = Buffer.from([0x30, 0x80, 0x02, 0x01, 0x07, 0x00, 0x00]);
    const t = readOne(indef);
    assert.equal(children(t)[0]!.value[0], 7);
    const der = seq(integer(5), oid('1.2.3'));
    for (let i = 1; i < der.length; i++) assert.throws(() => readOne(der.subarray(0, i)), DerError);
    assert.throws(() => readOne(Buffer.concat([der, Buffer.from([0])])), /trailing/);
    assert.throws(() => readTlv(Buffer.from([0x30, 0x85, 1, 1, 1, 1, 1])), /length too long/);
  });
});

describe('der: a missing element is a DerError (found by fuzz/, seed 1350532265)', () => {
  test('a CRL whose AlgorithmIdentifier is an empty SEQUENCE is refused as malformed, not with a TypeError', async () => {
    const { decodeCrl } = await import('./crl.ts');
    const emptyAlg = tlv(0x30);
    const crl = tlv(0x30, tlv(0x30, integer(1), emptyAlg), emptyAlg, tlv(0x03, Buffer.from([0])));
    assert.throws(() => decodeCrl(crl), (e: unknown) => e instanceof DerError && /missing/.test((e as Error).message));
  });
  test('every reader refuses an absent element', () => {
    assert.throws(() => children(undefined), DerError);
    assert.throws(() => decodeOid(undefined), DerError);
    assert.throws(() => decodeTime(undefined), DerError);
  });
});
