/**
 * The service's HTTP front: routes under /service/extension/esante/ (the URL space Zimbra's nginx
 * forwards to us, like it does for Java extensions in ExtensionDispatcherServlet):
 *   soap        POST a SOAP 1.1 request; GET ?wsdl for the WSDL
 *   health      GET: {status, version, store[, starting][, down]} (200 ok / 503 starting or degraded),
 *               for load balancers: 503 until every feature is ready (root.ts), naming the parts
 *   anything else: 404.
 * Bodies are counted while they arrive and refused past the limit without being buffered whole.
 * close() stops accepting, lets in-flight requests finish (bounded), then closes every socket.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { listenOn } from './listen.ts';
import { header } from './request.ts';
import { pickLang } from '../../../shared/i18n/lang.ts';
import { AUTH_COOKIE, CSRF_HEADER, HEALTH_PATH, SERVICE_BASE_PATH, SOAP_PATH } from '../../../shared/paths.ts';
import { readCookie, type Credentials } from '../auth/index.ts';
import { MalformedRequestError, RequestTooLargeError } from '../errors.ts';
import type { HttpRoute } from '../feature.ts';
import type { Logger } from '../log.ts';
import type { SoapEndpoint } from '../soap/endpoint.ts';
import { applySecurityHeaders } from './headers.ts';
import { toFault } from '../soap/fault.ts';

export interface HealthReport {
  /** ok: serve traffic; starting: a feature is not ready yet; degraded: the store or a feature is down. */
  status: 'ok' | 'starting' | 'degraded';
  version: string;
  store: boolean;
  /** Features still getting ready (e.g. ["signing"] while a fresh test PKI is made); only when not empty. */
  starting?: string[];
  /** Features whose dependencies do not answer or that failed to start; only when not empty. */
  down?: string[];
}

export interface HttpServerDeps {
  soap: SoapEndpoint;
  /** Features' own routes under SERVICE_BASE_PATH (e.g. the recipients' portal). */
  routes?: readonly HttpRoute[];
  health: () => Promise<HealthReport>;
  maxRequestBytes: number;
  shutdownTimeoutMs: number;
  log: Logger;
  /**
   * Proves the caller from the request's headers BEFORE its body is read. Every SOAP operation needs
   * a Zimbra session, so an anonymous request is refused without reading (let alone parsing) up to
   * maxRequestBytes of XML: otherwise anyone could keep the service busy for seconds per request
   * (security review finding 1). The result is cached, so the endpoint's own check costs nothing.
   */
  authenticate?: (credentials: Credentials) => Promise<unknown>;
  /** Told of every SOAP answer (metrics.ts): operation when known, seconds since the headers, Fault code. */
  onSoapAnswer?: (operation: string | undefined, seconds: number, faultCode: string | undefined) => void;
}

const SOAP_CONTENT_TYPE = 'text/xml; charset=utf-8';
/** Lingering close after an early answer (see #answerAndLinger): nginx's defaults. */
const LINGER_TOTAL_MS = 30_000;
const LINGER_IDLE_MS = 5_000;
const LINGER_MAX_BYTES = 64 * 1024 * 1024;

/** Reads a body up to `max` bytes; rejects with RequestTooLargeError as soon as it is exceeded. */
function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(header(req, 'content-length') ?? NaN);
    if (declared > max) return reject(new RequestTooLargeError(max, { message: `declared ${declared} bytes` }));
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        cleanup();
        chunks.length = 0;
        reject(new RequestTooLargeError(max, { message: 'body exceeded the limit while streaming' }));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (e: Error) => {
      cleanup();
      reject(new MalformedRequestError({ message: `request body interrupted: ${e.message}`, cause: e }));
    };
    // A client that goes away mid-body: nothing to answer, but the promise must settle.
    const onClose = () => {
      if (req.complete) return;
      cleanup();
      reject(new MalformedRequestError({ message: 'request body interrupted' }));
    };
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

export class HttpServer {
  readonly #deps: HttpServerDeps;
  readonly #server: Server;
  readonly #shutdown = new AbortController();
  #closing: Promise<void> | undefined;

  constructor(deps: HttpServerDeps) {
    this.#deps = deps;
    this.#server = createServer({ requestTimeout: 60_000, headersTimeout: 30_000 }, (req, res) => {
      void this.#route(req, res);
    });
    // Idle keep-alive sockets must not hold a shutdown open.
    this.#server.keepAliveTimeout = 5_000;
  }

  listen(port: number, host: string): Promise<string> {
    return listenOn(this.#server, port, host);
  }

  /** Stops accepting, waits for in-flight requests up to the timeout, then closes every socket. */
  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      if (!this.#server.listening) return resolve();
      const timer = setTimeout(() => {
        this.#shutdown.abort();
        this.#server.closeAllConnections();
      }, this.#deps.shutdownTimeoutMs);
      this.#server.close(() => {
        clearTimeout(timer);
        resolve();
      });
      this.#server.closeIdleConnections();
    });
    return this.#closing;
  }

  async #route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const requestId = randomUUID();
    const log = this.#deps.log.child({ requestId });
    let faultCode: string | undefined;
    // The one set of security headers (CSP, nosniff, no-referrer, frame options) on every answer: headers.ts.
    applySecurityHeaders(req, res);
    res.setHeader('Cache-Control', 'no-store');
    // During shutdown, tell keep-alive clients not to send another request on this socket, and
    // close sockets that became idle once their last response went out.
    if (this.#closing) res.setHeader('Connection', 'close');
    res.once('finish', () => {
      if (this.#closing) setImmediate(() => this.#server.closeIdleConnections());
    });
    let path = '';
    try {
      const url = new URL(req.url ?? '/', 'http://service.invalid');
      path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
      if (path === SOAP_PATH) {
        if ((req.method === 'GET' || req.method === 'HEAD') && [...url.searchParams.keys()].some((k) => k.toLowerCase() === 'wsdl')) {
          res.writeHead(200, { 'Content-Type': SOAP_CONTENT_TYPE });
          res.end(req.method === 'HEAD' ? undefined : this.#deps.soap.wsdl);
        } else if (req.method === 'POST') {
          const answer = await this.#soap(req, res, requestId, log);
          faultCode = answer.faultCode;
          this.#deps.onSoapAnswer?.(answer.operation, (performance.now() - started) / 1000, faultCode);
        } else {
          res.writeHead(405, { Allow: 'GET, POST', 'Content-Type': 'text/plain; charset=utf-8' });
          res.end('Use POST for SOAP requests, GET ?wsdl for the WSDL.\n');
        }
      } else if (path === HEALTH_PATH && (req.method === 'GET' || req.method === 'HEAD')) {
        const report = await this.#health();
        res.writeHead(report.status === 'ok' ? 200 : 503, { 'Content-Type': 'application/json; charset=utf-8' });
        res.end(req.method === 'HEAD' ? undefined : JSON.stringify(report));
      } else if (this.#routeFor(path)) {
        await this.#routeFor(path)!.handle(req, res, { log, requestId, signal: this.#shutdown.signal });
      } else {
        res.writeHead(404, { 'Content-Type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ error: 'not found', base: SERVICE_BASE_PATH }));
      }
    } catch (e) {
      // Only reachable through a bug in the routing itself: answer in the one Fault format anyway.
      const f = toFault(e, pickLang(header(req, 'accept-language')), log);
      faultCode = f.code;
      if (!res.headersSent) res.writeHead(f.httpStatus, { 'Content-Type': SOAP_CONTENT_TYPE });
      res.end(f.xml);
    } finally {
      // Path only: query strings may carry tokens. At debug: one line per request only when asked
      // (ESANTE_LOG_LEVEL=debug); failures are logged at their own level by the wire mapper (errors.ts).
      log.debug({ method: req.method, path, status: res.statusCode, ms: Math.round(performance.now() - started), faultCode }, 'request');
    }
  }

  #routeFor(path: string): HttpRoute | undefined {
    return this.#deps.routes?.find((r) => path === r.prefix || path.startsWith(`${r.prefix}/`));
  }

  /** Never hangs a load balancer's probe: a dependency slower than 2 s counts as down. */
  async #health(): Promise<HealthReport> {
    let timer: NodeJS.Timeout | undefined;
    const slow = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('health check timed out')), 2_000);
    });
    try {
      return await Promise.race([this.#deps.health(), slow]);
    } catch {
      return { status: 'degraded', version: '', store: false };
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Answers at once without reading the rest of the body, and lets the connection go only once the
   * client has finished sending (the rest is read and discarded, never stored). Closing earlier
   * makes a client that uploads the whole body before reading (Node's fetch, curl, a proxy) fail
   * with EPIPE / ECONNRESET and never see the Fault. This is nginx's "lingering close"
   * (ngx_http_core_module: lingering_close, lingering_time 30s, lingering_timeout 5s), with the
   * same bounds plus a byte bound, so a client that never stops cannot hold the socket.
   * - The Fault is written at once, chunked, and the response is ended only when the body is in:
   *   Node's server closes a `Connection: close` socket at the response's end, and Node's own HTTP
   *   client (the sandbox proxy, any Node caller) stops sending the body once a response is
   *   complete and then hangs. A client that reads early sees the Fault at once; the response
   *   completes when its upload does (or when a bound is hit and the socket is dropped).
   * - No `Connection: close` from us (same reason): once drained, the connection is a normal one.
   */
  #answerAndLinger(req: IncomingMessage, res: ServerResponse, status: number, body: string): void {
    if (req.complete) {
      res.writeHead(status, { 'Content-Type': SOAP_CONTENT_TYPE });
      res.end(body);
      return;
    }
    res.writeHead(status, { 'Content-Type': SOAP_CONTENT_TYPE });
    res.write(body);
    let discarded = 0;
    const maxDiscard = Math.max(LINGER_MAX_BYTES, 4 * this.#deps.maxRequestBytes);
    let idle: NodeJS.Timeout | undefined;
    const done = (destroy: boolean) => {
      clearTimeout(total);
      clearTimeout(idle);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      res.end();
      if (destroy) req.socket.destroy();
    };
    const onData = (chunk: Buffer) => {
      discarded += chunk.length;
      if (discarded > maxDiscard) return done(true);
      clearTimeout(idle);
      idle = setTimeout(() => done(true), LINGER_IDLE_MS).unref();
    };
    const onEnd = () => done(false);
    const onError = () => done(true);
    const total = setTimeout(() => done(true), LINGER_TOTAL_MS).unref();
    idle = setTimeout(() => done(true), LINGER_IDLE_MS).unref();
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.resume();
  }

  async #soap(req: IncomingMessage, res: ServerResponse, requestId: string, log: Logger): Promise<{ faultCode?: string; operation?: string }> {
    const acceptLanguage = header(req, 'accept-language');
    const lang = pickLang(acceptLanguage);
    const credentials = { authToken: readCookie(header(req, 'cookie'), AUTH_COOKIE), csrfToken: header(req, CSRF_HEADER) };
    if (this.#deps.authenticate) {
      try {
        await this.#deps.authenticate(credentials);
      } catch (e) {
        const f = toFault(e, lang, log);
        this.#answerAndLinger(req, res, f.httpStatus, f.xml);
        return { faultCode: f.code };
      }
    }
    let xml: string;
    try {
      const encoding = (header(req, 'content-encoding') ?? 'identity').toLowerCase();
      // We never inflate: a compressed body could expand past the limit (zip bomb).
      if (encoding !== 'identity') throw new MalformedRequestError({ message: `content-encoding ${encoding} refused` });
      const body = await readBody(req, this.#deps.maxRequestBytes);
      try {
        xml = new TextDecoder('utf-8', { fatal: true }).decode(body);
      } catch {
        throw new MalformedRequestError({ message: 'body is not UTF-8' });
      }
    } catch (e) {
      const f = toFault(e, lang, log);
      if (e instanceof RequestTooLargeError) this.#answerAndLinger(req, res, f.httpStatus, f.xml);
      else {
        res.writeHead(f.httpStatus, { 'Content-Type': SOAP_CONTENT_TYPE });
        res.end(f.xml);
      }
      return { faultCode: f.code };
    }

    // One controller per call, aborted when the client goes away before the answer or at shutdown.
    // Not AbortSignal.any(): on Node 20 every combined signal stays referenced by the long-lived
    // shutdown signal (nodejs/node#55351), so memory would grow with each request.
    const cancel = new AbortController();
    const onShutdown = () => cancel.abort();
    if (this.#shutdown.signal.aborted) cancel.abort();
    else this.#shutdown.signal.addEventListener('abort', onShutdown, { once: true });
    res.once('close', () => {
      this.#shutdown.signal.removeEventListener('abort', onShutdown);
      if (!res.writableFinished) cancel.abort();
    });
    const answer = await this.#deps.soap.handle({
      xml,
      credentials,
      acceptLanguage,
      requestId,
      log,
      signal: cancel.signal,
    });
    res.writeHead(answer.status, { 'Content-Type': SOAP_CONTENT_TYPE });
    res.end(answer.body);
    return { ...(answer.faultCode ? { faultCode: answer.faultCode } : {}), ...(answer.operation ? { operation: answer.operation } : {}) };
  }
}
