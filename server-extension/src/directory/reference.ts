/**
 * Luxembourg reference data vendored in ./data (see data/README.md for sources and attribution) and
 * the reference lists derived from it: professions, specialties, sectors, communities.
 * Both the generator and the adapters use these, so codes in the data and in the selects agree.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fold } from '../../../shared/directory/normalize.ts';
import type { AllowedCodes } from '../../../shared/directory/criteria.ts';
import type { DirectoryReferences, ReferenceItem, SpecialtyReference } from '../../../shared/directory/operations.ts';

const DATA_DIR = fileURLToPath(new URL('./data/', import.meta.url));

function load<T>(file: string): T {
  return JSON.parse(readFileSync(DATA_DIR + file, 'utf8')) as T;
}

export interface RawProfession { code: string; fr: string; de: string; en: string }
export interface RawSpecialty { code: string; fr: string; de: string; en: string; profession?: string }
export interface RawLocality { locality: string; commune: string; canton: string; postalCode: string; postalCodes: string[] }
export interface RawEstablishment { name: string; shortName?: string; locality: string; sector: string; address?: string; group?: string }
export interface RawCommunity { fr: string; shortName: string; type: string; professions?: string[] }
export interface RawNames {
  surnames: Array<{ surname: string; origin: string }>;
  firstNames: Array<{ firstName: string; gender: string; origin: string }>;
}

export interface RawData {
  professions: RawProfession[];
  specialties: RawSpecialty[];
  localities: RawLocality[];
  establishments: RawEstablishment[];
  communities: RawCommunity[];
  names: RawNames;
}

let cached: RawData | undefined;
/** The vendored files, parsed once per process. */
export function rawData(): RawData {
  cached ??= {
    professions: load('professions.json'),
    specialties: load('specialties.json'),
    localities: load('localities.json'),
    establishments: load('establishments.json'),
    communities: load('communities.json'),
    names: load('names.json'),
  };
  return cached;
}

/**
 * Sectors of activity ("Secteur d'Activité", guide p. 8). No public list was found: these codes and
 * labels are this project's own, chosen to cover the establishment kinds in data/establishments.json.
 */
export const SECTORS: readonly ReferenceItem[] = [
  { code: 'hospitalier', fr: 'Secteur hospitalier', de: 'Krankenhaussektor', en: 'Hospital sector' },
  { code: 'extrahospitalier', fr: 'Secteur extrahospitalier (cabinet)', de: 'Niedergelassener Bereich (Praxis)', en: 'Private practice' },
  { code: 'soins-domicile', fr: 'Aides et soins à domicile', de: 'Häusliche Hilfe und Pflege', en: 'Home care' },
  { code: 'laboratoire', fr: 'Laboratoire d’analyses médicales', de: 'Medizinisches Labor', en: 'Medical laboratory' },
  { code: 'pharmacie', fr: 'Pharmacie d’officine', de: 'Apotheke', en: 'Community pharmacy' },
  { code: 'administration', fr: 'Administration et santé publique', de: 'Verwaltung und öffentliche Gesundheit', en: 'Administration and public health' },
];

/** Sector of an establishment, from the free-text kind in establishments.json. */
export function sectorOfEstablishment(e: RawEstablishment): string {
  const s = fold(e.sector);
  if (s.startsWith('laboratoire')) return 'laboratoire';
  if (s.includes('domicile')) return 'soins-domicile';
  if (s.startsWith('administration')) return 'administration';
  if (s.startsWith('maison medicale') || s.startsWith('association')) return 'extrahospitalier';
  return 'hospitalier';
}

export const IDENTIFIER_TYPE_LABELS: readonly ReferenceItem[] = [
  { code: 'ehealth', fr: 'eHealth ID', de: 'eHealth-ID', en: 'eHealth ID' },
  { code: 'rpreg', fr: 'Numéro RPREG', de: 'RPREG-Nummer', en: 'RPREG number' },
  { code: 'rnrpp', fr: 'Numéro RNRPP', de: 'RNRPP-Nummer', en: 'RNRPP number' },
  { code: 'luxtrust', fr: 'Numéro de carte LuxTrust', de: 'LuxTrust-Kartennummer', en: 'LuxTrust card number' },
];

/** Community code: the slug of its short name, or of its French name when two short names collide. */
export function communityCodes(list: readonly RawCommunity[]): string[] {
  const slug = (s: string) => fold(s).replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  const counts = new Map<string, number>();
  for (const c of list) counts.set(slug(c.shortName), (counts.get(slug(c.shortName)) ?? 0) + 1);
  return list.map((c) => (counts.get(slug(c.shortName))! > 1 ? slug(c.fr).slice(0, 48) : slug(c.shortName)));
}

/** Profession codes a specialty applies to (specialties.json names the dentists' ones; the rest are physicians'). */
function specialtyProfessions(s: RawSpecialty): string[] {
  if (s.profession && fold(s.profession).startsWith('medecin dentiste')) return ['medecin-dentiste-specialiste'];
  return ['medecin-specialiste'];
}

let refs: DirectoryReferences | undefined;
/**
 * The lists behind the selects. Community names are proper nouns: the French name is used in all
 * three languages (the vendored data has no official German/English names).
 */
export function directoryReferences(): DirectoryReferences {
  if (refs) return refs;
  const d = rawData();
  const codes = communityCodes(d.communities);
  const specialties: SpecialtyReference[] = d.specialties
    .filter((s) => s.code !== 'medecine-generale')
    .map((s) => ({ code: s.code, fr: s.fr, de: s.de, en: s.en, professions: specialtyProfessions(s) }));
  refs = {
    professions: d.professions.map((p) => ({ code: p.code, fr: p.fr, de: p.de, en: p.en })),
    specialties,
    sectors: [...SECTORS],
    communities: d.communities.map((c, i) => ({ code: codes[i]!, fr: c.fr, de: c.fr, en: c.fr })),
    identifierTypes: [...IDENTIFIER_TYPE_LABELS],
  };
  return refs;
}

/** The code sets the search criteria are checked against. */
export function allowedCodes(r: DirectoryReferences = directoryReferences()): AllowedCodes {
  return {
    professions: new Set(r.professions.map((x) => x.code)),
    specialties: new Set(r.specialties.map((x) => x.code)),
    sectors: new Set(r.sectors.map((x) => x.code)),
    communities: new Set(r.communities.map((x) => x.code)),
  };
}
