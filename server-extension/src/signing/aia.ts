/**
 * Issuer certificates from Authority Information Access caIssuers URLs (RFC 5280 §4.2.2.1), for
 * signatures that carry only the signer's certificate (what many mail clients send; RFC 8551 §2.4.2
 * says a signer SHOULD include the chain, not MUST). The verifier (verify.ts) asks for the issuer of
 * the certificate its path stops at, and only:
 * - for a message whose signature value verifies with the signer's key (no fetch for garbage);
 * - a few hops (MAX_AIA_HOPS), http(s) only, each download bounded in time and size (download.ts);
 * - what is fetched is a candidate intermediate, never a trust anchor: a path through it must still
 *   end at a configured anchor (ESANTE_SIGNING_TRUST_ANCHORS), names must chain and signatures verify.
 * Answers are cached per URL (a success for a day, a failure for a few minutes) so a burst of
 * messages from one signer makes one request.
 *
 * Formats (RFC 5280 §4.2.2.1): a single DER certificate (".cer"/".crt", application/pkix-cert) and
 * PEM are read; a "certs-only" CMS collection (.p7c) is not (reported: no issuer found).
 */
import { downloadBounded } from './download.ts';
import { certificatesFromPem, parseCertificate, type ParsedCertificate } from './x509.ts';

/** How many missing issuers one verification may fetch (leaf's issuer, its issuer…). */
export const MAX_AIA_HOPS = 3;

export interface IssuerFetcherOptions {
  timeoutMs?: number;
  /** Largest answer accepted, in bytes (an issuer certificate is a few KB). */
  maxBytes?: number;
  /** How long a fetched certificate is kept, ms (default one day). */
  cacheMs?: number;
  /** How long a failed URL is not retried, ms (default five minutes). */
  retryAfterMs?: number;
  /** Most URLs remembered (the cache is emptied past it). */
  maxEntries?: number;
  fetch?: typeof fetch;
  now?: () => Date;
  log?: { warn(obj: object, msg: string): void };
}

interface Entry {
  certificates: ParsedCertificate[];
  until: number;
}

export class IssuerFetcher {
  private readonly cache = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly o: Required<Omit<IssuerFetcherOptions, 'log'>> & Pick<IssuerFetcherOptions, 'log'>;
  /** HTTP requests made (tests, health). */
  requests = 0;

  constructor(opts: IssuerFetcherOptions = {}) {
    this.o = {
      timeoutMs: opts.timeoutMs ?? 5_000,
      maxBytes: opts.maxBytes ?? 64 * 1024,
      cacheMs: opts.cacheMs ?? 86_400_000,
      retryAfterMs: opts.retryAfterMs ?? 300_000,
      maxEntries: opts.maxEntries ?? 1_000,
      fetch: opts.fetch ?? fetch,
      now: opts.now ?? (() => new Date()),
      log: opts.log,
    };
  }

  /** The certificates cached for these URLs (no network): what a synchronous verification can use. */
  cached(urls: readonly string[]): ParsedCertificate[] {
    const now = this.o.now().getTime();
    return urls.flatMap((u) => {
      const e = this.cache.get(u);
      return e && e.until > now ? e.certificates : [];
    });
  }

  /** Fetches the URLs not cached yet (one request at a time per URL), then answers like cached(). Never throws. */
  async issuers(urls: readonly string[]): Promise<ParsedCertificate[]> {
    await Promise.all(urls.filter((u) => /^https?:\/\//i.test(u)).map((u) => this.refresh(u)));
    return this.cached(urls);
  }

  private refresh(url: string): Promise<void> {
    const e = this.cache.get(url);
    if (e && e.until > this.o.now().getTime()) return Promise.resolve();
    let p = this.inFlight.get(url);
    if (!p) {
      p = this.load(url).finally(() => this.inFlight.delete(url));
      this.inFlight.set(url, p);
    }
    return p;
  }

  private async load(url: string): Promise<void> {
    let entry: Entry;
    try {
      this.requests++;
      const body = await downloadBounded(url, {
        fetch: this.o.fetch,
        timeoutMs: this.o.timeoutMs,
        maxBytes: this.o.maxBytes,
        accept: 'application/pkix-cert, application/x-x509-ca-cert, */*',
        what: 'issuer certificate',
      });
      const text = body.subarray(0, 64).toString('latin1');
      const certificates = text.includes('-----BEGIN CERTIFICATE-----') ? certificatesFromPem(body.toString('latin1')) : [parseCertificate(body)];
      entry = { certificates, until: this.o.now().getTime() + this.o.cacheMs };
    } catch (e) {
      this.o.log?.warn({ url, err: (e as Error).message }, 'issuer certificate download failed');
      entry = { certificates: [], until: this.o.now().getTime() + this.o.retryAfterMs };
    }
    if (this.cache.size >= this.o.maxEntries) this.cache.clear();
    this.cache.set(url, entry);
  }
}
