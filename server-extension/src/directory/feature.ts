/**
 * The directory feature's entry in the service: builds its ports from the environment and the shared
 * context, and answers its SOAP handlers (see ../feature.ts).
 */
import type { ConfigVar, Feature, FeatureContext } from '../feature.ts';

/** Environment variables this feature reads (listed in the README's configuration table). */
export const directoryConfigVars: readonly ConfigVar[] = [];

export function createDirectoryFeature(_ctx: FeatureContext): Feature {
  return { name: 'directory', handlers: {} };
}
