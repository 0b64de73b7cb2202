#!/usr/bin/env node
// @ts-check
/**
 * `npm run build`: the five zimlet packages and the service bundle, in a few seconds.
 *   dist/zimlets/<name>.zip        each validated with build/validate-zimlet.mjs (the build fails on any violation)
 *   dist/service/esante-service.mjs + dist/service/package.json   (`npm install --omit=dev && node esante-service.mjs`)
 * Options: --zimlets-only, --service-only, --out DIR (default dist/).
 */
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { rollup } from 'rollup';
import { zimletBundleConfig } from '../rollup.config.mjs';
import { zimletFiles, zipFiles } from './package-zimlet.mjs';
import { formatViolation, validateZimletZip } from './validate-zimlet.mjs';
import { ROOT, ZIMLETS } from './zimlets.mjs';

/** @returns {Promise<{ version: string, dependencies: Record<string, string> }>} */
async function rootPackage() {
  return JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8'));
}

/**
 * Bundles one zimlet's handler with rollup and returns the IIFE code.
 * @param {import('./zimlets.mjs').ZimletSpec} zimlet
 */
export async function bundleZimlet(zimlet) {
  const config = zimletBundleConfig(zimlet);
  /** @type {string[]} */
  const warnings = [];
  // Any rollup warning (unresolved import, circular dependency, eval…) fails the build.
  const bundle = await rollup({ ...config, onwarn: (w) => void warnings.push(w.message) });
  try {
    const { output } = await bundle.generate({ ...config.output, file: undefined });
    if (warnings.length > 0) throw new Error(`${zimlet.name}: rollup warnings:\n  ${warnings.join('\n  ')}`);
    const [chunk, ...others] = output;
    if (!chunk || chunk.type !== 'chunk' || others.length > 0) throw new Error(`${zimlet.name}: expected exactly one output chunk`);
    return chunk.code;
  } finally {
    await bundle.close();
  }
}

/**
 * Builds, packages and validates every zimlet. Throws with every violation (zip, file, rule) listed.
 * @param {{ outDir?: string }} [opts]
 * @returns {Promise<string[]>} paths of the zips
 */
export async function buildZimlets({ outDir = path.join(ROOT, 'dist', 'zimlets') } = {}) {
  const { version } = await rootPackage();
  await mkdir(outDir, { recursive: true });
  const zips = await Promise.all(
    ZIMLETS.map(async (zimlet) => {
      const bundle = await bundleZimlet(zimlet);
      const zipPath = path.join(outDir, `${zimlet.name}.zip`);
      await writeFile(zipPath, await zipFiles(await zimletFiles(zimlet, { version, bundle })));
      return zipPath;
    }),
  );
  const violations = (await Promise.all(zips.map(validateZimletZip))).flat();
  if (violations.length > 0) {
    // Do not leave a bad package where the sandbox or an admin could pick it up.
    await Promise.all(zips.map((z) => rm(z, { force: true })));
    throw new Error(`zimlet validation failed:\n${violations.map(formatViolation).join('\n')}`);
  }
  return zips;
}

const SERVICE_ENTRY = path.join(ROOT, 'server-extension', 'src', 'main.ts');
/** Bundled beside the service: `node rotate-master-key.mjs add-key | rewrap | retire` (docs/master-key-rotation.md). */
const SERVICE_TOOLS = { 'rotate-master-key': path.join(ROOT, 'server-extension', 'src', 'rotate-master-key.ts') };

/**
 * Bundles the service with esbuild. Every npm dependency stays external (native modules such as
 * better-sqlite3 cannot be bundled, and CommonJS packages inlined into an ESM file break on their
 * dynamic `require`s); dist/service/package.json lists exactly the packages the bundle imports, at the
 * root package.json's versions.
 * @param {{ outDir?: string, entry?: string }} [opts]
 * @returns {Promise<string | undefined>} path of the bundle, undefined if the entry does not exist yet
 */
export async function buildService({ outDir = path.join(ROOT, 'dist', 'service'), entry = SERVICE_ENTRY } = {}) {
  const pkg = await rootPackage();
  if (!existsSync(entry)) throw new Error(`build: service entry ${path.relative(ROOT, entry)} is missing`);
  const deps = pkg.dependencies ?? {};
  await mkdir(outDir, { recursive: true });
  const outfile = path.join(outDir, 'esante-service.mjs');
  // The admin's command-line tools travel with the real service (not with a test fixture entry).
  /** @type {Record<string, string>} */
  const entryPoints = { 'esante-service': entry, ...(entry === SERVICE_ENTRY ? SERVICE_TOOLS : {}) };
  const result = await esbuild.build({
    entryPoints,
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: Object.keys(deps),
    metafile: true,
    sourcemap: true,
    legalComments: 'eof',
    logLevel: 'warning',
    banner: { js: '// eSanté secure messaging service. Configuration: environment variables (see README).' },
  });
  const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
  /** @type {Record<string, string>} */
  const runtime = {};
  for (const output of Object.values(result.metafile.outputs)) {
    for (const imp of output.imports) {
      if (!imp.external || builtins.has(imp.path)) continue;
      const name = imp.path.startsWith('@') ? imp.path.split('/').slice(0, 2).join('/') : (imp.path.split('/')[0] ?? imp.path);
      const version = deps[name];
      if (!version) throw new Error(`build: the service imports "${name}", which is not a dependency in package.json`);
      runtime[name] = version;
    }
  }
  // Reference data the embedded directory reads at run time (./data/ next to the bundle, as in the sources).
  const dataDir = path.join(ROOT, 'server-extension', 'src', 'directory', 'data');
  await cp(dataDir, path.join(outDir, 'data'), { recursive: true, filter: (f) => !f.endsWith('.md') || f.endsWith('README.md') });
  const servicePackage = {
    name: 'esante-service',
    version: pkg.version,
    private: true,
    description: 'eSanté secure messaging service (built bundle). Run: npm install --omit=dev && node esante-service.mjs',
    type: 'module',
    engines: { node: '>=20' },
    main: 'esante-service.mjs',
    scripts: { start: 'node esante-service.mjs', ...(entry === SERVICE_ENTRY ? { 'rotate-master-key': 'node rotate-master-key.mjs' } : {}) },
    dependencies: Object.fromEntries(Object.entries(runtime).sort(([a], [b]) => a.localeCompare(b))),
  };
  await writeFile(path.join(outDir, 'package.json'), JSON.stringify(servicePackage, null, 2) + '\n');
  return outfile;
}

async function main() {
  const args = new Set(process.argv.slice(2));
  const started = Date.now();
  try {
    if (!args.has('--service-only')) {
      const zips = await buildZimlets();
      for (const z of zips) console.log(`built ${path.relative(ROOT, z)}`);
    }
    if (!args.has('--zimlets-only')) {
      const service = await buildService();
      if (service) console.log(`built ${path.relative(ROOT, service)} and dist/service/package.json`);
      console.log(`built ${path.relative(ROOT, await (await import('./portal.mjs')).buildPortal())}`);
    }
  } catch (e) {
    console.error(/** @type {Error} */ (e).message);
    process.exit(1);
  }
  console.log(`build done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
