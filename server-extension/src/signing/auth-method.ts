/**
 * How the caller's session was opened: with the LuxTrust card, or with the fallback login
 * (guide p.7, "mode de secours"). Only card sessions may sign. Two adapters, chosen by
 * ESANTE_AUTH_METHOD_SOURCE (see README.md next to this file for the admin side):
 *   - `zimbra-attr` (default; the sandbox): the Zimbra account attribute `esanteAuthMethod` that
 *     GetInfoRequest returns in `attrs._attrs` (zm-mailbox `store/src/java/com/zimbra/cs/service/
 *     account/GetInfo.java`); server-extension/src/zimbra/client.ts already reads it into
 *     `Caller.authMethod` when it proves the session, so no extra round trip is made.
 *   - `header`: a request header that Zimbra's nginx sets from the portal's SSO session
 *     (overwriting whatever the browser sent), optionally bound to the SSO account by a second header.
 */
import type { AuthMethod } from '../../../shared/signing/operations.ts';

/** What the port needs of the caller: the proven identity, and the request headers for `header`. */
export interface AuthMethodCaller {
  /** Zimbra account name (primary address), as Zimbra vouched for it. */
  name: string;
  /** From GetInfo `attrs._attrs.esanteAuthMethod` (server-extension/src/auth Caller.authMethod). */
  authMethod?: string;
  /** The HTTP request's headers, lowercased names (node's IncomingHttpHeaders fits). */
  headers?: Readonly<Record<string, string | string[] | undefined>>;
}

export interface AuthMethodPort {
  getAuthMethod(caller: AuthMethodCaller): Promise<AuthMethod>;
}

function normalise(value: string | string[] | undefined): AuthMethod {
  // Several values (a header sent twice) are ambiguous: never read them as 'card'.
  if (Array.isArray(value)) return value.length === 1 ? normalise(value[0]) : 'unknown';
  const v = value?.trim().toLowerCase();
  return v === 'card' ? 'card' : v === 'fallback' ? 'fallback' : 'unknown';
}

/** Sandbox and Zimbra-attribute production adapter: what GetInfo said about the account. */
export function zimbraAttrAuthMethod(): AuthMethodPort {
  return { getAuthMethod: async (caller) => normalise(caller.authMethod) };
}

export interface HeaderAuthMethodOptions {
  /** Header carrying 'card' | 'fallback', set by nginx from the SSO session. Default X-Esante-Auth-Method. */
  header?: string;
  /**
   * Optional header carrying the mail address the SSO session belongs to: when set, the method is
   * believed only if it names the Zimbra caller (protects against an SSO session of another user
   * in the same browser).
   */
  accountHeader?: string;
}

export function headerAuthMethod(opts: HeaderAuthMethodOptions = {}): AuthMethodPort {
  const header = (opts.header ?? 'X-Esante-Auth-Method').toLowerCase();
  const accountHeader = opts.accountHeader?.toLowerCase();
  return {
    async getAuthMethod(caller) {
      const h = caller.headers ?? {};
      if (accountHeader) {
        const acct = h[accountHeader];
        if (typeof acct !== 'string' || acct.trim().toLowerCase() !== caller.name.toLowerCase()) return 'unknown';
      }
      return normalise(h[header]);
    },
  };
}
