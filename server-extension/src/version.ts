/**
 * The product version, from the repository's package.json (one source of truth for WSDL, health,
 * logs). Imported as JSON so the service bundle (build/build.mjs, esbuild) carries it inline.
 */
import pkg from '../../package.json' with { type: 'json' };

export const VERSION: string = pkg.version;
