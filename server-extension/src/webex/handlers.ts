/**
 * The WebEx operations (shared/webex/operations.ts). The host of every meeting is the caller as
 * Zimbra vouches for them (`ctx.caller.name`), never a value of the request: a user only schedules,
 * lists and cancels their own meetings.
 */
import { checkSchedule, resolveJoin, toLuxembourgIso } from '../../../shared/webex/rules.ts';
import type { ResponseOf } from '../../../shared/soap/operations.ts';
import { CodedError } from '../errors.ts';
import type { Clock } from '../feature.ts';
import type { HandlerRegistry } from '../soap/handlers.ts';
import type { WebexClient, WebexMeeting } from './client.ts';

export interface WebexHandlerDeps {
  client: WebexClient;
  clock: Clock;
  siteUrl: string;
}

/** How far back "Mes conférences" looks, so a meeting under way is still listed (then filtered on end). */
const LIST_LOOKBACK_MS = 24 * 3_600_000;
/** How far ahead it looks. */
const LIST_AHEAD_MS = 180 * 24 * 3_600_000;

type Conference = ResponseOf<'ScheduleConference'>['conference'];

function conference(m: WebexMeeting): Conference {
  return {
    id: m.id,
    meetingNumber: m.meetingNumber,
    title: m.title,
    // Webex answers in the timezone it was given (or UTC); we always show Luxembourg time.
    start: toLuxembourgIso(new Date(m.start)),
    end: toLuxembourgIso(new Date(m.end)),
    webLink: m.webLink,
    ...(m.sipAddress ? { sipAddress: m.sipAddress } : {}),
    hasPassword: m.hasPassword === true,
  };
}

export function webexHandlers(deps: WebexHandlerDeps): HandlerRegistry {
  return {
    async ScheduleConference(req, { caller, log }) {
      const check = checkSchedule(req, deps.clock.now());
      if (!check.ok) throw new CodedError(check.code, { args: check.args });
      const created = await deps.client.createMeeting({ ...check.value, hostEmail: caller.name });
      log.info({ meetingId: created.id, invitees: check.value.invitees.length }, 'Webex meeting scheduled');
      return { conference: conference(created) };
    },

    async ListConferences(_req, { caller }) {
      const now = deps.clock.now();
      const items = await deps.client.listMeetings(caller.name, new Date(now.getTime() - LIST_LOOKBACK_MS), new Date(now.getTime() + LIST_AHEAD_MS));
      const conferences = items
        // Webex filters by host already; checked again so another host's meeting can never be shown.
        .filter((m) => !m.hostEmail || m.hostEmail.toLowerCase() === caller.name.toLowerCase())
        .filter((m) => Date.parse(m.end) > now.getTime())
        .sort((a, b) => Date.parse(a.start) - Date.parse(b.start))
        .map(conference);
      return { conferences };
    },

    async CancelConference(req, { caller, log }) {
      const id = req.id.trim();
      if (!/^[A-Za-z0-9_-]{1,128}$/.test(id)) throw new CodedError('webex.not_found');
      await deps.client.deleteMeeting(id, caller.name);
      log.info({ meetingId: id }, 'Webex meeting cancelled');
      return { id };
    },

    async ResolveConferenceJoin(req) {
      const joinUrl = resolveJoin(req.input, deps.siteUrl);
      if (!joinUrl) throw new CodedError('webex.invalid_join', { args: [new URL(deps.siteUrl).host] });
      return { joinUrl };
    },
  };
}
