/**
 * Auth tokens of the sandbox: issued by AuthRequest, the login form and preauth; checked on every
 * SOAP call, upload and download. Only the token's SHA-256 is stored.
 * Lifetimes are Zimbra's defaults (zimbraAuthTokenLifetime 2d, zimbraAdminAuthTokenLifetime 12h).
 * The login method ('card' | 'fallback') is kept with the session: in production the eSanté portal's
 * SSO decides it; the sandbox takes it from the login form / AuthRequest (see README in this folder).
 */
import type { Account, Store } from './store.ts';
import { Faults } from './soap.ts';
import { csrfTokenFor, newToken, safeEqual, sha256 } from './secrets.ts';

export const USER_TOKEN_LIFETIME_MS = 2 * 24 * 3600 * 1000;
export const ADMIN_TOKEN_LIFETIME_MS = 12 * 3600 * 1000;

export type AuthMethod = 'card' | 'fallback';
export function isAuthMethod(v: unknown): v is AuthMethod {
  return v === 'card' || v === 'fallback';
}

export interface Session {
  token: string;
  account: Account;
  authMethod: AuthMethod | null;
  /** Tokens issued with `csrfTokenSecured` (the web client's) need the CSRF header on every call. */
  csrfSecured: boolean;
  admin: boolean;
  expiresAt: number;
}

export class Sessions {
  constructor(
    private readonly store: Store,
    private readonly csrfSecret: Buffer,
    private readonly now: () => number = Date.now,
  ) {}

  issue(account: Account, opts: { authMethod: AuthMethod | null; csrfSecured: boolean; admin?: boolean; lifetimeMs?: number }): Session {
    const token = newToken();
    const created = this.now();
    const admin = opts.admin ?? false;
    const expiresAt = created + (opts.lifetimeMs ?? (admin ? ADMIN_TOKEN_LIFETIME_MS : USER_TOKEN_LIFETIME_MS));
    this.store.createSession(sha256(token), {
      account_id: account.id,
      auth_method: opts.authMethod,
      csrf_secured: opts.csrfSecured ? 1 : 0,
      is_admin: admin ? 1 : 0,
      created_at: created,
      expires_at: expiresAt,
    });
    return { token, account, authMethod: opts.authMethod, csrfSecured: opts.csrfSecured, admin, expiresAt };
  }

  /** The session of a token; AUTH_REQUIRED when unknown, AUTH_EXPIRED when past its lifetime. */
  resolve(token: string | undefined): Session {
    if (!token) throw Faults.authRequired();
    const row = this.store.session(sha256(token));
    if (!row) throw Faults.authRequired();
    if (row.expires_at <= this.now()) throw Faults.authExpired();
    const account = this.store.accountById(row.account_id);
    if (!account) throw Faults.authRequired();
    return {
      token,
      account,
      authMethod: row.auth_method === 'card' || row.auth_method === 'fallback' ? row.auth_method : null,
      csrfSecured: row.csrf_secured === 1,
      admin: row.is_admin === 1,
      expiresAt: row.expires_at,
    };
  }

  csrfToken(session: Session): string {
    return csrfTokenFor(this.csrfSecret, session.token);
  }

  /** CsrfUtil.isValidCsrfToken: the token must be the one bound to this auth token. */
  checkCsrf(session: Session, csrfToken: string | undefined): boolean {
    return !!csrfToken && safeEqual(csrfToken, this.csrfToken(session));
  }

  /** Logout (zm-mailbox EndSessionRequest with logoff / the web client's loginOp=logout). */
  revoke(token: string): void {
    this.store.deleteSession(sha256(token));
  }
}
