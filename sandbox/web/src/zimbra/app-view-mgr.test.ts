// ZmAppViewMgr.popView / showPendingView (core/ZmAppViewMgr.js:764-870, :939-960) over a fake compose.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ZmAppViewMgr, PENDING_VIEW, type PoppableView } from './app-view-mgr.ts';

/** A compose whose pre-hide asks (answers false) unless forced, as ZmComposeController._preHideCallback with a dirty view. */
function setup(opts: { dirty: boolean }) {
  const log: string[] = [];
  let shown: PoppableView | null = null;
  const view: PoppableView = {
    getCurrentViewId: () => 'COMPOSE-1',
    _preHideCallback: (id, force) => {
      log.push(`preHide ${id} ${force}`);
      return force || !opts.dirty;
    },
    _postHideCallback: () => log.push('postHide'),
  };
  shown = view;
  const avm = new ZmAppViewMgr({ current: () => shown, popped: () => { log.push('popped'); shown = null; } });
  return { avm, log, view };
}

describe('ZmAppViewMgr.popView (ZmAppViewMgr.js:764-870)', () => {
  test('force=true pops at once, without asking twice', () => {
    const { avm, log } = setup({ dirty: true });
    assert.equal(avm.popView(true, 'COMPOSE-1'), true);
    assert.deepEqual(log, ['preHide COMPOSE-1 true', 'postHide', 'popped']);
    assert.equal(avm.popView(true), false, 'nothing left to pop (the list is not popped)');
  });
  test('force=false on a dirty compose waits for the pop shield; showPendingView(true) then pops forced', () => {
    const { avm, log } = setup({ dirty: true });
    assert.equal(avm.popView(false), false);
    assert.deepEqual(log, ['preHide COMPOSE-1 false']);
    assert.equal(avm.hasPendingAction(), true);
    avm.showPendingView(true);
    assert.deepEqual(log, ['preHide COMPOSE-1 false', 'preHide COMPOSE-1 true', 'postHide', 'popped']);
    assert.equal(avm.hasPendingAction(), false);
  });
  test('showPendingView(false) (the user stays) drops the waiting pop', () => {
    const { avm, log } = setup({ dirty: true });
    avm.popView();
    avm.showPendingView(false);
    avm.showPendingView(true);
    assert.deepEqual(log, ['preHide COMPOSE-1 false']);
  });
  test('a clean compose pops unforced; another view id pops nothing', () => {
    const { avm, log } = setup({ dirty: false });
    assert.equal(avm.popView(true, 'COMPOSE-2'), false);
    assert.deepEqual(log, []);
    assert.equal(avm.popView(false, 'COMPOSE-1'), true);
  });
  test('PENDING_VIEW forces, as showPendingView passes it (:780-783)', () => {
    const { avm, log } = setup({ dirty: true });
    assert.equal(avm.popView(PENDING_VIEW), true);
    assert.equal(log[0], 'preHide COMPOSE-1 true');
  });
  test('hideCurrentThen runs the next view after the shield allows, not before', () => {
    const { avm, log } = setup({ dirty: true });
    assert.equal(avm.hideCurrentThen(() => log.push('next')), false);
    assert.ok(!log.includes('next'));
    avm.showPendingView(true);
    assert.deepEqual(log.slice(-3), ['postHide', 'popped', 'next']);
  });
});
