/** Small JSON-over-HTTP helpers for the feature's own routes (portal API, test controls). */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorText, isErrorCode, type ErrorCode } from '../../../shared/errors.ts';
import { pickLang, type Lang } from '../../../shared/i18n/lang.ts';
import { fromCodedError, isEsanteError } from '../errors.ts';
import type { Logger } from '../log.ts';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    readonly args: ReadonlyArray<string | number> = [],
  ) {
    super(code);
  }
}

export function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

export function requestLang(req: IncomingMessage, fallback?: string): Lang {
  return pickLang(fallback || header(req, 'accept-language'));
}

/** Reads a JSON object body of at most `max` bytes; anything else is a 400 / 413. */
export async function readJson(req: IncomingMessage, max: number): Promise<Record<string, unknown>> {
  const declared = Number(header(req, 'content-length') ?? NaN);
  if (declared > max) throw new HttpError(413, 'request.too_large', [max]);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) throw new HttpError(413, 'request.too_large', [max]);
    chunks.push(chunk);
  }
  try {
    const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
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

/** Any error as `{error: {code, message}}` in the caller's language; unknown errors as service.internal with a logged reference. */
export function sendError(res: ServerResponse, err: unknown, lang: Lang, log: Logger): void {
  let status = 500;
  let code: ErrorCode = 'service.internal';
  let args: ReadonlyArray<string | number> = [];
  const mapped = isEsanteError(err) ? err : fromCodedError(err);
  if (err instanceof HttpError) {
    ({ status, code, args } = err);
  } else if (mapped) {
    status = mapped.httpStatus;
    code = mapped.code;
    args = mapped.args;
  }
  if (code === 'service.internal') {
    const reference = Math.random().toString(36).slice(2, 10);
    log.error({ err, reference }, 'portal request failed');
    args = [reference];
  }
  if (!isErrorCode(code)) code = 'service.internal';
  if (!res.headersSent) sendJson(res, status, { error: { code, message: errorText(code, lang, ...args) } });
  else res.end();
}
