/** Types of build/portal.mjs (checked JS; this declaration lets the TypeScript tests import it). */
export function buildPortal(opts?: { outDir?: string }): Promise<string>;
