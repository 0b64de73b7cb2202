/**
 * Documents on their way to the DSP, two-step flow (the streamed flow keeps nothing: verifiedStream
 * below passes its chunks on as they come). A client POSTs the raw bytes (DSP_UPLOAD_PATH); they are
 * hashed as they arrive (SHA-1, the XDS hash) and kept ONLY in this process's memory, as the chunks
 * the socket delivered (never joined, never written to disk or logged), for the caller who sent them,
 * until FileDocument sends them on or 10 minutes pass. Dropped buffers are zero-filled.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { EsanteError } from '../errors.ts';

export interface Upload {
  owner: string;
  mimeType: string;
  chunks: Buffer[];
  size: number;
  sha1: string;
  expires: number;
}

/** Over ESANTE_DSP_MAX_DOCUMENT_BYTES: dsp.too_large {0} = the limit in MB (10^6 bytes, as the setting says 20 MB). */
export class UploadTooLargeError extends EsanteError {
  readonly code = 'dsp.too_large';
  readonly httpStatus = 413;
  readonly side = 'Client';
  constructor(maxBytes: number) {
    super({ args: [Math.round(maxBytes / 1_000_000)] });
  }
}

/**
 * The bytes streamed to DSP_FILE_PATH are not the ones PrepareFiling announced (`what`: size or
 * sha1): dsp.upload_mismatch. Thrown by verifiedStream while the ITI-41 request is being sent, it
 * makes the transport destroy that request before its close delimiter.
 */
export class UploadMismatchError extends EsanteError {
  readonly code = 'dsp.upload_mismatch';
  readonly httpStatus = 400;
  readonly side = 'Client';
  constructor(readonly what: 'size' | 'sha1') {
    super({ message: `uploaded bytes do not match the announced ${what}` });
  }
}

/**
 * The chunks of `source` passed on as they come (never kept), counted and hashed (SHA-1): more bytes
 * than `size` throw at once; at the end, another size or hash throws — before the consumer gets to
 * write anything after them.
 */
export async function* verifiedStream(source: AsyncIterable<Buffer>, sha1: string, size: number): AsyncGenerator<Buffer> {
  const hash = createHash('sha1');
  let n = 0;
  for await (const c of source) {
    n += c.length;
    if (n > size) throw new UploadMismatchError('size');
    hash.update(c);
    yield c;
  }
  if (n !== size) throw new UploadMismatchError('size');
  if (hash.digest('hex') !== sha1) throw new UploadMismatchError('sha1');
}

export class Uploads {
  readonly #items = new Map<string, Upload>();
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly o: { ttlMs: number; maxBytes: number; now: () => number }) {}

  /** Reads the body (up to maxBytes) and keeps it; answers the upload's id. */
  async receive(req: IncomingMessage, owner: string, mimeType: string): Promise<{ id: string; upload: Upload }> {
    const declared = Number(req.headers['content-length'] ?? NaN);
    // Too large: the rest is read and thrown away (up to twice the limit) so that a proxy in front
    // passes our 413 on instead of a reset connection; past that the socket is dropped.
    if (declared > 2 * this.o.maxBytes) throw new UploadTooLargeError(this.o.maxBytes);
    const hash = createHash('sha1');
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = declared > this.o.maxBytes;
    for await (const c of req as AsyncIterable<Buffer>) {
      size += c.length;
      if (tooLarge || size > this.o.maxBytes) {
        if (!tooLarge) wipe(chunks.splice(0));
        tooLarge = true;
        c.fill(0);
        if (size > 2 * this.o.maxBytes) throw new UploadTooLargeError(this.o.maxBytes);
        continue;
      }
      hash.update(c);
      chunks.push(c);
    }
    if (tooLarge) throw new UploadTooLargeError(this.o.maxBytes);
    const upload: Upload = { owner, mimeType, chunks, size, sha1: hash.digest('hex'), expires: this.o.now() + this.o.ttlMs };
    const id = randomBytes(18).toString('base64url');
    this.#items.set(id, upload);
    this.#timer ??= setInterval(() => this.sweep(), 60_000).unref();
    return { id, upload };
  }

  /** Inline base64 content (small documents) as an upload that was never registered. */
  fromBase64(content: string, owner: string, mimeType: string): Upload {
    const buf = Buffer.from(content, 'base64');
    return { owner, mimeType, chunks: [buf], size: buf.length, sha1: createHash('sha1').update(buf).digest('hex'), expires: 0 };
  }

  /** The caller's own upload (another user's id is "unknown", never revealed). */
  get(id: string, owner: string): Upload | undefined {
    const u = this.#items.get(id);
    if (!u || u.owner !== owner || u.expires < this.o.now()) return undefined;
    return u;
  }

  drop(id: string): void {
    const u = this.#items.get(id);
    if (u) wipe(u.chunks);
    this.#items.delete(id);
  }

  sweep(): void {
    const now = this.o.now();
    for (const [id, u] of this.#items) if (u.expires < now) this.drop(id);
  }

  close(): void {
    for (const id of [...this.#items.keys()]) this.drop(id);
    if (this.#timer) clearInterval(this.#timer);
  }
}

function wipe(chunks: Buffer[]): void {
  for (const c of chunks) c.fill(0);
}
