/**
 * A small typed client of Zimbra's SOAP in JSON, shaped like @zimbra/api-client's transport
 * (Zimbra/zm-api-js-client `src/request/index.ts`: POST `${origin}/service/soap/${name}Request`,
 * body `{Header:{context:{_jsns:"urn:zimbra",…}}, Body:{NameRequest:{_jsns,…}}}`, answer in
 * `Body.NameResponse`, errors in `Body.Fault`) and zm-mailbox `store/docs/soap.txt` / `soap-admin.txt`.
 *
 * This is the edge where Zimbra's failures become ours:
 *   - auth faults (service.AUTH_REQUIRED / AUTH_EXPIRED, account.AUTH_FAILED) and a bare HTTP 401
 *     (SoapEngine.java answers 401 without a body when the CSRF token does not match) -> AuthRequiredError;
 *   - network errors, timeouts, 5xx without a Fault, 502/503/504 -> ServiceUnavailableError;
 *   - any other Fault -> ZimbraFaultError (an InternalError carrying Zimbra's code for the log).
 * Tokens and passwords are sent, never logged: the log lines here carry only the request name.
 */
import { AuthRequiredError, InternalError, ServiceUnavailableError } from '../errors.ts';
import type { Logger } from '../log.ts';

export const ZIMBRA_NS = {
  context: 'urn:zimbra',
  account: 'urn:zimbraAccount',
  mail: 'urn:zimbraMail',
  admin: 'urn:zimbraAdmin',
} as const;

/** Zimbra ServiceException codes that mean "these credentials do not (or no longer) prove anyone". */
const AUTH_FAULT_CODES = new Set(['service.AUTH_REQUIRED', 'service.AUTH_EXPIRED', 'account.AUTH_FAILED']);

/** A Zimbra Fault that is not an auth problem; `zimbraCode` (e.g. account.NO_SUCH_ACCOUNT) lets callers branch. */
export class ZimbraFaultError extends InternalError {
  constructor(
    readonly zimbraCode: string,
    reason: string,
  ) {
    super({ message: `Zimbra fault ${zimbraCode}: ${reason.slice(0, 200)}` });
  }
}

export interface ZimbraClientOptions {
  /** Base URL of the user SOAP service, e.g. https://mail.example.lu (…/service/soap/ is appended). */
  url: string;
  /** Base URL of the admin SOAP service, e.g. https://mailbox:7071 (…/service/admin/soap/ is appended). */
  adminUrl: string;
  timeoutMs: number;
  log: Logger;
  fetch?: typeof fetch;
}

export interface ZimbraRequest {
  /** Without the `Request` suffix, e.g. 'GetInfo'. */
  name: string;
  namespace: string;
  body?: Record<string, unknown>;
  authToken?: string;
  /** Sent as the X-Zimbra-Csrf-Token header (SoapEngine.java reads it for CSRF-secured tokens). */
  csrfToken?: string;
  admin?: boolean;
}

/** `{_content:"x"}`, `[{_content:"x"}]` or `"x"` -> "x" (Zimbra's JSON uses all three). */
export function contentOf(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) return contentOf(v[0]);
  if (typeof v === 'object') return contentOf((v as { _content?: unknown })._content);
  return String(v);
}

/** The `_attrs` map of a Zimbra JSON attrs/prefs element (GetInfoResponse), or a `a:[{n,_content}]` list. */
export function attrsOf(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!v || typeof v !== 'object') return out;
  const map = (v as { _attrs?: Record<string, unknown> })._attrs;
  if (map) {
    for (const [k, val] of Object.entries(map)) {
      const s = Array.isArray(val) ? contentOf(val[0]) : contentOf(val);
      if (s !== undefined) out[k] = s;
    }
  }
  const list = (v as { a?: unknown }).a;
  if (Array.isArray(list)) {
    for (const item of list as Array<{ n?: string; _content?: unknown }>) {
      if (item?.n && out[item.n] === undefined) out[item.n] = contentOf(item._content) ?? '';
    }
  }
  return out;
}

/** What GetInfoRequest tells us about the owner of a session. */
export interface ZimbraAccountInfo {
  id: string;
  name: string;
  displayName?: string;
  /** zimbraPrefLocale, e.g. "fr" or "de_LU". */
  locale?: string;
  /** 'card' | 'fallback' when the eSanté SSO recorded it (sandbox: attrs.esanteAuthMethod). */
  authMethod?: string;
}

export interface ZimbraAccount {
  id: string;
  name: string;
  attrs: Record<string, string>;
}

export class ZimbraClient {
  readonly #opts: ZimbraClientOptions;
  readonly #fetch: typeof fetch;

  constructor(opts: ZimbraClientOptions) {
    this.#opts = opts;
    this.#fetch = opts.fetch ?? fetch;
  }

  /** One SOAP-JSON request; resolves with `Body.<name>Response`. */
  async request<T = Record<string, unknown>>(req: ZimbraRequest): Promise<T> {
    const base = req.admin ? `${this.#opts.adminUrl}/service/admin/soap` : `${this.#opts.url}/service/soap`;
    const context: Record<string, unknown> = { _jsns: ZIMBRA_NS.context };
    if (req.authToken) context['authToken'] = { _content: req.authToken };
    // Keep Zimbra from creating a notification session for our server-side calls (soap.txt: <nosession/>).
    context['nosession'] = {};
    const headers: Record<string, string> = { 'Content-Type': 'application/json; charset=utf-8' };
    if (req.csrfToken) headers['X-Zimbra-Csrf-Token'] = req.csrfToken;
    const envelope = {
      Header: { context },
      Body: { [`${req.name}Request`]: { _jsns: req.namespace, ...req.body } },
    };

    let response: Response;
    let parsed: unknown;
    try {
      response = await this.#fetch(`${base}/${req.name}Request`, {
        method: 'POST',
        headers,
        body: JSON.stringify(envelope),
        signal: AbortSignal.timeout(this.#opts.timeoutMs),
        redirect: 'error',
      });
      const text = await response.text();
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = undefined;
      }
    } catch (e) {
      this.#opts.log.warn({ zimbraRequest: req.name, reason: (e as Error).name }, 'Zimbra unreachable');
      throw new ServiceUnavailableError({ message: `Zimbra ${req.name}Request failed: ${(e as Error).name}`, cause: e });
    }

    const body = (parsed as { Body?: Record<string, unknown> } | undefined)?.Body;
    const fault = body?.['Fault'] as { Reason?: { Text?: string }; Detail?: { Error?: { Code?: string } } } | undefined;
    if (fault) {
      const code = fault.Detail?.Error?.Code ?? 'unknown';
      const reason = fault.Reason?.Text ?? '';
      if (AUTH_FAULT_CODES.has(code)) throw new AuthRequiredError({ message: `Zimbra ${req.name}Request: ${code}` });
      throw new ZimbraFaultError(code, reason);
    }
    if (response.status === 401 || response.status === 403) {
      throw new AuthRequiredError({ message: `Zimbra ${req.name}Request: HTTP ${response.status}` });
    }
    if (!response.ok || !body) {
      throw new ServiceUnavailableError({ message: `Zimbra ${req.name}Request: HTTP ${response.status} without a SOAP answer` });
    }
    const answer = body[`${req.name}Response`];
    if (!answer || typeof answer !== 'object') {
      throw new InternalError({ message: `Zimbra ${req.name}Request: no ${req.name}Response in the answer` });
    }
    return answer as T;
  }

  /**
   * Proves a web session: GetInfoRequest with its auth token and CSRF token
   * (zm-mailbox `store/src/java/com/zimbra/cs/service/account/GetInfo.java`).
   */
  async getInfo(authToken: string, csrfToken: string): Promise<ZimbraAccountInfo> {
    const r = await this.request<{ id?: string; name?: string; attrs?: unknown; prefs?: unknown }>({
      name: 'GetInfo',
      namespace: ZIMBRA_NS.account,
      body: { sections: 'mbox,prefs,attrs' },
      authToken,
      csrfToken,
    });
    if (!r.id || !r.name) throw new InternalError({ message: 'GetInfoResponse without id/name' });
    const attrs = attrsOf(r.attrs);
    const prefs = attrsOf(r.prefs);
    const info: ZimbraAccountInfo = { id: r.id, name: r.name };
    if (attrs['displayName']) info.displayName = attrs['displayName'];
    const locale = prefs['zimbraPrefLocale'] ?? attrs['zimbraPrefLocale'];
    if (locale) info.locale = locale;
    if (attrs['esanteAuthMethod']) info.authMethod = attrs['esanteAuthMethod'];
    return info;
  }

  /**
   * Checks that a token belongs to an account without a CSRF token (server-to-server use):
   * AuthRequest {authToken: {verifyAccount: "1", _content}, account: {by: "name", _content}}
   * (zm-mailbox `store/src/java/com/zimbra/cs/service/account/Auth.java`). Resolves false when it does not.
   */
  async verifyAuthToken(authToken: string, accountName: string): Promise<boolean> {
    try {
      await this.request({
        name: 'Auth',
        namespace: ZIMBRA_NS.account,
        body: { authToken: { verifyAccount: '1', _content: authToken }, account: { by: 'name', _content: accountName } },
      });
      return true;
    } catch (e) {
      if (e instanceof AuthRequiredError) return false;
      throw e;
    }
  }

  /** Admin AuthRequest {name, password} (urn:zimbraAdmin) -> admin auth token. */
  async adminAuth(name: string, password: string): Promise<string> {
    const r = await this.request({ name: 'Auth', namespace: ZIMBRA_NS.admin, body: { name, password }, admin: true });
    const token = contentOf((r as { authToken?: unknown }).authToken);
    if (!token) throw new InternalError({ message: 'admin AuthResponse without authToken' });
    return token;
  }

  /** GetAccountRequest {account: {by: "name", _content}}; null when there is no such account. */
  async getAccount(adminToken: string, name: string): Promise<ZimbraAccount | null> {
    try {
      const r = await this.request<{ account?: unknown }>({
        name: 'GetAccount',
        namespace: ZIMBRA_NS.admin,
        body: { account: { by: 'name', _content: name } },
        authToken: adminToken,
        admin: true,
      });
      return accountOf(r.account);
    } catch (e) {
      if (e instanceof ZimbraFaultError && e.zimbraCode === 'account.NO_SUCH_ACCOUNT') return null;
      throw e;
    }
  }

  /** CreateAccountRequest {name, password?, a:[{n,_content}]} (soap-admin.txt). */
  async createAccount(adminToken: string, name: string, attrs: Record<string, string>, password?: string): Promise<ZimbraAccount> {
    const body: Record<string, unknown> = { name, a: Object.entries(attrs).map(([n, v]) => ({ n, _content: v })) };
    if (password !== undefined) body['password'] = password;
    const r = await this.request<{ account?: unknown }>({
      name: 'CreateAccount',
      namespace: ZIMBRA_NS.admin,
      body,
      authToken: adminToken,
      admin: true,
    });
    const account = accountOf(r.account);
    if (!account) throw new InternalError({ message: 'CreateAccountResponse without account' });
    return account;
  }

  /** ModifyAccountRequest {id, a:[{n,_content}]} (soap-admin.txt, admin/ModifyAccount.java); an empty value removes the attribute. */
  async modifyAccount(adminToken: string, id: string, attrs: Record<string, string>): Promise<ZimbraAccount> {
    const r = await this.request<{ account?: unknown }>({
      name: 'ModifyAccount',
      namespace: ZIMBRA_NS.admin,
      body: { id, a: Object.entries(attrs).map(([n, v]) => ({ n, _content: v })) },
      authToken: adminToken,
      admin: true,
    });
    const account = accountOf(r.account);
    if (!account) throw new InternalError({ message: 'ModifyAccountResponse without account' });
    return account;
  }
}

function accountOf(v: unknown): ZimbraAccount | null {
  const a = (Array.isArray(v) ? v[0] : v) as { id?: string; name?: string } | undefined;
  if (!a?.id || !a.name) return null;
  return { id: a.id, name: a.name, attrs: attrsOf(a) };
}

/**
 * Admin calls with a cached admin token, re-authenticating once when Zimbra says it expired.
 * The password is fetched through a function so it stays in its Secret until the moment of use.
 */
export class ZimbraAdmin {
  #token: Promise<string> | undefined;
  constructor(
    private readonly client: ZimbraClient,
    private readonly credentials: () => { name: string; password: string },
  ) {}

  async #withToken<T>(fn: (token: string) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const current = (this.#token ??= this.#login());
      let token: string;
      try {
        token = await current;
      } catch (e) {
        if (this.#token === current) this.#token = undefined;
        // Our own admin credentials being refused is a configuration problem, not the caller's.
        if (e instanceof AuthRequiredError) throw new ServiceUnavailableError({ message: 'Zimbra admin credentials refused', cause: e });
        throw e;
      }
      try {
        return await fn(token);
      } catch (e) {
        if (e instanceof AuthRequiredError && attempt === 0) {
          if (this.#token === current) this.#token = undefined;
          continue;
        }
        if (e instanceof AuthRequiredError) throw new ServiceUnavailableError({ message: 'Zimbra admin token refused', cause: e });
        throw e;
      }
    }
  }

  #login(): Promise<string> {
    const { name, password } = this.credentials();
    return this.client.adminAuth(name, password);
  }

  getAccount(name: string): Promise<ZimbraAccount | null> {
    return this.#withToken((t) => this.client.getAccount(t, name));
  }

  createAccount(name: string, attrs: Record<string, string>, password?: string): Promise<ZimbraAccount> {
    return this.#withToken((t) => this.client.createAccount(t, name, attrs, password));
  }

  modifyAccount(id: string, attrs: Record<string, string>): Promise<ZimbraAccount> {
    return this.#withToken((t) => this.client.modifyAccount(t, id, attrs));
  }
}
