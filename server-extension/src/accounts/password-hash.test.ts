import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ServiceUnavailableError } from '../errors.ts';
import { hashPassword, SCRYPT_MIN_LOG2N, setHashLimitsForTests, verifyPasswordHash } from './password-hash.ts';

// The lowest cost the module accepts keeps these tests fast; the format carries the cost.
const LN = SCRYPT_MIN_LOG2N;

describe('scrypt password hashes', () => {
  test('a hash verifies its password and no other, and never contains it', async () => {
    const hash = await hashPassword('Correct-Horse-42!', LN);
    assert.match(hash, /^scrypt\$ln=14,r=8,p=1\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/);
    assert.ok(!hash.includes('Correct-Horse-42!'));
    assert.equal(await verifyPasswordHash('Correct-Horse-42!', hash), true);
    assert.equal(await verifyPasswordHash('correct-Horse-42!', hash), false);
    assert.equal(await verifyPasswordHash('', hash), false);
  });

  test('two hashes of one password differ (random salt) and both verify', async () => {
    const [a, b] = await Promise.all([hashPassword('Same-Pass-77#', LN), hashPassword('Same-Pass-77#', LN)]);
    assert.notEqual(a, b);
    assert.equal(await verifyPasswordHash('Same-Pass-77#', a), true);
    assert.equal(await verifyPasswordHash('Same-Pass-77#', b), true);
  });

  test('the same text in another Unicode form still verifies (NFC)', async () => {
    const hash = await hashPassword('Caf\u00e9-Cr\u00e8me-19!', LN);
    assert.equal(await verifyPasswordHash('Cafe\u0301-Cre\u0300me-19!', hash), true);
  });

  test('malformed or out-of-bounds hashes are a mismatch, not a crash or a huge allocation', async () => {
    const good = await hashPassword('Abcdefg-123!', LN);
    assert.equal(await verifyPasswordHash('Abcdefg-123!', 'plain-text'), false);
    assert.equal(await verifyPasswordHash('Abcdefg-123!', good.replace('ln=14', 'ln=30')), false);
    assert.equal(await verifyPasswordHash('Abcdefg-123!', good.replace('ln=14', 'ln=15')), false);
    assert.equal(await verifyPasswordHash('Abcdefg-123!', good.slice(0, -4)), false);
  });

  test('costs outside the documented bounds are refused', async () => {
    await assert.rejects(hashPassword('x', 10), RangeError);
    await assert.rejects(hashPassword('x', 21), RangeError);
  });

  test('a full queue refuses at once with service.unavailable (503) instead of waiting; the queue drains', async () => {
    setHashLimitsForTests({ concurrent: 1, queued: 2 });
    try {
      const started = Date.now();
      const results = await Promise.allSettled([1, 2, 3, 4, 5].map((i) => hashPassword(`Queue-Pass-${i}!`, LN)));
      assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'rejected']);
      for (const r of results.slice(3)) {
        const reason = (r as PromiseRejectedResult).reason as ServiceUnavailableError;
        assert.ok(reason instanceof ServiceUnavailableError);
        assert.equal(reason.code, 'service.unavailable');
        assert.equal(reason.httpStatus, 503);
      }
      assert.ok(Date.now() - started < 30_000);
      // Once drained, hashing works again, and the slots were all given back.
      const again = await Promise.all([hashPassword('After-Drain-1!', LN), hashPassword('After-Drain-2!', LN), hashPassword('After-Drain-3!', LN)]);
      assert.equal(again.length, 3);
    } finally {
      setHashLimitsForTests();
    }
  });
});
