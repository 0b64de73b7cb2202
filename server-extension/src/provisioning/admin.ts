/**
 * The three Zimbra admin calls the first login needs (zm-mailbox `store/docs/soap-admin.txt`):
 *   GetAccountRequest    {account: {by: "name", _content}}            admin/GetAccount.java
 *   CreateAccountRequest {name, a: [{n, _content}]}   (no password)    admin/CreateAccount.java
 *   ModifyAccountRequest {id, a: [{n, _content}]}                      admin/ModifyAccount.java
 * over the service's typed client (zimbra/client.ts), with the admin token cached and renewed once
 * when Zimbra says it expired, like ZimbraAdmin there (which has no ModifyAccount yet).
 *
 * CreateAccount without `password`: Zimbra then stores no usable password (CreateAccount.java passes
 * a null password to Provisioning.createAccount), so the mailbox can only be entered through the
 * portal's SSO and preauth, never with a password guessed or phished.
 */
import { AuthRequiredError, InternalError, ServiceUnavailableError } from '../errors.ts';
import { ZIMBRA_NS, attrsOf, type ZimbraAccount, type ZimbraClient } from '../zimbra/client.ts';

/** What provisioning asks of Zimbra; tests plug in a fake. */
export interface MailboxAdmin {
  /** The account with this name, or null. */
  getAccount(name: string): Promise<ZimbraAccount | null>;
  /** Creates it; a ZimbraFaultError `account.ACCOUNT_EXISTS` when someone was quicker. */
  createAccount(name: string, attrs: Record<string, string>): Promise<ZimbraAccount>;
  /** Sets attributes of an existing account (an empty value removes one). */
  modifyAccount(id: string, attrs: Record<string, string>): Promise<ZimbraAccount>;
}

function accountOf(v: unknown): ZimbraAccount | null {
  const a = (Array.isArray(v) ? v[0] : v) as { id?: string; name?: string } | undefined;
  if (!a?.id || !a.name) return null;
  return { id: a.id, name: a.name, attrs: attrsOf(a) };
}

export class ZimbraMailboxAdmin implements MailboxAdmin {
  #token: Promise<string> | undefined;

  constructor(
    private readonly client: ZimbraClient,
    /** Read at the moment of login only, so the password stays in its Secret the rest of the time. */
    private readonly credentials: () => { name: string; password: string },
  ) {}

  async #withToken<T>(fn: (token: string) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const current = (this.#token ??= (() => {
        const { name, password } = this.credentials();
        return this.client.adminAuth(name, password);
      })());
      let token: string;
      try {
        token = await current;
      } catch (e) {
        if (this.#token === current) this.#token = undefined;
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

  getAccount(name: string): Promise<ZimbraAccount | null> {
    return this.#withToken((t) => this.client.getAccount(t, name));
  }

  createAccount(name: string, attrs: Record<string, string>): Promise<ZimbraAccount> {
    return this.#withToken((t) => this.client.createAccount(t, name, attrs));
  }

  modifyAccount(id: string, attrs: Record<string, string>): Promise<ZimbraAccount> {
    return this.#withToken(async (t) => {
      const r = await this.client.request<{ account?: unknown }>({
        name: 'ModifyAccount',
        namespace: ZIMBRA_NS.admin,
        body: { id, a: Object.entries(attrs).map(([n, v]) => ({ n, _content: v })) },
        authToken: t,
        admin: true,
      });
      const account = accountOf(r.account);
      if (!account) throw new InternalError({ message: 'ModifyAccountResponse without account' });
      return account;
    });
  }
}
