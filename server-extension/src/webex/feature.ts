/**
 * The WebEx feature (guide p. 7: schedule, start or join a web conference) on the Webex Meetings
 * REST API with a site-admin integration token (README.md in this folder). Embedded default: the
 * sandbox's Webex stand-in (sandbox/webex/).
 */
import type { Feature, FeatureContext } from '../feature.ts';
import { WebexClient } from './client.ts';
import { readWebexConfig, tokenFromFile, webexConfigVars } from './config.ts';
import { webexHandlers } from './handlers.ts';

export { webexConfigVars };

export function createWebexFeature(ctx: FeatureContext, overrides: { fetch?: typeof fetch } = {}): Feature {
  const config = readWebexConfig(ctx.env, ctx.config);
  const client = new WebexClient({
    apiUrl: config.apiUrl,
    token: tokenFromFile(config.tokenFile),
    timeoutMs: config.timeoutMs,
    log: ctx.log,
    ...(overrides.fetch ? { fetch: overrides.fetch } : {}),
  });
  return {
    name: 'webex',
    handlers: webexHandlers({ client, clock: ctx.clock, siteUrl: config.siteUrl }),
    async start() {
      ctx.log.info({ api: config.apiUrl, site: config.siteUrl }, 'Webex conferences ready');
    },
  };
}
