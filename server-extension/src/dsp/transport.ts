/**
 * HTTP(S) transport to the DSP's endpoints: one POST, a deadline, optional mutual TLS (client
 * certificate + the DSP's CA, ESANTE_DSP_TLS_*), the body's parts queued by reference (no joined copy),
 * the answer read up to a bound (an XDS answer is small; a huge one is not XDS).
 */
import http from 'node:http';
import https from 'node:https';
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
      (res) => {
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
        res.on('error', (e) => finish(new TransportError(e.message, true)));
      },
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
