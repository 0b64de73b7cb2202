import assert from 'node:assert/strict';
import { test } from 'node:test';
import { leaveComposeAfterSend, type LeavableComposeController } from './leave-compose.ts';

function controller(withApp: boolean) {
  const calls: string[] = [];
  const c: LeavableComposeController = {
    getCurrentViewId: () => 'COMPOSE-2',
    _cancelCompose: () => calls.push('cancel'),
    ...(withApp
      ? {
          _app: {
            popView: (force?: boolean, viewId?: string) => {
              // What the pre-hide callback sees when Zimbra pops (ZmComposeController.js:409-419).
              calls.push(`pop force=${force} view=${viewId} dontSave=${c._dontSavePreHide}`);
              return true;
            },
          },
        }
      : {}),
  };
  return { c, calls };
}

test('after a zimlet send: forced pop of the current compose view, with autosave off first (no pop shield, no draft)', () => {
  const { c, calls } = controller(true);
  leaveComposeAfterSend(c);
  assert.deepEqual(calls, ['pop force=true view=COMPOSE-2 dontSave=true']);
});

test('a host without ZmApp: cancel, still with autosave off', () => {
  const { c, calls } = controller(false);
  leaveComposeAfterSend(c);
  assert.deepEqual(calls, ['cancel']);
  assert.equal(c._dontSavePreHide, true);
});
