/**
 * Test helpers to boot the REAL composition root against the sandbox (the Zimbra stand-in) and to
 * speak SOAP to it, for integration tests of any service feature.
 */
import { fileURLToPath } from 'node:url';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOMParser } from '@xmldom/xmldom';
import { CSRF_HEADER, SOAP_NAMESPACE, SOAP_PATH } from '../../../shared/paths.ts';
import { callService, type CallOptions } from '../../../shared/soap/client.ts';
import type { XmlDocumentLike } from '../../../shared/soap/codec.ts';
import type { OperationName, RequestOf, ResponseOf } from '../../../shared/soap/operations.ts';
import { startSandbox } from '../../../sandbox/server/index.ts';
import { loginAs, type LoginResult } from '../../../sandbox/server/testing.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import type { Logger } from '../../src/log.ts';
import { createService, type Service, type ServiceOverrides } from '../../src/root.ts';

export { loginAs, type LoginResult };
export const SEED_PASSWORD = 'Sandbox-2026!';

export { memoryLogger } from './memory-logger.ts';
export { freePort } from './free-port.ts';
import { freePort } from './free-port.ts';
import { memoryLogger } from './memory-logger.ts';

export interface TestEnv {
  dir: string;
  sandboxUrl: string;
  service: Service;
  url: string;
  lines: string[];
  config: Config;
  /** Stops everything and removes the temp dir. */
  close(): Promise<void>;
}


let portal: Promise<string> | undefined;
/**
 * The service serves the portal script as the build wrote it (messages/feature.ts portalScript): the
 * tests build it once per process from the current sources (~0.2 s), so they never test a stale one.
 */
export function portalBuilt(): Promise<string> {
  return (portal ??= import('../../../build/portal.mjs').then((m) => m.buildPortal()));
}

/** The sandbox's seeded people (the service reads no sandbox file unless it is named). */
export const SANDBOX_SEED_USERS = fileURLToPath(new URL('../../../sandbox/seed/users.json', import.meta.url));

/**
 * Sandbox + service on free ports in a temp dir. `env` adds ESANTE_* variables.
 * The sandbox reverse-proxies /service/extension/esante/ to the service (like Zimbra's nginx),
 * so `sandboxUrl` also reaches the service.
 */
export async function startTestEnv(env: Record<string, string> = {}, overrides: ServiceOverrides = {}): Promise<TestEnv> {
  await portalBuilt();
  const dir = await mkdtemp(join(tmpdir(), 'esante-svc-'));
  const port = await freePort();
  const sandbox = await startSandbox({
    port: 0,
    dataDir: join(dir, 'sandbox'),
    smtpPort: 0,
    zimletsDir: join(dir, 'zimlets'),
    serviceUrl: `http://127.0.0.1:${port}`,
  });
  try {
    const config = loadConfig(
      {
        ESANTE_PORT: String(port),
        ESANTE_DATA_DIR: join(dir, 'data'),
        ESANTE_ZIMBRA_URL: sandbox.url,
        ESANTE_PUBLIC_URL: sandbox.url,
        ESANTE_ZIMBRA_TIMEOUT_MS: '3000',
        ESANTE_SHUTDOWN_TIMEOUT_MS: '2000',
        ...env,
      },
      dir,
    );
    const { log, lines } = memoryLogger();
    // As scripts/start.mjs: the sandbox's people are in the directory and get test certificates
    // (features read their variables from `env`, default process.env).
    const featureEnv = { ESANTE_DIRECTORY_SEED_USERS: SANDBOX_SEED_USERS, ESANTE_SIGNING_TEST_USERS: SANDBOX_SEED_USERS, ...(overrides.env ?? process.env) };
    const service = await createService(config, { log, ...overrides, env: featureEnv });
    const url = await service.start();
    return {
      dir,
      sandboxUrl: sandbox.url,
      service,
      url,
      lines,
      config,
      async close() {
        await service.stop();
        await sandbox.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await sandbox.stop();
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
}

export const parseXml = (text: string): XmlDocumentLike => new DOMParser().parseFromString(text, 'text/xml') as unknown as XmlDocumentLike;

/**
 * The browser client (shared/soap/client.ts) as a zimlet uses it, with the cookie the browser would
 * add on its own (Node's fetch has no cookie jar).
 */
export function callAs<N extends OperationName>(
  baseUrl: string,
  login: Pick<LoginResult, 'authToken' | 'csrfToken'> | undefined,
  op: N,
  req: RequestOf<N>,
  opts: Partial<CallOptions> = {},
): Promise<ResponseOf<N>> {
  const cookieFetch: typeof fetch = (input, init) => {
    const headers = new Headers(init?.headers);
    if (login) headers.set('Cookie', `ZM_AUTH_TOKEN=${login.authToken}`);
    return fetch(input, { ...init, headers });
  };
  return callService(op, req, { csrfToken: login?.csrfToken ?? '', lang: 'fr', baseUrl, fetch: cookieFetch, parseXml, ...opts });
}

export function envelope(inner: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>${inner}</soap:Body></soap:Envelope>`;
}

export const GET_SERVICE_INFO = envelope(`<GetServiceInfoRequest xmlns="${SOAP_NAMESPACE}"/>`);

/** POSTs raw XML to the SOAP endpoint; answers the status, body and the Fault code if any. */
export async function postSoap(
  baseUrl: string,
  xml: string,
  opts: { login?: Pick<LoginResult, 'authToken' | 'csrfToken'>; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: string; faultCode: string | undefined; faultString: string | undefined }> {
  const headers: Record<string, string> = { 'Content-Type': 'text/xml; charset=utf-8', ...opts.headers };
  if (opts.login) {
    headers['Cookie'] = `ZM_AUTH_TOKEN=${opts.login.authToken}`;
    headers[CSRF_HEADER] = opts.login.csrfToken;
  }
  const res = await fetch(`${baseUrl}${SOAP_PATH}`, { method: 'POST', headers, body: xml });
  const body = await res.text();
  return {
    status: res.status,
    body,
    faultCode: /<e:error [^>]*code="([^"]+)"/.exec(body)?.[1],
    faultString: /<faultstring[^>]*>([^<]*)<\/faultstring>/.exec(body)?.[1],
  };
}
