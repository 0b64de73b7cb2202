/** The text the user sees for a failure: a service Fault's translated text, Zimbra's message, or "service unavailable". */
import { errorText, isErrorCode } from '../../../shared/errors.ts';
import type { ZimletHost } from '../../../shared/host/zimlet-host.ts';

export function describeError(err: unknown, host: Pick<ZimletHost, 'lang'>): string {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = String(err.code);
    const message = 'message' in err && typeof err.message === 'string' ? err.message : '';
    if (isErrorCode(code)) return message || errorText(code, host.lang);
    if (message) return message;
  }
  return errorText('service.unavailable', host.lang);
}
