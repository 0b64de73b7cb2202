/**
 * The embedded Directory: an in-process, read-only index over the generator's NDJSON seed. The default
 * adapter (`npm start`, tests, sandbox); production uses LdapDirectory.
 *
 * Built for p95 ≤ 10 ms on 100 000 entries:
 * - hidden entries are not indexed: only their mail → (id, display name) is kept, for findByMail;
 * - records are sorted once by the result order (folded sn, givenName, id), so a record's array index
 *   IS its rank and sorting a result is sorting small integers;
 * - every name key (shared/directory/normalize.ts nameKeys) sits in one sorted array: a prefix is a
 *   binary search plus a scan of the matching range;
 * - identifiers are a hash map from "<type>:<folded value>" to the record;
 * - every other criterion is checked on precomputed folded fields of the candidates.
 */
import { type AllowedCodes, type NormalisedCriteria, restrictedMayMatch } from '../../../shared/directory/criteria.ts';
import { nameKeys } from '../../../shared/directory/normalize.ts';
import type { DirectoryReferences, PageRequest, Professional, SearchCriteria, SearchResult } from '../../../shared/directory/types.ts';
import { readNdjson } from './generate.ts';
import { type DirectoryRecord, displayName, identifierKey, searchKeys, toCard, toSummary } from './model.ts';
import { type Directory, type ListedProfessional, checkId, checkMail, prepareSearch } from './port.ts';
import { allowedCodes, directoryReferences } from './reference.ts';

interface Indexed {
  record: DirectoryRecord;
  restricted: boolean;
  givenNameKeys: string[];
  cityKeys: string[];
  establishmentKeys: string[];
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
  /** Calls `visit` with each record index having a key that starts with `prefix` (duplicates possible). */
  scan(prefix: string, visit: (index: number) => void): void {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.keys[mid]! < prefix) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.keys.length && this.keys[i]!.startsWith(prefix); i++) visit(this.refs[i]!);
  }
}

const startsAny = (keys: readonly string[], prefix: string) => keys.some((k) => k.startsWith(prefix));

export class EmbeddedDirectory implements Directory {
  private readonly entries: Indexed[];
  private readonly byId: Map<string, number>;
  private readonly byIdentifier: Map<string, number>;
  /** Every entry's mail, hidden ones included, for findByMail only (id and display name, nothing else). */
  private readonly byMail: Map<string, ListedProfessional>;
  private readonly names: PrefixIndex;
  private readonly refs: DirectoryReferences;
  private readonly allowed: AllowedCodes;
  /** Dedup marks for a search: seen[i] === stamp means record i is already a candidate. */
  private readonly seen: Uint32Array;
  private stamp = 0;

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
    const namePairs: Array<[string, number]> = [];
    kept.forEach(({ r, k }, i) => {
      this.entries.push({
        record: r,
        restricted: r.confidentiality === 'restricted',
        givenNameKeys: k.givenName,
        cityKeys: k.city,
        establishmentKeys: k.establishment,
        postalCodes: r.practices.map((p) => p.postalCode),
        communities: new Set(r.communities),
      });
      this.byId.set(r.id, i);
      for (const key of k.identifiers) this.byIdentifier.set(key, i);
      for (const key of k.sn) namePairs.push([key, i]);
    });
    this.names = new PrefixIndex(namePairs);
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
    const hits = Int32Array.from(this.match(criteria)).sort();
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

  private match(c: NormalisedCriteria): number[] {
    const restrictedOk = restrictedMayMatch(c);
    const accept = (i: number): boolean => {
      const e = this.entries[i]!;
      const r = e.record;
      if (e.restricted && !restrictedOk) return false;
      if (c.firstName !== undefined && !startsAny(e.givenNameKeys, c.firstName)) return false;
      if (c.profession !== undefined && r.profession !== c.profession) return false;
      if (c.specialty !== undefined && r.specialty !== c.specialty) return false;
      if (c.sector !== undefined && r.sector !== c.sector) return false;
      if (c.community !== undefined && !e.communities.has(c.community)) return false;
      if (c.postalCode !== undefined && !e.postalCodes.includes(c.postalCode)) return false;
      if (c.city !== undefined && !startsAny(e.cityKeys, c.city)) return false;
      if (c.establishment !== undefined && !startsAny(e.establishmentKeys, c.establishment)) return false;
      if (c.name !== undefined && !c.identifier) return true; // came from the name index
      if (c.name !== undefined && !startsAny(nameKeys(r.sn), c.name)) return false;
      return true;
    };
    const out: number[] = [];
    if (c.identifier) {
      for (const type of c.identifier.types) {
        const i = this.byIdentifier.get(identifierKey(type, c.identifier.value));
        if (i !== undefined && !out.includes(i) && accept(i)) out.push(i);
      }
      return out;
    }
    // name is required when there is no identifier (checked by prepareSearch)
    const stamp = this.nextStamp();
    this.names.scan(c.name!, (i) => {
      if (this.seen[i] === stamp) return;
      this.seen[i] = stamp;
      if (accept(i)) out.push(i);
    });
    return out;
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
