/**
 * Deterministic generator of a synthetic Luxembourg professional directory.
 *
 *   node --import tsx server-extension/src/directory/generate.ts --count N --seed S --out DIR [--base-dn DN] [--users FILE]
 *
 * writes DIR/directory.ldif (for slapadd), DIR/directory.ndjson (the embedded directory's seed, one
 * DirectoryRecord per line) and DIR/directory.meta.json (count, seed, base DN, counts per level).
 * Same count + seed → byte-identical files. Default: 300 entries, seed "esante".
 *
 * Realism comes from the vendored data (data/README.md): attested surnames and first names combined
 * at random (never rebuilding real pairs), real localities and postal codes, professions, specialties,
 * establishments and communities. Everything that identifies a person is SYNTHETIC:
 *   - names are random combinations; mails follow the guide's prenom.nom@esante.lu rule;
 *   - the four identifiers are opaque values that carry "SYN" in clear, in formats that imitate no
 *     real numbering (see data/identifiers.md): the RNRPP value in particular is NOT a 13-digit
 *     matricule and cannot pass the Luhn/Verhoeff checks of one;
 *   - street numbers and street names are generic.
 * The users of `usersFile` / `--users FILE` (in development the sandbox's sandbox/seed/users.json) are the
 * first entries, public, same mail and names; this module never reads that file unless it is named.
 */
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { fold } from '../../../shared/directory/normalize.ts';
import { mailLocalPart } from '../../../shared/provisioning/address.ts';
import type { Confidentiality, IdentifierType, PracticePlace, ProfessionalIdentifier } from '../../../shared/directory/operations.ts';
import { type DirectoryRecord, PROFESSIONALS_RDN, toLdapAttributes } from './model.ts';
import { type RawEstablishment, type RawLocality, communityCodes, rawData, sectorOfEstablishment } from './reference.ts';

export const DEFAULT_BASE_DN = 'dc=HPD,dc=esante,dc=lu';
export const DEFAULT_COUNT = 300;
export const DEFAULT_SEED = 'esante';

// ---- seeded PRNG (xmur3 string hash → sfc32): small, fast, well distributed, reproducible everywhere ----

function xmur3(str: string): () => number {
  let h = 1779033703 ^ str.length;
  for (let i = 0; i < str.length; i++) {
    h = Math.imul(h ^ str.charCodeAt(i), 3432918353);
    h = (h << 13) | (h >>> 19);
  }
  return () => {
    h = Math.imul(h ^ (h >>> 16), 2246822507);
    h = Math.imul(h ^ (h >>> 13), 3266489909);
    return (h ^= h >>> 16) >>> 0;
  };
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  constructor(seed: string) {
    const h = xmur3(seed);
    this.a = h();
    this.b = h();
    this.c = h();
    this.d = h();
  }
  /** Uniform in [0, 1). */
  next(): number {
    this.a >>>= 0; this.b >>>= 0; this.c >>>= 0; this.d >>>= 0;
    const t = (this.a + this.b) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.d = (this.d + 1) | 0;
    const r = (t + this.d) | 0;
    this.c = (this.c + r) | 0;
    return (r >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)]!;
  }
}

/** Picks from a weighted table in O(log n). */
class Weighted<T> {
  private readonly cumulative: number[] = [];
  private readonly total: number;
  constructor(private readonly items: ReadonlyArray<readonly [T, number]>) {
    let sum = 0;
    for (const [, w] of items) this.cumulative.push((sum += w));
    this.total = sum;
  }
  pick(rng: Rng): T {
    const x = rng.next() * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulative[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return this.items[lo]![0];
  }
}

// ---- vocabulary not in the vendored data ------------------------------------------------------------

/**
 * Surname spellings added by this project (not from a source) so that the data covers ß and lower-case
 * particles, which the attested list lacks. Common forms, combined at random like the others.
 */
const EXTRA_SURNAMES = ['Weiß', 'Strauß', 'Groß', 'de la Fontaine', 'de Waha', 'van den Bossche', 'Ben Saïd', 'Kläsener'];

/** Generic street names found in most Luxembourg localities (no real address is rebuilt: numbers are random). */
const STREETS = [
  'rue de la Gare', 'Grand-Rue', 'rue Principale', 'route d’Arlon', 'rue de l’Église', 'avenue de la Liberté',
  'rue du Moulin', 'rue de la Libération', 'rue des Prés', 'rue de Luxembourg', 'rue du Fort', 'rue des Jardins',
  'rue de l’Hôpital', 'place du Marché', 'rue Nicolas Welter', 'boulevard Kennedy',
];

/** Relative frequency of professions (orders of magnitude of Luxembourg's registers; not exact counts). */
const PROFESSION_WEIGHTS: ReadonlyArray<readonly [string, number]> = [
  ['medecin-generaliste', 10], ['medecin-specialiste', 18], ['medecin-dentiste', 5], ['medecin-dentiste-specialiste', 1],
  ['pharmacien', 5], ['psychotherapeute', 2], ['aide-soignant', 10], ['assistant-hygiene-sociale', 0.5],
  ['assistant-social', 1], ['atm-chirurgie', 1], ['atm-laboratoire', 1], ['atm-radiologie', 1.5], ['dieteticien', 1],
  ['ergotherapeute', 1.5], ['infirmier', 22], ['infirmier-anesthesie-reanimation', 1.5], ['infirmier-pediatrie', 1.5],
  ['infirmier-gradue', 3], ['infirmier-psychiatrique', 1.5], ['laborantin', 2], ['masseur', 0.5],
  ['masseur-kinesitherapeute', 6], ['orthophoniste', 1], ['orthoptiste', 0.3], ['osteopathe', 1],
  ['pedagogue-curatif', 1], ['podologue', 0.5], ['reeducateur-psychomotricite', 0.5], ['sage-femme', 1.5],
  ['assistant-senior', 0.5],
];

/** Share of each profession working in a hospital (the rest: private practice, home care, pharmacy, lab). */
function hospitalShare(profession: string): number {
  if (profession.startsWith('infirmier-') || profession.startsWith('atm-')) return 0.9;
  switch (profession) {
    case 'medecin-specialiste': return 0.7;
    case 'infirmier': return 0.55;
    case 'aide-soignant': return 0.5;
    case 'sage-femme': return 0.7;
    case 'ergotherapeute': case 'dieteticien': case 'assistant-social': return 0.5;
    case 'masseur-kinesitherapeute': return 0.25;
    case 'pharmacien': case 'laborantin': return 0.1;
    default: return 0.05;
  }
}

const CONFIDENTIALITY = new Weighted<Confidentiality>([['public', 85], ['restricted', 10], ['hidden', 5]]);
const LANGUAGES = new Weighted<string>([['fr', 50], ['de', 25], ['lb', 15], ['en', 6], ['pt', 4]]);
const BASE32 = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

// ---- the generator --------------------------------------------------------------------------------------

export interface GenerateOptions {
  count?: number;
  seed?: string;
  /** JSON file whose users[] come first (the sandbox's seed in development); none by default. */
  usersFile?: string;
}

interface SandboxUser {
  givenName: string; sn: string; mail: string; profession: string; specialty: string | null;
  locality: string; postalCode: string; establishment: string | null; lang: string;
}

/**
 * The guide's address rule (p. 4), the one first login applies (shared/provisioning/address.ts):
 * every generated name is Latin and short, so a null there is a bug in the name lists.
 */
function generatedLocalPart(givenName: string, sn: string): string {
  const local = mailLocalPart(givenName, sn);
  if (local === null) throw new Error(`generate: no address for ${givenName} ${sn}`);
  return local;
}

export function generateDirectory(options: GenerateOptions = {}): DirectoryRecord[] {
  const count = options.count ?? DEFAULT_COUNT;
  const rng = new Rng(options.seed ?? DEFAULT_SEED);
  const d = rawData();
  // Named seeded users (development and e2e: the sandbox's) come first; without a file the directory is
  // purely synthetic, as in a deployed bundle, which has no sandbox.
  const users = options.usersFile ? (JSON.parse(readFileSync(options.usersFile, 'utf8')) as { users: SandboxUser[] }).users : [];

  const surnames = [...d.names.surnames.map((s) => s.surname), ...EXTRA_SURNAMES];
  const firstNames = d.names.firstNames.map((f) => f.firstName);
  const doubleBarrelBase = d.names.surnames.filter((s) => s.origin === 'luxembourgish_german' || s.origin === 'french').map((s) => s.surname);
  const professions = new Weighted(PROFESSION_WEIGHTS);
  const localityByName = new Map(d.localities.map((l) => [l.locality, l]));
  const localities = new Weighted(d.localities.map((l) => [l, Math.max(1, l.postalCodes.length)] as const));
  const specialtiesMed = d.specialties.filter((s) => !s.profession && s.code !== 'medecine-generale').map((s) => s.code);
  const specialtiesDent = d.specialties.filter((s) => s.profession).map((s) => s.code);
  const withSector = d.establishments.map((e) => ({ e, sector: sectorOfEstablishment(e) }));
  const hospitals = withSector.filter((x) => x.sector === 'hospitalier' && /hôpital|hospitalier|clinique|centre/i.test(x.e.sector)).map((x) => x.e);
  const labs = withSector.filter((x) => x.sector === 'laboratoire').map((x) => x.e);
  const homeCare = withSector.filter((x) => x.sector === 'soins-domicile').map((x) => x.e);
  const gpHouses = d.establishments.filter((e) => fold(e.name).startsWith('maison medicale'));
  const codes = communityCodes(d.communities);
  const codeByShortName = new Map(d.communities.map((c, i) => [c.shortName, codes[i]!]));
  const community = (short: string): string => {
    const code = codeByShortName.get(short);
    if (code === undefined) throw new Error(`community ${short} missing from data/communities.json`);
    return code;
  };
  const hospitalNames = new Set(hospitals.map((h) => h.name));
  const sectorByEstablishment = new Map(withSector.map((x) => [x.e.name, x.sector]));
  const mailParts = new Map<string, string>();
  const councilCode = codes[d.communities.findIndex((c) => c.fr.startsWith('Conseil médical du'))]!;
  const collegeCode = codes[d.communities.findIndex((c) => c.fr === 'Collège médical')]!;

  const usedIds = new Set<string>();
  const usedMails = new Set<string>(users.map((u) => u.mail));
  const usedIdentifiers = new Set<string>();
  const mailCounters = new Map<string, number>();
  const unique = (set: Set<string>, make: () => string): string => {
    for (;;) {
      const v = make();
      if (!set.has(v)) {
        set.add(v);
        return v;
      }
    }
  };
  const chars = (n: number, alphabet = BASE32) => {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[rng.int(alphabet.length)];
    return s;
  };
  const makeIdentifiers = (): ProfessionalIdentifier[] => {
    const make: Record<IdentifierType, () => string> = {
      ehealth: () => `EH-SYN-${chars(8)}`,
      rpreg: () => `RPREG-SYN-${chars(7, '0123456789')}`,
      rnrpp: () => `RNRPP-SYN-${chars(9, '0123456789')}`,
      luxtrust: () => `LT-SYN-${chars(10)}`,
    };
    return (Object.keys(make) as IdentifierType[]).map((type) => ({
      type,
      value: unique(usedIdentifiers, make[type]),
      status: 'active',
    }));
  };
  const street = () => `${1 + rng.int(150)}, ${rng.pick(STREETS)}`;
  const postalCodeFor = (l: RawLocality) => rng.pick(l.postalCodes.length ? l.postalCodes : [l.postalCode]);
  const placeAt = (e: RawEstablishment): PracticePlace => {
    const m = e.address ? /L-(\d{4})\s+(.+)$/.exec(e.address) : null;
    const loc = localityByName.get(e.locality);
    return {
      establishment: e.name,
      street: m ? e.address!.split(', L-')[0]! : street(),
      postalCode: m ? m[1]! : loc ? postalCodeFor(loc) : '8521',
      city: e.locality,
    };
  };
  const privatePlace = (): PracticePlace => {
    const l = localities.pick(rng);
    return { street: street(), postalCode: postalCodeFor(l), city: l.locality };
  };
  const communitiesFor = (profession: string, specialty: string | undefined, practices: PracticePlace[]): string[] => {
    const out = new Set<string>();
    if (rng.chance(0.6)) out.add(community('eSanté'));
    if (profession.startsWith('medecin')) {
      if (rng.chance(0.9)) out.add(collegeCode);
      if (rng.chance(0.7)) out.add(community('AMMD'));
      if (profession === 'medecin-generaliste' && rng.chance(0.4)) out.add(community('CMG'));
      if (specialty === 'gastro-enterologie' && rng.chance(0.6)) out.add(community('SLGE'));
      if (practices.some((p) => p.establishment && hospitalNames.has(p.establishment)) && rng.chance(0.3)) out.add(councilCode);
    }
    if (profession.startsWith('infirmier') && rng.chance(0.4)) out.add(community('ANIL'));
    if (profession === 'pharmacien' && rng.chance(0.7)) out.add(community('SPL'));
    if (profession === 'masseur-kinesitherapeute' && rng.chance(0.5)) out.add(community('ALK'));
    if (profession === 'sage-femme' && rng.chance(0.5)) out.add(community('ALSF'));
    if (profession === 'pedagogue-curatif' && rng.chance(0.5)) out.add(community('ALPC'));
    if ((profession === 'laborantin' || profession === 'atm-laboratoire') && rng.chance(0.3)) out.add(community('FLLAM'));
    if (practices.some((p) => p.establishment?.startsWith('Help')) && rng.chance(0.5)) out.add(community('Help'));
    if ((specialty === 'oncologie-medicale' || specialty === 'radiotherapie') && rng.chance(0.5)) out.add(community('INC'));
    if (rng.chance(0.03)) out.add(community('Omega 90'));
    if (rng.chance(0.02)) out.add(community('MdM'));
    return [...out];
  };
  const sectorFor = (profession: string, practices: PracticePlace[]): string => {
    const est = practices[0]?.establishment;
    const sector = est ? sectorByEstablishment.get(est) : undefined;
    if (sector) return sector;
    if (profession === 'pharmacien') return 'pharmacie';
    if (profession === 'laborantin' || profession === 'atm-laboratoire') return 'laboratoire';
    return 'extrahospitalier';
  };
  const practicesFor = (profession: string): PracticePlace[] => {
    const places: PracticePlace[] = [];
    if (rng.chance(hospitalShare(profession))) places.push(placeAt(rng.pick(hospitals)));
    else if ((profession === 'laborantin' || profession === 'atm-laboratoire') && rng.chance(0.8)) places.push(placeAt(rng.pick(labs)));
    else if ((profession === 'infirmier' || profession === 'aide-soignant') && rng.chance(0.6)) places.push(placeAt(rng.pick(homeCare)));
    else if (profession === 'medecin-generaliste' && rng.chance(0.1)) places.push(placeAt(rng.pick(gpHouses)));
    else places.push(privatePlace());
    // Some professionals work in two places (a cabinet and a hospital site, two sites of a group).
    if (rng.chance(0.15)) places.push(rng.chance(0.5) ? privatePlace() : placeAt(rng.pick(hospitals)));
    return places;
  };
  const newId = () => unique(usedIds, () => `pro-${chars(10).toLowerCase()}`);

  const records: DirectoryRecord[] = [];
  for (const u of users) {
    const loc = localityByName.get(u.locality);
    const est = u.establishment ? d.establishments.find((e) => e.name === u.establishment) : undefined;
    const place: PracticePlace = { street: street(), postalCode: u.postalCode, city: loc?.locality ?? u.locality };
    if (est) place.establishment = est.name;
    const practices = [place];
    const r: DirectoryRecord = {
      id: newId(),
      sn: u.sn,
      givenName: u.givenName,
      profession: u.profession,
      sector: sectorFor(u.profession, practices),
      mail: u.mail,
      practices,
      communities: communitiesFor(u.profession, u.specialty ?? undefined, practices),
      identifiers: makeIdentifiers(),
      preferredLanguage: u.lang,
      confidentiality: 'public',
    };
    if (u.specialty) r.specialty = u.specialty;
    if (u.profession.startsWith('medecin')) r.title = 'Dr';
    records.push(r);
  }

  while (records.length < count) {
    const givenName = rng.pick(firstNames);
    let sn = rng.pick(surnames);
    if (rng.chance(0.06)) sn = `${rng.pick(doubleBarrelBase)}-${rng.pick(doubleBarrelBase)}`;
    const profession = professions.pick(rng);
    let specialty: string | undefined;
    if (profession === 'medecin-specialiste') specialty = rng.pick(specialtiesMed);
    if (profession === 'medecin-dentiste-specialiste') specialty = rng.pick(specialtiesDent);
    const practices = practicesFor(profession);
    // Namesakes get prenom.nom.2@, .3@… (a counter per local part keeps this linear at 100k+ entries).
    const pair = `${givenName}\u0000${sn}`;
    let local = mailParts.get(pair);
    if (local === undefined) mailParts.set(pair, (local = generatedLocalPart(givenName, sn)));
    const mail = unique(usedMails, () => {
      const n = (mailCounters.get(local) ?? 0) + 1;
      mailCounters.set(local, n);
      return n === 1 ? `${local}@esante.lu` : `${local}.${n}@esante.lu`;
    });
    const r: DirectoryRecord = {
      id: newId(),
      sn,
      givenName,
      profession,
      sector: sectorFor(profession, practices),
      mail,
      practices,
      communities: communitiesFor(profession, specialty, practices),
      identifiers: makeIdentifiers(),
      preferredLanguage: LANGUAGES.pick(rng),
      confidentiality: CONFIDENTIALITY.pick(rng),
    };
    if (specialty) r.specialty = specialty;
    if (profession.startsWith('medecin')) r.title = 'Dr';
    records.push(r);
  }
  return records;
}

// ---- writers ------------------------------------------------------------------------------------------

const LDIF_SAFE = /^[\x21-\x39\x3b\x3d-\x7e][\x20-\x7e]*$/;
/** RFC 2849: a value is written base64 (`::`) unless it is plain printable ASCII that LDIF can hold as is. */
function ldifLine(attr: string, value: string): string {
  if (LDIF_SAFE.test(value) && !value.endsWith(' ')) return `${attr}: ${value}`;
  return `${attr}:: ${Buffer.from(value, 'utf8').toString('base64')}`;
}

export function ldifHeader(baseDN: string): string {
  const dc = /^dc=([^,]+)/i.exec(baseDN)?.[1] ?? 'HPD';
  return [
    `dn: ${baseDN}`, 'objectClass: top', 'objectClass: dcObject', 'objectClass: organization', `dc: ${dc}`,
    'o: eSante professional directory', '',
    `dn: ${PROFESSIONALS_RDN},${baseDN}`, 'objectClass: top', 'objectClass: organizationalUnit', 'ou: HCProfessional', '', '',
  ].join('\n');
}

export function ldifEntry(r: DirectoryRecord, baseDN: string): string {
  // Lines are joined once: repeated `+=` builds deep string ropes that cost far more to flatten at write time.
  const lines = [`dn: uid=${r.id},${PROFESSIONALS_RDN},${baseDN}`];
  for (const [attr, values] of toLdapAttributes(r)) {
    for (const v of values) {
      // The certificate is already base64 DER: written as is after "::".
      lines.push(attr === 'userSMIMECertificate' ? `${attr}:: ${v}` : ldifLine(attr, v));
    }
  }
  lines.push('', '');
  return lines.join('\n');
}

export interface WrittenFiles {
  ldif: string;
  ndjson: string;
  meta: string;
}

/** Writes the LDIF, the NDJSON seed and the meta file into `dir` (created if missing). */
export function writeDirectoryFiles(records: readonly DirectoryRecord[], dir: string, meta: { seed: string; baseDN?: string }): WrittenFiles {
  mkdirSync(dir, { recursive: true });
  const baseDN = meta.baseDN ?? DEFAULT_BASE_DN;
  const files = { ldif: join(dir, 'directory.ldif'), ndjson: join(dir, 'directory.ndjson'), meta: join(dir, 'directory.meta.json') };
  const ldif = openSync(files.ldif, 'w');
  const nd = openSync(files.ndjson, 'w');
  try {
    writeSync(ldif, ldifHeader(baseDN));
    const BATCH = 2000;
    for (let i = 0; i < records.length; i += BATCH) {
      const slice = records.slice(i, i + BATCH);
      writeSync(ldif, slice.map((r) => ldifEntry(r, baseDN)).join(''));
      writeSync(nd, slice.map((r) => `${JSON.stringify(r)}\n`).join(''));
    }
  } finally {
    closeSync(ldif);
    closeSync(nd);
  }
  const levels: Record<Confidentiality, number> = { public: 0, restricted: 0, hidden: 0 };
  for (const r of records) levels[r.confidentiality]++;
  writeFileSync(files.meta, `${JSON.stringify({ count: records.length, seed: meta.seed, baseDN, levels }, null, 2)}\n`);
  return files;
}

/** Reads an NDJSON seed back (the embedded directory's loader uses this). */
export function readNdjson(file: string): DirectoryRecord[] {
  const out: DirectoryRecord[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) if (line.trim()) out.push(JSON.parse(line) as DirectoryRecord);
  return out;
}

// ---- CLI ------------------------------------------------------------------------------------------------

function main(): void {
  const { values } = parseArgs({
    options: {
      count: { type: 'string', default: String(DEFAULT_COUNT) },
      seed: { type: 'string', default: DEFAULT_SEED },
      out: { type: 'string' },
      'base-dn': { type: 'string', default: DEFAULT_BASE_DN },
      users: { type: 'string' },
    },
  });
  const count = Number(values.count);
  if (!Number.isInteger(count) || count < 1 || count > 5_000_000) throw new Error('--count must be an integer between 1 and 5000000');
  if (!values.out) throw new Error('--out DIR is required');
  const started = performance.now();
  const records = generateDirectory({ count, seed: values.seed, usersFile: values.users ? resolve(values.users) : undefined });
  const files = writeDirectoryFiles(records, resolve(values.out), { seed: values.seed, baseDN: values['base-dn'] });
  const ms = Math.round(performance.now() - started);
  process.stdout.write(`generated ${records.length} entries (seed ${JSON.stringify(values.seed)}) in ${ms} ms\n  ${files.ldif}\n  ${files.ndjson}\n  ${files.meta}\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}
