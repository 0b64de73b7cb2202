/**
 * urn:zimbraAdmin handlers at /service/admin/soap (zm-mailbox `store/docs/soap-admin.txt`):
 * AuthRequest (admin accounts only), CreateAccountRequest, GetAccountRequest, ModifyAccountRequest.
 * Accounts in admin answers carry their attributes as `a: [{n, _content}]` (ToXML.encodeAttr in admin mode).
 */
import { randomUUID } from 'node:crypto';
import type { SandboxDeps, SoapHandler } from '../context.ts';
import { Faults, bool, list, text } from '../soap.ts';
import { verifyPassword } from '../secrets.ts';
import { toAccount, type Account } from '../store.ts';
import { authResponse } from './account.ts';
import { LOCAL_DOMAINS } from '../mail.ts';

const ADMIN_NS = 'urn:zimbraAdmin';
/** Attributes CreateAccount/ModifyAccount may set in the sandbox (others are refused rather than silently dropped). */
const SETTABLE_ATTRS = new Set(['displayName', 'givenName', 'sn', 'zimbraPrefLocale', 'cn', 'description', 'esanteAuthMethod', 'zimbraPrefAutoSaveDraftInterval', 'zimbraPrefGroupMailBy']);

/** The `a: [{n, _content}]` list of a request, checked against SETTABLE_ATTRS. */
function attrsOf(body: Record<string, unknown>): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const a of list(body['a'] as Record<string, unknown> | Record<string, unknown>[] | undefined)) {
    const n = text(a['n']) ?? '';
    if (!SETTABLE_ATTRS.has(n)) throw Faults.invalidRequest(`attribute not supported by the sandbox: ${n}`);
    const v = text(a) ?? '';
    if (v.length > 256) throw Faults.invalidRequest(`value of ${n} is too long`);
    // The portal's SSO stand-in: an account-level login method, read by GetInfo when the session has none.
    if (n === 'esanteAuthMethod' && v !== '' && v !== 'card' && v !== 'fallback') throw Faults.invalidRequest('esanteAuthMethod must be card or fallback');
    attrs[n] = v;
  }
  return attrs;
}
const ADDRESS = /^[a-z0-9._%+-]{1,64}@[a-z0-9.-]{1,190}\.[a-z]{2,}$/i;

function accountJson(a: Account): Record<string, unknown> {
  const attrs: Record<string, string> = { zimbraId: a.id, mail: a.name, zimbraMailHost: 'sandbox', zimbraAccountStatus: 'active', ...a.attrs };
  if (a.isAdmin) attrs['zimbraIsAdminAccount'] = 'TRUE';
  return { name: a.name, id: a.id, a: Object.entries(attrs).map(([n, v]) => ({ n, _content: v })) };
}

/** Admin AuthRequest `{name|account, password}` (zm-mailbox `store/src/java/com/zimbra/cs/service/admin/Auth.java`). */
function adminAuth(deps: SandboxDeps): SoapHandler {
  return {
    auth: 'none',
    jsns: ADMIN_NS,
    handle(body, call) {
      const name = text(body['name']) ?? text(body['account']);
      const password = text(body['password']);
      if (!name || !password) throw Faults.invalidRequest('must specify name and password');
      const row = deps.store.accountRowByName(name);
      if (!row || !verifyPassword(password, row.password_hash)) throw Faults.authFailed(name);
      // Admin Auth.java refuses non-admin accounts with the same AUTH_FAILED ("not an admin account").
      if (row.is_admin !== 1) throw Faults.authFailed(name);
      const session = deps.sessions.issue(toAccount(row), { authMethod: null, csrfSecured: bool(body['csrfTokenSecured']), admin: true });
      const out = authResponse(deps, call, session);
      // The admin console cookie is ZM_ADMIN_AUTH_TOKEN, not the user one.
      call.headers['Set-Cookie'] = `ZM_ADMIN_AUTH_TOKEN=${session.token}; Path=/service/admin; HttpOnly; SameSite=Strict`;
      return out;
    },
  };
}

/** CreateAccountRequest `{name, password, a:[{n,_content}]}` (admin/CreateAccount.java). */
function createAccount(deps: SandboxDeps): SoapHandler {
  return {
    auth: 'admin',
    jsns: ADMIN_NS,
    handle(body) {
      const name = (text(body['name']) ?? '').trim().toLowerCase();
      const password = text(body['password']);
      if (!ADDRESS.test(name)) throw Faults.invalidRequest(`invalid account name: ${name}`);
      if (!LOCAL_DOMAINS.includes(name.split('@')[1]!)) throw Faults.invalidRequest(`no such domain: ${name.split('@')[1]}`);
      const attrs = attrsOf(body);
      if (deps.store.accountByName(name)) throw Faults.accountExists(name);
      // Zimbra creates accounts without a password (SSO/preauth only); the sandbox then stores a random one.
      const account = deps.store.createAccount(name, password ?? `!${randomUUID()}`, {
        displayName: attrs['displayName'] ?? name.split('@')[0]!,
        zimbraPrefLocale: attrs['zimbraPrefLocale'] ?? 'fr',
        ...attrs,
      });
      return { account: [accountJson(account)] };
    },
  };
}

/** GetAccountRequest `{account: {by: "name"|"id", _content}}` (admin/GetAccount.java). */
function getAccount(deps: SandboxDeps): SoapHandler {
  return {
    auth: 'admin',
    jsns: ADMIN_NS,
    handle(body) {
      const el = body['account'] as Record<string, unknown> | undefined;
      const by = text(el?.['by']) ?? 'name';
      const value = text(el) ?? '';
      if (!value) throw Faults.invalidRequest('must specify account');
      const account = by === 'id' ? deps.store.accountById(value) : by === 'name' ? deps.store.accountByName(value) : undefined;
      if (by !== 'id' && by !== 'name') throw Faults.invalidRequest(`unsupported by: ${by}`);
      if (!account) throw Faults.noSuchAccount(value);
      return { account: [accountJson(account)] };
    },
  };
}

/** ModifyAccountRequest `{id, a:[{n,_content}]}` (admin/ModifyAccount.java); an empty value removes the attribute. */
function modifyAccount(deps: SandboxDeps): SoapHandler {
  return {
    auth: 'admin',
    jsns: ADMIN_NS,
    handle(body) {
      const id = text(body['id']) ?? '';
      const account = id ? deps.store.accountById(id) : undefined;
      if (!account) throw Faults.noSuchAccount(id);
      const attrs = { ...account.attrs };
      for (const [n, v] of Object.entries(attrsOf(body))) {
        if (v === '') delete attrs[n];
        else attrs[n] = v;
      }
      deps.store.setAccountAttrs(account.id, attrs);
      return { account: [accountJson(deps.store.accountById(account.id)!)] };
    },
  };
}

export function adminHandlers(deps: SandboxDeps): Record<string, SoapHandler> {
  return {
    AuthRequest: adminAuth(deps),
    CreateAccountRequest: createAccount(deps),
    GetAccountRequest: getAccount(deps),
    ModifyAccountRequest: modifyAccount(deps),
  };
}
