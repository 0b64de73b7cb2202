/**
 * Settings of the WebEx feature, read once at start; every variable is listed in `webexConfigVars`
 * (README table). The embedded defaults point at the sandbox's Webex stand-in (sandbox/webex/),
 * whose bearer token is a file the sandbox writes into its data dir (`npm start` puts it at
 * `<ESANTE_DATA_DIR>/sandbox/webex.token`), read at each call until found, so the service may start
 * before the sandbox. In production: `https://webexapis.com/v1`, the site-admin integration token's
 * file, and the organisation's Webex site (README.md in this folder).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, envReader, Secret, type Config, type ConfigVar } from '../config.ts';

export const webexConfigVars: readonly ConfigVar[] = [
  { name: 'ESANTE_WEBEX_API_URL', default: '(ESANTE_ZIMBRA_URL)/sandbox/webex/v1', description: 'Base URL of the Webex Meetings REST API (production: https://webexapis.com/v1); the default is the sandbox\'s stand-in.' },
  { name: 'ESANTE_WEBEX_TOKEN_FILE', default: '(ESANTE_DATA_DIR)/sandbox/webex.token', description: 'File holding the Webex site-admin integration token (scope meeting:admin_schedule_write / _read) used to schedule on behalf of each user (hostEmail); read at each call until found, never logged.' },
  { name: 'ESANTE_WEBEX_SITE_URL', default: '(ESANTE_PUBLIC_URL)/sandbox/webex/meet', description: 'The organisation\'s Webex site (e.g. https://esante.webex.com/esante): "Rejoindre" accepts only links under it, and a meeting number opens <site>/m.php?AT=JM&MK=<number> (URL API join).' },
  { name: 'ESANTE_WEBEX_TIMEOUT_MS', default: '10000', description: 'Timeout of every call to the Webex API, in milliseconds.' },
] as const;

export interface WebexConfig {
  apiUrl: string;
  tokenFile: string;
  siteUrl: string;
  timeoutMs: number;
}

export function readWebexConfig(env: Readonly<Record<string, string | undefined>>, core: Config, cwd: string = process.cwd()): WebexConfig {
  const { problems, int, url, path } = envReader(env);
  const config: WebexConfig = {
    apiUrl: url('ESANTE_WEBEX_API_URL', `${core.zimbra.url}/sandbox/webex/v1`),
    tokenFile: path('ESANTE_WEBEX_TOKEN_FILE', join(core.dataDir, 'sandbox', 'webex.token'), cwd),
    siteUrl: url('ESANTE_WEBEX_SITE_URL', `${core.publicUrl}/sandbox/webex/meet`),
    timeoutMs: int('ESANTE_WEBEX_TIMEOUT_MS', 10_000, 100, 120_000),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** The token, read from its file at each call (rotated tokens are picked up without a restart). */
export function tokenFromFile(file: string): () => Promise<Secret | undefined> {
  return async () => {
    try {
      const text = (await readFile(file, 'utf8')).trim();
      return text ? new Secret(text) : undefined;
    } catch {
      return undefined;
    }
  };
}
