/**
 * Rules of the search form (guide p. 8), pure so the zimlet can check a form before sending it and the
 * service checks every request with the very same code before any directory is touched.
 * Bad input is refused with a stable error code; it never widens a search.
 */
import type { ErrorCode } from '../errors.ts';
import { fold, foldIdentifier, normalisePostalCode } from './normalize.ts';
import {
  IDENTIFIER_TYPES,
  type CriterionName,
  type IdentifierType,
  type PageRequest,
  type SearchCriteria,
} from './operations.ts';

/** Longest accepted value per criterion, in characters (before folding). */
export const MAX_LENGTH: Readonly<Record<CriterionName, number>> = {
  name: 64,
  firstName: 64,
  profession: 64,
  specialty: 64,
  postalCode: 8,
  city: 64,
  establishment: 128,
  sector: 64,
  community: 64,
  identifier: 64,
  identifierType: 16,
};
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;
/** Deep paging is refused: nobody reads past result 10 000, and it bounds the work per request. */
export const MAX_OFFSET = 10_000;

/**
 * Criteria a RESTRICTED entry can be found by: only the fields it shows. A restricted entry must not
 * be found by its (masked) postal code, city, establishment, sector, community or identifiers, or the
 * search would confirm them.
 */
export const RESTRICTED_SEARCHABLE: ReadonlySet<keyof NormalisedCriteria> = new Set(['name', 'firstName', 'profession', 'specialty']);

/** Code lists the select criteria are checked against (from the directory's references). */
export interface AllowedCodes {
  professions: ReadonlySet<string>;
  specialties: ReadonlySet<string>;
  sectors: ReadonlySet<string>;
  communities: ReadonlySet<string>;
}

/** Criteria after validation, in the folded form the adapters match against. */
export interface NormalisedCriteria {
  /** fold()ed prefix. */
  name?: string;
  firstName?: string;
  city?: string;
  establishment?: string;
  /** Codes, exactly as in the references. */
  profession?: string;
  specialty?: string;
  sector?: string;
  community?: string;
  /** 4 digits. */
  postalCode?: string;
  /** foldIdentifier()ed value and the types to look it up in. */
  identifier?: { value: string; types: readonly IdentifierType[] };
}

export type CheckResult<T> = { ok: true; value: T } | { ok: false; code: ErrorCode; args: string[] };

const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/u;
const TEXT_FIELDS = ['name', 'firstName', 'city', 'establishment'] as const;
const CODE_FIELDS = [
  ['profession', 'professions'],
  ['specialty', 'specialties'],
  ['sector', 'sectors'],
  ['community', 'communities'],
] as const;

function invalid(field: string): { ok: false; code: ErrorCode; args: string[] } {
  return { ok: false, code: 'request.invalid', args: [field] };
}

/**
 * Checks and normalises raw criteria (from the SOAP request or the form). Empty or blank values
 * count as absent. Refused with `request.invalid` (argument: the field name): a non-string value, a
 * control character (NUL included), a value over MAX_LENGTH, an unknown select code or identifier
 * type, a postal code that is not 4 digits. Refused with `search.criteria_required`: neither a name
 * nor an identifier.
 */
export function checkCriteria(raw: SearchCriteria, allowed: AllowedCodes): CheckResult<NormalisedCriteria> {
  const out: NormalisedCriteria = {};
  const present: Partial<Record<CriterionName, string>> = {};
  for (const key of Object.keys(MAX_LENGTH) as CriterionName[]) {
    const v: unknown = (raw as Record<string, unknown>)[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') return invalid(key);
    if (v.length > MAX_LENGTH[key]) return invalid(key);
    if (CONTROL_CHARS.test(v)) return invalid(key);
    if (v.trim() === '') continue;
    present[key] = v;
  }
  for (const key of Object.keys(raw)) {
    if (!Object.prototype.hasOwnProperty.call(MAX_LENGTH, key)) return invalid(key);
  }
  for (const key of TEXT_FIELDS) {
    const v = present[key];
    if (v === undefined) continue;
    const f = fold(v);
    if (f) out[key] = f;
  }
  for (const [key, list] of CODE_FIELDS) {
    const v = present[key];
    if (v === undefined) continue;
    if (!allowed[list].has(v)) return invalid(key);
    out[key] = v;
  }
  if (present.postalCode !== undefined) {
    const pc = normalisePostalCode(present.postalCode);
    if (!/^\d{4}$/.test(pc)) return invalid('postalCode');
    out.postalCode = pc;
  }
  let types: readonly IdentifierType[] = IDENTIFIER_TYPES;
  if (present.identifierType !== undefined) {
    const t = present.identifierType as IdentifierType;
    if (!IDENTIFIER_TYPES.includes(t)) return invalid('identifierType');
    types = [t];
  }
  if (present.identifier !== undefined) {
    const id = foldIdentifier(present.identifier);
    if (id) out.identifier = { value: id, types };
  }
  if (out.name === undefined && out.identifier === undefined) {
    return { ok: false, code: 'search.criteria_required', args: [] };
  }
  return { ok: true, value: out };
}

/** Checks a page request; absent values take the defaults. */
export function checkPage(raw: Partial<PageRequest> | undefined): CheckResult<PageRequest> {
  const offset = raw?.offset ?? 0;
  const limit = raw?.limit ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(offset) || offset < 0 || offset > MAX_OFFSET) return invalid('offset');
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) return invalid('limit');
  return { ok: true, value: { offset, limit } };
}

/** True when every criterion used is one a restricted entry may be found by. */
export function restrictedMayMatch(criteria: NormalisedCriteria): boolean {
  return (Object.keys(criteria) as Array<keyof NormalisedCriteria>).every(
    (k) => criteria[k] === undefined || RESTRICTED_SEARCHABLE.has(k),
  );
}
