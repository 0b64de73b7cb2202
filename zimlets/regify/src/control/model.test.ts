import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dayValue, endOfDayIso, isDayValue } from './dates.ts';
import { activeRecipients, alreadyOpened, datesRequest, initialDates, type DatesForm, type RecipientRow } from './model.ts';

function row(address: string, extra: Partial<RecipientRow> = {}): RecipientRow {
  return { address, kind: 'to', state: 'delivered', delivered: true, readDeadline: '2026-12-17T10:00:00.000Z', deadlinePassed: false, ...extra };
}

test('a chosen day ends at 23:59:59 in Luxembourg, in winter (UTC+1) and in summer (UTC+2), and on the days the clock changes', () => {
  assert.equal(endOfDayIso('2026-12-15'), '2026-12-15T22:59:59.000Z');
  assert.equal(endOfDayIso('2026-07-01'), '2026-07-01T21:59:59.000Z');
  // Summer time starts on 29 March 2026 and ends on 25 October 2026 (EU rule): the day's end is in the new offset.
  assert.equal(endOfDayIso('2026-03-29'), '2026-03-29T21:59:59.000Z');
  assert.equal(endOfDayIso('2026-10-25'), '2026-10-25T22:59:59.000Z');
  assert.equal(endOfDayIso('2026-12-15', 'UTC'), '2026-12-15T23:59:59.000Z');
});

test('not a day: no instant; only real calendar days pass', () => {
  for (const bad of ['', '15/12/2026', '2026-02-30', '2026-13-01', '2026-1-5', ' 2026-12-15']) {
    assert.equal(isDayValue(bad), false, bad);
    assert.equal(endOfDayIso(bad), undefined, bad);
  }
  assert.equal(isDayValue('2028-02-29'), true);
});

test('an instant shows as the day it is in Luxembourg (late evening UTC is already the next day there)', () => {
  assert.equal(dayValue('2026-12-15T23:30:00Z'), '2026-12-16');
  assert.equal(dayValue('2026-12-15T22:59:59Z'), '2026-12-15');
  assert.equal(dayValue(endOfDayIso('2026-06-30')), '2026-06-30');
  assert.equal(dayValue(undefined), '');
  assert.equal(dayValue('not a date'), '');
});

test('revoked recipients cannot be acted on; who already opened is named', () => {
  const rows = [row('a@esante.lu', { state: 'opened', openedAt: '2026-12-07T09:00:00Z' }), row('b@esante.lu', { state: 'revoked', revokedAt: '2026-12-07T10:00:00Z' }), row('c@x.de')];
  assert.deepEqual(activeRecipients(rows).map((r) => r.address), ['a@esante.lu', 'c@x.de']);
  assert.deepEqual(alreadyOpened(rows), ['a@esante.lu']);
});

test('the dialog starts with the shared dates; mixed access ends start empty and unticked', () => {
  const same = initialDates([row('a'), row('b')]);
  assert.deepEqual(same, { readDeadline: '2026-12-17', accessUntil: '', noAccessEnd: true });
  const ended = initialDates([row('a', { accessUntil: '2027-01-10T22:59:59Z' })]);
  assert.deepEqual(ended, { readDeadline: '2026-12-17', accessUntil: '2027-01-10', noAccessEnd: false });
  const mixed = initialDates([row('a', { accessUntil: '2027-01-10T22:59:59Z' }), row('b')]);
  assert.deepEqual(mixed, { readDeadline: '2026-12-17', accessUntil: '', noAccessEnd: false });
});

test('only what changed is sent: a later deadline, a new access end, or the end removed', () => {
  const initial: DatesForm = { readDeadline: '2026-12-17', accessUntil: '', noAccessEnd: true };
  const today = '2026-12-07';
  assert.deepEqual(datesRequest('m1', 'a@esante.lu', initial, { ...initial, readDeadline: '2026-12-31' }, today), {
    ok: true,
    request: { messageId: 'm1', recipient: 'a@esante.lu', readDeadline: '2026-12-31T22:59:59.000Z' },
  });
  assert.deepEqual(datesRequest('m1', undefined, initial, { ...initial, noAccessEnd: false, accessUntil: '2027-01-15' }, today), {
    ok: true,
    request: { messageId: 'm1', accessUntil: '2027-01-15T22:59:59.000Z' },
  });
  const ended: DatesForm = { readDeadline: '2026-12-17', accessUntil: '2027-01-15', noAccessEnd: false };
  assert.deepEqual(datesRequest('m1', undefined, ended, { ...ended, noAccessEnd: true }, today), { ok: true, request: { messageId: 'm1', clearAccessUntil: true } });
  // Today still runs until its end: allowed.
  assert.equal(datesRequest('m1', undefined, initial, { ...initial, readDeadline: today }, today).ok, true);
});

test('refusals before any call: nothing changed, a past day, a missing date', () => {
  const initial: DatesForm = { readDeadline: '2026-12-17', accessUntil: '', noAccessEnd: true };
  const today = '2026-12-07';
  assert.deepEqual(datesRequest('m1', undefined, initial, { ...initial }, today), { ok: false, problem: { field: undefined, code: 'message.nothing_to_change' } });
  assert.deepEqual(datesRequest('m1', undefined, initial, { ...initial, readDeadline: '2026-12-06' }, today), {
    ok: false,
    problem: { field: 'readDeadline', code: 'message.date_past', day: '2026-12-06' },
  });
  assert.deepEqual(datesRequest('m1', undefined, initial, { ...initial, noAccessEnd: false, accessUntil: '2026-01-01' }, today), {
    ok: false,
    problem: { field: 'accessUntil', code: 'message.date_past', day: '2026-01-01' },
  });
  assert.deepEqual(datesRequest('m1', undefined, initial, { ...initial, readDeadline: '' }, today), { ok: false, problem: { field: 'readDeadline', key: 'control_dates_required' } });
  assert.deepEqual(datesRequest('m1', undefined, initial, { ...initial, noAccessEnd: false, accessUntil: '' }, today), {
    ok: false,
    problem: { field: 'accessUntil', key: 'control_dates_access_required' },
  });
  // An unchanged past deadline (the deadline passed) is no reason to refuse a new access end.
  const passed: DatesForm = { readDeadline: '2026-11-30', accessUntil: '', noAccessEnd: true };
  assert.equal(datesRequest('m1', undefined, passed, { ...passed, noAccessEnd: false, accessUntil: '2026-12-20' }, today).ok, true);
});
