/** Small JSON-over-HTTP helpers for the feature's own routes (portal API, test controls). */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorCode } from '../../../shared/errors.ts';
import { pickLang, type Lang } from '../../../shared/i18n/lang.ts';
import { CodedError, toPublicError } from '../errors.ts';
import { header } from '../http/request.ts';
import type { Logger } from '../log.ts';

/** A refusal of one of these routes with its own HTTP status; a member of the one hierarchy (errors.ts). */
export class HttpError extends CodedError {
  constructor(status: number, code: ErrorCode, args: ReadonlyArray<string | number> = []) {
    super(code, { args, httpStatus: status });
  }
}

export { header };

export function requestLang(req: IncomingMessage, fallback?: string): Lang {
  return pickLang(fallback || header(req, 'accept-language'));
}

/** Reads a body of at most `max` bytes as UTF-8 text; a larger one is a 413. */
export async function readText(req: IncomingMessage, max: number): Promise<string> {
  const declared = Number(header(req, 'content-length') ?? NaN);
  if (declared > max) throw new HttpError(413, 'request.too_large', [max]);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) throw new HttpError(413, 'request.too_large', [max]);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads a JSON object body of at most `max` bytes; anything else is a 400 / 413. */
export async function readJson(req: IncomingMessage, max: number): Promise<Record<string, unknown>> {
  const text = await readText(req, max);
  try {
    const value: unknown = JSON.parse(text || '{}');
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch {
    throw new HttpError(400, 'request.malformed');
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

/** Any error as `{error: {code, message}}` in the caller's language (the mapping is errors.ts toPublicError). */
export function sendError(res: ServerResponse, err: unknown, lang: Lang, log: Logger): void {
  const p = toPublicError(err, lang, log);
  if (!res.headersSent) sendJson(res, p.httpStatus, { error: { code: p.code, message: p.message } });
  else res.end();
}
