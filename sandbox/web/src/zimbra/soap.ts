/**
 * Zimbra SOAP in JSON from the browser, the way zm-web-client's ZmCsfeCommand/ZmRequestMgr send it:
 * `POST /service/soap/<Name>Request` with `{Header:{context:{_jsns:"urn:zimbra"}}, Body:{<Name>Request:{…}}}`,
 * the session cookie sent by the browser and the `X-Zimbra-Csrf-Token` header (web tokens are
 * CSRF-secured: zm-mailbox `store/src/java/com/zimbra/soap/SoapEngine.java`).
 * Answers: `Body.<Name>Response`, or `Body.Fault` with `Reason.Text` and `Detail.Error.Code`
 * (zm-mailbox `store/docs/soap.txt`).
 */
import { CSRF_HEADER } from '../../../../shared/paths.ts';

/** zm-ajax `WebRoot/js/zimbra/csfe/ZmCsfeException.js`: what errorCallbacks receive. */
export class ZmCsfeException extends Error {
  /** e.g. `service.AUTH_REQUIRED`, `mail.NO_SUCH_MSG`; `service.FAILURE` for transport failures. */
  readonly code: string;
  readonly msg: string;
  readonly method: string;
  readonly isZmCsfeException = true;
  constructor(msg: string, code: string, method: string) {
    super(msg);
    this.name = 'ZmCsfeException';
    this.code = code;
    this.msg = msg;
    this.method = method;
  }
  getErrorMsg(): string {
    return this.msg;
  }
}

/** zm-ajax `WebRoot/js/zimbra/csfe/ZmCsfeResult.js`: what sendRequest callbacks receive. */
export class ZmCsfeResult {
  readonly isZmCsfeResult = true;
  constructor(
    private readonly data: unknown,
    private readonly exception = false,
    private readonly header?: unknown,
  ) {}
  /** The SOAP Body (`{NameResponse: …}`); throws the exception when the call failed. */
  getResponse(): Record<string, any> {
    if (this.exception) throw this.data;
    return this.data as Record<string, any>;
  }
  getException(): ZmCsfeException | null {
    return this.exception ? (this.data as ZmCsfeException) : null;
  }
  isException(): boolean {
    return this.exception;
  }
  getHeader(): unknown {
    return this.header;
  }
}

export interface SoapTransport {
  csrfToken(): string;
  fetch?: typeof fetch;
  /** Default '' (same origin). */
  baseUrl?: string;
}

/** The request element's name: the single key of a jsonObj (`ZmCsfeCommand.getMethodName`). */
export function methodName(jsonObj: Record<string, unknown>): string {
  const names = Object.keys(jsonObj);
  if (names.length !== 1 || !/^[A-Za-z]+Request$/.test(names[0]!)) {
    throw new ZmCsfeException(`Bad SOAP request object: ${names.join(', ') || '(empty)'}`, 'service.INVALID_REQUEST', '?');
  }
  return names[0]!;
}

/**
 * Sends one request and answers the SOAP Body (`{NameResponse: …}`), or throws ZmCsfeException.
 * `_jsns` defaults to urn:zimbraMail like ZmCsfeCommand does when the caller omits it.
 */
export async function sendSoap(jsonObj: Record<string, unknown>, transport: SoapTransport): Promise<Record<string, any>> {
  const name = methodName(jsonObj);
  const req = { ...(jsonObj[name] as Record<string, unknown>) };
  if (!req['_jsns']) req['_jsns'] = 'urn:zimbraMail';
  const envelope = {
    Header: { context: { _jsns: 'urn:zimbra', format: { type: 'js' } } },
    Body: { [name]: req },
  };
  const doFetch = transport.fetch ?? fetch;
  let res: Response;
  try {
    res = await doFetch(`${transport.baseUrl ?? ''}/service/soap/${name}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/soap+xml; charset=utf-8', [CSRF_HEADER]: transport.csrfToken() },
      body: JSON.stringify(envelope),
    });
  } catch (e) {
    throw new ZmCsfeException(`Network error: ${(e as Error).message}`, 'service.FAILURE', name);
  }
  let json: any;
  try {
    json = await res.json();
  } catch {
    throw new ZmCsfeException(`HTTP ${res.status}: not a SOAP answer`, 'service.FAILURE', name);
  }
  const fault = json?.Body?.Fault;
  if (fault) {
    const text = fault.Reason?.Text ?? 'SOAP fault';
    const code = fault.Detail?.Error?.Code ?? 'service.FAILURE';
    throw new ZmCsfeException(String(text), String(code), name);
  }
  if (!json?.Body) throw new ZmCsfeException(`HTTP ${res.status}: no SOAP Body`, 'service.FAILURE', name);
  return json.Body as Record<string, any>;
}
