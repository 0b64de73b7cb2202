/**
 * The browser client of our SOAP service, used by the zimlets' components.
 * Same origin as Zimbra: the browser sends the HttpOnly ZM_AUTH_TOKEN cookie itself; we add the
 * session's CSRF token (`window.csrfToken`, via ZimletHost.csrfToken()) so the service can prove the
 * session with Zimbra (zm-mailbox SoapEngine.java rejects CSRF-enabled web tokens without it).
 */
import { errorText, type ErrorCode } from '../errors.ts';
import type { Lang } from '../i18n/lang.ts';
import { CSRF_HEADER, SOAP_NAMESPACE, SOAP_PATH } from '../paths.ts';
import { decodeResponse, encodeRequest, type XmlDocumentLike } from './codec.ts';
import type { OperationName, RequestOf, ResponseOf } from './operations.ts';
import { soapActionOf } from './wsdl.ts';

/** A SOAP Fault from the service: `code` is a stable code of shared/errors.ts, `message` its translated text. */
export class ServiceFault extends Error {
  override name = 'ServiceFault';
  readonly code: ErrorCode | (string & {});
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

export interface CallOptions {
  csrfToken: string;
  lang: Lang;
  /** Origin prefix, '' (same origin) by default. */
  baseUrl?: string;
  fetch?: typeof fetch;
  signal?: AbortSignal;
  /** XML parser; the browser's DOMParser by default. */
  parseXml?: (text: string) => XmlDocumentLike;
}

function defaultParseXml(text: string): XmlDocumentLike {
  return new DOMParser().parseFromString(text, 'text/xml');
}

/** Calls one operation; resolves with its typed response or rejects with a ServiceFault. */
export async function callService<N extends OperationName>(op: N, req: RequestOf<N>, opts: CallOptions): Promise<ResponseOf<N>> {
  const doFetch = opts.fetch ?? fetch;
  const unavailable = () => new ServiceFault('service.unavailable', errorText('service.unavailable', opts.lang));
  let text: string;
  try {
    const response = await doFetch(`${opts.baseUrl ?? ''}${SOAP_PATH}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        'Content-Type': 'text/xml; charset=utf-8',
        SOAPAction: `"${soapActionOf(SOAP_NAMESPACE, op)}"`,
        [CSRF_HEADER]: opts.csrfToken,
        'Accept-Language': opts.lang,
      },
      body: encodeRequest(op, req),
      signal: opts.signal,
    });
    // Faults come with HTTP 4xx/5xx: the status is not looked at, the envelope says it all.
    text = await response.text();
  } catch (e) {
    if (opts.signal?.aborted) throw e;
    throw unavailable();
  }
  let decoded;
  try {
    decoded = decodeResponse(op, (opts.parseXml ?? defaultParseXml)(text));
  } catch {
    // Not our envelope (a proxy's HTML error page, a truncated body): the service is not reachable as such.
    throw unavailable();
  }
  if (!decoded.ok) throw new ServiceFault(decoded.code, decoded.message);
  return decoded.value;
}
