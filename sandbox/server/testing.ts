/**
 * Test helpers for other parts' integration tests (service, e2e). Sandbox-only.
 */
import { CSRF_HEADER } from '../../shared/paths.ts';

export interface LoginResult {
  /** The ZM_AUTH_TOKEN value. */
  authToken: string;
  /** The CSRF token bound to it (what the webmail puts in `window.csrfToken`). */
  csrfToken: string;
  /** A ready `Cookie` header value: `ZM_AUTH_TOKEN=<token>`. */
  cookie: string;
}

/**
 * Logs in through `POST /service/soap/AuthRequest` with `csrfTokenSecured: "1"`, as the web client does
 * (zm-web-client ZmLogin / ZmCsfeCommand), so the token needs the CSRF header on every later call.
 * `method` is the eSanté login method the session records ('card' = LuxTrust card, 'fallback' = without card).
 */
export async function loginAs(sandboxUrl: string, mail: string, password: string, method: 'card' | 'fallback' = 'card'): Promise<LoginResult> {
  const res = await fetch(new URL('/service/soap/AuthRequest', sandboxUrl), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      Header: { context: { _jsns: 'urn:zimbra' } },
      Body: {
        AuthRequest: {
          _jsns: 'urn:zimbraAccount',
          account: { by: 'name', _content: mail },
          password: { _content: password },
          csrfTokenSecured: '1',
          esanteAuthMethod: method,
        },
      },
    }),
  });
  const json = (await res.json()) as {
    Body: { AuthResponse?: { authToken: Array<{ _content: string }>; csrfToken: { _content: string } }; Fault?: { Reason: { Text: string }; Detail: { Error: { Code: string } } } };
  };
  const auth = json.Body.AuthResponse;
  if (!auth) throw new Error(`login of ${mail} failed: ${json.Body.Fault?.Detail.Error.Code ?? res.status}`);
  const authToken = auth.authToken[0]!._content;
  return { authToken, csrfToken: auth.csrfToken._content, cookie: `ZM_AUTH_TOKEN=${authToken}` };
}

/**
 * Calls a Zimbra SOAP-JSON request as the logged-in user (cookie + CSRF header, like the web client).
 * Resolves with the response element, rejects with an Error whose `code` is the Zimbra fault code.
 */
export async function soapAs<T = Record<string, unknown>>(
  sandboxUrl: string,
  login: LoginResult,
  requestName: string,
  body: Record<string, unknown> = {},
  jsns = 'urn:zimbraMail',
): Promise<T> {
  const res = await fetch(new URL(`/service/soap/${requestName}`, sandboxUrl), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Cookie: login.cookie, [CSRF_HEADER]: login.csrfToken },
    body: JSON.stringify({ Header: { context: { _jsns: 'urn:zimbra' } }, Body: { [requestName]: { _jsns: jsns, ...body } } }),
  });
  const json = (await res.json()) as { Body: Record<string, unknown> & { Fault?: { Reason: { Text: string }; Detail: { Error: { Code: string } } } } };
  if (json.Body.Fault) {
    const err = new Error(json.Body.Fault.Reason.Text) as Error & { code: string };
    err.code = json.Body.Fault.Detail.Error.Code;
    throw err;
  }
  return json.Body[requestName.replace(/Request$/, 'Response')] as T;
}
