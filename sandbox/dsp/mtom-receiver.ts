/**
 * A multipart/related (MTOM/XOP) body split into its parts AS IT ARRIVES (RFC 2046 §5.1.1, RFC 2387,
 * XOP 1.0 §3): the repository stand-in reads the root part (the SOAP envelope, first: SOAP MTOM 1.0
 * §4.3 puts it there unless `start` says otherwise) as soon as it is complete and checks it while the
 * documents are still coming, and hashes each attachment chunk by chunk. What it checks is exactly
 * what it checked on the joined body (server-extension/src/dsp/mtom.ts parseMultipart): nothing is
 * skipped, the checks only start earlier.
 *
 * Chunks are kept as the socket delivered them (subarrays, never joined); a delimiter split across
 * two chunks is found through a small window (at most 2 × the delimiter's length).
 */
import { createHash, type Hash } from 'node:crypto';

export interface ReceivedPart {
  headers: Record<string, string>;
  /** Content-ID without the angle brackets. */
  cid: string;
  chunks: Buffer[];
  size: number;
  /** SHA-1 (hex) of the part's bytes; computed for every part after the root. */
  sha1: string;
}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');
const MAX_HEADERS = 16 * 1024;

type State = 'preamble' | 'afterDelimiter' | 'headers' | 'body' | 'done';

export class MtomReceiver {
  readonly parts: ReceivedPart[] = [];
  /** The first error of the package (the rest of the body is then only drained). */
  error: string | undefined;
  readonly #delim: Buffer;
  #state: State = 'preamble';
  /** Bytes not yet attributed: a possible start of a delimiter, or unfinished headers / delimiter tail. */
  #carry: Buffer;
  #headerBytes: Buffer[] = [];
  #part: (ReceivedPart & { hash?: Hash }) | undefined;

  /** `onRoot` is called once, synchronously, when the first part (the root) is complete. */
  constructor(contentType: string, private readonly onRoot: (root: ReceivedPart) => void) {
    const m = /boundary="?([^";]+)"?/i.exec(contentType);
    if (!m) {
      this.error = 'multipart without boundary';
      this.#delim = Buffer.alloc(0);
    } else this.#delim = Buffer.from(`\r\n--${m[1]}`);
    // The first delimiter has no CRLF before it (the body starts with it): pretend one was there.
    this.#carry = CRLF;
  }

  push(chunk: Buffer): void {
    if (this.error || this.#state === 'done') return;
    try {
      this.#consume(chunk);
    } catch (e) {
      this.error = (e as Error).message;
    }
  }

  /** Call at the end of the body; answers the error of an incomplete package, if any. */
  end(): string | undefined {
    if (this.error) return this.error;
    if (this.#state === 'preamble') return (this.error = 'boundary not found');
    if (this.#state === 'headers' || this.#state === 'afterDelimiter') return (this.error = 'part without header end');
    if (this.#state === 'body') return (this.error = 'unterminated part');
    return undefined;
  }

  #consume(chunk: Buffer): void {
    let c = chunk;
    while (c.length && this.#state !== 'done') {
      if (this.#state === 'preamble' || this.#state === 'body') c = this.#scanBody(c);
      else if (this.#state === 'afterDelimiter') {
        if (this.#carry.length) {
          c = Buffer.concat([this.#carry, c]);
          this.#carry = Buffer.alloc(0);
        }
        if (c.length < 2) {
          this.#carry = Buffer.from(c);
          return;
        }
        if (c[0] === 0x2d && c[1] === 0x2d) {
          this.#state = 'done';
          return;
        }
        // The CRLF that ends the delimiter line is skipped (as parseMultipart does).
        if (c[0] === 0x0d && c[1] === 0x0a) c = c.subarray(2);
        this.#state = 'headers';
        this.#headerBytes = [];
      } else if (this.#state === 'headers') c = this.#scanHeaders(c);
    }
  }

  #scanHeaders(c: Buffer): Buffer {
    this.#headerBytes.push(c);
    const joined = Buffer.concat(this.#headerBytes);
    const end = joined.indexOf(HEADER_END);
    if (end < 0) {
      if (joined.length > MAX_HEADERS) throw new Error('part without header end');
      this.#headerBytes = [joined];
      return Buffer.alloc(0);
    }
    const headers: Record<string, string> = {};
    for (const line of joined.subarray(0, end).toString('utf8').split('\r\n')) {
      const i = line.indexOf(':');
      if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
    }
    this.#headerBytes = [];
    const root = this.parts.length === 0;
    this.#part = { headers, cid: (headers['content-id'] ?? '').replace(/^<|>$/g, ''), chunks: [], size: 0, sha1: '', ...(root ? {} : { hash: createHash('sha1') }) };
    this.#state = 'body';
    this.#carry = Buffer.alloc(0);
    return joined.subarray(end + 4);
  }

  /** Body bytes up to the next delimiter; the delimiter itself switches the state. */
  #scanBody(c: Buffer): Buffer {
    const d = this.#delim;
    const carry = this.#carry;
    if (carry.length && c.length < d.length - 1) {
      // A short chunk: search it together with what was carried (a small copy).
      c = Buffer.concat([carry, c]);
      this.#carry = Buffer.alloc(0);
    } else if (carry.length) {
      // A delimiter that starts in the carried bytes ends within the first d.length - 1 bytes of c.
      const window = Buffer.concat([carry, c.subarray(0, d.length - 1)]);
      const at = window.indexOf(d);
      if (at >= 0 && at < carry.length) {
        this.#emit(carry.subarray(0, at));
        return this.#closePart(c.subarray(at + d.length - carry.length));
      }
      this.#emit(carry);
      this.#carry = Buffer.alloc(0);
    }
    const at = c.indexOf(d);
    if (at >= 0) {
      this.#emit(c.subarray(0, at));
      return this.#closePart(c.subarray(at + d.length));
    }
    const keep = Math.min(c.length, d.length - 1);
    this.#emit(c.subarray(0, c.length - keep));
    this.#carry = c.subarray(c.length - keep);
    return Buffer.alloc(0);
  }

  #emit(b: Buffer): void {
    if (!b.length || this.#state === 'preamble' || !this.#part) return;
    this.#part.chunks.push(b);
    this.#part.size += b.length;
    this.#part.hash?.update(b);
  }

  #closePart(rest: Buffer): Buffer {
    const p = this.#part;
    this.#state = 'afterDelimiter';
    this.#carry = Buffer.alloc(0);
    if (p) {
      const { hash, ...part } = p;
      if (hash) part.sha1 = hash.digest('hex');
      this.parts.push(part);
      this.#part = undefined;
      if (this.parts.length === 1) this.onRoot(part);
    }
    return rest;
  }
}
