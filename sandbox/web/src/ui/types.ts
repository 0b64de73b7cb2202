/** Shapes shared by the webmail's views. */
import type { Lang } from '../../../../shared/i18n/lang.ts';

/** A folder of GetFolderResponse (zm-mailbox ToXML.encodeFolder): mail folders and address books. */
export interface FolderInfo {
  id: string;
  name: string;
  /** "message" (or absent) for mail, "contact" for address books. */
  view: string;
  unread: number;
  count: number;
  parentId: string;
  /** Stable DOM id of its tree button. */
  domId: string;
  /** The label shown (system folders translated). */
  label: string;
  /** SearchRequest query selecting its items. */
  query: string;
}

/** What views need from the webmail. */
export interface WebmailServices {
  readonly lang: Lang;
  /**
   * A SOAP call answering `Body.<Name>Response`; on failure shows the error (translated; `quiet`
   * skips that) and rethrows a ZmCsfeException.
   */
  soap<T = any>(requestName: string, body?: Record<string, unknown>, urn?: string, opts?: { quiet?: boolean }): Promise<T>;
  setStatus(msg: string, level?: 1 | 2 | 3): void;
  showError(params: { errMsg: string; details?: string; title?: string }): void;
  /** Asks every zimlet (a throwing hook propagates, as in Zimbra); true when one handled it. */
  notifyZimlets(event: string, args: unknown[]): boolean;
  csrfToken(): string;
  /** A pref or attr of GetInfoResponse (`appCtxt.get`). */
  pref(name: string): unknown;
}
