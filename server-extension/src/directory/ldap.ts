/**
 * The LDAP Directory: the eSanté professional directory (HPD schema, server-extension/ldap/) through
 * ldapts@8.
 *
 * - A small pool of bound connections, used round-robin (LDAP multiplexes operations on one
 *   connection, so a pool of 2–4 is enough for a service instance). A connection that fails or times
 *   out is dropped and rebuilt on next use.
 * - Timeouts: TCP connect (`connectTimeoutMs`), and one deadline for a whole call (`timeoutMs`,
 *   bind + both searches): past it the call fails with directory.unavailable, never hangs.
 * - Filters are built ONLY from ldapts filter objects (EqualityFilter, SubstringFilter, AndFilter,
 *   OrFilter), which BER-encode the values: user input is never parsed as filter syntax, so `*`, `(`,
 *   `)`, `\` and the like are searched literally (ldapjs mishandled this, see notes/toolchain.md).
 * - Accent-insensitivity: queries hit the folded esanteSearch* attributes with the shared fold()
 *   (why: see the schema file's header).
 * - Paging with a total: LDAP has no offset. Pass 1 fetches only `esanteSortKey` of every match
 *   (the total, and the order: sort key = folded sn, givenName, uid); pass 2 fetches the full
 *   entries of the requested page by uid. The service account has no size limit (slapd `limits`).
 * - Hidden entries: the filter only ever admits esanteConfidentiality=public (and =restricted when
 *   every criterion is one a restricted entry may be found by); slapd's ACL also hides them from the
 *   service account (slapd.conf.template), and fromLdapEntry fails closed on an unknown level.
 */
import { AndFilter, Client, EqualityFilter, type Filter, OrFilter, SubstringFilter } from 'ldapts';
import { type AllowedCodes, type NormalisedCriteria, restrictedMayMatch } from '../../../shared/directory/criteria.ts';
import type { DirectoryReferences, PageRequest, Professional, SearchCriteria, SearchResult } from '../../../shared/directory/operations.ts';
import { DirectoryError } from './errors.ts';
import { LDAP_ATTRIBUTES, PROFESSIONALS_RDN, displayName, fromLdapEntry, identifierKey, toCard, toSummary } from './model.ts';
import { type Directory, type ListedProfessional, checkId, checkMail, prepareSearch } from './port.ts';
import { allowedCodes, directoryReferences } from './reference.ts';

export interface LdapDirectoryOptions {
  /** ldap://host:port or ldaps://host:port */
  url: string;
  bindDN: string;
  password: string;
  /** Suffix of the directory; professionals live under `ou=HCProfessional,<baseDN>`. */
  baseDN: string;
  /** Bound connections kept open (default 4). */
  poolSize?: number;
  /** TCP connect timeout, ms (default 2000). */
  connectTimeoutMs?: number;
  /** Deadline of one whole call (bind + searches), ms (default 3000). */
  timeoutMs?: number;
  tlsOptions?: import('node:tls').ConnectionOptions;
  references?: DirectoryReferences;
}

interface Slot {
  client: Client;
  bound?: Promise<void>;
}

const eq = (attribute: string, value: string) => new EqualityFilter({ attribute, value });
const prefix = (attribute: string, value: string) => new SubstringFilter({ attribute, initial: value, any: [] });

/** The confidentiality levels a search may reach: public, plus restricted when every criterion is one it shows. Never hidden. */
export function levelsFilter(c: NormalisedCriteria): Filter {
  return restrictedMayMatch(c)
    ? new OrFilter({ filters: [eq('esanteConfidentiality', 'public'), eq('esanteConfidentiality', 'restricted')] })
    : eq('esanteConfidentiality', 'public');
}

/** The filter of a search: the reachable levels AND every criterion. */
export function buildFilter(c: NormalisedCriteria): Filter {
  const parts: Filter[] = [levelsFilter(c)];
  if (c.name !== undefined) parts.push(prefix('esanteSearchSn', c.name));
  if (c.firstName !== undefined) parts.push(prefix('esanteSearchGivenName', c.firstName));
  if (c.profession !== undefined) parts.push(eq('hcProfession', c.profession));
  if (c.specialty !== undefined) parts.push(eq('hcSpecialisation', c.specialty));
  if (c.sector !== undefined) parts.push(eq('businessCategory', c.sector));
  if (c.community !== undefined) parts.push(eq('esanteCommunity', c.community));
  if (c.postalCode !== undefined) parts.push(eq('postalCode', c.postalCode));
  if (c.city !== undefined) parts.push(prefix('esanteSearchCity', c.city));
  if (c.establishment !== undefined) parts.push(prefix('esanteSearchEstablishment', c.establishment));
  if (c.identifier) {
    const keys = c.identifier.types.map((t) => eq('esanteIdentifierKey', identifierKey(t, c.identifier!.value)));
    parts.push(keys.length === 1 ? keys[0]! : new OrFilter({ filters: keys }));
  }
  return new AndFilter({ filters: parts });
}

export class LdapDirectory implements Directory {
  private readonly options: Required<Omit<LdapDirectoryOptions, 'tlsOptions' | 'references'>> & Pick<LdapDirectoryOptions, 'tlsOptions'>;
  private readonly searchBase: string;
  private readonly slots: Slot[];
  private next = 0;
  /** Calls running on the pool now (poolStats). */
  private inUse = 0;
  private closed = false;
  private readonly refs: DirectoryReferences;
  private readonly allowed: AllowedCodes;

  constructor(options: LdapDirectoryOptions) {
    this.options = {
      url: options.url,
      bindDN: options.bindDN,
      password: options.password,
      baseDN: options.baseDN,
      poolSize: options.poolSize ?? 4,
      connectTimeoutMs: options.connectTimeoutMs ?? 2000,
      timeoutMs: options.timeoutMs ?? 3000,
      tlsOptions: options.tlsOptions,
    };
    this.searchBase = `${PROFESSIONALS_RDN},${options.baseDN}`;
    this.slots = Array.from({ length: Math.max(1, this.options.poolSize) }, () => ({ client: this.newClient() }));
    this.refs = options.references ?? directoryReferences();
    this.allowed = allowedCodes(this.refs);
  }

  async search(raw: SearchCriteria, rawPage?: Partial<PageRequest>): Promise<SearchResult> {
    const { criteria, page } = prepareSearch(raw, rawPage, this.allowed);
    const filter = buildFilter(criteria);
    return this.withConnection(async (client) => {
      const { searchEntries } = await client.search(this.searchBase, { scope: 'one', filter, attributes: ['esanteSortKey'], sizeLimit: 0 });
      const keys = searchEntries.map((e) => String(e['esanteSortKey'] ?? '')).sort();
      const ids = keys.slice(page.offset, page.offset + page.limit).map((k) => k.slice(k.lastIndexOf('\u0001') + 1));
      if (ids.length === 0) return { total: keys.length, items: [] };
      const pageFilter = new AndFilter({
        filters: [
          // Same levels as pass 1, so an entry that became hidden in between is not shown.
          levelsFilter(criteria),
          ids.length === 1 ? eq('uid', ids[0]!) : new OrFilter({ filters: ids.map((id) => eq('uid', id)) }),
        ],
      });
      const full = await client.search(this.searchBase, {
        scope: 'one',
        filter: pageFilter,
        attributes: [...LDAP_ATTRIBUTES],
        explicitBufferAttributes: ['userSMIMECertificate'],
        sizeLimit: ids.length,
      });
      const byId = new Map(full.searchEntries.map((e) => {
        const r = fromLdapEntry(e);
        return [r.id, r] as const;
      }));
      const items = ids.flatMap((id) => {
        const r = byId.get(id);
        return r && r.confidentiality !== 'hidden' ? [toSummary(r)] : [];
      });
      return { total: keys.length, items };
    });
  }

  async get(rawId: string): Promise<Professional | null> {
    const id = checkId(rawId);
    return this.withConnection(async (client) => {
      const filter = new AndFilter({
        filters: [new OrFilter({ filters: [eq('esanteConfidentiality', 'public'), eq('esanteConfidentiality', 'restricted')] }), eq('uid', id)],
      });
      const { searchEntries } = await client.search(this.searchBase, {
        scope: 'one',
        filter,
        attributes: [...LDAP_ATTRIBUTES],
        explicitBufferAttributes: ['userSMIMECertificate'],
        sizeLimit: 2,
      });
      if (searchEntries.length !== 1) return null;
      const r = fromLdapEntry(searchEntries[0]!);
      return r.confidentiality === 'hidden' ? null : toCard(r);
    });
  }

  async findByMail(rawMail: string): Promise<ListedProfessional | null> {
    const mail = checkMail(rawMail);
    return this.withConnection(async (client) => {
      // No confidentiality filter on purpose (see the port): the caller asks about itself.
      const { searchEntries } = await client.search(this.searchBase, {
        scope: 'one',
        filter: eq('mail', mail),
        attributes: ['uid', 'givenName', 'sn'],
        sizeLimit: 2,
      });
      if (searchEntries.length !== 1) return null;
      const r = fromLdapEntry(searchEntries[0]!);
      return { id: r.id, displayName: displayName(r) };
    });
  }

  async references(): Promise<DirectoryReferences> {
    return this.refs;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.client.unbind().catch(() => undefined)));
  }

  private newClient(): Client {
    return new Client({
      url: this.options.url,
      connectTimeout: this.options.connectTimeoutMs,
      timeout: this.options.timeoutMs,
      tlsOptions: this.options.tlsOptions,
      // A connection the server closed while idle is reopened by ldapts on next use; replaying the
      // bind keeps it authenticated (slapd refuses anonymous searches).
      autoRebind: true,
    });
  }

  /**
   * Runs `op` on a bound pooled connection within the call deadline. Any failure of the directory
   * (refused, reset, timeout, bad credentials, server error) becomes directory.unavailable; the
   * connection is dropped so the next call starts afresh.
   */
  private async withConnection<T>(op: (client: Client) => Promise<T>): Promise<T> {
    if (this.closed) throw new DirectoryError('directory.unavailable');
    const slot = this.slots[this.next++ % this.slots.length]!;
    this.inUse++;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`directory call exceeded ${this.options.timeoutMs} ms`)), this.options.timeoutMs);
    });
    const work = (async () => {
      slot.bound ??= slot.client.bind(this.options.bindDN, this.options.password);
      await slot.bound;
      return op(slot.client);
    })();
    try {
      return await Promise.race([work, deadline]);
    } catch (err) {
      work.catch(() => undefined); // the abandoned attempt may still settle later
      this.reset(slot);
      throw new DirectoryError('directory.unavailable', [], { cause: err });
    } finally {
      clearTimeout(timer);
      this.inUse--;
    }
  }

  /** The pool for /metrics: its size, connections bound (or binding), calls in flight. */
  poolStats(): Readonly<Record<'size' | 'bound' | 'in_use', number>> {
    return { size: this.slots.length, bound: this.slots.filter((s) => s.bound !== undefined).length, in_use: this.inUse };
  }

  private reset(slot: Slot): void {
    const old = slot.client;
    slot.client = this.newClient();
    slot.bound = undefined;
    old.unbind().catch(() => undefined);
  }
}
