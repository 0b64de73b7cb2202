/**
 * The messages feature's entry in the service: builds its ports from the environment and the shared
 * context, and answers its SOAP handlers (see ../feature.ts).
 */
import type { ConfigVar, Feature, FeatureContext } from '../feature.ts';

/** Environment variables this feature reads (listed in the README's configuration table). */
export const messagesConfigVars: readonly ConfigVar[] = [];

export function createMessagesFeature(_ctx: FeatureContext): Feature {
  return { name: 'messages', handlers: {} };
}
