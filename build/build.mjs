#!/usr/bin/env node
// @ts-check
/**
 * `npm run build`: the five zimlet packages and the service bundle, in a few seconds.
 *   dist/zimlets/<name>.zip        each validated with build/validate-zimlet.mjs (the build fails on any violation)
 *   dist/service/esante-service.mjs + dist/service/package.json   (`npm install --omit=dev && node esante-service.mjs`)
 * Options: --zimlets-only, --service-only, --out DIR (default dist/).
 */
import { cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { rollup } from 'rollup';
import { zimletBundleConfig } from '../rollup.config.mjs';
import { zimletFiles, zipFiles } from './package-zimlet.mjs';
import { START_LIMITS, checkStartSizes, formatStartSizes, startSizes } from './start-size.mjs';
import { formatViolation, validateZimletZip } from './validate-zimlet.mjs';
import { ROOT, ZIMLETS } from './zimlets.mjs';

/** @returns {Promise<{ version: string, dependencies: Record<string, string> }>} */
async function rootPackage() {
  return JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8'));
}

/**
 * Runs rollup and returns the code of its single output chunk and the ids of the modules in it; any
 * warning (unresolved import, circular dependency, eval…) fails the build.
 * @param {string} what for the messages
 * @param {import('rollup').RollupOptions} options
 * @param {import('rollup').OutputOptions} output
 * @returns {Promise<{ code: string, modules: string[] }>}
 */
async function rollupOne(what, options, output) {
  /** @type {string[]} */
  const warnings = [];
  const bundle = await rollup({ ...options, onwarn: (w) => void warnings.push(w.message) });
  try {
    const { output: chunks } = await bundle.generate({ ...output, file: undefined });
    if (warnings.length > 0) throw new Error(`${what}: rollup warnings:\n  ${warnings.join('\n  ')}`);
    const [chunk, ...others] = chunks;
    if (!chunk || chunk.type !== 'chunk' || others.length > 0) throw new Error(`${what}: expected exactly one output chunk`);
    return { code: chunk.code, modules: Object.keys(chunk.modules) };
  } finally {
    await bundle.close();
  }
}

/**
 * Modules whose classes cross between the start-time script and the parts loaded later: the host
 * (ZimbraZimletHost and its ZimbraSoapError), the mail port's MailPortError, the service client's
 * ServiceFault. A part must check `err instanceof ZimbraSoapError` against the class the host threw,
 * not a copy of its own, so when the start-time script has one of these modules, its parts take it
 * from there (the start-time script hands it over, zimlets/common/chunk-loader.ts shareWithParts)
 * instead of bundling their own copy. Paths relative to the repository.
 */
export const SHARED_WITH_PARTS = Object.freeze(['zimlets/common/zimbra-host.ts', 'shared/host/mail-port.ts', 'shared/soap/client.ts']);
const CHUNK_LOADER = path.join(ROOT, 'zimlets', 'common', 'chunk-loader.ts');
const SHARE_PREFIX = '\0esante-share:';
const SHARED_PREFIX = '\0esante-shared:';
const rel = (/** @type {string} */ id) => path.relative(ROOT, id).split(path.sep).join('/');

/**
 * Bundles one zimlet's handler with rollup and returns the IIFE code, and which of SHARED_WITH_PARTS
 * it hands over to its parts (only a zimlet that has parts hands anything over).
 * @param {import('./zimlets.mjs').ZimletSpec} zimlet
 * @param {{ withParts?: boolean }} [opts] default: whether the zimlet has `*.chunk.ts` parts
 * @returns {Promise<{ code: string, shared: string[] }>}
 */
export async function bundleZimletStart(zimlet, { withParts } = {}) {
  const config = zimletBundleConfig(zimlet);
  const first = await rollupOne(zimlet.name, config, config.output);
  const hasParts = withParts ?? (await zimletChunkSources(zimlet)).length > 0;
  if (!hasParts) return { code: first.code, shared: [] };
  const shared = first.modules.map(rel).filter((m) => SHARED_WITH_PARTS.includes(m));
  if (shared.length === 0) return { code: first.code, shared };
  // Once more, the entry importing one small module per shared module that hands it over.
  /** @type {import('rollup').Plugin} */
  const share = {
    name: 'esante-share-with-parts',
    resolveId: (id) => (id.startsWith(SHARE_PREFIX) ? id : null),
    load: (id) =>
      id.startsWith(SHARE_PREFIX)
        ? `import * as m from ${JSON.stringify(path.join(ROOT, id.slice(SHARE_PREFIX.length)))};\n` +
          `import { shareWithParts } from ${JSON.stringify(CHUNK_LOADER)};\n` +
          `shareWithParts(${JSON.stringify(id.slice(SHARE_PREFIX.length))}, m);\n`
        : null,
    transform: (code, id) => (id === config.input ? `${shared.map((m) => `import ${JSON.stringify(SHARE_PREFIX + m)};`).join('\n')}\n${code}` : null),
  };
  const second = await rollupOne(zimlet.name, { ...config, plugins: [...(config.plugins ?? []), share] }, config.output);
  return { code: second.code, shared };
}

/**
 * Bundles one zimlet's handler with rollup and returns the IIFE code.
 * @param {import('./zimlets.mjs').ZimletSpec} zimlet
 */
export async function bundleZimlet(zimlet) {
  return (await bundleZimletStart(zimlet)).code;
}

/**
 * A zimlet's parts loaded when first needed (issue 17): every `src/**\/<part>.chunk.ts`, built into the
 * zip file `<zimlet>_<part>.js`, which the descriptor does NOT include, so Zimbra leaves it out of the
 * start-time Zimlets-nodev_all.js and serves it as a file of the zimlet (`/service/zimlet/<name>/<file>`).
 * The zimlet loads it with a <script> (zimlets/common/chunk-loader.ts).
 * @param {import('./zimlets.mjs').ZimletSpec} zimlet
 * @returns {Promise<Array<{ name: string, source: string }>>} sorted by name
 */
export async function zimletChunkSources(zimlet) {
  const src = path.join(zimlet.dir, 'src');
  const files = /** @type {string[]} */ (await readdir(src, { recursive: true }));
  return files
    .filter((f) => f.endsWith('.chunk.ts'))
    .map((f) => ({ name: `${zimlet.name}_${path.basename(f, '.chunk.ts')}.js`, source: path.join(src, f) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

const CHUNK_ENTRY = '\0esante-chunk-entry';

/**
 * Bundles one chunk into a classic script that adds NO global: it hands its module's exports to the
 * <script> element running it (`document.currentScript.esanteChunk`), where the loader reads them on
 * `load`. It carries its own copy of what it imports (lit, shared/…), except the modules of `shared`
 * (see SHARED_WITH_PARTS), which it reads from `document.currentScript.esanteShared`, where the
 * loader put those of the start-time script. Custom elements are defined through
 * EsanteElement.define, which tolerates a tag the start-time script already defined.
 * @param {import('./zimlets.mjs').ZimletSpec} zimlet
 * @param {string} source the `.chunk.ts` file
 * @param {ReadonlyArray<string>} [shared] from bundleZimletStart
 */
export async function bundleChunk(zimlet, source, shared = []) {
  const config = zimletBundleConfig(zimlet);
  /** @type {import('rollup').Plugin} */
  const entry = {
    name: 'esante-chunk-entry',
    async resolveId(id, importer, options) {
      if (id === CHUNK_ENTRY || id.startsWith(SHARED_PREFIX)) return id;
      if (shared.length === 0 || !importer) return null;
      const resolved = await this.resolve(id, importer, { ...options, skipSelf: true });
      return resolved && !resolved.external && shared.includes(rel(resolved.id)) ? SHARED_PREFIX + rel(resolved.id) : null;
    },
    async load(id) {
      if (id === CHUNK_ENTRY) return `import * as chunk from ${JSON.stringify(source)};\ndocument.currentScript.esanteChunk = chunk;\n`;
      if (!id.startsWith(SHARED_PREFIX)) return null;
      const file = id.slice(SHARED_PREFIX.length);
      const info = await this.load({ id: path.join(ROOT, file) });
      const names = (info.exports ?? []).filter((n) => n !== 'default');
      // Read while the part's script runs (document.currentScript is that <script> only then).
      return (
        `const m = document.currentScript.esanteShared && document.currentScript.esanteShared[${JSON.stringify(file)}];\n` +
        `if (!m) throw new Error(${JSON.stringify(`${file}: not handed over by the start-time script`)});\n` +
        names.map((n) => `export const ${n} = m.${n};`).join('\n')
      );
    },
  };
  const { code } = await rollupOne(
    `${zimlet.name} ${path.basename(source)}`,
    { ...config, input: CHUNK_ENTRY, plugins: [entry, ...(config.plugins ?? [])] },
    { format: 'iife' },
  );
  return code;
}

/**
 * The zip files of every chunk of a zimlet.
 * @param {import('./zimlets.mjs').ZimletSpec} zimlet
 * @param {ReadonlyArray<string>} [shared] what the start-time script hands over (default: computed, bundleZimletStart)
 * @returns {Promise<Array<{ name: string, code: string }>>}
 */
export async function bundleZimletChunks(zimlet, shared) {
  const sources = await zimletChunkSources(zimlet);
  const from = shared ?? (await bundleZimletStart(zimlet, { withParts: sources.length > 0 })).shared;
  return Promise.all(sources.map(async (c) => ({ name: c.name, code: await bundleChunk(zimlet, c.source, from) })));
}

/**
 * Builds, packages and validates every zimlet, and checks their start-time sizes
 * (build/start-size.mjs). Throws with every violation (zip, file, rule) listed.
 * @param {{ outDir?: string, log?: (line: string) => void, limits?: typeof START_LIMITS, zimlets?: ReadonlyArray<import('./zimlets.mjs').ZimletSpec> }} [opts]
 *   `limits` and `zimlets` (default: the five of build/zimlets.mjs): for tests
 * @returns {Promise<string[]>} paths of the zips
 */
export async function buildZimlets({ outDir = path.join(ROOT, 'dist', 'zimlets'), log = () => undefined, limits = START_LIMITS, zimlets = ZIMLETS } = {}) {
  const { version } = await rootPackage();
  await mkdir(outDir, { recursive: true });
  const built = await Promise.all(
    zimlets.map(async (zimlet) => {
      const start = await bundleZimletStart(zimlet);
      const [bundle, chunks] = [start.code, await bundleZimletChunks(zimlet, start.shared)];
      const files = await zimletFiles(zimlet, { version, bundle, chunks });
      const zipPath = path.join(outDir, `${zimlet.name}.zip`);
      await writeFile(zipPath, await zipFiles(files));
      return { zipPath, sizes: startSizes(zimlet, files) };
    }),
  );
  const zips = built.map((b) => b.zipPath);
  const sizes = built.map((b) => b.sizes);
  for (const line of formatStartSizes(sizes)) log(line);
  const violations = (await Promise.all(zips.map(validateZimletZip))).flat();
  const tooLarge = checkStartSizes(sizes, limits);
  if (violations.length > 0 || tooLarge.length > 0) {
    // Do not leave a bad package where the sandbox or an admin could pick it up.
    await Promise.all(zips.map((z) => rm(z, { force: true })));
    throw new Error([violations.length > 0 ? `zimlet validation failed:\n${violations.map(formatViolation).join('\n')}` : '', ...tooLarge].filter(Boolean).join('\n'));
  }
  return zips;
}

const SERVICE_ENTRY = path.join(ROOT, 'server-extension', 'src', 'main.ts');
/**
 * Bundled beside the service: `node esante-admin.mjs <command>` (the admin CLI, server-extension/src/admin/cli.ts)
 * and the older `node rotate-master-key.mjs add-key | rewrap | retire` (docs/master-key-rotation.md).
 */
const SERVICE_TOOLS = {
  'esante-admin': path.join(ROOT, 'server-extension', 'src', 'admin', 'main.ts'),
  'rotate-master-key': path.join(ROOT, 'server-extension', 'src', 'rotate-master-key.ts'),
};

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
    scripts: { start: 'node esante-service.mjs', ...(entry === SERVICE_ENTRY ? { 'esante-admin': 'node esante-admin.mjs', 'rotate-master-key': 'node rotate-master-key.mjs' } : {}) },
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
      const zips = await buildZimlets({ log: (line) => console.log(line) });
      for (const z of zips) console.log(`built ${path.relative(ROOT, z)}`);
      // The portal page is browser code like the zimlets: e2e (which builds nothing) needs it current.
      if (args.has('--zimlets-only')) console.log(`built ${path.relative(ROOT, await (await import('./portal.mjs')).buildPortal())}`);
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
