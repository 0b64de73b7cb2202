/**
 * Who is calling. The browser sends Zimbra's HttpOnly ZM_AUTH_TOKEN cookie (we are on Zimbra's origin)
 * and the zimlet adds the session's CSRF token as X-Zimbra-Csrf-Token. We never trust either on its
 * own: Zimbra proves them with GetInfoRequest (web tokens are CSRF-secured: zm-mailbox
 * `store/src/java/com/zimbra/soap/SoapEngine.java` refuses them without the matching CSRF token).
 * The result is cached for a few seconds under SHA-256(token|csrf): the token itself is never kept,
 * compared or logged.
 */
import { createHash } from 'node:crypto';
import { pickLang, type Lang } from '../../../shared/i18n/lang.ts';
import { AuthRequiredError } from '../errors.ts';
import type { ZimbraAccountInfo } from '../zimbra/client.ts';
import { TtlCache } from './cache.ts';

/** The caller as Zimbra vouches for them. */
export interface Caller {
  accountId: string;
  name: string;
  displayName?: string;
  /** From zimbraPrefLocale. */
  lang: Lang;
  /** 'card' | 'fallback' when known. */
  authMethod?: string;
}

export interface Credentials {
  authToken?: string | undefined;
  csrfToken?: string | undefined;
}

/** The port the SOAP layer uses; tests and other deployments may plug another one in. */
export interface Authenticator {
  /** Resolves the caller or throws AuthRequiredError (or ServiceUnavailableError when Zimbra is down). */
  authenticate(creds: Credentials): Promise<Caller>;
}

/** What the Zimbra-backed authenticator needs from the Zimbra client. */
export interface SessionVerifier {
  getInfo(authToken: string, csrfToken: string): Promise<ZimbraAccountInfo>;
}

/** Zimbra tokens are short ASCII strings; anything else is refused before it reaches Zimbra. */
const TOKEN_SHAPE = /^[\x21-\x7e]{1,4096}$/;

export class ZimbraAuthenticator implements Authenticator {
  readonly #cache: TtlCache<Caller>;
  readonly #inflight = new Map<string, Promise<Caller>>();

  constructor(
    private readonly zimbra: SessionVerifier,
    opts: { cacheSeconds: number; maxEntries?: number; now?: () => number },
  ) {
    this.#cache = new TtlCache(opts.cacheSeconds * 1000, opts.maxEntries ?? 10_000, opts.now);
  }

  async authenticate({ authToken, csrfToken }: Credentials): Promise<Caller> {
    if (!authToken || !csrfToken || !TOKEN_SHAPE.test(authToken) || !TOKEN_SHAPE.test(csrfToken)) {
      throw new AuthRequiredError({ message: !authToken ? 'no auth token' : 'no or malformed CSRF token' });
    }
    const key = createHash('sha256').update(authToken).update('|').update(csrfToken).digest('base64url');
    const cached = this.#cache.get(key);
    if (cached) return cached;
    // Concurrent calls of one page load share one Zimbra round trip.
    let pending = this.#inflight.get(key);
    if (!pending) {
      pending = this.zimbra.getInfo(authToken, csrfToken).then((info) => {
        const caller: Caller = { accountId: info.id, name: info.name, lang: pickLang(info.locale) };
        if (info.displayName) caller.displayName = info.displayName;
        if (info.authMethod) caller.authMethod = info.authMethod;
        // Only successes are cached: a refused token is asked again (it may be a Zimbra hiccup).
        this.#cache.set(key, caller);
        return caller;
      });
      const p = pending;
      this.#inflight.set(key, p);
      p.then(
        () => this.#inflight.delete(key),
        () => this.#inflight.delete(key),
      );
    }
    return pending;
  }
}

/** Reads one cookie from a Cookie header (RFC 6265 §5.4 syntax; first occurrence wins). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    return value || undefined;
  }
  return undefined;
}
