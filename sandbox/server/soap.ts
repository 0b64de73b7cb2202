/**
 * Zimbra SOAP in JSON: envelope, context header, faults and the dispatch rules (auth, CSRF).
 * Follows zm-mailbox `store/docs/soap.txt` (JSON envelope), `store/src/java/com/zimbra/soap/SoapEngine.java`
 * (CSRF check before dispatch, AUTH_REQUIRED when a handler needs auth and there is no token) and
 * `common/src/java/com/zimbra/common/soap/SoapJSProtocol.java` (fault shape).
 */

/** `{_content: x}` or a bare value, as Zimbra's JSON accepts both for text elements. */
export type Content = string | number | boolean | { _content?: string | number | boolean } | undefined | null;

/** The text of a JSON element that may be `"x"`, `{_content:"x"}` or `[{_content:"x"}]`. */
export function text(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) return text(v[0]);
  if (typeof v === 'object') return text((v as { _content?: unknown })._content);
  return String(v);
}

/** Zimbra's boolean attributes: "1"/"true"/1/true. */
export function bool(v: unknown): boolean {
  const t = text(v);
  return t === '1' || t === 'true';
}

/** A list element that may be one object or an array of them. */
export function list<T>(v: T | T[] | undefined | null): T[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

/** A Zimbra ServiceException: `code` is Zimbra's (e.g. `service.AUTH_REQUIRED`), `message` its English text. */
export class SoapFault extends Error {
  override readonly name = 'SoapFault';
  constructor(
    readonly code: string,
    message: string,
    /** 'Sender' when the client is at fault, 'Receiver' for server failures (SoapJSProtocol). */
    readonly side: 'Sender' | 'Receiver' = 'Sender',
  ) {
    super(message);
  }
}

/** The ServiceExceptions the sandbox raises, with Zimbra's own codes and texts (ServiceException.java, AccountServiceException.java, MailServiceException.java). */
export const Faults = {
  authRequired: () => new SoapFault('service.AUTH_REQUIRED', 'no valid authtoken present'),
  authExpired: () => new SoapFault('service.AUTH_EXPIRED', 'auth credentials have expired'),
  permDenied: (why: string) => new SoapFault('service.PERM_DENIED', `permission denied: ${why}`),
  invalidRequest: (why: string) => new SoapFault('service.INVALID_REQUEST', `invalid request: ${why}`),
  unknownDocument: (name: string) => new SoapFault('service.UNKNOWN_DOCUMENT', `unknown document: ${name}`),
  failure: (why: string) => new SoapFault('service.FAILURE', `system failure: ${why}`, 'Receiver'),
  authFailed: (name: string) => new SoapFault('account.AUTH_FAILED', `authentication failed for [${name}]`),
  noSuchAccount: (name: string) => new SoapFault('account.NO_SUCH_ACCOUNT', `no such account: ${name}`),
  accountExists: (name: string) => new SoapFault('account.ACCOUNT_EXISTS', `email address already exists: ${name}`),
  noSuchMsg: (id: string) => new SoapFault('mail.NO_SUCH_MSG', `no such message: ${id}`),
  immutableObject: (id: string) => new SoapFault('mail.IMMUTABLE_OBJECT', `cannot modify immutable object: ${id}`),
  noSuchConv: (id: string) => new SoapFault('mail.NO_SUCH_CONV', `no such conversation: ${id}`),
  noSuchFolder: (id: string) => new SoapFault('mail.NO_SUCH_FOLDER', `no such folder id: ${id}`),
  noSuchUpload: (aid: string) => new SoapFault('mail.NO_SUCH_UPLOAD', `upload not found: ${aid}`),
  alreadyExists: (name: string) => new SoapFault('mail.ALREADY_EXISTS', `object with that name already exists: ${name}`),
  invalidName: (name: string) => new SoapFault('mail.INVALID_NAME', `invalid name: ${name}`),
  sendAddressFailure: (addrs: string) =>
    new SoapFault('mail.SEND_ABORTED_ADDRESS_FAILURE', `message sending aborted; address failure: invalid addresses: ${addrs}`),
};

/** The JSON envelope of a fault, as SoapJSProtocol.soapFault writes it. */
export function faultEnvelope(f: SoapFault): unknown {
  return {
    Header: { context: { _jsns: 'urn:zimbra' } },
    Body: {
      Fault: {
        Code: { Value: `soap:${f.side}` },
        Reason: { Text: f.message },
        Detail: { Error: { Code: f.code, _jsns: 'urn:zimbra' } },
      },
    },
    _jsns: 'urn:zimbraSoap',
  };
}

export function responseEnvelope(name: string, body: Record<string, unknown>, jsns: string): unknown {
  return {
    Header: { context: { _jsns: 'urn:zimbra' } },
    Body: { [name]: { ...body, _jsns: jsns } },
    _jsns: 'urn:zimbraSoap',
  };
}

/** What the sandbox reads from `Header.context` (HeaderConstants: authToken, csrfToken). */
export interface SoapContextHeader {
  authToken?: string;
  csrfToken?: string;
}

export function readContextHeader(envelope: unknown): SoapContextHeader {
  const ctx = (envelope as { Header?: { context?: Record<string, unknown> } })?.Header?.context ?? {};
  const out: SoapContextHeader = {};
  const at = text(ctx['authToken']);
  if (at) out.authToken = at;
  const csrf = text(ctx['csrfToken']);
  if (csrf) out.csrfToken = csrf;
  return out;
}
