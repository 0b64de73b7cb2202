/**
 * TESTS ONLY (ESANTE_TEST_CLOCK=1, set by the e2e suite; never in production): a clock the tests
 * move forward, and routes to move it and to run the scheduler now, so a read deadline of days can
 * be crossed in a second. Without the variable neither the routes nor the offset exist.
 *   POST /service/extension/esante/test/clock {advanceMs}   → {now}
 *   POST /service/extension/esante/test/scheduler/run       → {deadlinesCreated, sent, failed}
 */
import { SERVICE_BASE_PATH } from '../../../shared/paths.ts';
import type { Clock, HttpRoute } from '../feature.ts';
import { HttpError, readJson, sendError, sendJson } from './http.ts';
import type { RunReport } from './scheduler.ts';

export const TEST_PATH = `${SERVICE_BASE_PATH}/test`;

export class OffsetClock implements Clock {
  #offsetMs = 0;
  constructor(private readonly base: Clock) {}
  now(): Date {
    return new Date(this.base.now().getTime() + this.#offsetMs);
  }
  advance(ms: number): void {
    this.#offsetMs += ms;
  }
}

export function createTestRoute(clock: OffsetClock, runScheduler: () => Promise<RunReport>): HttpRoute {
  return {
    prefix: TEST_PATH,
    async handle(req, res, { log }) {
      const path = new URL(req.url ?? '/', 'http://x.invalid').pathname.replace(/\/+$/, '');
      try {
        if (req.method !== 'POST') throw new HttpError(405, 'request.invalid', ['method']);
        if (path === `${TEST_PATH}/clock`) {
          const body = await readJson(req, 1024);
          const ms = body['advanceMs'];
          if (typeof ms !== 'number' || !Number.isSafeInteger(ms) || ms < 0) throw new HttpError(400, 'request.invalid', ['advanceMs']);
          clock.advance(ms);
          sendJson(res, 200, { now: clock.now().toISOString() });
        } else if (path === `${TEST_PATH}/scheduler/run`) {
          sendJson(res, 200, await runScheduler());
        } else {
          throw new HttpError(404, 'request.unknown_operation', [path.slice(TEST_PATH.length)]);
        }
      } catch (err) {
        sendError(res, err, 'en', log);
      }
    },
  };
}
