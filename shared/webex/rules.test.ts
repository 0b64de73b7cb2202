import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkSchedule, fromLuxembourgLocal, isEmail, resolveJoin, toLuxembourgIso, toLuxembourgLocal } from './rules.ts';

test('Luxembourg local time ↔ ISO 8601 with offset, across both DST changes', () => {
  assert.equal(toLuxembourgIso(fromLuxembourgLocal('2027-01-15T08:00')!), '2027-01-15T08:00:00+01:00');
  assert.equal(toLuxembourgIso(fromLuxembourgLocal('2027-07-01T14:30')!), '2027-07-01T14:30:00+02:00');
  assert.equal(fromLuxembourgLocal('2027-07-01T14:30')!.toISOString(), '2027-07-01T12:30:00.000Z');
  // 28 March 2027: 02:00 → 03:00. Before and after the change.
  assert.equal(toLuxembourgIso(fromLuxembourgLocal('2027-03-28T01:30')!), '2027-03-28T01:30:00+01:00');
  assert.equal(toLuxembourgIso(fromLuxembourgLocal('2027-03-28T03:30')!), '2027-03-28T03:30:00+02:00');
  // 31 October 2027: 03:00 → 02:00.
  assert.equal(toLuxembourgIso(fromLuxembourgLocal('2027-10-31T12:00')!), '2027-10-31T12:00:00+01:00');
  assert.equal(toLuxembourgIso(new Date('2027-10-30T23:59:00Z')), '2027-10-31T01:59:00+02:00');
  assert.equal(toLuxembourgLocal(new Date('2027-12-31T23:30:00Z')), '2028-01-01T00:30');
  for (const bad of ['2027-02-30T10:00', '2027-13-01T10:00', '2027-01-01T24:00', '2027-01-01 10:00', '', 'demain']) {
    assert.equal(fromLuxembourgLocal(bad), null, bad);
  }
});

test('checkSchedule: each rule, the first broken one wins, and a valid request is normalised', () => {
  const now = new Date('2027-05-10T08:00:00Z'); // 10:00 in Luxembourg
  const ok = { title: 'RCP', start: '2027-05-10T11:00', durationMinutes: 30, invitees: [] as Array<{ email: string; displayName?: string }> };
  const code = (over: Partial<typeof ok> & { password?: string }) => {
    const r = checkSchedule({ ...ok, ...over }, now);
    return r.ok ? 'ok' : `${r.code}${r.args.length ? `:${r.args.join(',')}` : ''}`;
  };
  assert.equal(code({}), 'ok');
  assert.equal(code({ title: ' ' }), 'webex.title_required');
  assert.equal(code({ title: 'é'.repeat(128) }), 'ok');
  assert.equal(code({ title: 'é'.repeat(129) }), 'webex.title_too_long:128');
  assert.equal(code({ start: '2027-05-10T09:54' }), 'webex.start_in_past');
  assert.equal(code({ start: '2027-05-10T09:56' }), 'ok', 'five minutes of grace');
  assert.equal(code({ durationMinutes: 0 }), 'webex.end_before_start');
  assert.equal(code({ durationMinutes: 1.5 }), 'webex.end_before_start');
  assert.equal(code({ durationMinutes: 1440 }), 'ok');
  assert.equal(code({ durationMinutes: 1441 }), 'webex.too_long');
  assert.equal(code({ invitees: [{ email: 'a@b' }] }), 'webex.invalid_invitee:a@b');
  assert.equal(code({ invitees: Array.from({ length: 101 }, (_, i) => ({ email: `p${i}@x.lu` })) }), 'webex.too_many_invitees:100');
  const r = checkSchedule({ ...ok, title: ' RCP ', invitees: [{ email: ' A@x.lu ', displayName: ' Anne ' }, { email: 'a@X.lu' }], password: '  ' }, now);
  assert.deepEqual(r, { ok: true, value: { title: 'RCP', start: '2027-05-10T11:00:00+02:00', end: '2027-05-10T11:30:00+02:00', invitees: [{ email: 'A@x.lu', displayName: 'Anne' }] } });
});

test('isEmail accepts ordinary addresses and refuses the rest', () => {
  for (const good of ['marie.schmit@esante.lu', 'x+tag@sub.example.org']) assert.ok(isEmail(good), good);
  for (const bad of ['marie', 'a@b', 'a b@c.lu', '<a@b.lu>', 'a@b.lu, c@d.lu', '@b.lu']) assert.ok(!isEmail(bad), bad);
});

test('resolveJoin: meeting numbers and links on the site only', () => {
  const site = 'https://esante.webex.com/esante';
  assert.equal(resolveJoin('273 456 7890', site), 'https://esante.webex.com/esante/m.php?AT=JM&MK=2734567890');
  assert.equal(resolveJoin('123-456-789', site), 'https://esante.webex.com/esante/m.php?AT=JM&MK=123456789');
  assert.equal(resolveJoin('12345678', site), null);
  assert.equal(resolveJoin('123456789012', site), null);
  assert.equal(resolveJoin(' https://esante.webex.com/esante/j.php?MTID=m1 ', site), 'https://esante.webex.com/esante/j.php?MTID=m1');
  for (const bad of [
    'http://esante.webex.com/esante/j.php?MTID=m1', // not https
    'https://esante.webex.com/other/j.php', // another site on the same host
    'https://esante.webex.com/esante-evil/j.php',
    'https://esante.webex.com.evil.example/esante/j.php',
    'https://user:pw@esante.webex.com/esante/j.php',
    'javascript:alert(1)',
    'esante.webex.com/esante',
  ]) {
    assert.equal(resolveJoin(bad, site), null, bad);
  }
  // The sandbox's stand-in site is http: then http links on it are accepted.
  assert.equal(resolveJoin('http://127.0.0.1:8080/sandbox/webex/meet/j.php?MTID=m1', 'http://127.0.0.1:8080/sandbox/webex/meet'), 'http://127.0.0.1:8080/sandbox/webex/meet/j.php?MTID=m1');
});
