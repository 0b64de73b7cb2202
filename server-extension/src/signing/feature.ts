/**
 * The signing feature's entry in the service: builds its ports from the environment and the shared
 * context, and answers its SOAP handlers (see ../feature.ts).
 */
import type { Feature, FeatureContext } from '../feature.ts';

// Its environment variables are SIGNING_CONFIG_VARS in ./config.ts.

export function createSigningFeature(_ctx: FeatureContext): Feature {
  return { name: 'signing', handlers: {} };
}
