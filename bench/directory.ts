/**
 * Directory benchmark, adapters only (`npm run bench:directory` runs bench/directory-service.ts, which adds
 * SearchProfessionals through the service on top of this):
 *
 *   node --import tsx bench/directory.ts [--count 100000] [--seed bench] [--queries 200]
 *
 * 1. generates COUNT entries (server-extension/src/directory/generate.ts), loads them into a real
 *    slapd (server-extension/test/support/slapd.ts) and into the embedded index;
 * 2. runs the same deterministic query mix (name prefixes, name + first name, identifiers, name +
 *    profession + city) through every measured path, sequentially, after a warm-up;
 * 3. prints p50/p95 per path and the target lines
 *      target <what>: <measured> (goal <goal>) PASS|FAIL
 *
 * The baseline is `ldapsearch` (OpenLDAP's CLI) on the same slapd with the same filter, returning the
 * displayed attributes of every match: the least a plain LDAP client must fetch to show a total and an
 * ordered first page, since LDAP has no offset. Its times include the CLI's process start-up (printed).
 * An info line also gives ldapsearch fetching only the sort keys (the adapter's first pass alone).
 *
 * Pluggable: `runDirectoryBench({ extraPaths })` adds measured paths built from the running slapd and
 * adapters, e.g. SearchProfessionals through the service's SOAP endpoint; a path may carry a goal
 * ratio against ldapsearch. The CLI measures the LdapDirectory adapter against that goal meanwhile.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { checkCriteria } from '../shared/directory/criteria.ts';
import { fold } from '../shared/directory/normalize.ts';
import type { SearchCriteria } from '../shared/directory/operations.ts';
import { EmbeddedDirectory } from '../server-extension/src/directory/embedded.ts';
import { Rng, generateDirectory, writeDirectoryFiles } from '../server-extension/src/directory/generate.ts';
import { LdapDirectory, buildFilter } from '../server-extension/src/directory/ldap.ts';
import { type DirectoryRecord, LDAP_ATTRIBUTES, PROFESSIONALS_RDN } from '../server-extension/src/directory/model.ts';
import { allowedCodes } from '../server-extension/src/directory/reference.ts';
import { type SlapdHandle, startSlapd } from '../server-extension/test/support/slapd.ts';

const execFileP = promisify(execFile);

/** One way of running a search; what it returns is not inspected. */
export type SearchFn = (criteria: SearchCriteria) => Promise<unknown>;

export interface MeasuredPath {
  label: string;
  search: SearchFn;
  /** When set, a target line compares this path's p95 with ldapsearch's p95. */
  goalRatioVsLdapsearch?: number;
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

async function measure(path: SearchFn, queries: readonly SearchCriteria[], warmup: number): Promise<{ p50: number; p95: number }> {
  for (let i = 0; i < Math.min(warmup, queries.length); i++) await path(queries[i]!);
  const times: number[] = [];
  for (const q of queries) {
    const t = performance.now();
    await path(q);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95) };
}

/**
 * The ldapsearch baseline: same filter (its RFC 4515 text, produced by ldapts from the same filter
 * object; the adapter itself never handles filter strings), same base and scope, displayed attributes.
 */
function ldapsearchPath(slapd: SlapdHandle, attributes: readonly string[] = LDAP_ATTRIBUTES): SearchFn {
  const allowed = allowedCodes();
  const base = `${PROFESSIONALS_RDN},${slapd.baseDN}`;
  return async (criteria) => {
    const checked = checkCriteria(criteria, allowed);
    if (!checked.ok) throw new Error(`bad bench query ${JSON.stringify(criteria)}`);
    const filter = buildFilter(checked.value).toString();
    await execFileP(
      'ldapsearch',
      ['-x', '-LLL', '-H', slapd.url, '-D', slapd.bindDN, '-y', slapd.passwordFile, '-b', base, '-s', 'one', '-z', '0', filter, ...attributes],
      { maxBuffer: 512 * 1024 * 1024 },
    );
  };
}

export async function runDirectoryBench(options: BenchOptions = {}): Promise<{ results: PathResult[]; targets: Array<{ line: string; pass: boolean }> }> {
  const count = options.count ?? 100_000;
  const seed = options.seed ?? 'bench';
  const nQueries = options.queries ?? 200;
  const warmup = options.warmup ?? 20;
  const log = options.log ?? ((l: string) => process.stdout.write(`${l}\n`));
  const work = mkdtempSync(join(tmpdir(), 'esante-bench-dir-'));
  let slapd: SlapdHandle | undefined;
  let ldap: LdapDirectory | undefined;
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

    const env: BenchEnv = { slapd, ldap, embedded, ldifFile: files.ldif, ndjsonFile: files.ndjson };
    const ldapDir = ldap;
    const paths: MeasuredPath[] = [
      { label: 'ldapsearch CLI', search: ldapsearchPath(slapd) },
      // For reading the numbers only: the adapter's first pass (sort keys of every match) alone.
      { label: 'ldapsearch CLI, sort keys only', search: ldapsearchPath(slapd, ['esanteSortKey']) },
      // In-process paths are warmed with the whole mix once: a service runs warm.
      { label: 'LdapDirectory adapter', search: (c) => ldapDir.search(c), goalRatioVsLdapsearch: 1.5, warmup: queries.length },
      { label: 'EmbeddedDirectory', search: (c) => embedded.search(c), goalP95Ms: 10, warmup: queries.length },
      ...((await options.extraPaths?.(env)) ?? []),
    ];

    // Process start-up of the CLI, for reading its numbers (a base search of one entry).
    const spawnTimes: number[] = [];
    for (let i = 0; i < 10; i++) {
      const s = performance.now();
      await execFileP('ldapsearch', ['-x', '-LLL', '-H', slapd.url, '-D', slapd.bindDN, '-y', slapd.passwordFile, '-b', slapd.baseDN, '-s', 'base', 'dn']);
      spawnTimes.push(performance.now() - s);
    }
    spawnTimes.sort((a, b) => a - b);
    log(`info ldapsearch start-up + bind + base search: p50 ${percentile(spawnTimes, 50).toFixed(2)} ms`);
    log(`info ${queries.length} queries per path, sequential; warm-up ${warmup} (ldapsearch), one full pass (in-process paths)`);

    const results: PathResult[] = [];
    for (const p of paths) {
      const m = await measure(p.search, queries, p.warmup ?? warmup);
      results.push({ label: p.label, ...m });
      log(`info ${p.label}: p50 ${m.p50.toFixed(2)} ms, p95 ${m.p95.toFixed(2)} ms`);
    }
    const baseline = results[0]!;
    const targets: Array<{ line: string; pass: boolean }> = [];
    paths.forEach((p, i) => {
      const r = results[i]!;
      if (p.goalRatioVsLdapsearch !== undefined) {
        const ratio = r.p95 / baseline.p95;
        const pass = ratio <= p.goalRatioVsLdapsearch;
        targets.push({ pass, line: `target ${p.label} p95 / ldapsearch p95: ${ratio.toFixed(2)}x (${r.p95.toFixed(2)} / ${baseline.p95.toFixed(2)} ms) (goal <= ${p.goalRatioVsLdapsearch}x) ${pass ? 'PASS' : 'FAIL'}` });
      }
      if (p.goalP95Ms !== undefined) {
        const pass = r.p95 <= p.goalP95Ms;
        targets.push({ pass, line: `target ${p.label} p95: ${r.p95.toFixed(2)} ms (goal <= ${p.goalP95Ms} ms) ${pass ? 'PASS' : 'FAIL'}` });
      }
    });
    for (const t of targets) log(t.line);
    return { results, targets };
  } finally {
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
