/**
 * The embedded Directory: an in-process, read-only index over the generator's NDJSON seed. The default
 * adapter (`npm start`, tests, sandbox); production uses LdapDirectory.
 *
 * Built for p95 ≤ 10 ms on 100 000 entries:
 * - hidden entries are not indexed: only their mail → (id, display name) is kept, for findByMail;
 * - records are sorted once by the result order (folded sn, givenName, id), so a record's array index
 *   IS its rank and sorting a result is sorting small integers;
 * - every name key (shared/directory/normalize.ts nameKeys) sits in one sorted array: a prefix is a
 *   binary search plus a scan of the matching range; the same keys per profession too, so that
 *   "name + profession" (the usual search: a doctor called Sch…) scans only that profession's range;
 *   first names have their own sorted array, and a search with both scans the shorter range;
 * - identifiers are a hash map from "<type>:<folded value>" to the record;
 * - every other criterion is checked on precomputed fields of the candidates, cheapest first: the
 *   restricted flag and the codes (profession, specialty, sector) sit in typed arrays indexed by rank
 *   (numbers compared in a few cache lines, not strings reached through each record), then each
 *   record's folded keys joined in one string ("\u0001key1\u0001key2": a prefix test is one
 *   `includes`), then sets. A short name prefix ("sc") visits ~10 000 keys, so this loop is the
 *   search's cost.
 */
import { type AllowedCodes, type NormalisedCriteria, restrictedMayMatch } from '../../../shared/directory/criteria.ts';
import type { DirectoryReferences, PageRequest, Professional, SearchCriteria, SearchResult } from '../../../shared/directory/operations.ts';
import { readNdjson } from './generate.ts';
import { type DirectoryRecord, displayName, identifierKey, searchKeys, toCard, toSummary } from './model.ts';
import { type Directory, type ListedProfessional, checkId, checkMail, prepareSearch } from './port.ts';
import { allowedCodes, directoryReferences } from './reference.ts';

interface Indexed {
  record: DirectoryRecord;
  postalCodes: string[];
  communities: ReadonlySet<string>;
}

/** A sorted list of (key, record index) pairs answering "which records have a key starting with p". */
class PrefixIndex {
  private readonly keys: string[];
  private readonly refs: Int32Array;
  constructor(pairs: Array<[string, number]>) {
    pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]));
    this.keys = pairs.map((p) => p[0]);
    this.refs = Int32Array.from(pairs, (p) => p[1]);
  }
  /**
   * The positions [from, to) of the keys starting with `prefix`: they are contiguous in sorted order,
   * after every key below the prefix. Two binary searches, so the caller's loop has no string test.
   */
  range(prefix: string): { from: number; to: number } {
    const keys = this.keys;
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keys[mid]! < prefix) lo = mid + 1;
      else hi = mid;
    }
    const from = lo;
    hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keys[mid]!.startsWith(prefix)) lo = mid + 1;
      else hi = mid;
    }
    return { from, to: lo };
  }
  /** Record index of the key at `position` (duplicates possible: a record has several keys). */
  ref(position: number): number {
    return this.refs[position]!;
  }
}

/**
 * Separator of the joined key columns. Folded keys never contain it (the sort keys of model.ts rely on
 * that too), so "some key starts with p" is `joined.includes(KEY + p)`.
 */
const KEY = '\u0001';
const joinKeys = (keys: readonly string[]): string => (keys.length ? KEY + keys.join(KEY) : '');

/** Code filters: ANY = no criterion; NONE = a code no record has (0 would match records without one). */
const ANY = -1;
const NONE = -2;

export class EmbeddedDirectory implements Directory {
  private readonly entries: Indexed[];
  private readonly byId: Map<string, number>;
  private readonly byIdentifier: Map<string, number>;
  /** Every entry's mail, hidden ones included, for findByMail only (id and display name, nothing else). */
  private readonly byMail: Map<string, ListedProfessional>;
  private readonly names: PrefixIndex;
  /** The name keys of each profession's records, by profession code id. */
  private readonly namesByProfession = new Map<number, PrefixIndex>();
  private readonly givenNames: PrefixIndex;
  private readonly refs: DirectoryReferences;
  private readonly allowed: AllowedCodes;
  /** Dedup marks for a search: seen[i] === stamp means record i is already a candidate. */
  private readonly seen: Uint32Array;
  private stamp = 0;
  /** Columns by record index: 1 = restricted; code ids of profession, specialty, sector (0 = none). */
  private readonly restricted: Uint8Array;
  private readonly profession: Int32Array;
  private readonly specialty: Int32Array;
  private readonly sector: Int32Array;
  private readonly codeIds = new Map<string, number>();
  /** Columns by record index: every folded key of the surname, first name, cities, establishments, joined (joinKeys). */
  private readonly snKeys: string[] = [];
  private readonly givenNameKeys: string[] = [];
  private readonly cityKeys: string[] = [];
  private readonly establishmentKeys: string[] = [];
  /** The hits of the running search (synchronous, so one buffer serves every search). */
  private readonly hits: Int32Array;

  constructor(records: Iterable<DirectoryRecord>, options: { references?: DirectoryReferences } = {}) {
    this.refs = options.references ?? directoryReferences();
    this.allowed = allowedCodes(this.refs);
    const kept: Array<{ r: DirectoryRecord; k: ReturnType<typeof searchKeys> }> = [];
    this.byMail = new Map();
    for (const r of records) {
      this.byMail.set(r.mail.toLowerCase(), { id: r.id, displayName: displayName(r) });
      if (r.confidentiality !== 'public' && r.confidentiality !== 'restricted') continue; // hidden or unknown: not in the search index
      kept.push({ r, k: searchKeys(r) });
    }
    kept.sort((a, b) => (a.k.sort < b.k.sort ? -1 : a.k.sort > b.k.sort ? 1 : 0));
    this.entries = [];
    this.byId = new Map();
    this.byIdentifier = new Map();
    this.restricted = new Uint8Array(kept.length);
    this.profession = new Int32Array(kept.length);
    this.specialty = new Int32Array(kept.length);
    this.sector = new Int32Array(kept.length);
    this.hits = new Int32Array(kept.length);
    const codeId = (code: string | undefined): number => {
      if (!code) return 0;
      let id = this.codeIds.get(code);
      if (id === undefined) this.codeIds.set(code, (id = this.codeIds.size + 1));
      return id;
    };
    const namePairs: Array<[string, number]> = [];
    const givenNamePairs: Array<[string, number]> = [];
    const namePairsByProfession = new Map<number, Array<[string, number]>>();
    kept.forEach(({ r, k }, i) => {
      this.restricted[i] = r.confidentiality === 'restricted' ? 1 : 0;
      this.profession[i] = codeId(r.profession);
      this.specialty[i] = codeId(r.specialty);
      this.sector[i] = codeId(r.sector);
      this.snKeys.push(joinKeys(k.sn));
      this.givenNameKeys.push(joinKeys(k.givenName));
      this.cityKeys.push(joinKeys(k.city));
      this.establishmentKeys.push(joinKeys(k.establishment));
      this.entries.push({
        record: r,
        postalCodes: r.practices.map((p) => p.postalCode),
        communities: new Set(r.communities),
      });
      this.byId.set(r.id, i);
      for (const key of k.identifiers) this.byIdentifier.set(key, i);
      let professionPairs = namePairsByProfession.get(this.profession[i]!);
      if (!professionPairs) namePairsByProfession.set(this.profession[i]!, (professionPairs = []));
      for (const key of k.sn) {
        namePairs.push([key, i]);
        professionPairs.push([key, i]);
      }
      for (const key of k.givenName) givenNamePairs.push([key, i]);
    });
    this.names = new PrefixIndex(namePairs);
    this.givenNames = new PrefixIndex(givenNamePairs);
    for (const [profession, pairs] of namePairsByProfession) this.namesByProfession.set(profession, new PrefixIndex(pairs));
    this.seen = new Uint32Array(this.entries.length);
  }

  /** Loads the generator's NDJSON seed (DIR/directory.ndjson). */
  static fromSeedFile(file: string, options: { references?: DirectoryReferences } = {}): EmbeddedDirectory {
    return new EmbeddedDirectory(readNdjson(file), options);
  }

  /** Number of entries a caller can ever see (hidden ones are not loaded). */
  get size(): number {
    return this.entries.length;
  }

  async search(raw: SearchCriteria, rawPage?: Partial<PageRequest>): Promise<SearchResult> {
    const { criteria, page } = prepareSearch(raw, rawPage, this.allowed);
    // Index order is the result order; a typed array sorts numerically without a comparator call per pair.
    const hits = this.hits.subarray(0, this.match(criteria)).sort();
    return {
      total: hits.length,
      items: Array.from(hits.subarray(page.offset, page.offset + page.limit), (i) => toSummary(this.entries[i]!.record)),
    };
  }

  async get(rawId: string): Promise<Professional | null> {
    const i = this.byId.get(checkId(rawId));
    return i === undefined ? null : toCard(this.entries[i]!.record);
  }

  async references(): Promise<DirectoryReferences> {
    return this.refs;
  }

  async findByMail(mail: string): Promise<ListedProfessional | null> {
    const found = this.byMail.get(checkMail(mail));
    return found ? { ...found } : null;
  }

  async close(): Promise<void> {}

  /** The id of a criterion's code (≥ 1), ANY when absent, NONE when no record has it. Code ids start at 1; 0 is "no code" in a column. */
  private codeFilter(code: string | undefined): number {
    return code === undefined ? ANY : (this.codeIds.get(code) ?? NONE);
  }

  /** Puts the record indexes matching `c` in this.hits[0…n) (unordered) and returns n. */
  private match(c: NormalisedCriteria): number {
    const restrictedOk = restrictedMayMatch(c);
    const profession = this.codeFilter(c.profession);
    const specialty = this.codeFilter(c.specialty);
    const sector = this.codeFilter(c.sector);
    // Criteria checked on the record itself, after the columns (rarer, and costlier to read). Read
    // once here: criteria objects come in many shapes, so each c.x read in the loop would be slow.
    const { community, postalCode } = c;
    let firstName = c.firstName === undefined ? undefined : KEY + c.firstName;
    const city = c.city === undefined ? undefined : KEY + c.city;
    const establishment = c.establishment === undefined ? undefined : KEY + c.establishment;
    const slow = community !== undefined || postalCode !== undefined;
    const { restricted: restrictedColumn, profession: professionColumn, specialty: specialtyColumn, sector: sectorColumn } = this;
    const { givenNameKeys, cityKeys, establishmentKeys, entries } = this;
    const accept = (i: number): boolean => {
      if (restrictedColumn[i] === 1 && !restrictedOk) return false;
      if (profession !== ANY && professionColumn[i] !== profession) return false;
      if (specialty !== ANY && specialtyColumn[i] !== specialty) return false;
      if (sector !== ANY && sectorColumn[i] !== sector) return false;
      if (firstName !== undefined && !givenNameKeys[i]!.includes(firstName)) return false;
      if (city !== undefined && !cityKeys[i]!.includes(city)) return false;
      if (establishment !== undefined && !establishmentKeys[i]!.includes(establishment)) return false;
      if (!slow) return true;
      const e = entries[i]!;
      if (community !== undefined && !e.communities.has(community)) return false;
      if (postalCode !== undefined && !e.postalCodes.includes(postalCode)) return false;
      return true;
    };
    const hits = this.hits;
    let n = 0;
    if (c.identifier) {
      for (const type of c.identifier.types) {
        const i = this.byIdentifier.get(identifierKey(type, c.identifier.value));
        if (i === undefined || hits.subarray(0, n).includes(i) || !accept(i)) continue;
        // With an identifier, a name narrows the hit instead of driving the search.
        if (c.name !== undefined && !this.snKeys[i]!.includes(KEY + c.name)) continue;
        hits[n++] = i;
      }
      return n;
    }
    // name is required when there is no identifier (checked by prepareSearch)
    const stamp = this.nextStamp();
    const seen = this.seen;
    const byName = profession === ANY ? this.names : this.namesByProfession.get(profession);
    if (!byName) return 0; // a profession no record has
    // Scan the shorter of the name's and the first name's ranges; the other is then checked per record.
    let driver = byName;
    let { from, to } = byName.range(c.name!);
    let name: string | undefined; // set when the name is not the driver
    if (c.firstName !== undefined) {
      const byFirstName = this.givenNames.range(c.firstName);
      if (byFirstName.to - byFirstName.from < to - from) {
        driver = this.givenNames;
        ({ from, to } = byFirstName);
        name = KEY + c.name!;
        firstName = undefined; // every record of this range has it
      }
    }
    const snKeys = this.snKeys;
    for (let p = from; p < to; p++) {
      const i = driver.ref(p);
      if (seen[i] === stamp) continue;
      seen[i] = stamp;
      if (accept(i) && (name === undefined || snKeys[i]!.includes(name))) hits[n++] = i;
    }
    return n;
  }

  private nextStamp(): number {
    this.stamp = (this.stamp + 1) >>> 0;
    if (this.stamp === 0) {
      this.seen.fill(0);
      this.stamp = 1;
    }
    return this.stamp;
  }
}
