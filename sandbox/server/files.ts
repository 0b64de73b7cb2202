/**
 * File servlets: upload (zm-mailbox `store/docs/file-upload.txt`, `store/src/java/com/zimbra/cs/service/FileUploadServlet.java`),
 * raw message download (`/service/content/get`, ContentServlet.java) and attachment download by part
 * (`/service/home/~/?id=&part=`, UserServlet.java). All authenticate with the ZM_AUTH_TOKEN cookie and
 * only ever read the caller's own mailbox.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { SandboxDeps } from './context.ts';
import type { Session } from './sessions.ts';
import { CSRF_HEADER } from '../../shared/paths.ts';
import { HttpError, authTokenFromCookie, readBody, sendText } from './http-util.ts';
import { attachmentPart } from './mime.ts';

/** zimbraFileUploadMaxSize default (10 MB). */
export const MAX_UPLOAD = 10 * 1024 * 1024;
const REQUEST_ID = /^[a-zA-Z0-9_.-]{1,64}$/;

function sessionFromCookie(deps: SandboxDeps, req: IncomingMessage): Session | null {
  try {
    return deps.sessions.resolve(authTokenFromCookie(req));
  } catch {
    return null;
  }
}

/** `filename="…"` / RFC 5987 `filename*=UTF-8''…` of a Content-Disposition header. */
export function dispositionFilename(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header);
  if (star) {
    try {
      return decodeURIComponent(star[1]!.trim());
    } catch {
      /* fall through to the plain form */
    }
  }
  const plain = /filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]+))/.exec(header);
  return plain ? (plain[1] ?? plain[2] ?? '').replace(/\\(.)/g, '$1').trim() : undefined;
}

/** Keeps a file name safe to echo back and to put in a MIME header (no path, no control characters). */
function cleanFilename(name: string | undefined): string {
  const base = (name ?? '').split(/[/\\]/).pop() ?? '';
  return base.replace(/[\u0000-\u001f\u007f"]/g, '').slice(0, 255) || 'upload.bin';
}

interface Uploaded {
  aid: string;
  filename: string;
  ct: string;
  s: number;
}

/** The response body in the format `fmt` asks for (file-upload.txt: html callback, raw, extended, raw+extended). */
function uploadResponse(fmt: Set<string>, status: number, requestId: string, files: Uploaded[]): { body: string; type: string } {
  const rid = `'${requestId}'`;
  const payload = status !== 200 ? '' : fmt.has('extended') ? `,${JSON.stringify(files)}` : `,'${files.map((f) => f.aid).join(',')}'`;
  const call = `${status},${rid}${payload}`;
  if (fmt.has('raw')) return { body: call, type: 'text/plain; charset=utf-8' };
  // The JSON is embedded in an HTML attribute: escape what would end it.
  const js = call.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  return { body: `<html><head></head><body onload="window.parent._uploadManager.loaded(${js});"></body></html>`, type: 'text/html; charset=utf-8' };
}

/**
 * `POST /service/upload?fmt=raw,extended`: a multipart/form-data form (RFC 1867, fields `requestId`
 * and `csrfToken`, any number of files) or a plain body with `Content-Disposition: attachment; filename=…`
 * and `Content-Type` (the web client's HTML5 upload). CSRF-secured tokens need the X-Zimbra-Csrf-Token
 * header (or the csrfToken form field), as FileUploadServlet checks.
 */
export async function handleUpload(deps: SandboxDeps, url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const fmt = new Set((url.searchParams.get('fmt') ?? '').split(',').map((s) => s.trim()));
  const reply = (status: number, rid: string, files: Uploaded[] = []): void => {
    const r = uploadResponse(fmt, status, rid, files);
    sendText(res, status, r.body, r.type, { 'Cache-Control': 'no-store' });
  };
  if (req.method !== 'POST') return reply(405, 'null');
  const session = sessionFromCookie(deps, req);
  if (!session) {
    req.resume();
    return reply(401, 'null');
  }
  let data: Buffer;
  try {
    data = await readBody(req, MAX_UPLOAD + 64 * 1024);
  } catch (e) {
    if (e instanceof HttpError && e.status === 413) {
      req.resume();
      return reply(413, 'null');
    }
    throw e;
  }
  const ctype = req.headers['content-type'] ?? 'application/octet-stream';
  const headerCsrf = req.headers[CSRF_HEADER.toLowerCase()];
  let csrf = Array.isArray(headerCsrf) ? headerCsrf[0] : headerCsrf;
  let requestId = 'null';
  const files: Array<{ filename: string; ct: string; data: Buffer }> = [];
  if (/^multipart\/form-data/i.test(ctype)) {
    let form: FormData;
    try {
      form = await new Response(new Uint8Array(data), { headers: { 'content-type': ctype } }).formData();
    } catch {
      return reply(400, 'null');
    }
    for (const [name, value] of form.entries()) {
      if (typeof value === 'string') {
        if (name === 'requestId' && REQUEST_ID.test(value)) requestId = value;
        if (name === 'csrfToken' && !csrf) csrf = value;
      } else {
        files.push({ filename: cleanFilename(value.name), ct: value.type || 'application/octet-stream', data: Buffer.from(await value.arrayBuffer()) });
      }
    }
  } else {
    const rid = url.searchParams.get('requestId');
    if (rid && REQUEST_ID.test(rid)) requestId = rid;
    const cd = req.headers['content-disposition'];
    files.push({ filename: cleanFilename(dispositionFilename(Array.isArray(cd) ? cd[0] : cd)), ct: ctype.split(';')[0]!.trim() || 'application/octet-stream', data });
  }
  if (session.csrfSecured && !deps.sessions.checkCsrf(session, csrf)) return reply(401, requestId);
  if (files.length === 0) return reply(204, requestId);
  if (files.some((f) => f.data.length > MAX_UPLOAD)) return reply(413, requestId);
  const out: Uploaded[] = [];
  for (const f of files) {
    const aid = randomUUID();
    deps.store.addUpload({ aid, account_id: session.account.id, filename: f.filename, content_type: f.ct, data: f.data });
    out.push({ aid, filename: f.filename, ct: f.ct, s: f.data.length });
  }
  reply(200, requestId, out);
}

function messageFromQuery(deps: SandboxDeps, url: URL, req: IncomingMessage, res: ServerResponse): { session: Session; raw: Buffer } | null {
  const session = sessionFromCookie(deps, req);
  if (!session) {
    sendText(res, 401, 'must authenticate', 'text/plain; charset=utf-8');
    return null;
  }
  const id = url.searchParams.get('id') ?? '';
  const row = /^\d{1,15}$/.test(id) ? deps.store.message(session.account.id, Number(id)) : undefined;
  // Another user's message id answers the same 404 as a missing one: no probing of other mailboxes.
  if (!row) {
    sendText(res, 404, 'no such item', 'text/plain; charset=utf-8');
    return null;
  }
  return { session, raw: row.raw };
}

/** `GET /service/content/get?id=ID`: the raw RFC 822 message as stored (ContentServlet). */
export async function handleContentGet(deps: SandboxDeps, url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET') return sendText(res, 405, 'method not allowed', 'text/plain; charset=utf-8');
  const found = messageFromQuery(deps, url, req, res);
  if (!found) return;
  sendText(res, 200, found.raw, 'message/rfc822', { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
}

/** `GET /service/home/~/?id=ID&part=N`: one attachment, always as a download (UserServlet with disp=a). */
export async function handleHomePart(deps: SandboxDeps, url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET') return sendText(res, 405, 'method not allowed', 'text/plain; charset=utf-8');
  if (!/^\/service\/home\/~\/?$/.test(url.pathname)) return sendText(res, 404, 'not found', 'text/plain; charset=utf-8');
  const found = messageFromQuery(deps, url, req, res);
  if (!found) return;
  const part = url.searchParams.get('part');
  if (!part) return sendText(res, 200, found.raw, 'message/rfc822', { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
  const a = await attachmentPart(found.raw, part);
  if (!a) return sendText(res, 404, 'no such part', 'text/plain; charset=utf-8');
  const encoded = encodeURIComponent(a.filename);
  sendText(res, 200, a.content, a.contentType, {
    'Content-Disposition': `attachment; filename="${a.filename.replace(/[^\x20-\x7e]|"/g, '_')}"; filename*=UTF-8''${encoded}`,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
}
