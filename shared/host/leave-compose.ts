/**
 * Leaving a compose after a zimlet sent the message itself, as Zimbra's own send does
 * (zm-web-client ZmComposeController.js:676-680, `_handleResponseSendMsg`):
 *   this._dontSavePreHide = true; this._app.popView(true, this._currentView);
 * - `_dontSavePreHide` first: a forced pop runs `_preHideCallback(view, true)`, which autosaves a dirty
 *   compose as a draft — in clear — unless the flag is set (ZmComposeController.js:409-419).
 * - `force = true`: no pop shield ("Voulez-vous enregistrer…?"); `_cancelCompose()` would pop unforced
 *   and ask, since the compose is dirty (ZmComposeController.js:1806-1815).
 * In a detached compose window this closes the window (ZmAppViewMgr.js popView → window.close).
 */
export interface LeavableComposeController {
  _dontSavePreHide?: boolean;
  _app?: { popView(force?: boolean, viewId?: string, skipHistory?: boolean): unknown };
  getCurrentViewId?(): string;
  _currentView?: string;
  _currentViewId?: string;
  _cancelCompose(): void;
}

export function leaveComposeAfterSend(controller: LeavableComposeController): void {
  const viewId = controller.getCurrentViewId?.() ?? controller._currentViewId ?? controller._currentView;
  if (controller._app && viewId) {
    controller._dontSavePreHide = true;
    controller._app.popView(true, viewId);
    return;
  }
  // A host without ZmApp (never Zimbra 8/9/10): the only way out it offers.
  controller._dontSavePreHide = true;
  controller._cancelCompose();
}
