/** The text a user sees for a failed service call: the Fault's translated text, else "unavailable". */
import { errorText, isErrorCode } from '../errors.ts';
import type { Lang } from '../i18n/lang.ts';

export function faultCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : undefined;
}

export function faultText(err: unknown, lang: Lang): string {
  const code = faultCode(err);
  if (code && isErrorCode(code)) {
    // The service writes the Fault text in the caller's language (callService sends `lang`).
    const message = typeof err === 'object' && err !== null && 'message' in err && typeof err.message === 'string' ? err.message : '';
    return message || errorText(code, lang);
  }
  return errorText('service.unavailable', lang);
}
