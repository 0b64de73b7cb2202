/**
 * The Directory port: what the service asks of the professional directory, whatever holds it.
 * Adapters: LdapDirectory (ldap.ts, production: the eSanté LDAP directory through ldapts) and
 * EmbeddedDirectory (embedded.ts, default: an in-process index loaded from the generator's seed).
 * Both pass the contract suite in server-extension/test/directory.contract.test.ts.
 *
 * The caller's view, guaranteed by every adapter:
 * - hidden entries are never returned, counted, or confirmed by any criterion (identifiers included):
 *   a search that only a hidden entry would match answers exactly like one that matches nothing, and
 *   get() of a hidden id answers null like an unknown id (the one exception is the internal
 *   findByMail, which no operation may expose about anyone but the caller);
 * - restricted entries show only identity, profession, specialty, mail, title, certificate and
 *   preferred language (model.ts toSummary/toCard), and are found only by criteria on what they show
 *   (shared/directory/criteria.ts RESTRICTED_SEARCHABLE);
 * - criteria are checked by shared/directory/criteria.ts before any directory access: name OR
 *   identifier required (DirectoryError search.criteria_required); unknown codes, over-long values,
 *   control characters → DirectoryError request.invalid (args: [field]);
 * - matching is case- and accent-insensitive, names/cities/establishments by prefix at word starts;
 * - results are ordered by (surname, first name, id), folded, and paged with the total;
 * - a directory that is down or does not answer within the configured timeout gives
 *   DirectoryError directory.unavailable, never a hang.
 */
import { type AllowedCodes, type NormalisedCriteria, checkCriteria, checkPage } from '../../../shared/directory/criteria.ts';
import type { DirectoryReferences, PageRequest, Professional, SearchCriteria, SearchResult } from '../../../shared/directory/operations.ts';
import { DirectoryError } from './errors.ts';

export interface Directory {
  search(criteria: SearchCriteria, page?: Partial<PageRequest>): Promise<SearchResult>;
  /** The identity card, or null for an unknown OR hidden id (indistinguishable on purpose). */
  get(id: string): Promise<Professional | null>;
  /** Lists for the selects; stable for the life of the adapter. */
  references(): Promise<DirectoryReferences>;
  /**
   * INTERNAL, for the service asking about its own caller (feature.ts ProfessionalLookup): is this mail
   * a listed professional? Hidden entries INCLUDED, case-insensitive exact mail. Never wire this to an
   * operation that answers about someone else: it would confirm hidden entries.
   */
  findByMail(mail: string): Promise<ListedProfessional | null>;
  /** Releases connections / memory. */
  close(): Promise<void>;
  /** Connection pool use, for /metrics (adapters with a pool: ldap.ts); absent for the embedded index. */
  poolStats?(): Readonly<Record<'size' | 'bound' | 'in_use', number>>;
}

export interface ListedProfessional {
  id: string;
  displayName: string;
}

/** Mail addresses as findByMail compares them (lowercased); blanks, control characters or no single @ are refused. */
export function checkMail(mail: unknown): string {
  if (typeof mail !== 'string' || mail.length > 254 || !/^[^\s@\u0000-\u001f\u007f]+@[^\s@\u0000-\u001f\u007f]+$/u.test(mail)) {
    throw new DirectoryError('request.invalid', ['mail']);
  }
  return mail.toLowerCase();
}

/** Checks criteria and page with the shared rules; throws the typed error the contract requires. */
export function prepareSearch(
  criteria: SearchCriteria,
  page: Partial<PageRequest> | undefined,
  allowed: AllowedCodes,
): { criteria: NormalisedCriteria; page: PageRequest } {
  if (criteria === null || typeof criteria !== 'object') throw new DirectoryError('request.invalid', ['criteria']);
  const c = checkCriteria(criteria, allowed);
  if (!c.ok) throw new DirectoryError(c.code, c.args);
  const p = checkPage(page);
  if (!p.ok) throw new DirectoryError(p.code, p.args);
  return { criteria: c.value, page: p.value };
}

/** Directory ids are the generator's opaque `uid`s; anything else cannot exist and is refused before any lookup. */
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export function checkId(id: unknown): string {
  if (typeof id !== 'string' || !ID_PATTERN.test(id)) throw new DirectoryError('request.invalid', ['id']);
  return id;
}
