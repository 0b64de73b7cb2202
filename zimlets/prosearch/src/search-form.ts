/**
 * The search form of the guide (p. 8) as data: its fields, how they become SearchProfessionals
 * criteria, and the client-side check, which is THE SAME code the service runs
 * (shared/directory/criteria.ts checkCriteria), so the form refuses exactly what the service would.
 *
 * The guide's form has "Code Postal" and "Ville" twice: under "Identité du professionnel" and under
 * "Localisation de l'exercice". The directory knows a professional's address only through their
 * practice places, so both pairs search the practice places; giving two DIFFERENT values for the same
 * criterion is refused (it would silently drop one), the same value twice is accepted.
 */
import { type AllowedCodes, checkCriteria } from '../../../shared/directory/criteria.ts';
import { fold, normalisePostalCode } from '../../../shared/directory/normalize.ts';
import type { DirectoryReferences, IdentifierType, SearchCriteria } from '../../../shared/directory/operations.ts';

/** Values of the form's controls, by control name (all strings, '' when empty). */
export interface FormValues {
  name: string;
  firstName: string;
  profession: string;
  specialty: string;
  /** "Identité du professionnel": Code Postal, Ville. */
  idPostalCode: string;
  idCity: string;
  /** "Localisation de l'exercice": Établissement, Ville, Code Postal, Secteur d'Activité. */
  establishment: string;
  city: string;
  postalCode: string;
  sector: string;
  /** "Appartenance à une communauté". */
  community: string;
  /** "Identifiant" and its type ('' = any of the four). */
  identifier: string;
  identifierType: '' | IdentifierType;
}
export type FieldName = keyof FormValues;

export const EMPTY_FORM: Readonly<FormValues> = {
  name: '',
  firstName: '',
  profession: '',
  specialty: '',
  idPostalCode: '',
  idCity: '',
  establishment: '',
  city: '',
  postalCode: '',
  sector: '',
  community: '',
  identifier: '',
  identifierType: '',
};

/** Why a form cannot be sent: the rule of the guide, a bad field, or a criterion given twice differently. */
export type FormProblem =
  | { kind: 'required' }
  | { kind: 'invalid'; field: FieldName }
  | { kind: 'conflict'; field: 'postalCode' | 'city' };

export type FormCheck = { ok: true; criteria: SearchCriteria } | { ok: false; problem: FormProblem };

export function allowedFromReferences(refs: DirectoryReferences): AllowedCodes {
  return {
    professions: new Set(refs.professions.map((x) => x.code)),
    specialties: new Set(refs.specialties.map((x) => x.code)),
    sectors: new Set(refs.sectors.map((x) => x.code)),
    communities: new Set(refs.communities.map((x) => x.code)),
  };
}

/** One of two values for the same criterion; a conflict when both are given and differ once normalised. */
function merge(a: string, b: string, same: (x: string) => string): string | null | undefined {
  const x = a.trim();
  const y = b.trim();
  if (!x) return y || undefined;
  if (!y) return x;
  return same(x) === same(y) ? x : null;
}

/**
 * Turns the form into criteria and checks them with the service's rules. The criteria sent are the
 * user's values as typed (the service folds them itself); empty fields are left out.
 */
export function formToCriteria(values: FormValues, allowed: AllowedCodes): FormCheck {
  const city = merge(values.idCity, values.city, fold);
  if (city === null) return { ok: false, problem: { kind: 'conflict', field: 'city' } };
  const postalCode = merge(values.idPostalCode, values.postalCode, normalisePostalCode);
  if (postalCode === null) return { ok: false, problem: { kind: 'conflict', field: 'postalCode' } };
  const criteria: SearchCriteria = {};
  const put = (key: keyof SearchCriteria, v: string | undefined) => {
    if (v !== undefined && v.trim() !== '') (criteria as Record<string, string>)[key] = v.trim();
  };
  put('name', values.name);
  put('firstName', values.firstName);
  put('profession', values.profession);
  put('specialty', values.specialty);
  put('city', city);
  put('postalCode', postalCode);
  put('establishment', values.establishment);
  put('sector', values.sector);
  put('community', values.community);
  put('identifier', values.identifier);
  if (criteria.identifier !== undefined && values.identifierType) criteria.identifierType = values.identifierType;
  const checked = checkCriteria(criteria, allowed);
  if (checked.ok) return { ok: true, criteria };
  if (checked.code === 'search.criteria_required') return { ok: false, problem: { kind: 'required' } };
  return { ok: false, problem: { kind: 'invalid', field: formField(checked.args[0], values) } };
}

/** The control to point at for a refused criterion (postal code and city may come from either section). */
function formField(criterion: string | undefined, values: FormValues): FieldName {
  if (criterion === 'postalCode') return values.postalCode.trim() ? 'postalCode' : 'idPostalCode';
  if (criterion === 'city') return values.city.trim() ? 'city' : 'idCity';
  if (criterion && criterion in EMPTY_FORM) return criterion as FieldName;
  return 'name';
}

/** Specialties offered for a profession (all of them when none is chosen), as the guide's selects chain. */
export function specialtiesFor(refs: DirectoryReferences, profession: string): DirectoryReferences['specialties'] {
  return profession ? refs.specialties.filter((s) => s.professions.includes(profession)) : refs.specialties;
}
