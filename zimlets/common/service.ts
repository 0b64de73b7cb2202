/** The service calls every skeleton panel makes, over shared/soap/client.ts. */
import type { ZimletHost } from '../../shared/host/zimlet-host.ts';
import { callService } from '../../shared/soap/client.ts';
import type { ServiceInfoLoader } from '../../shared/ui/service-info/service-info.ts';

/** GetServiceInfo on the same origin, with the session's CSRF token and language. */
export function serviceInfoLoader(host: ZimletHost): ServiceInfoLoader {
  return (signal) => callService('GetServiceInfo', {}, { csrfToken: host.csrfToken(), lang: host.lang, signal });
}
