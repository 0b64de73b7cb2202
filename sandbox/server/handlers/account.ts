/**
 * urn:zimbraAccount handlers: AuthRequest, GetInfoRequest, ModifyPropertiesRequest.
 */
import type { SandboxDeps, SoapCall, SoapHandler } from '../context.ts';
import { userHandler } from '../context.ts';
import { Faults, bool, list, text } from '../soap.ts';
import { type AuthMethod, type Session, isAuthMethod } from '../sessions.ts';
import { verifyPassword } from '../secrets.ts';
import { toAccount } from '../store.ts';
import { authCookie } from '../http-util.ts';

const ACCOUNT_NS = 'urn:zimbraAccount';

/** The host name of a Host header ("127.0.0.1:8080" -> "127.0.0.1"), to pick a zimlet's <host> config. */
function hostnameOf(host: string | undefined): string {
  return (host ?? '').replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
}

/** zimbraZimletUserPropertiesMaxNumEntries default (zm-mailbox ModifyProperties.java checks it). */
const MAX_USER_PROPERTIES = 150;
const MAX_PROPERTY_VALUE = 4096;

/**
 * The AuthResponse body (zm-mailbox `store/src/java/com/zimbra/cs/service/account/Auth.java` doResponse):
 * authToken, lifetime, skin, and csrfToken when the client declared CSRF support. Like Zimbra it also
 * returns the token as the ZM_AUTH_TOKEN cookie (bug 67078) and the CSRF token as a response header.
 */
export function authResponse(deps: SandboxDeps, call: SoapCall, session: Session): Record<string, unknown> {
  call.headers['Set-Cookie'] = authCookie(session.token, session.expiresAt);
  const out: Record<string, unknown> = {
    authToken: [{ _content: session.token }],
    lifetime: session.expiresAt - Date.now(),
    skin: [{ _content: 'harmony' }],
  };
  if (session.csrfSecured) {
    const csrf = deps.sessions.csrfToken(session);
    out['csrfToken'] = { _content: csrf };
    call.headers['X-Zimbra-Csrf-Token'] = csrf;
  }
  return out;
}

/**
 * AuthRequest by password or by token (Auth.java). Sandbox addition: `esanteAuthMethod` ('card' |
 * 'fallback', default 'card') says how the user proved identity; in production the eSanté portal's SSO
 * sets it. Unknown account and wrong password answer the same fault, like Zimbra.
 */
export function authRequest(deps: SandboxDeps): SoapHandler {
  return {
    auth: 'none',
    jsns: ACCOUNT_NS,
    handle(body, call) {
      const csrfSecured = bool(body['csrfTokenSecured']);
      const tokenEl = body['authToken'];
      if (tokenEl !== undefined) {
        // Auth by token: validate it and answer with the same token (Auth.java "authToken" branch).
        const session = deps.sessions.resolve(text(tokenEl));
        const acctEl = body['account'] as Record<string, unknown> | undefined;
        if (bool((tokenEl as Record<string, unknown>)?.['verifyAccount']) || acctEl) {
          const by = text(acctEl?.['by']) ?? 'name';
          const value = text(acctEl) ?? '';
          const matches = by === 'id' ? session.account.id === value : session.account.name === value.toLowerCase();
          if (!matches) throw Faults.authFailed(value);
        }
        return authResponse(deps, call, session);
      }
      const acctEl = body['account'] as Record<string, unknown> | undefined;
      const name = text(acctEl) ?? text(body['name']);
      const password = text(body['password']);
      if (!name || !password) throw Faults.invalidRequest('must specify account and password');
      if (text(acctEl?.['by']) && text(acctEl?.['by']) !== 'name') throw Faults.invalidRequest('only by="name" is supported by the sandbox');
      const row = deps.store.accountRowByName(name);
      if (!row || !verifyPassword(password, row.password_hash)) throw Faults.authFailed(name);
      const method = text(body['esanteAuthMethod']) ?? 'card';
      if (!isAuthMethod(method)) throw Faults.invalidRequest(`esanteAuthMethod must be "card" or "fallback"`);
      const session = deps.sessions.issue(toAccount(row), { authMethod: method as AuthMethod, csrfSecured });
      return authResponse(deps, call, session);
    },
  };
}

/**
 * GetInfoRequest (zm-mailbox `store/src/java/com/zimbra/cs/service/account/GetInfo.java`): id, name,
 * lifetime, attrs/prefs as `_attrs` maps (Zimbra's JSON for key/value pairs), zimlet user properties,
 * and the deployed zimlets (ZimletUtil.listZimlet). `attrs._attrs.esanteAuthMethod` is a sandbox stand-in
 * for what the eSanté portal SSO sets on the session in production ('card' | 'fallback').
 */
export function getInfoRequest(deps: SandboxDeps): SoapHandler {
  return userHandler(ACCOUNT_NS, (_body, session, call) => {
    const a = session.account;
    const locale = a.attrs['zimbraPrefLocale'] ?? 'fr';
    const attrs: Record<string, string> = {
      zimbraId: a.id,
      displayName: a.attrs['displayName'] ?? a.name,
      zimbraMailHost: 'sandbox',
      zimbraFeatureMailEnabled: 'TRUE',
      zimbraFeatureContactsEnabled: 'TRUE',
      zimbraFeatureCalendarEnabled: 'TRUE',
      zimbraZimletAvailableZimlets: deps.zimlets.list().map((z) => `+${z.name}`).join(','),
    };
    for (const k of ['givenName', 'sn'] as const) if (a.attrs[k]) attrs[k] = a.attrs[k];
    // Zimbra keeps the locale among the prefs; the copy in attrs spares callers that only read attrs.
    attrs['zimbraPrefLocale'] = locale;
    // The session's own method first (login form, AuthRequest, signed preauth), else the account attribute
    // an SSO would set with admin ModifyAccountRequest before redirecting through preauth.
    const method = session.authMethod ?? a.attrs['esanteAuthMethod'];
    if (method === 'card' || method === 'fallback') attrs['esanteAuthMethod'] = method;
    const base = deps.baseUrl();
    return {
      version: 'sandbox (stand-in for Zimbra 10)',
      id: a.id,
      name: a.name,
      lifetime: session.expiresAt - Date.now(),
      rest: `${base}/home/${a.name}`,
      used: 0,
      soapURL: `${base}/service/soap/`,
      publicURL: base,
      attrs: { _attrs: attrs },
      prefs: {
        _attrs: {
          zimbraPrefLocale: locale,
          zimbraPrefTimeZoneId: 'Europe/Brussels',
          zimbraPrefMailInitialSearch: 'in:inbox',
          // Zimbra's defaults (zimbra-attrs.xml): conversation view; autosave of drafts.
          zimbraPrefGroupMailBy: a.attrs['zimbraPrefGroupMailBy'] ?? 'conversation',
          zimbraPrefAutoSaveDraftInterval: a.attrs['zimbraPrefAutoSaveDraftInterval'] ?? deps.autoSaveDraftInterval,
          zimbraPrefFromDisplay: a.attrs['displayName'] ?? '',
        },
      },
      props: { prop: deps.store.props(a.id).map((p) => ({ zimlet: p.zimlet, name: p.name, _content: p.value })) },
      zimlets: { zimlet: deps.zimlets.list().map((z) => z.infoJson(hostnameOf(call.req.headers.host))) },
    };
  });
}

/**
 * ModifyPropertiesRequest `{prop: [{zimlet, name, _content}]}` (zm-mailbox
 * `store/src/java/com/zimbra/cs/service/account/ModifyProperties.java`): zimlet user properties.
 */
export function modifyPropertiesRequest(deps: SandboxDeps): SoapHandler {
  return userHandler(ACCOUNT_NS, (body, session) => {
    const props = list(body['prop'] as Record<string, unknown> | Record<string, unknown>[] | undefined).map((p) => ({
      zimlet: text(p['zimlet']) ?? '',
      name: text(p['name']) ?? '',
      value: text(p) ?? '',
    }));
    for (const p of props) {
      if (!/^[\w.-]{1,128}$/.test(p.zimlet) || !/^[\w.-]{1,128}$/.test(p.name)) throw Faults.invalidRequest('zimlet and name are required');
      if (p.value.length > MAX_PROPERTY_VALUE) throw Faults.invalidRequest(`value of ${p.name} is too long`);
    }
    const existing = new Set(deps.store.props(session.account.id).map((p) => `${p.zimlet}\u0000${p.name}`));
    for (const p of props) existing.add(`${p.zimlet}\u0000${p.name}`);
    if (existing.size > MAX_USER_PROPERTIES) throw Faults.invalidRequest(`too many properties (max ${MAX_USER_PROPERTIES})`);
    deps.store.setProps(session.account.id, props);
    return {};
  });
}
