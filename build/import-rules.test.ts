/**
 * Enforces docs/architecture.md "Who may import whom" on every TypeScript/JavaScript source file:
 *   1. zimlets ↔ service only through shared/: nothing under zimlets/ imports server-extension/, and
 *      nothing under server-extension/ imports zimlets/;
 *   2. a zimlet never imports another zimlet (zimlets/common/ and zimlets/types/ are the zimlets'
 *      own library, copied into each bundle);
 *   3. nothing shipped (zimlets/, server-extension/src/ outside tests, shared/, portal/) imports
 *      sandbox/, e2e/, bench/, scripts/ or build/; the service does not import portal/ (the page's
 *      texts live in shared/messages/portal-texts.ts, its script is built by build/portal.mjs);
 *   4. shared/ imports neither side (zimlets/, server-extension/, portal/, sandbox/), tests included;
 *   5. the browser's code (zimlets/, portal/, shared/ui/, shared/host/) imports no `node:` module.
 * Imports are read from the source text (static `import`/`export … from`, `import()`), comments
 * stripped; type-only imports count too (a type import still couples the parts).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SCANNED = ['zimlets', 'server-extension', 'shared', 'portal', 'sandbox', 'e2e', 'bench', 'build', 'scripts'];
const SKIP_DIRS = new Set(['node_modules', 'dist', '.data', 'fixtures']);

interface ImportEdge {
  file: string;
  spec: string;
  /** Repository-relative target for a relative import; undefined for a package or `node:` import. */
  target?: string;
}

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (SKIP_DIRS.has(name) || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sourceFiles(p, out);
    else if (/\.(ts|mts|mjs|js)$/.test(name) && !name.endsWith('.d.ts') && !name.endsWith('.d.mts')) out.push(p);
  }
  return out;
}

/** Block and line comments out, strings kept (a `//` inside a quoted URL is not a comment). */
function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
}

const IMPORT_RE = /\b(?:import|export)\s[^;'"`]*?\bfrom\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)|\bimport\s+['"]([^'"]+)['"]/g;

export function importsOf(file: string, text: string): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const m of stripComments(text).matchAll(IMPORT_RE)) {
    const spec = (m[1] ?? m[2] ?? m[3])!;
    const target = spec.startsWith('.') ? relative(ROOT, resolve(dirname(join(ROOT, file)), spec)).split(sep).join('/') : undefined;
    edges.push({ file, spec, ...(target !== undefined ? { target } : {}) });
  }
  return edges;
}

const top = (path: string): string => path.split('/')[0]!;
const zimletOf = (path: string): string | undefined => (path.startsWith('zimlets/') ? path.split('/')[1] : undefined);
const ZIMLET_LIBS = new Set(['common', 'types', 'test', 'README.md']);
const isTest = (file: string): boolean => /\.test\.(ts|mjs)$/.test(file) || file.startsWith('server-extension/test/') || file.startsWith('zimlets/test/');
/** Code that ships: bundled into a zimlet, the service or the portal page. */
const isShipped = (file: string): boolean =>
  !isTest(file) && (file.startsWith('zimlets/') || file.startsWith('server-extension/src/') || file.startsWith('shared/') || file.startsWith('portal/'));
const isBrowser = (file: string): boolean =>
  file.startsWith('zimlets/') || file.startsWith('portal/') || file.startsWith('shared/ui/') || file.startsWith('shared/host/');

/** Every violation of the rules above, as "file → import: rule". */
export function violations(edges: readonly ImportEdge[]): string[] {
  const out: string[] = [];
  const bad = (e: ImportEdge, rule: string) => out.push(`${e.file} → ${e.spec}: ${rule}`);
  for (const e of edges) {
    if (e.target === undefined) {
      if (e.spec.startsWith('node:') && isBrowser(e.file) && !isTest(e.file)) bad(e, 'browser code imports a node: module');
      continue;
    }
    const from = top(e.file);
    const to = top(e.target);
    if (from === 'zimlets' && to === 'server-extension') bad(e, 'a zimlet meets the service only through shared/');
    if (from === 'server-extension' && to === 'zimlets') bad(e, 'the service meets the zimlets only through shared/');
    const a = zimletOf(e.file);
    const b = zimletOf(e.target);
    if (a && b && a !== b && !ZIMLET_LIBS.has(a) && !ZIMLET_LIBS.has(b)) bad(e, 'a zimlet never imports another zimlet');
    if (isShipped(e.file) && ['sandbox', 'e2e', 'bench', 'scripts', 'build'].includes(to)) bad(e, `shipped code imports ${to}/`);
    if (e.file.startsWith('server-extension/') && to === 'portal') bad(e, 'the service imports the portal app (its texts are in shared/)');
    if (from === 'shared' && ['zimlets', 'server-extension', 'portal', 'sandbox'].includes(to)) bad(e, 'shared/ imports neither side');
  }
  return out;
}

test('the repository follows docs/architecture.md "Who may import whom"', () => {
  const files = SCANNED.flatMap((d) => {
    try {
      return sourceFiles(join(ROOT, d));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
  }).map((p) => relative(ROOT, p).split(sep).join('/'));
  const edges = files.flatMap((f) => importsOf(f, readFileSync(join(ROOT, f), 'utf8')));
  // It really read the tree: hundreds of files, and imports across parts of every allowed kind.
  assert.ok(files.length > 300, `${files.length} files`);
  assert.ok(edges.some((e) => e.file.startsWith('zimlets/') && e.target?.startsWith('shared/')), 'zimlets import shared/');
  assert.ok(edges.some((e) => e.file.startsWith('server-extension/src/') && e.target?.startsWith('shared/')), 'the service imports shared/');
  assert.deepEqual(violations(edges), []);
});

test('the checker flags each forbidden kind of import (so an empty list means something)', () => {
  const probe = (file: string, spec: string) => violations(importsOf(file, `import { x } from '${spec}';`));
  assert.match(probe('zimlets/regify/src/a.ts', '../../../server-extension/src/errors.ts').join(), /only through shared/);
  assert.match(probe('server-extension/src/a.ts', '../../zimlets/regify/src/panel.ts').join(), /only through shared/);
  assert.match(probe('zimlets/regify/src/a.ts', '../../prosearch/src/contacts.ts').join(), /another zimlet/);
  assert.deepEqual(probe('zimlets/regify/src/a.ts', '../../common/service.ts'), [], 'zimlets/common is the zimlets’ own library');
  assert.match(probe('server-extension/src/signing/a.ts', '../../../sandbox/seed/users.json').join(), /shipped code imports sandbox/);
  assert.deepEqual(probe('server-extension/src/signing/a.test.ts', '../../../sandbox/server/index.ts'), [], 'tests may start the sandbox');
  assert.match(probe('server-extension/src/messages/a.ts', '../../../portal/src/main.ts').join(), /portal app/);
  assert.match(probe('shared/soap/a.ts', '../../server-extension/src/errors.ts').join(), /neither side/);
  assert.match(probe('shared/soap/a.test.ts', '../../server-extension/src/errors.ts').join(), /neither side/);
  assert.match(probe('zimlets/regify/src/a.ts', 'node:fs').join(), /node: module/);
  // Multi-line, type-only, re-exports and dynamic imports are all read; comments are not.
  const text = "import type {\n  A,\n  B,\n} from '../../../server-extension/src/x.ts';\nexport { y } from '../../prosearch/src/y.ts';\nconst z = await import('../../../sandbox/z.ts');\n// import { no } from '../../../server-extension/src/no.ts';\n";
  assert.equal(violations(importsOf('zimlets/regify/src/a.ts', text)).length, 3);
});
