/**
 * The sandbox: a stand-in for Zimbra's server side, for development and e2e only (never shipped).
 * `startSandbox` is the composition root: one SQLite store, sessions, the SMTP "MTA", the zimlet
 * registry, and one node:http server routing Zimbra's URL space:
 *
 *   POST /service/soap/<Name>Request          Zimbra SOAP-JSON subset (handlers/*.ts)
 *   POST /service/admin/soap/<Name>Request    admin subset (AuthRequest, CreateAccount, GetAccount, ModifyAccount)
 *   /service/extension/esante/...             reverse proxy to the eSanté service (nginx location in prod),
 *                                             except the recipients' portal when it has its own port (below)
 *   GET/POST /                                login form / webmail shell; `?loginOp=logout`
 *   GET /service/preauth                      preauth (HMAC-SHA1, 5 minutes)
 *   POST /service/upload?fmt=raw,extended     file upload -> aid
 *   GET /service/content/get?id=              raw RFC 822 of a message
 *   GET /service/home/~/?id=&part=            one attachment
 *   GET /service/zimlet/...                   deployed zimlets and Zimlets-nodev_all.js
 *   GET /sandbox/outbox?to=                   sandbox-only: mail sent to the outside world (JSON)
 *   GET /idp/, POST /idp/sso                  sandbox-only: the stand-in eSanté portal (../idp/portal.ts)
 *   POST /sandbox/zimlets/reload              sandbox-only: re-read the zimlet zips
 *   /sandbox/webex/v1/meetings…, /sandbox/webex/meet/…  sandbox-only: Webex Meetings REST API stand-in (../webex/)
 *   /sandbox/dsp/pdq, /sandbox/dsp/repository, /sandbox/dsp/registry  sandbox-only: DSP stand-ins (PDQV3, XDS.b; ../dsp/)
 *
 * With `portalPort`, a second server is the recipients' portal on its own origin (security review
 * #17, the nginx server block of the README in production): it proxies only
 * /service/extension/esante/portal/ to the service and answers nothing else; the webmail's origin
 * then no longer serves the portal (its pages redirect to the portal's origin, the rest is refused).
 */
import { simpleParser } from 'mailparser';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { SERVICE_BASE_PATH } from '../../shared/paths.ts';
import { PORTAL_PATH } from '../../shared/messages/portal-api.ts';
import { Store, type SeedUser } from './store.ts';
import { Sessions } from './sessions.ts';
import { MailSystem } from './mail.ts';
import { ZimletRegistry } from './zimlets.ts';
import type { SandboxDeps, SoapHandler } from './context.ts';
import { handleSoap } from './soap-endpoint.ts';
import { authRequest, getInfoRequest, modifyPropertiesRequest } from './handlers/account.ts';
import { mailHandlers } from './handlers/mail.ts';
import { adminHandlers } from './handlers/admin.ts';
import { proxyTo } from './proxy.ts';
import { HttpError, redirect, sendJson, sendText } from './http-util.ts';
import { WebApp } from './web.ts';
import { handleContentGet, handleHomePart, handleUpload } from './files.ts';
import { handlePreauth } from './preauth.ts';
import { IdpPortal } from '../idp/portal.ts';
import { WebexStandIn } from '../webex/standin.ts';
import { DspStandIn, pemCertificates } from '../dsp/standin.ts';

export interface SandboxOptions {
  /** HTTP port; 0 = a free one. Default 8080. */
  port?: number;
  /** Interface to listen on. Default 127.0.0.1. */
  host?: string;
  /** Where the SQLite file lives; created if missing; data persists across restarts. */
  dataDir: string;
  /** Where `/service/extension/esante/` is reverse-proxied (e.g. http://127.0.0.1:7080). */
  serviceUrl?: string;
  /** SMTP port of the sandbox MTA; 0 = a free one. Default 2525. */
  smtpPort?: number;
  /** Folder of the zimlet zips to deploy. Default `dist/zimlets` (relative to the working directory). */
  zimletsDir?: string;
  /** Domain preauth key (hex). Default: generated once and kept in the data dir. */
  preauthKey?: string;
  /** Log to stderr. Default false. */
  log?: boolean;
  /** One line per HTTP request (only when asked: SANDBOX_LOG_REQUESTS=1 for main.ts); needs `log`. */
  logRequests?: boolean;
  /** Directory seed the stand-in portal lists (the service's ESANTE_DIRECTORY_SEED); default the embedded one. */
  directorySeedFile?: string;
  /**
   * zimbraPrefAutoSaveDraftInterval of accounts that set none (zimbra-attrs.xml default "30s";
   * e2e sets it short so a test sees what autosave sends). Default "30s".
   */
  autoSaveDraftInterval?: string;
  /**
   * Certificate of the XUA signing key the DSP stand-in trusts: the service's embedded default
   * (ESANTE_DSP_XUA_CERT_FILE = <ESANTE_DATA_DIR>/dsp/xua-cert.pem, beside this sandbox's data dir);
   * read at each request, since the service makes it at its first filing.
   */
  dspTrustedCertFile?: string;
  /**
   * Port of the recipients' portal on its own origin (0 = a free one); omitted = the portal stays on
   * the webmail's origin, as before. Listens on `host` too.
   */
  portalPort?: number;
  /**
   * Public origin of that portal (the service's ESANTE_PORTAL_ORIGIN). Default
   * `http://localhost:<portalPort>`: another HOST name than the webmail's 127.0.0.1, since cookies
   * ignore ports (RFC 6265 §8.5) and 127.0.0.1:a and 127.0.0.1:b are one site for SameSite.
   */
  portalOrigin?: string;
}

export interface RunningSandbox {
  /** Base URL, e.g. http://127.0.0.1:8080 */
  url: string;
  smtpPort: number;
  /** The domain preauth key (hex) that `/service/preauth` checks. */
  preauthKey: string;
  /** The portal's own origin (e.g. http://localhost:8081) when `portalPort` was given. */
  portalUrl?: string;
  stop(): Promise<void>;
}

const SEED_FILE = fileURLToPath(new URL('../seed/users.json', import.meta.url));

interface SeedFile {
  password: string;
  users: SeedUser[];
  admin?: { mail: string; displayName?: string };
}

export async function startSandbox(opts: SandboxOptions): Promise<RunningSandbox> {
  const logEnabled = opts.log ?? false;
  const log = (msg: string, extra?: Record<string, unknown>): void => {
    if (logEnabled) process.stderr.write(`[sandbox] ${msg}${extra ? ' ' + JSON.stringify(extra) : ''}\n`);
  };
  const store = new Store(opts.dataDir);
  const seed = JSON.parse(readFileSync(SEED_FILE, 'utf8')) as SeedFile;
  store.seed(seed.users, seed.password);
  if (seed.admin && !store.accountByName(seed.admin.mail)) {
    store.createAccount(seed.admin.mail, seed.password, { displayName: seed.admin.displayName ?? 'Administrateur' }, true);
  }
  const csrfSecret = store.meta('csrf-secret', () => randomBytes(32));
  const preauthKey = opts.preauthKey ?? store.meta('preauth-key', () => Buffer.from(randomBytes(32).toString('hex'))).toString();
  // Also as a file (mode 600) so a local service can be pointed at it (the domain's zimbraPreAuthKey in production).
  writeFileSync(join(opts.dataDir, 'preauth.key'), `${preauthKey}\n`, { mode: 0o600 });

  const mail = new MailSystem(store, log);
  try {
    await mail.start(opts.smtpPort ?? 2525, '127.0.0.1');
  } catch (e) {
    store.close();
    throw e;
  }
  const zimlets = new ZimletRegistry(resolve(opts.zimletsDir ?? 'dist/zimlets'), log);
  await zimlets.reload();

  let baseUrl = '';
  const deps: SandboxDeps = {
    store,
    sessions: new Sessions(store, csrfSecret),
    zimlets,
    mail,
    preauthKey,
    autoSaveDraftInterval: opts.autoSaveDraftInterval ?? '30s',
    baseUrl: () => baseUrl,
    log,
  };
  const userHandlers: Record<string, SoapHandler> = {
    AuthRequest: authRequest(deps),
    GetInfoRequest: getInfoRequest(deps),
    ModifyPropertiesRequest: modifyPropertiesRequest(deps),
    ...mailHandlers(deps),
  };
  const admin = adminHandlers(deps);
  const web = new WebApp(deps);
  // The stand-in portal; its SAML key is made at first use in <dataDir>/idp/, where the service's
  // embedded default (ESANTE_SSO_IDP_CERT_FILE) reads the certificate.
  const idp = new IdpPortal({
    dataDir: opts.dataDir,
    baseUrl: () => baseUrl,
    hasMailbox: (mail) => store.accountByName(mail) !== undefined,
    ...(opts.directorySeedFile ? { seedFile: opts.directorySeedFile } : {}),
  });

  // The Webex stand-in; its bearer token is written to <dataDir>/webex.token, where the service's
  // embedded default (ESANTE_WEBEX_TOKEN_FILE) reads it.
  const webexToken = store.meta('webex-token', () => Buffer.from(randomBytes(32).toString('hex'))).toString();
  writeFileSync(join(opts.dataDir, 'webex.token'), `${webexToken}\n`, { mode: 0o600 });
  const webex = new WebexStandIn({ token: webexToken, apiPath: '/sandbox/webex/v1', sitePath: '/sandbox/webex/meet', origin: () => baseUrl });

  // The DSP stand-ins (PDQ supplier, XDS.b repository + registry), trusting the service's XUA key.
  const dspCert = opts.dspTrustedCertFile ?? join(opts.dataDir, '..', 'dsp', 'xua-cert.pem');
  const dsp = new DspStandIn({ trustedCerts: () => (existsSync(dspCert) ? pemCertificates(readFileSync(dspCert, 'utf8')) : []) });

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const path = url.pathname;
    if (portalServer && (path === PORTAL_PATH || path.startsWith(`${PORTAL_PATH}/`))) {
      // Not on the webmail's origin any more: its pages move to the portal's, the rest is refused.
      if (req.method === 'GET' || req.method === 'HEAD') return redirect(res, `${portalOrigin}${path}${url.search}`);
      return sendText(res, 403, 'The recipients\' portal is served on its own origin only.', 'text/plain; charset=utf-8');
    }
    if (path === SERVICE_BASE_PATH || path.startsWith(`${SERVICE_BASE_PATH}/`)) {
      if (!opts.serviceUrl) return sendText(res, 502, 'No eSanté service configured (ESANTE_SERVICE_URL)', 'text/plain; charset=utf-8');
      return proxyTo(opts.serviceUrl, req, res, log);
    }
    if (path.startsWith('/service/soap')) return handleSoap(deps, userHandlers, false, req, res);
    if (path.startsWith('/service/admin/soap')) return handleSoap(deps, admin, true, req, res);
    if (path === '/service/preauth') return handlePreauth(deps, url, req, res);
    if (path === '/service/upload') return handleUpload(deps, url, req, res);
    if (path === '/service/content/get') return handleContentGet(deps, url, req, res);
    if (path.startsWith('/service/home/')) return handleHomePart(deps, url, req, res);
    if (path.startsWith('/service/zimlet/')) return zimlets.serve(path, req, res, deps);
    if (path === '/sandbox/outbox' && req.method === 'GET') return sandboxOutbox(deps, url, res);
    if (path === '/idp' || path.startsWith('/idp/')) return idp.handle(url, req, res);
    if (webex.owns(path)) return webex.handle(url, req, res);
    if (dsp.owns(path)) return dsp.handle(url, req, res);
    if (path === '/sandbox/zimlets/reload' && req.method === 'POST') {
      await zimlets.reload();
      return sendJson(res, 200, { zimlets: zimlets.list().map((z) => ({ name: z.name, version: z.version })), errors: zimlets.errors });
    }
    return web.handle(url, req, res);
  };

  // The portal's own origin: the portal path to the service, nothing else (not the webmail, not SOAP).
  const routePortal = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    if (url.pathname === '/' && (req.method === 'GET' || req.method === 'HEAD')) return redirect(res, `${PORTAL_PATH}/${url.search}`);
    if (url.pathname !== PORTAL_PATH && !url.pathname.startsWith(`${PORTAL_PATH}/`)) return sendText(res, 404, 'not found', 'text/plain; charset=utf-8');
    if (!opts.serviceUrl) return sendText(res, 502, 'No eSanté service configured (ESANTE_SERVICE_URL)', 'text/plain; charset=utf-8');
    return proxyTo(opts.serviceUrl, req, res, log);
  };

  const handler = (router: (req: IncomingMessage, res: ServerResponse) => Promise<void>) => (req: IncomingMessage, res: ServerResponse) => {
    if (logEnabled && opts.logRequests) {
      const started = Date.now();
      // Path only: query strings may carry preauth values or ids that do not belong in a log.
      res.on('finish', () => log(`${req.method} ${(req.url ?? '').split('?')[0]} ${res.statusCode} ${Date.now() - started}ms`));
    }
    router(req, res).catch((e: unknown) => {
      const status = e instanceof HttpError ? e.status : 500;
      if (status === 500) log('request failed', { url: req.url?.split('?')[0], error: (e as Error)?.stack ?? String(e) });
      if (!res.headersSent) sendText(res, status, status === 500 ? 'Internal error' : (e as Error).message, 'text/plain; charset=utf-8');
      else res.destroy();
    });
  };
  const server = createServer(handler(route));
  const portalServer = opts.portalPort === undefined ? undefined : createServer(handler(routePortal));
  let portalOrigin = '';
  const listen = (s: ReturnType<typeof createServer>, port: number) =>
    new Promise<void>((ok, ko) => {
      s.once('error', ko);
      s.listen(port, opts.host ?? '127.0.0.1', () => ok());
    });
  try {
    await listen(server, opts.port ?? 8080);
    if (portalServer) await listen(portalServer, opts.portalPort!);
  } catch (e) {
    // A busy port must not leave the SMTP listener, a listening server and the database open behind a failed start.
    if (server.listening) await new Promise<void>((ok) => server.close(() => ok()));
    await mail.stop();
    store.close();
    throw e;
  }
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  baseUrl = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${addr.port}`;
  if (portalServer) portalOrigin = opts.portalOrigin ?? `http://localhost:${(portalServer.address() as AddressInfo).port}`;
  log('listening', { url: baseUrl, ...(portalServer ? { portal: portalOrigin } : {}), smtpPort: mail.port, zimlets: zimlets.list().map((z) => z.name) });

  return {
    url: baseUrl,
    smtpPort: mail.port,
    preauthKey,
    ...(portalServer ? { portalUrl: portalOrigin } : {}),
    async stop() {
      server.closeAllConnections();
      portalServer?.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
      if (portalServer) await new Promise<void>((ok) => portalServer.close(() => ok()));
      await mail.stop();
      store.close();
    },
  };
}

/**
 * Sandbox-only: what the "outside world" received (mail to addresses the sandbox does not host).
 * `GET /sandbox/outbox?to=addr` -> `{messages: [{id, from, to, receivedAt, subject, raw}]}`; `to` omitted = all.
 */
async function sandboxOutbox(deps: SandboxDeps, url: URL, res: ServerResponse): Promise<void> {
  const rows = deps.store.outbox(url.searchParams.get('to'));
  const messages = [];
  for (const r of rows) {
    const parsed = await simpleParser(r.raw, { skipTextToHtml: true, skipImageLinks: true });
    messages.push({ id: r.id, from: r.mail_from, to: r.rcpt, receivedAt: new Date(r.received_at).toISOString(), subject: parsed.subject ?? '', raw: r.raw.toString('utf8') });
  }
  sendJson(res, 200, { messages });
}
