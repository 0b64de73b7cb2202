/** The WebEx operations the panel calls, over shared/soap/client.ts (same origin, CSRF header). */
import type { ZimletHost } from '../../../shared/host/zimlet-host.ts';
import { callService } from '../../../shared/soap/client.ts';
import type { RequestOf, ResponseOf } from '../../../shared/soap/operations.ts';

export type Conference = ResponseOf<'ScheduleConference'>['conference'];

export interface ConferenceService {
  schedule(req: RequestOf<'ScheduleConference'>): Promise<Conference>;
  list(): Promise<Conference[]>;
  cancel(id: string): Promise<void>;
  resolveJoin(input: string): Promise<string>;
}

export function conferenceService(host: ZimletHost): ConferenceService {
  const opts = () => ({ csrfToken: host.csrfToken(), lang: host.lang });
  return {
    schedule: async (req) => (await callService('ScheduleConference', req, opts())).conference,
    list: async () => (await callService('ListConferences', {}, opts())).conferences,
    cancel: async (id) => {
      await callService('CancelConference', { id }, opts());
    },
    resolveJoin: async (input) => (await callService('ResolveConferenceJoin', { input }, opts())).joinUrl,
  };
}
