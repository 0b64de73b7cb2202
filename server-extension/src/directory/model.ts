/**
 * One professional as the directory stores it (all fields, confidentiality included), what each
 * confidentiality level lets a caller see, and the mapping to and from LDAP entries (HPD schema in
 * server-extension/ldap/esante-hpd.schema). Both adapters go through toSummary/toCard, so masking is
 * decided in one place.
 */
import { foldIdentifier, nameKeys } from '../../../shared/directory/normalize.ts';
import type {
  Confidentiality,
  IdentifierType,
  PracticePlace,
  Professional,
  ProfessionalIdentifier,
  ProfessionalSummary,
} from '../../../shared/directory/operations.ts';
import { IDENTIFIER_TYPES } from '../../../shared/directory/operations.ts';

export interface DirectoryRecord {
  /** Opaque, stable id (LDAP `uid`). */
  id: string;
  sn: string;
  givenName: string;
  title?: string;
  profession: string;
  specialty?: string;
  sector: string;
  mail: string;
  practices: PracticePlace[];
  communities: string[];
  identifiers: ProfessionalIdentifier[];
  /** base64 DER. */
  certificate?: string;
  preferredLanguage?: string;
  confidentiality: Confidentiality;
}

/**
 * hcIdentifier issuing authorities, one per identifier type ("IssuingAuthority:Type:ID:Status").
 * Placeholders: the agency's real authority OIDs are not public; replace them when known.
 */
export const IDENTIFIER_AUTHORITIES: Readonly<Record<IdentifierType, { authority: string; type: string }>> = {
  ehealth: { authority: 'LU-AGENCE-ESANTE', type: 'EHEALTHID' },
  rpreg: { authority: 'LU-MINSANTE-REGISTRE', type: 'RPREG' },
  rnrpp: { authority: 'LU-RNRPP', type: 'RNRPP' },
  luxtrust: { authority: 'LU-LUXTRUST', type: 'CARDNUMBER' },
};

export function displayName(r: Pick<DirectoryRecord, 'givenName' | 'sn'>): string {
  return `${r.givenName} ${r.sn}`;
}

/**
 * A result row. Restricted entries show identity, profession, specialty and mail only; their
 * practice places (city, establishment) stay masked. Callers never get hidden records: adapters
 * filter them out before this is called, and this throws if one slips through.
 */
export function toSummary(r: DirectoryRecord): ProfessionalSummary {
  if (r.confidentiality === 'hidden') throw new Error('hidden directory entry reached the view layer');
  const s: ProfessionalSummary = {
    id: r.id,
    sn: r.sn,
    givenName: r.givenName,
    displayName: displayName(r),
    profession: r.profession,
    mail: r.mail,
    confidentiality: r.confidentiality,
  };
  if (r.specialty) s.specialty = r.specialty;
  if (r.confidentiality === 'public') {
    const first = r.practices[0];
    if (first) {
      s.city = first.city;
      if (first.establishment) s.establishment = first.establishment;
    }
  }
  return s;
}

/**
 * The identity card. Public: everything. Restricted: the summary's fields plus title, certificate and
 * preferred language (what a sender needs to write to them securely); no practice places, sector,
 * communities or identifiers.
 */
export function toCard(r: DirectoryRecord): Professional {
  const card: Professional = toSummary(r);
  if (r.title) card.title = r.title;
  if (r.certificate) card.certificate = r.certificate;
  if (r.preferredLanguage) card.preferredLanguage = r.preferredLanguage;
  if (r.confidentiality === 'public') {
    card.sector = r.sector;
    card.practices = r.practices.map((p) => ({ ...p }));
    card.communities = [...r.communities];
    card.identifiers = r.identifiers.map((i) => ({ ...i }));
  }
  return card;
}

/**
 * nameKeys() memoised: names, cities and establishments repeat a lot across 100k entries, and folding
 * is the bulk of the cost of loading an index or writing an LDIF. Bounded so it cannot grow forever.
 */
const keyCache = new Map<string, string[]>();
function cachedNameKeys(value: string): string[] {
  let keys = keyCache.get(value);
  if (!keys) {
    if (keyCache.size >= 50_000) keyCache.clear();
    keys = nameKeys(value);
    keyCache.set(value, keys);
  }
  return keys;
}

/** Index keys of a record, shared by the embedded index and the LDAP entries' esanteSearch* values. */
export function searchKeys(r: DirectoryRecord) {
  const sn = cachedNameKeys(r.sn);
  const givenName = cachedNameKeys(r.givenName);
  return {
    sn,
    givenName,
    city: [...new Set(r.practices.flatMap((p) => cachedNameKeys(p.city)))],
    establishment: [...new Set(r.practices.flatMap((p) => (p.establishment ? cachedNameKeys(p.establishment) : [])))],
    identifiers: r.identifiers.map((i) => identifierKey(i.type, i.value)),
    // sn[0] / givenName[0] are the folded values themselves (nameKeys puts the whole folded value first).
    sort: `${sn[0] ?? ''}\u0001${givenName[0] ?? ''}\u0001${r.id}`,
  };
}

export function identifierKey(type: IdentifierType, value: string): string {
  return `${type}:${foldIdentifier(value)}`;
}

// ---- LDAP mapping -------------------------------------------------------------------------------

export const PROFESSIONALS_RDN = 'ou=HCProfessional';

/** Attributes the adapter reads back (never `*`: we ask for what we map). */
export const LDAP_ATTRIBUTES = [
  'uid', 'sn', 'givenName', 'title', 'mail', 'preferredLanguage', 'hcIdentifier', 'hcProfession',
  'hcSpecialisation', 'hpdProviderPracticeAddress', 'businessCategory', 'esanteCommunity',
  'esanteConfidentiality', 'userSMIMECertificate',
] as const;
// (userSMIMECertificate has the Binary syntax in OpenLDAP's inetorgperson.schema: no ";binary" option.)

/** hpdProviderPracticeAddress value: "key=value" parts separated by "$" (HPD address style). */
function practiceToAddress(p: PracticePlace): string {
  const esc = (v: string) => v.replace(/\\/g, '\\5c').replace(/\$/g, '\\24');
  const parts = [`addr=${esc(p.street ?? '')}`, `postalCode=${esc(p.postalCode)}`, `city=${esc(p.city)}`, 'country=LU'];
  if (p.establishment) parts.push(`o=${esc(p.establishment)}`);
  return parts.join('$');
}

function addressToPractice(v: string): PracticePlace {
  const unesc = (s: string) => s.replace(/\\24/g, '$').replace(/\\5c/gi, '\\');
  const map = new Map<string, string>();
  for (const part of v.split('$')) {
    const i = part.indexOf('=');
    if (i > 0) map.set(part.slice(0, i).trim(), unesc(part.slice(i + 1)));
  }
  const p: PracticePlace = { postalCode: map.get('postalCode') ?? '', city: map.get('city') ?? '' };
  const street = map.get('addr');
  if (street) p.street = street;
  const o = map.get('o');
  if (o) p.establishment = o;
  return p;
}

/** The attributes of a record's LDAP entry, in LDIF order. */
export function toLdapAttributes(r: DirectoryRecord): Array<[string, string[]]> {
  const k = searchKeys(r);
  const attrs: Array<[string, string[]]> = [
    ['objectClass', ['top', 'person', 'organizationalPerson', 'inetOrgPerson', 'HCProfessional', 'HPDProvider', 'esanteProfessional']],
    ['uid', [r.id]],
    ['cn', [displayName(r)]],
    ['sn', [r.sn]],
    ['givenName', [r.givenName]],
    ['displayName', [displayName(r)]],
  ];
  if (r.title) attrs.push(['title', [r.title]]);
  attrs.push(['mail', [r.mail]]);
  if (r.preferredLanguage) attrs.push(['preferredLanguage', [r.preferredLanguage]]);
  attrs.push(
    ['hcIdentifier', r.identifiers.map((i) => {
      const a = IDENTIFIER_AUTHORITIES[i.type];
      return `${a.authority}:${a.type}:${i.value}:${i.status}`;
    })],
    ['hcProfession', [r.profession]],
  );
  if (r.specialty) attrs.push(['hcSpecialisation', [r.specialty]]);
  attrs.push(['hpdProviderStatus', ['Active']]);
  if (r.practices.length) {
    attrs.push(['hpdProviderPracticeAddress', r.practices.map(practiceToAddress)]);
    attrs.push(['postalCode', [...new Set(r.practices.map((p) => p.postalCode))]]);
    attrs.push(['l', [...new Set(r.practices.map((p) => p.city))]]);
    const orgs = [...new Set(r.practices.flatMap((p) => (p.establishment ? [p.establishment] : [])))];
    if (orgs.length) attrs.push(['o', orgs]);
  }
  attrs.push(['businessCategory', [r.sector]]);
  if (r.communities.length) attrs.push(['esanteCommunity', r.communities]);
  if (r.certificate) attrs.push(['userSMIMECertificate', [r.certificate]]);
  attrs.push(['esanteConfidentiality', [r.confidentiality]]);
  attrs.push(['esanteSearchSn', k.sn], ['esanteSearchGivenName', k.givenName]);
  if (k.city.length) attrs.push(['esanteSearchCity', k.city]);
  if (k.establishment.length) attrs.push(['esanteSearchEstablishment', k.establishment]);
  if (k.identifiers.length) attrs.push(['esanteIdentifierKey', k.identifiers]);
  attrs.push(['esanteSortKey', [k.sort]]);
  return attrs;
}

const TYPE_BY_AUTHORITY = new Map(
  IDENTIFIER_TYPES.map((t) => [`${IDENTIFIER_AUTHORITIES[t].authority}:${IDENTIFIER_AUTHORITIES[t].type}`.toLowerCase(), t]),
);

/** Parses "IssuingAuthority:Type:ID:Status"; unknown authorities are dropped (not ours to show). */
export function parseHcIdentifier(v: string): ProfessionalIdentifier | undefined {
  const parts = v.split(':');
  if (parts.length !== 4) return undefined;
  const type = TYPE_BY_AUTHORITY.get(`${parts[0]}:${parts[1]}`.toLowerCase());
  return type ? { type, value: parts[2]!, status: parts[3]! } : undefined;
}

type LdapValue = string | Buffer | ReadonlyArray<string | Buffer>;
/** Builds a record from a search entry as ldapts returns it (attribute names as requested). */
export function fromLdapEntry(e: Readonly<Record<string, LdapValue>>): DirectoryRecord {
  const all = (name: string): string[] => {
    const v = e[name];
    if (v === undefined) return [];
    const arr = Array.isArray(v) ? v : [v];
    return arr.map((x: string | Buffer) => (Buffer.isBuffer(x) ? x.toString('utf8') : x));
  };
  const one = (name: string): string | undefined => all(name)[0];
  const certRaw = e['userSMIMECertificate'];
  const cert = Array.isArray(certRaw) ? certRaw[0] : certRaw;
  const conf = (one('esanteConfidentiality') ?? 'hidden').toLowerCase();
  const r: DirectoryRecord = {
    id: one('uid') ?? '',
    sn: one('sn') ?? '',
    givenName: one('givenName') ?? '',
    profession: one('hcProfession') ?? '',
    sector: one('businessCategory') ?? '',
    mail: one('mail') ?? '',
    practices: all('hpdProviderPracticeAddress').map(addressToPractice),
    communities: all('esanteCommunity'),
    identifiers: all('hcIdentifier').flatMap((v) => parseHcIdentifier(v) ?? []),
    // Anything but a known visible level is treated as hidden: fail closed.
    confidentiality: conf === 'public' || conf === 'restricted' ? conf : 'hidden',
  };
  const title = one('title');
  if (title) r.title = title;
  const specialty = one('hcSpecialisation');
  if (specialty) r.specialty = specialty;
  const lang = one('preferredLanguage');
  if (lang) r.preferredLanguage = lang;
  if (cert !== undefined) r.certificate = Buffer.isBuffer(cert) ? cert.toString('base64') : String(cert);
  return r;
}
