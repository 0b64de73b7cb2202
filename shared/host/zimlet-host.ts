/**
 * The zimlet host port: everything a zimlet's lit components may ask of the webmail they live in.
 * Components never touch Zimbra globals (appCtxt, ZmZimletBase…); each zimlet's thin handler builds
 * one implementation of this port on top of ZmZimletBase (see zimlets/<name>/src/handler.ts).
 * (pattern: mailvelope `src/content-scripts/providerSpecific.js`)
 */
import type { Lang } from '../i18n/lang.ts';

export type RecipientField = 'to' | 'cc' | 'bcc';

export interface ComposeRequest {
  to?: string[];
  cc?: string[];
  bcc?: string[];
  subject?: string;
  /** Plain-text body the new message starts with (Zimbra's `extraBodyText`). */
  body?: string;
}

export interface ZimletHost {
  /** Language of the user's Zimbra session. */
  readonly lang: Lang;
  /** Translated text for a key of this zimlet's properties (`ZmZimletBase.getMessage`), `{0}` args filled. */
  msg(key: string, ...args: ReadonlyArray<string | number>): string;
  /** The logged-in account name (`ZmZimletBase.getUsername`). */
  username(): string;
  /** The CSRF token of the web session (`window.csrfToken`), forwarded to our service. */
  csrfToken(): string;
  /** A value of the zimlet's config_template.xml (`ZmZimletBase.getConfig`). */
  config(name: string): string | undefined;
  /** Zimbra SOAP in JSON (`appCtxt.getAppController().sendRequest`), e.g. ('CreateContactRequest', {...}). */
  zimbra<T = unknown>(requestName: string, body: Record<string, unknown>, urn?: string): Promise<T>;
  /** Opens a new compose view (`ZmMailApp.compose`). */
  compose(req: ComposeRequest): void;
  /** Adds addresses to the compose view that is open, if any; false when none is open. */
  addToCurrentCompose(field: RecipientField, addresses: string[]): boolean;
  /** Short status line (`displayStatusMessage`) or error (`displayErrorMessage`). */
  notify(message: string, level?: 'info' | 'error'): void;
}
