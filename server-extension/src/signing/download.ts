/**
 * One bounded HTTP GET for what a signature check fetches from URLs a certificate names (CRL
 * distribution points: crl.ts; AIA caIssuers: aia.ts). Bounded in time (the whole download, not
 * only the headers) and size (the declared length, then the bytes as they come): a slow or huge
 * answer from a URL an outsider chose must not hold the service.
 */
import { ServiceUnavailableError } from '../errors.ts';

/** Thrown when a download is over its size limit: the remote server's fault, not the caller's. */
export class DownloadTooLargeError extends ServiceUnavailableError {
  constructor(message: string) {
    super({ message });
  }
}

export interface BoundedDownload {
  fetch: typeof fetch;
  timeoutMs: number;
  maxBytes: number;
  /** Accept header (what the URL should serve). */
  accept: string;
  /** What is downloaded, for messages ("CRL", "issuer certificate"). */
  what: string;
  /** A POST body and its type (OCSP requests, RFC 6960 Appendix A.1); absent = GET. */
  post?: { body: Buffer; contentType: string };
}

export async function downloadBounded(url: string, o: BoundedDownload): Promise<Buffer> {
  const res = await o.fetch(url, {
    signal: AbortSignal.timeout(o.timeoutMs),
    redirect: 'follow',
    ...(o.post ? { method: 'POST', body: new Uint8Array(o.post.body), headers: { accept: o.accept, 'content-type': o.post.contentType } } : { headers: { accept: o.accept } }),
  });
  if (!res.ok) {
    await res.body?.cancel();
    throw new Error(`HTTP ${res.status}`);
  }
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > o.maxBytes) {
    await res.body?.cancel();
    throw new DownloadTooLargeError(`${o.what} larger than ${o.maxBytes} bytes`);
  }
  if (!res.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let size = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > o.maxBytes) {
      await reader.cancel();
      throw new DownloadTooLargeError(`${o.what} larger than ${o.maxBytes} bytes`);
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks);
}

/** What a cache of remote answers is told (CRL fetcher, OCSP client). */
export interface RemoteCacheOptions {
  /** Per request, ms. */
  timeoutMs?: number;
  /** Largest answer accepted, bytes. */
  maxBytes?: number;
  /** After a failed or unusable answer, do not ask again for that key before (ms, default 60 s). */
  retryAfterMs?: number;
  fetch?: typeof fetch;
  now?: () => Date;
  log?: { warn(obj: object, msg: string): void };
}

/**
 * Answers fetched from URLs a certificate names, cached per key until each entry's `until`, with at
 * most one request running per key (concurrent verifications of one signature share it).
 */
export abstract class RemoteCache<E extends { until: number }> {
  protected readonly cache = new Map<string, E>();
  private readonly inFlight = new Map<string, Promise<void>>();
  protected readonly timeoutMs: number;
  protected readonly maxBytes: number;
  protected readonly retryAfterMs: number;
  protected readonly doFetch: typeof fetch;
  protected readonly now: () => Date;
  /** How many HTTP requests were made (health, tests). */
  requests = 0;

  constructor(
    protected readonly opts: RemoteCacheOptions,
    defaults: { timeoutMs: number; maxBytes: number },
  ) {
    this.timeoutMs = opts.timeoutMs ?? defaults.timeoutMs;
    this.maxBytes = opts.maxBytes ?? defaults.maxBytes;
    this.retryAfterMs = opts.retryAfterMs ?? 60_000;
    this.doFetch = opts.fetch ?? fetch;
    this.now = opts.now ?? (() => new Date());
  }

  /** Runs `load` unless the entry of `key` is still current or a load of it is already running. */
  protected once(key: string, load: () => Promise<void>): Promise<void> {
    const entry = this.cache.get(key);
    if (entry && entry.until > this.now().getTime()) return Promise.resolve();
    const running = this.inFlight.get(key);
    if (running) return running;
    const p = load().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, p);
    return p;
  }
}
