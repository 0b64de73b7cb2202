/**
 * The text the user sees for a failure: a service Fault's translated text (shared/ui/fault-text.ts), or
 * the message of a Zimbra failure (a code that is not ours, e.g. mail.NO_SUCH_MSG), else "unavailable".
 */
import { isErrorCode } from '../../../shared/errors.ts';
import type { ZimletHost } from '../../../shared/host/zimlet-host.ts';
import { faultCode, faultText } from '../../../shared/ui/fault-text.ts';

export function describeError(err: unknown, host: Pick<ZimletHost, 'lang'>): string {
  const code = faultCode(err);
  const message = typeof err === 'object' && err !== null && 'message' in err && typeof err.message === 'string' ? err.message : '';
  if (code !== undefined && !isErrorCode(code) && message) return message;
  return faultText(err, host.lang);
}
