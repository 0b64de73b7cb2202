/**
 * Directory benchmark, adapters only (`npm run bench:directory` runs bench/directory-service.ts, which adds
 * SearchProfessionals and GetServiceInfo through the service on top of this):
 *
 *   node --import tsx bench/directory.ts [--count 100000] [--seed bench] [--queries 200]
 *
 * 1. generates COUNT entries (server-extension/src/directory/generate.ts), loads them into a real
 *    slapd (server-extension/test/support/slapd.ts) and into the embedded index;
 * 2. runs the same deterministic query mix (name prefixes, name + first name, identifiers, name +
 *    profession + city) through every measured path after a warm-up, INTERLEAVED: query i goes through
 *    every path before query i + 1, so a burst of load from elsewhere on the shared machine falls on all
 *    paths alike and the ratios stay meaningful;
 * 3. prints p50/p95 per path and the target lines
 *      target <what>: <measured> (goal <goal>) PASS|FAIL
 *
 * The LDAP reference (issue 17) is a bare search on a persistent bound connection (ldapts, the library the
 * adapter uses, no service): same slapd, same filter object, same base and scope, the displayed
 * attributes of every match: the least a plain LDAP client must fetch to show a total and an ordered
 * first page, since LDAP has no offset. It replaces the `ldapsearch` CLI, whose process start-up + bind
 * (45 ms p50) was more than a whole query. An info line also gives the bare search fetching only the
 * sort keys (the adapter's first pass alone).
 *
 * Pluggable: `runDirectoryBench({ extraPaths })` adds measured paths built from the running slapd and
 * adapters, e.g. SearchProfessionals through the service's SOAP endpoint; a path may carry a goal
 * ratio of its p95 against another path's p95 (by label), or an absolute p95 goal.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Client } from 'ldapts';
import { checkCriteria } from '../shared/directory/criteria.ts';
import { fold } from '../shared/directory/normalize.ts';
import type { SearchCriteria } from '../shared/directory/operations.ts';
import { EmbeddedDirectory } from '../server-extension/src/directory/embedded.ts';
import { Rng, generateDirectory, writeDirectoryFiles } from '../server-extension/src/directory/generate.ts';
import { LdapDirectory, buildFilter } from '../server-extension/src/directory/ldap.ts';
import { type DirectoryRecord, LDAP_ATTRIBUTES, PROFESSIONALS_RDN } from '../server-extension/src/directory/model.ts';
import { allowedCodes } from '../server-extension/src/directory/reference.ts';
import { type SlapdHandle, startSlapd } from '../server-extension/test/support/slapd.ts';

/** One way of running a search; what it returns is not inspected. */
export type SearchFn = (criteria: SearchCriteria) => Promise<unknown>;

/** Label of the LDAP reference path, for goals of other paths. */
export const BARE_LDAP = 'bare ldapts search (persistent bound connection, displayed attributes of every match)';
const BARE_LDAP_KEYS = 'bare ldapts search, sort keys only';

export interface MeasuredPath {
  label: string;
  search: SearchFn;
  /** When set, a target line compares this path's p95 with the p95 of the path labelled `vs`. */
  goalRatio?: { vs: string; max: number; /** how the reference is named in the target line */ name: string };
  /** When set, a target line compares this path's p95 with an absolute goal, ms. */
  goalP95Ms?: number;
  /** Queries run before measuring (JIT, connection pool, slapd caches); default BenchOptions.warmup. */
  warmup?: number;
}

export interface BenchEnv {
  slapd: SlapdHandle;
  ldap: LdapDirectory;
  embedded: EmbeddedDirectory;
  ldifFile: string;
  ndjsonFile: string;
}

export interface BenchOptions {
  count?: number;
  seed?: string;
  queries?: number;
  warmup?: number;
  /** Paths added by callers (e.g. the SOAP layer), built once everything is loaded. */
  extraPaths?: (env: BenchEnv) => Promise<MeasuredPath[]>;
  log?: (line: string) => void;
}

export interface PathResult {
  label: string;
  p50: number;
  p95: number;
  max: number;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** A deterministic query mix drawn from the data (hidden entries' identifiers included: they must cost the same). */
export function queryMix(records: readonly DirectoryRecord[], n: number, seed: string): SearchCriteria[] {
  const rng = new Rng(`${seed}:queries`);
  const allowed = allowedCodes();
  const out: SearchCriteria[] = [];
  while (out.length < n) {
    const r = rng.pick(records);
    const sn = fold(r.sn);
    const kind = rng.next();
    let c: SearchCriteria;
    if (kind < 0.4) c = { name: sn.slice(0, 3 + rng.int(4)) };
    else if (kind < 0.6) c = { name: sn.slice(0, 2 + rng.int(3)), firstName: fold(r.givenName).slice(0, 2 + rng.int(3)) };
    else if (kind < 0.8) {
      const idf = rng.pick(r.identifiers);
      c = { identifier: idf.value, identifierType: idf.type };
    } else c = { name: sn.slice(0, 2 + rng.int(3)), profession: r.profession, city: r.practices[0]?.city ?? 'Luxembourg' };
    if (checkCriteria(c, allowed).ok) out.push(c);
  }
  return out;
}

/** Warms every path, then times query i on every path before query i + 1 (see the header). */
async function measureInterleaved(paths: readonly MeasuredPath[], queries: readonly SearchCriteria[], warmup: number): Promise<Array<{ p50: number; p95: number; max: number }>> {
  for (const p of paths) for (let i = 0; i < Math.min(p.warmup ?? warmup, queries.length); i++) await p.search(queries[i]!);
  const times: number[][] = paths.map(() => []);
  for (const q of queries) {
    for (let j = 0; j < paths.length; j++) {
      const t = performance.now();
      await paths[j]!.search(q);
      times[j]!.push(performance.now() - t);
    }
  }
  if (process.env['BENCH_DIRECTORY_TRACE']) paths.forEach((p, j) => process.stderr.write(`trace ${p.label}: ${times[j]!.map((x) => x.toFixed(1)).join(' ')}\n`));
  return times.map((ts) => {
    ts.sort((a, b) => a - b);
    return { p50: percentile(ts, 50), p95: percentile(ts, 95), max: ts[ts.length - 1]! };
  });
}

/**
 * The bare LDAP reference: one ldapts connection bound once and kept, the same filter object the
 * adapter builds, same base and scope, `attributes` of every match, no size limit.
 */
async function bareLdapPath(slapd: SlapdHandle, attributes: readonly string[]): Promise<{ search: SearchFn; close: () => Promise<void> }> {
  const allowed = allowedCodes();
  const base = `${PROFESSIONALS_RDN},${slapd.baseDN}`;
  const client = new Client({ url: slapd.url, timeout: 30_000 });
  await client.bind(slapd.bindDN, slapd.password);
  return {
    search: async (criteria) => {
      const checked = checkCriteria(criteria, allowed);
      if (!checked.ok) throw new Error(`bad bench query ${JSON.stringify(criteria)}`);
      const { searchEntries } = await client.search(base, {
        scope: 'one',
        filter: buildFilter(checked.value),
        attributes: [...attributes],
        explicitBufferAttributes: attributes.includes('userSMIMECertificate') ? ['userSMIMECertificate'] : [],
        sizeLimit: 0,
      });
      return searchEntries.length;
    },
    close: () => client.unbind().catch(() => undefined),
  };
}

export async function runDirectoryBench(options: BenchOptions = {}): Promise<{ results: PathResult[]; targets: Array<{ line: string; pass: boolean }> }> {
  const count = options.count ?? 100_000;
  const seed = options.seed ?? 'bench';
  const nQueries = options.queries ?? 200;
  const log = options.log ?? ((l: string) => process.stdout.write(`${l}\n`));
  const work = mkdtempSync(join(tmpdir(), 'esante-bench-dir-'));
  let slapd: SlapdHandle | undefined;
  let ldap: LdapDirectory | undefined;
  const closers: Array<() => Promise<void>> = [];
  try {
    let t = performance.now();
    const records = generateDirectory({ count, seed });
    const files = writeDirectoryFiles(records, work, { seed });
    log(`info generated ${records.length} entries in ${Math.round(performance.now() - t)} ms`);
    t = performance.now();
    slapd = await startSlapd({ ldifFile: files.ldif });
    log(`info slapadd + slapd start: ${Math.round(performance.now() - t)} ms`);
    t = performance.now();
    const embedded = EmbeddedDirectory.fromSeedFile(files.ndjson);
    log(`info embedded index load: ${Math.round(performance.now() - t)} ms (${embedded.size} visible entries)`);
    ldap = new LdapDirectory({ url: slapd.url, bindDN: slapd.bindDN, password: slapd.password, baseDN: slapd.baseDN, poolSize: 2, timeoutMs: 30_000 });
    const queries = queryMix(records, nQueries, seed);
    // Every path is warmed with the whole mix once: slapd's entry cache, JIT, the pools, as a service runs warm.
    const warmup = options.warmup ?? queries.length;

    const env: BenchEnv = { slapd, ldap, embedded, ldifFile: files.ldif, ndjsonFile: files.ndjson };
    const ldapDir = ldap;
    const bare = await bareLdapPath(slapd, LDAP_ATTRIBUTES);
    const bareKeys = await bareLdapPath(slapd, ['esanteSortKey']);
    closers.push(bare.close, bareKeys.close);
    const vsBare = { vs: BARE_LDAP, name: 'bare ldapts search', max: 1.5 };
    const paths: MeasuredPath[] = [
      { label: BARE_LDAP, search: bare.search },
      // For reading the numbers only: the adapter's first pass (sort keys of every match) alone.
      { label: BARE_LDAP_KEYS, search: bareKeys.search },
      { label: 'LdapDirectory adapter', search: (c) => ldapDir.search(c), goalRatio: vsBare },
      { label: 'EmbeddedDirectory', search: (c) => embedded.search(c), goalP95Ms: 10 },
      ...((await options.extraPaths?.(env)) ?? []),
    ];
    log(`info ${queries.length} queries per path, interleaved across paths, after a warm-up of ${warmup} per path`);

    t = performance.now();
    const measured = await measureInterleaved(paths, queries, warmup);
    log(`info measuring took ${((performance.now() - t) / 1000).toFixed(1)} s`);
    const results: PathResult[] = paths.map((p, i) => ({ label: p.label, ...measured[i]! }));
    for (const r of results) log(`info ${r.label}: p50 ${r.p50.toFixed(2)} ms, p95 ${r.p95.toFixed(2)} ms, max ${r.max.toFixed(2)} ms`);
    // For reading the LDAP targets: the same paths against the least any search needs (pass 1 alone).
    const keysOnly = results.find((r) => r.label === BARE_LDAP_KEYS)!;
    paths.forEach((p, i) => {
      if (p.goalRatio?.vs === BARE_LDAP) log(`info ${p.label} p95 / bare sort-keys-only search p95: ${(results[i]!.p95 / keysOnly.p95).toFixed(2)}x (no goal)`);
    });
    const targets: Array<{ line: string; pass: boolean }> = [];
    paths.forEach((p, i) => {
      const r = results[i]!;
      if (p.goalRatio !== undefined) {
        const ref = results.find((x) => x.label === p.goalRatio!.vs);
        if (!ref) throw new Error(`${p.label}: no reference path labelled ${p.goalRatio.vs}`);
        const ratio = r.p95 / ref.p95;
        const pass = ratio <= p.goalRatio.max;
        targets.push({ pass, line: `target ${p.label} p95 / ${p.goalRatio.name} p95: ${ratio.toFixed(2)}x (${r.p95.toFixed(2)} / ${ref.p95.toFixed(2)} ms) (goal <= ${p.goalRatio.max}x) ${pass ? 'PASS' : 'FAIL'}` });
      }
      if (p.goalP95Ms !== undefined) {
        const pass = r.p95 <= p.goalP95Ms;
        targets.push({ pass, line: `target ${p.label} p95: ${r.p95.toFixed(2)} ms (goal <= ${p.goalP95Ms} ms) ${pass ? 'PASS' : 'FAIL'}` });
      }
    });
    for (const tl of targets) log(tl.line);
    return { results, targets };
  } finally {
    for (const c of closers) await c();
    await ldap?.close();
    await slapd?.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

/** True when the module at `moduleUrl` (its import.meta.url) is the script node was started with. */
export function isMainModule(moduleUrl: string): boolean {
  return !!process.argv[1] && resolve(process.argv[1]) === fileURLToPath(moduleUrl);
}

/** The command line shared by both directory benches: --count, --seed, --queries. */
export function benchArgs(): { count: number; seed: string; queries: number } {
  const { values } = parseArgs({
    options: {
      count: { type: 'string', default: '100000' },
      seed: { type: 'string', default: 'bench' },
      queries: { type: 'string', default: '200' },
    },
  });
  return { count: Number(values.count), seed: values.seed, queries: Number(values.queries) };
}

if (isMainModule(import.meta.url)) {
  runDirectoryBench(benchArgs())
    .then(({ targets }) => {
      process.exitCode = targets.every((t) => t.pass) ? 0 : 1;
    })
    .catch((err: unknown) => {
      process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = 2;
    });
}
