/**
 * The three Zimbra admin calls the first login needs (zm-mailbox `store/docs/soap-admin.txt`):
 *   GetAccountRequest    {account: {by: "name", _content}}            admin/GetAccount.java
 *   CreateAccountRequest {name, a: [{n, _content}]}   (no password)    admin/CreateAccount.java
 *   ModifyAccountRequest {id, a: [{n, _content}]}                      admin/ModifyAccount.java
 * In the service they are zimbra/client.ts `ZimbraAdmin` (admin token cached and renewed once when
 * Zimbra says it expired); tests plug in a fake.
 *
 * CreateAccount without `password`: Zimbra then stores no usable password (CreateAccount.java passes
 * a null password to Provisioning.createAccount), so the mailbox can only be entered through the
 * portal's SSO and preauth, never with a password guessed or phished.
 */
import type { ZimbraAccount } from '../zimbra/client.ts';

export interface MailboxAdmin {
  /** The account with this name, or null. */
  getAccount(name: string): Promise<ZimbraAccount | null>;
  /** Creates it; a ZimbraFaultError `account.ACCOUNT_EXISTS` when someone was quicker. */
  createAccount(name: string, attrs: Record<string, string>): Promise<ZimbraAccount>;
  /** Sets attributes of an existing account (an empty value removes one). */
  modifyAccount(id: string, attrs: Record<string, string>): Promise<ZimbraAccount>;
}
