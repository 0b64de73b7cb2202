/**
 * DwtIdleTimer (zm-ajax WebRoot/js/ajax/dwt/events/DwtIdleTimer.js), what ZmComposeController keeps in
 * `_autoSaveTimer` (ZmComposeController.js:60, :1329-1339) and zimlets may `kill()` while they send
 * (as Zimbra's own send does, :561-569) so no draft is autosaved meanwhile.
 * - `new DwtIdleTimer(timeout, handler)` starts waiting at once and registers itself (:26-33);
 * - user activity restarts every REGISTERED timer (`resetIdle`, :128-135) and, after an idle call,
 *   runs `handler(false)` (`resume`, :68-74);
 * - `kill()` stops and unregisters it (`_timer` null, :40-44): activity no longer restarts it;
 * - `resurrect(timeout)` registers it again and restarts it (:46-53).
 * The activity events are given by the owner (`DwtIdleTimer.resetIdle()`); Zimbra listens to keydown,
 * mousemove, mousedown and focus on window (:100-106); the sandbox's compose passes keydown, mousedown,
 * input and paste (Playwright's `fill` types no key).
 */
import { runCallback, type Runnable } from './ajx.ts';

const registered = new Set<DwtIdleTimer>();
let idleHandlers = 0;

export class DwtIdleTimer {
  timeout: number;
  readonly handler: Runnable;
  idle = false;
  _timer: ReturnType<typeof setTimeout> | null = null;

  constructor(timeout: number, handler: Runnable) {
    this.timeout = timeout;
    this.handler = handler;
    this._startTimer();
    registered.add(this);
  }

  /** DwtIdleTimer.resetIdle (:128-135): activity restarts every registered timer, then resumes idle ones. */
  static resetIdle(): void {
    for (const t of [...registered]) t._startTimer();
    if (idleHandlers > 0) for (const t of [...registered]) t.resume();
  }

  kill(): void {
    this._stopTimer();
    this.idle = false;
    registered.delete(this);
  }

  resurrect(timeout?: number | null): void {
    this.idle = false;
    registered.add(this);
    if (timeout != null) this.timeout = timeout;
    this._startTimer();
  }

  setIdle(): void {
    if (this.idle) return;
    idleHandlers++;
    this.idle = true;
    runCallback(this.handler, true);
  }

  resume(): void {
    if (!this.idle) return;
    this.idle = false;
    runCallback(this.handler, false);
    idleHandlers--;
  }

  _startTimer(): void {
    this._stopTimer();
    // As Zimbra, `_timer` keeps the fired id: only kill() makes it null (the check of :565 relies on it).
    this._timer = setTimeout(() => this.setIdle(), this.timeout);
  }

  _stopTimer(): void {
    if (this._timer) clearTimeout(this._timer);
    this._timer = null;
  }

  toString(): string {
    return 'DwtIdleTimer';
  }
}
