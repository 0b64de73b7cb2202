/** Types of build.mjs for TypeScript callers (tests, e2e setup, the sandbox). */
export interface ZimletSpec {
  short: 'regify' | 'prosearch' | 'medical' | 'security' | 'webex';
  name: string;
  handler: string;
  dir: string;
}
/** Rollup-bundles one zimlet's handler into its IIFE code. */
export function bundleZimlet(zimlet: ZimletSpec): Promise<string>;
/** The same, and which modules of SHARED_WITH_PARTS the start-time script hands over to its parts. */
export function bundleZimletStart(zimlet: ZimletSpec, opts?: { withParts?: boolean }): Promise<{ code: string; shared: string[] }>;
/** Modules a part takes from the start-time script instead of bundling its own copy (paths relative to the repository). */
export const SHARED_WITH_PARTS: readonly string[];
/** Builds, packages and validates the five zimlets into outDir (default dist/zimlets); throws listing every violation or start-time size over its limit (build/start-size.mjs). */
export function buildZimlets(opts?: {
  outDir?: string;
  log?: (line: string) => void;
  limits?: { perZimlet: (zimlet: string) => number; total: number };
  zimlets?: ReadonlyArray<ZimletSpec>;
}): Promise<string[]>;
/** The parts of a zimlet loaded when first needed (`src/**\/<part>.chunk.ts` → zip file `<zimlet>_<part>.js`), bundled. */
export function bundleZimletChunks(zimlet: ZimletSpec, shared?: ReadonlyArray<string>): Promise<Array<{ name: string; code: string }>>;
/** Bundles the service into outDir (default dist/service), with the directory reference data in data/. */
export function buildService(opts?: { outDir?: string; entry?: string }): Promise<string | undefined>;
