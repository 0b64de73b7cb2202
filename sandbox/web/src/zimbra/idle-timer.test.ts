/**
 * DwtIdleTimer as zm-ajax DwtIdleTimer.js: idle after `timeout` without activity, activity restarts
 * registered timers and resumes idle ones, kill() unregisters (activity no longer restarts it, `_timer`
 * null), resurrect() restarts. Node's mock timers: no real waiting.
 */
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { DwtIdleTimer } from './idle-timer.ts';

test('idle after the timeout; activity restarts the wait and resumes an idle timer', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const calls: boolean[] = [];
  const timer = new DwtIdleTimer(1000, (idle: boolean) => calls.push(idle));
  t.mock.timers.tick(900);
  DwtIdleTimer.resetIdle();
  t.mock.timers.tick(900);
  assert.deepEqual(calls, [], 'activity at 900 ms restarted the wait');
  t.mock.timers.tick(100);
  assert.deepEqual(calls, [true]);
  assert.notEqual(timer._timer, null, 'a fired timer keeps its id (ZmComposeController.js:565 relies on it)');
  DwtIdleTimer.resetIdle();
  assert.deepEqual(calls, [true, false], 'activity after idle: handler(false)');
  t.mock.timers.tick(1000);
  assert.deepEqual(calls, [true, false, true]);
  timer.kill();
});

test('kill() stops it for good (activity does not restart it); resurrect() restarts it', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const handler = mock.fn();
  const timer = new DwtIdleTimer(500, handler);
  timer.kill();
  assert.equal(timer._timer, null);
  DwtIdleTimer.resetIdle();
  t.mock.timers.tick(5000);
  assert.equal(handler.mock.callCount(), 0, 'a killed timer never fires, whatever the activity');
  timer.resurrect(200);
  t.mock.timers.tick(199);
  assert.equal(handler.mock.callCount(), 0);
  t.mock.timers.tick(1);
  assert.deepEqual(handler.mock.calls[0]?.arguments, [true]);
  timer.kill();
});
