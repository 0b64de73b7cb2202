import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assessPassword } from './policy.ts';

test('a 7-character password is too short, whatever its classes', () => {
  const a = assessPassword('Ab1!xYz');
  assert.equal(a.problem, 'password.too_short');
  assert.equal(a.level, 0);
});

test('commonly breached passwords are refused, case and l33t variants included', () => {
  for (const pw of ['password1', 'azerty123', 'P@ssw0rd123', 'Azerty1234']) {
    assert.equal(assessPassword(pw).problem, 'password.breached', pw);
  }
});

test('long but single-class passwords are weak and refused', () => {
  const a = assessPassword('luxembourgeois');
  assert.equal(a.problem, 'password.too_weak');
  assert.ok(a.level <= 1);
});

test("the user's own name and address count against the password", () => {
  const inputs = ['jean-claude.weber@esante.lu', 'Jean-Claude Weber'];
  for (const pw of ['Weber-JeanClaude', 'Jeanclaude.Weber1']) {
    assert.ok(assessPassword(pw, inputs).estimatorScore < assessPassword(pw).estimatorScore, pw);
  }
});

test('a password meeting every criterion of the guide and the estimator is very strong', () => {
  const a = assessPassword('Q7#vLx9!pZ_ehealth');
  assert.equal(a.problem, null);
  assert.equal(a.level, 4);
  assert.deepEqual(a.criteria, { length: true, digits: true, lowerAndUpper: true, special: true });
});

test('a strong password without special characters cannot be very strong (guide criteria cap the level)', () => {
  const a = assessPassword('Kq7mZr2vTx9w');
  assert.equal(a.problem, null);
  assert.equal(a.level, 3);
});

test('over-long inputs are refused before any estimation', () => {
  assert.equal(assessPassword('aA1!'.repeat(40)).problem, 'password.too_long');
});
