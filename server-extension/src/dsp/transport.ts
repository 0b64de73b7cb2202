/**
 * HTTP(S) transport to the DSP's endpoints: one POST, a deadline, optional mutual TLS (client
 * certificate + the DSP's CA, ESANTE_DSP_TLS_*), the body's parts queued by reference (no joined copy),
 * the answer read up to a bound (an XDS answer is small; a huge one is not XDS).
 */
import http from 'node:http';
import https from 'node:https';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { EsanteError } from '../errors.ts';

export interface TlsOptions {
  cert?: Buffer;
  key?: Buffer;
  ca?: Buffer;
}

/** No answer before the deadline. On its own: dsp.unavailable (the feature first settles a sent filing with ITI-18). */
export class TransportTimeoutError extends EsanteError {
  readonly code = 'dsp.unavailable';
  readonly httpStatus = 504;
  readonly side = 'Server';
  /** True when the request body was fully sent before the deadline: the DSP may have acted on it. */
  constructor(readonly sent: boolean) {
    super({ message: sent ? 'DSP answer timed out after the request was sent' : 'DSP request timed out' });
  }
}
/** The connection failed (refused, reset, TLS) or the answer was too large to be XDS. */
export class TransportError extends EsanteError {
  readonly code = 'dsp.unavailable';
  readonly httpStatus = 502;
  readonly side = 'Server';
  constructor(message: string, readonly sent: boolean) {
    super({ message });
  }
}

export interface PostResult {
  status: number;
  contentType: string;
  body: Buffer;
}

const MAX_ANSWER = 4 * 1024 * 1024;
/** Bytes a streamed body may have queued for the DSP's socket before the source is paused. */
const STREAM_SLACK = 2 * 1024 * 1024;

/** One plain SOAP 1.2 request (ITI-18, ITI-47): the envelope as one part, the action in the content type (SOAP 1.2 §7.1.4 / RFC 3902). */
export function postSoap(url: string, xml: string, action: string, opts: { timeoutMs: number; tls?: TlsOptions }): Promise<PostResult> {
  const body = Buffer.from(xml, 'utf8');
  return post(url, { contentType: `application/soap+xml; charset=UTF-8; action="${action}"`, parts: [body], length: body.length, ...opts });
}

export function post(url: string, opts: { contentType: string; parts: readonly Buffer[]; length: number; timeoutMs: number; tls?: TlsOptions; headers?: Record<string, string> }): Promise<PostResult> {
  const u = new URL(url);
  const lib = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    let sent = false;
    let done = false;
    const finish = (e: Error | null, r?: PostResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (e) reject(e);
      else resolve(r!);
    };
    const req = lib.request(
      u,
      {
        method: 'POST',
        headers: { 'Content-Type': opts.contentType, 'Content-Length': String(opts.length), ...opts.headers },
        ...(u.protocol === 'https:' && opts.tls ? { cert: opts.tls.cert, key: opts.tls.key, ca: opts.tls.ca } : {}),
        agent: false,
      },
      (res) => readAnswer(res, req, () => true, finish),
    );
    const timer = setTimeout(() => {
      req.destroy();
      finish(new TransportTimeoutError(sent));
    }, opts.timeoutMs);
    req.on('error', (e) => finish(new TransportError(e.message, sent)));
    // The parts are already in memory (the upload's chunks): they are queued by reference, not
    // copied, and go out as one gathered write (writev) that the socket drains at its own pace —
    // no wait for 'drain' after each 64 KiB chunk, which would leave the connection idle between them.
    req.cork();
    for (const p of opts.parts) req.write(p);
    req.end(() => {
      sent = true;
    });
    process.nextTick(() => req.uncork());
  });
}

/** Reads the DSP's answer, bounded by MAX_ANSWER; `sent()` tells a failure whether the request had gone out whole. */
function readAnswer(res: http.IncomingMessage, req: http.ClientRequest, sent: () => boolean, finish: (e: Error | null, r?: PostResult) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  res.on('data', (c: Buffer) => {
    size += c.length;
    if (size > MAX_ANSWER) {
      req.destroy();
      finish(new TransportError('DSP answer too large', true));
    } else chunks.push(c);
  });
  res.on('end', () => finish(null, { status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks) }));
  res.on('error', (e) => finish(new TransportError(e.message, sent())));
}

/**
 * The body source of a streamed POST failed (it threw): the request was destroyed before its last
 * byte, so the peer never received a complete request (its Content-Length was not reached). `cause`
 * is what the source threw (e.g. UploadMismatchError, or the browser's upload breaking off).
 */
export class BodySourceError extends EsanteError {
  readonly code = 'dsp.unavailable';
  readonly httpStatus = 502;
  readonly side = 'Server';
  readonly sent = false;
  constructor(cause: unknown) {
    super({ message: `request body source failed: ${(cause as Error)?.message ?? cause}`, cause: cause as Error });
  }
}

/**
 * One POST whose body is produced as it is sent (a filing streamed from the browser's upload):
 * `length` bytes announced, the chunks of `body` written with back-pressure (the source is read only
 * as fast as the DSP takes them). If `body` throws, the request is destroyed at once — before its
 * last bytes, so the peer sees an incomplete request and cannot act on it — and the promise rejects
 * with BodySourceError. The deadline runs from the last progress: while sending, each chunk written
 * re-arms it (a slow uplink is not a dead DSP); once the body is sent, the answer has `timeoutMs`.
 * An answer that comes before the body is complete (a refusal) ends the sending.
 */
export function postStream(url: string, opts: { contentType: string; length: number; body: AsyncIterable<Buffer>; timeoutMs: number; tls?: TlsOptions; socket?: Socket }): Promise<PostResult> {
  const u = new URL(url);
  const lib = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    let sent = false;
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (e: Error | null, r?: PostResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (e) reject(e);
      else resolve(r!);
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        req.destroy();
        finish(new TransportTimeoutError(sent));
      }, opts.timeoutMs);
    };
    const req = lib.request(
      u,
      {
        method: 'POST',
        headers: { 'Content-Type': opts.contentType, 'Content-Length': String(opts.length) },
        ...(u.protocol === 'https:' && opts.tls ? { cert: opts.tls.cert, key: opts.tls.key, ca: opts.tls.ca } : {}),
        // A connection opened ahead (preconnect) if it is still usable; else a new one.
        ...(opts.socket && !opts.socket.destroyed && opts.socket.writable ? { createConnection: () => opts.socket! } : { agent: false }),
      },
      (res) =>
        readAnswer(res, req, () => sent, (e, r) => {
          // Answered before the whole body went (a refusal): the rest is not sent.
          if (!e && !sent) req.destroy();
          finish(e, r);
        }),
    );
    req.on('error', (e) => finish(new TransportError(e.message, sent)));
    arm();
    void (async () => {
      try {
        for await (const chunk of opts.body) {
          if (done) return;
          arm();
          req.write(chunk);
          // Back-pressure with some slack: waiting for 'drain' after every 64 KiB chunk (the
          // writable's 16 KiB mark) would stall the browser → service → DSP pipeline at each chunk.
          if (req.writableLength > STREAM_SLACK) {
            await new Promise<void>((r) => {
              const go = () => {
                req.off('drain', go);
                req.off('close', go);
                r();
              };
              req.on('drain', go);
              req.on('close', go);
            });
          }
        }
      } catch (e) {
        req.destroy();
        finish(new BodySourceError(e));
        return;
      }
      if (done) return;
      req.end(() => {
        sent = true;
        if (!done) arm();
      });
    })();
  });
}

/**
 * Opens the connection a request will use (TCP, and TLS with the client certificate when the URL is
 * https), so that its handshakes are done while the caller gets ready — PrepareFiling opens the one
 * its streamed filing then sends on. One request per connection, as `agent: false`; an error before
 * use is left for that request (postStream falls back to a new connection if this one is gone).
 */
export function preconnect(url: string, tls?: TlsOptions): Socket {
  const u = new URL(url);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
  const socket =
    u.protocol === 'https:'
      ? tlsConnect({ host, port, ...(isIP(host) ? {} : { servername: host }), ALPNProtocols: ['http/1.1'], ...(tls ? { cert: tls.cert, key: tls.key, ca: tls.ca } : {}) })
      : netConnect({ host, port });
  socket.on('error', () => undefined);
  return socket;
}
