/** Types of build.mjs for TypeScript callers (tests, e2e setup, the sandbox). */
export interface ZimletSpec {
  short: 'regify' | 'prosearch' | 'medical' | 'security' | 'webex';
  name: string;
  handler: string;
  dir: string;
}
/** Rollup-bundles one zimlet's handler into its IIFE code. */
export function bundleZimlet(zimlet: ZimletSpec): Promise<string>;
/** Builds, packages and validates the five zimlets into outDir (default dist/zimlets); throws listing every violation. */
export function buildZimlets(opts?: { outDir?: string }): Promise<string[]>;
/** Bundles the service into outDir (default dist/service), with the directory reference data in data/. */
export function buildService(opts?: { outDir?: string; entry?: string }): Promise<string | undefined>;
