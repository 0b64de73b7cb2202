/** The directory operations the prosearch panel calls, over shared/soap/client.ts (same origin, CSRF header). */
import type { ZimletHost } from '../../../shared/host/zimlet-host.ts';
import { callService } from '../../../shared/soap/client.ts';
import type { RequestOf, ResponseOf } from '../../../shared/soap/operations.ts';

export interface DirectoryService {
  references(signal?: AbortSignal): Promise<ResponseOf<'ListDirectoryReferences'>>;
  search(req: RequestOf<'SearchProfessionals'>, signal?: AbortSignal): Promise<ResponseOf<'SearchProfessionals'>>;
  get(id: string, signal?: AbortSignal): Promise<ResponseOf<'GetProfessional'>['professional']>;
}

export function directoryService(host: ZimletHost): DirectoryService {
  const opts = (signal?: AbortSignal) => ({ csrfToken: host.csrfToken(), lang: host.lang, ...(signal ? { signal } : {}) });
  return {
    references: (signal) => callService('ListDirectoryReferences', {}, opts(signal)),
    search: (req, signal) => callService('SearchProfessionals', req, opts(signal)),
    get: async (id, signal) => (await callService('GetProfessional', { id }, opts(signal))).professional,
  };
}
