/**
 * The professional directory as the caller sees it: search criteria (guide p. 8), result rows, the
 * identity card, the reference lists for the selects, and the SOAP operations that carry them
 * (`directoryOperations`, spread into shared/soap/operations.ts; handlers in
 * server-extension/src/directory/handlers.ts).
 *
 * Directory values travel as CODES (profession "medecin-specialiste", sector "hospitalier"…);
 * the zimlet shows their labels from ListDirectoryReferences in the user's language.
 */
import type { OperationSpec } from '../soap/schema.ts';

/** The four identifiers of the guide, each issued by its own authority (see IDENTIFIER_AUTHORITIES). */
export type IdentifierType = 'ehealth' | 'rpreg' | 'rnrpp' | 'luxtrust';
export const IDENTIFIER_TYPES: readonly IdentifierType[] = ['ehealth', 'rpreg', 'rnrpp', 'luxtrust'];

/**
 * Confidentiality level of a directory entry (HPD has no such notion: it is our `esanteConfidentiality`).
 * - public: everything below is shown and searchable.
 * - restricted: only identity, profession, specialty, mail and certificate are shown, and the entry is
 *   found only by criteria on those (see RESTRICTED_SEARCHABLE): a search on a masked field must not
 *   confirm its value.
 * - hidden: never returned, counted or confirmed by any criterion (MSSanté's "liste rouge").
 */
export type Confidentiality = 'public' | 'restricted' | 'hidden';
/** What a caller can ever see: hidden entries do not exist for them. */
export type VisibleConfidentiality = Exclude<Confidentiality, 'hidden'>;

/** Criteria of the search form (guide p. 8). All optional, but `name` OR `identifier` is required. */
export interface SearchCriteria {
  /** Surname ("Nom"), prefix, case- and accent-insensitive; matches at word starts ("berg" finds "Van der Berg"). */
  name?: string;
  /** First name ("Prénom"), prefix like `name`. */
  firstName?: string;
  /** Profession code from the references. */
  profession?: string;
  /** Specialty code from the references. */
  specialty?: string;
  /** Postal code of a practice place, 4 digits ("L-" accepted). */
  postalCode?: string;
  /** City of a practice place, prefix like `name` ("esch" finds Esch-sur-Alzette and Esch-sur-Sûre). */
  city?: string;
  /** Establishment of a practice place, prefix at word starts ("kirchberg" finds "Hôpital Kirchberg"). */
  establishment?: string;
  /** Sector of activity code from the references. */
  sector?: string;
  /** Community / network code from the references. */
  community?: string;
  /** Identifier value ("Identifiant"), exact, without case, spaces or dashes. */
  identifier?: string;
  /** Which identifier `identifier` is; absent: any of the four. */
  identifierType?: IdentifierType;
}
export type CriterionName = keyof SearchCriteria;

export interface PageRequest {
  /** Rows to skip, ≥ 0. */
  offset: number;
  /** Rows to return, 1…MAX_PAGE_SIZE. */
  limit: number;
}

export interface PracticePlace {
  /** Establishment name, absent for a private practice. */
  establishment?: string;
  street?: string;
  /** 4 digits, printed "L-NNNN". */
  postalCode: string;
  city: string;
}

/** One row of the results list. Restricted rows have no practice place. */
export interface ProfessionalSummary {
  id: string;
  sn: string;
  givenName: string;
  displayName: string;
  profession: string;
  specialty?: string;
  mail: string;
  confidentiality: VisibleConfidentiality;
  /** First practice place's city and establishment, public entries only. */
  city?: string;
  establishment?: string;
}

export interface ProfessionalIdentifier {
  type: IdentifierType;
  value: string;
  /** ISO 21091 status of the identifier ("active", "inactive", "revoked", "suspended"). */
  status: string;
}

/**
 * The identity card ("fiche d'identité"). Restricted cards carry only the summary's fields (without
 * city/establishment) plus title, certificate and preferredLanguage.
 */
export interface Professional extends ProfessionalSummary {
  title?: string;
  sector?: string;
  practices?: PracticePlace[];
  communities?: string[];
  identifiers?: ProfessionalIdentifier[];
  /** Signing/encryption certificate, base64 DER (userSMIMECertificate), when the directory has one. */
  certificate?: string;
  preferredLanguage?: string;
}

export interface SearchResult {
  /** Number of matching entries the caller may see (never counts hidden ones). */
  total: number;
  items: ProfessionalSummary[];
}

export interface ReferenceItem {
  code: string;
  fr: string;
  de: string;
  en: string;
}
export interface SpecialtyReference extends ReferenceItem {
  /** Profession codes the specialty applies to. */
  professions: string[];
}
/** The lists behind the selects; stable for the life of a directory load, so callers may cache them. */
export interface DirectoryReferences {
  professions: ReferenceItem[];
  specialties: SpecialtyReference[];
  sectors: ReferenceItem[];
  communities: ReferenceItem[];
  identifierTypes: ReferenceItem[];
}

/**
 * The SOAP operations of the directory, in the shape of shared/soap/schema.ts. The service core
 * spreads these into `operations` (shared/soap/operations.ts) when it wires the handlers.
 * Limits (`max`) repeat the ones of criteria.ts so the SOAP layer refuses oversize input first.
 */
const summaryFields = {
  id: 'string',
  sn: 'string',
  givenName: 'string',
  displayName: 'string',
  profession: 'string',
  specialty: { type: 'string', optional: true },
  mail: 'string',
  confidentiality: { type: 'string', doc: "'public' | 'restricted'" },
  city: { type: 'string', optional: true },
  establishment: { type: 'string', optional: true },
} as const;

export const directoryOperations = {
  SearchProfessionals: {
    doc: 'Searches the professional directory (guide p. 8). name OR identifier is required (Fault search.criteria_required). Hidden entries are never returned or counted.',
    auth: 'user',
    request: {
      name: { type: 'string', optional: true, max: 64 },
      firstName: { type: 'string', optional: true, max: 64 },
      profession: { type: 'string', optional: true, max: 64 },
      specialty: { type: 'string', optional: true, max: 64 },
      postalCode: { type: 'string', optional: true, max: 8 },
      city: { type: 'string', optional: true, max: 64 },
      establishment: { type: 'string', optional: true, max: 128 },
      sector: { type: 'string', optional: true, max: 64 },
      community: { type: 'string', optional: true, max: 64 },
      identifier: { type: 'string', optional: true, max: 64 },
      identifierType: { type: 'string', optional: true, max: 16, doc: "'ehealth' | 'rpreg' | 'rnrpp' | 'luxtrust'" },
      offset: { type: 'int', optional: true },
      limit: { type: 'int', optional: true, doc: '1…100, default 20' },
    },
    response: {
      total: 'int',
      items: { list: true, fields: summaryFields },
    },
  },
  GetProfessional: {
    doc: 'The identity card of one professional. A hidden or unknown id gives the same Fault directory.not_found.',
    auth: 'user',
    request: { id: { type: 'string', max: 64 } },
    response: {
      professional: {
        fields: {
          ...summaryFields,
          title: { type: 'string', optional: true },
          sector: { type: 'string', optional: true },
          practices: {
            list: true,
            optional: true,
            fields: {
              establishment: { type: 'string', optional: true },
              street: { type: 'string', optional: true },
              postalCode: 'string',
              city: 'string',
            },
          },
          communities: { type: 'string', list: true, optional: true },
          identifiers: { list: true, optional: true, fields: { type: 'string', value: 'string', status: 'string' } },
          certificate: { type: 'string', optional: true, doc: 'base64 DER' },
          preferredLanguage: { type: 'string', optional: true },
        },
      },
    },
  },
  ListDirectoryReferences: {
    doc: 'Professions, specialties, sectors, communities and identifier types for the selects, with fr/de/en labels.',
    auth: 'user',
    request: {},
    response: {
      professions: { list: true, fields: { code: 'string', fr: 'string', de: 'string', en: 'string' } },
      specialties: {
        list: true,
        fields: { code: 'string', fr: 'string', de: 'string', en: 'string', professions: { type: 'string', list: true } },
      },
      sectors: { list: true, fields: { code: 'string', fr: 'string', de: 'string', en: 'string' } },
      communities: { list: true, fields: { code: 'string', fr: 'string', de: 'string', en: 'string' } },
      identifierTypes: { list: true, fields: { code: 'string', fr: 'string', de: 'string', en: 'string' } },
    },
  },
} as const satisfies Record<string, OperationSpec>;
