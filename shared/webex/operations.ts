/**
 * SOAP operations of the WebEx zimlet (guide p. 7: "programmer, lancer ou rejoindre une conférence
 * web"), spread into shared/soap/operations.ts. The service talks to the Webex Meetings REST API
 * (server-extension/src/webex/README.md) on behalf of the caller: the host of every meeting is the
 * caller's own Zimbra address, never a value of the request.
 */
import type { OperationSpec } from '../soap/schema.ts';
import { MAX_INVITEES, MAX_TITLE } from './rules.ts';

/** A meeting as the zimlet shows it (a subset of Webex's meeting object, same field names). */
const conference = {
  fields: {
    id: 'string',
    meetingNumber: 'string',
    title: 'string',
    /** ISO 8601 with the Luxembourg offset, e.g. 2026-12-01T10:00:00+01:00. */
    start: 'dateTime',
    end: 'dateTime',
    webLink: 'string',
    sipAddress: { type: 'string', optional: true },
    /** True when the meeting has a password (the password itself is never sent back). */
    hasPassword: 'boolean',
  },
} as const;

export const webexOperations = {
  ScheduleConference: {
    doc: 'Schedules a Webex meeting hosted by the caller: local Luxembourg date and time, duration, invitees, optional password. Webex mails nothing; the zimlet offers "Inviter par e-mail".',
    auth: 'user',
    request: {
      title: { type: 'string', max: 1000 },
      /** Local Luxembourg date and time, `YYYY-MM-DDTHH:MM` (Europe/Luxembourg). */
      start: { type: 'string', max: 32 },
      durationMinutes: 'int',
      invitees: {
        list: true,
        max: 1000,
        fields: { email: { type: 'string', max: 320 }, displayName: { type: 'string', optional: true, max: 256 } },
      },
      password: { type: 'string', optional: true, max: 64 },
    },
    response: { conference },
  },
  ListConferences: {
    doc: 'The caller’s upcoming and ongoing scheduled meetings, soonest first.',
    auth: 'user',
    request: {},
    response: { conferences: { ...conference, list: true } },
  },
  CancelConference: {
    doc: 'Deletes one of the caller’s meetings; a meeting of another host is "not found".',
    auth: 'user',
    request: { id: { type: 'string', max: 128 } },
    response: { id: 'string' },
  },
  ResolveConferenceJoin: {
    doc: 'Checks a meeting number (9–11 digits) or a link typed by the user and answers the join URL on the configured Webex site; anything else is refused.',
    auth: 'user',
    request: { input: { type: 'string', max: 2048 } },
    response: { joinUrl: 'string' },
  },
} as const satisfies Record<string, OperationSpec>;

export { MAX_INVITEES, MAX_TITLE };
