/**
 * `appCtxt.getAppViewMgr()` and `ZmApp.popView` as zm-web-client has them, for the views a zimlet can
 * pop: `ZmApp.prototype.popView(force, viewId, skipHistory)` only forwards to
 * `appCtxt.getAppViewMgr().popView(force, viewId, skipHistory)` (core/ZmApp.js:393-396), and
 * `ZmAppViewMgr.popView` (core/ZmAppViewMgr.js:764-870) does this:
 * - `viewId` given and not the current view: nothing is popped, answer false (:785-793; the sandbox
 *   has no compose tabs, so a compose that is not shown is not open at all);
 * - the current view's CB_PRE_HIDE callback runs with `force` (`_hideView`, :1153-1180); for a compose
 *   that is `ZmComposeController._preHideCallback(view, force)` (ZmComposeController.js:405-425):
 *   `force` true leaves at once (autosaving a dirty compose unless `_dontSavePreHide` is set), false
 *   goes through `popShield()`, which may ask; when it asks, the pop waits as the pending action
 *   (:805-809) until the shield's answer calls `showPendingView(true)` (go on) or `(false)` (stay),
 *   `showPendingView` (:939-960);
 * - then CB_POST_HIDE runs and the view under it shows again; in a detached window the last view
 *   popped closes the window (:830-834).
 * A view with nothing under it (the mail list, the contacts list) is not popped (:795-803 with an
 * empty hidden stack goes to the default app, which the sandbox already shows): answer false.
 * Pure (no DOM): the webmail says which view is current and what popping it shows.
 */

/** A view the manager can hide: the callbacks ZmAppViewMgr.createApp registers (ZmAppViewMgr.CB_*). */
export interface PoppableView {
  /** Its view id ("COMPOSE-1"…), what `popView(force, viewId)` compares. */
  getCurrentViewId(): string;
  /** CB_PRE_HIDE: may the view be hidden now? False when it asked the user first (pop shield). */
  _preHideCallback(viewId: string, force: boolean): boolean;
  /** CB_POST_HIDE: the view was hidden. */
  _postHideCallback(): void;
}

export interface AppViewMgrHooks {
  /** The view shown now if it can be popped (a compose), else null (a list has nothing under it). */
  current(): PoppableView | null;
  /** The view was popped: show what was under it (or close the detached window it was alone in). */
  popped(view: PoppableView): void;
}

/** ZmAppViewMgr.PENDING_VIEW: the `force` value showPendingView passes to the waiting action (:199). */
export const PENDING_VIEW = 'ZmAppViewMgr.PENDING_VIEW';

export class ZmAppViewMgr {
  /** The pop or push that waits for a pop shield's answer (`_pendingAction`, :807). */
  private pendingAction: (() => void) | null = null;

  constructor(private readonly hooks: AppViewMgrHooks) {}

  /** ZmAppViewMgr.popView(force, viewId, skipHistory) (:764-870): true when the view was popped. */
  popView(force?: unknown, viewId?: string, _skipHistory?: boolean): boolean {
    const isPending = force === PENDING_VIEW;
    const forced = isPending || force === true;
    const view = this.hooks.current();
    if (!view) return false;
    if (viewId && !isPending && viewId !== view.getCurrentViewId()) return false;
    if (!view._preHideCallback(view.getCurrentViewId(), forced)) {
      this.pendingAction = () => void this.popView(PENDING_VIEW);
      return false;
    }
    view._postHideCallback();
    this.hooks.popped(view);
    return true;
  }

  /**
   * The hiding half of ZmAppViewMgr.pushView (:640-720, `_hideView` at :695-699): before another view
   * shows, the current one is asked; `next` runs at once if it may be hidden, or later as the pending
   * action once its pop shield says so. Answers whether `next` ran now. Zimbra keeps a compose as a
   * tab (`force || curView.isTabView`: no question, autosaved); the sandbox has no compose tabs, so a
   * compose is left, through its pop shield, before another view shows.
   */
  hideCurrentThen(next: () => void): boolean {
    const view = this.hooks.current();
    if (!view) {
      next();
      return true;
    }
    const go = (forced: boolean): boolean => {
      if (!view._preHideCallback(view.getCurrentViewId(), forced)) {
        this.pendingAction = () => void go(true);
        return false;
      }
      view._postHideCallback();
      this.hooks.popped(view);
      next();
      return true;
    };
    return go(false);
  }

  /** ZmAppViewMgr.showPendingView(show) (:939-960): the pop shield answered; the waiting action runs or is dropped. */
  showPendingView(show: boolean): void {
    const action = this.pendingAction;
    this.pendingAction = null;
    if (show && action) action();
  }

  /** Whether a pop or push waits for a pop shield (sandbox check for tests and the webmail). */
  hasPendingAction(): boolean {
    return this.pendingAction !== null;
  }

  toString(): string {
    return 'ZmAppViewMgr';
  }
}
