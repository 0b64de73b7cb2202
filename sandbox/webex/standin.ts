/**
 * A local stand-in for the Webex Meetings REST API (never shipped), enough for the service's
 * client (server-extension/src/webex/client.ts) to be exercised for real. It follows
 * developer.webex.com "Meetings" and WebexSamples/rest-api-samples `meetings/create/create_meeting.js`:
 *
 *   POST   /v1/meetings        {title ≤ 128, start, end (ISO 8601), invitees[{email, displayName}], password,
 *                               hostEmail} → 200 the meeting {id, meetingNumber, title, start, end,
 *                               hostEmail, webLink, sipAddress, meetingType, state, hasPassword?}
 *   GET    /v1/meetings        ?meetingType=scheduledMeeting&from&to&hostEmail&max → 200 {items:[…]} (start order)
 *   GET    /v1/meetings/{id}   ?hostEmail → 200 the meeting, 404 if not this host's
 *   DELETE /v1/meetings/{id}   ?hostEmail → 204, 404 if not this host's
 *
 * Errors have Webex's shape `{message, errors:[{description}], trackingId}` with 400, 401 (bad or
 * missing bearer token), 404, 429 (with Retry-After, in seconds). As with a site-admin integration
 * token, `hostEmail` picks the host; this stand-in REQUIRES it (the service always sends it), so a
 * forgotten hostEmail fails loudly in tests instead of acting for "the token's user".
 * Meetings are kept in memory: a sandbox restart forgets them, which is fine for a stand-in.
 * `GET <sitePath>/j.php?MTID=…` (webLink) and `<sitePath>/m.php?AT=JM&MK=<number>` (URL API "join
 * meeting") answer a small page standing for the meeting room.
 */
import { randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody } from '../server/http-util.ts';

export interface WebexMeeting {
  id: string;
  meetingNumber: string;
  title: string;
  password?: string;
  meetingType: 'scheduledMeeting';
  state: 'active';
  start: string;
  end: string;
  hostEmail: string;
  webLink: string;
  sipAddress: string;
  invitees: Array<{ email: string; displayName?: string }>;
}

export interface WebexStandInOptions {
  /** The bearer token accepted (the site-admin integration token). */
  token: string;
  /** Path prefix of the API, e.g. `/sandbox/webex/v1` when mounted in the sandbox, `/v1` alone. */
  apiPath: string;
  /** Path of the meeting site's pages (webLink), e.g. `/sandbox/webex/meet`. */
  sitePath: string;
  /** Origin the links are written with (the sandbox's base URL), read per request. */
  origin: () => string;
  /** Requests allowed per token and window before 429 (Webex rate-limits per token). Default 300 per minute. */
  rateLimit?: { max: number; windowMs: number };
  now?: () => number;
}

export class WebexStandIn {
  readonly meetings = new Map<string, WebexMeeting>();
  /** Every request seen (method, path, query), for tests to check what the client sent. */
  readonly requests: Array<{ method: string; path: string; query: URLSearchParams; auth: string | undefined }> = [];
  readonly #opts: WebexStandInOptions;
  #window = { startedAt: 0, count: 0 };
  #rateLimit: { max: number; windowMs: number };

  constructor(opts: WebexStandInOptions) {
    this.#opts = opts;
    this.#rateLimit = opts.rateLimit ?? { max: 300, windowMs: 60_000 };
  }

  /** Tests: change the rate limit (the window restarts). */
  setRateLimit(limit: { max: number; windowMs: number }): void {
    this.#rateLimit = limit;
    this.#window = { startedAt: 0, count: 0 };
  }

  /** True when the path belongs to the stand-in (API or site pages). */
  owns(path: string): boolean {
    return [this.#opts.apiPath, this.#opts.sitePath].some((p) => path === p || path.startsWith(`${p}/`));
  }

  async handle(url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = url.pathname;
    if (path.startsWith(`${this.#opts.sitePath}/`)) return this.#sitePage(url, res);
    this.requests.push({ method: req.method ?? 'GET', path, query: url.searchParams, auth: req.headers.authorization });
    if (!this.#authorized(req.headers.authorization)) return sendError(res, 401, 'The request requires a valid access token set in the Authorization request header.');
    const limit = this.#rateLimit;
    const now = this.#now();
    if (now - this.#window.startedAt >= limit.windowMs) this.#window = { startedAt: now, count: 0 };
    if (++this.#window.count > limit.max) {
      const retryAfter = Math.max(1, Math.ceil((this.#window.startedAt + limit.windowMs - now) / 1000));
      res.setHeader('Retry-After', String(retryAfter));
      return sendError(res, 429, 'Too Many Requests');
    }
    const base = `${this.#opts.apiPath}/meetings`;
    const hostEmail = url.searchParams.get('hostEmail')?.toLowerCase();
    if (path === base && req.method === 'POST') {
      let body: Record<string, unknown>;
      try {
        body = JSON.parse((await readBody(req, 1 << 20)).toString('utf8')) as Record<string, unknown>;
      } catch {
        return sendError(res, 400, 'Invalid JSON body.');
      }
      return this.#create(body, res);
    }
    if (!hostEmail) return sendError(res, 400, 'hostEmail is required with an admin token in this stand-in.');
    if (path === base && req.method === 'GET') return this.#list(url.searchParams, hostEmail, res);
    const id = path.startsWith(`${base}/`) ? decodeURIComponent(path.slice(base.length + 1)) : '';
    const meeting = id ? this.meetings.get(id) : undefined;
    if (!id || (req.method !== 'GET' && req.method !== 'DELETE')) return sendError(res, 404, 'The requested resource could not be found.');
    if (!meeting || meeting.hostEmail.toLowerCase() !== hostEmail) return sendError(res, 404, 'Meeting not found.');
    if (req.method === 'DELETE') {
      this.meetings.delete(id);
      res.writeHead(204).end();
      return;
    }
    sendJson(res, 200, publicMeeting(meeting));
  }

  #now(): number {
    return (this.#opts.now ?? Date.now)();
  }

  #authorized(header: string | undefined): boolean {
    const m = /^Bearer (.+)$/.exec(header ?? '');
    if (!m) return false;
    const given = Buffer.from(m[1]!);
    const want = Buffer.from(this.#opts.token);
    return given.length === want.length && timingSafeEqual(given, want);
  }

  #create(body: Record<string, unknown>, res: ServerResponse): void {
    const bad = (description: string): void => sendError(res, 400, 'Request failed.', description);
    const { title, start, end, invitees, password, hostEmail } = body;
    if (typeof title !== 'string' || !title.trim()) return bad('title: must not be empty');
    if ([...title].length > 128) return bad('title: size must be between 0 and 128');
    if (typeof start !== 'string' || Number.isNaN(Date.parse(start))) return bad('start: invalid date-time');
    if (typeof end !== 'string' || Number.isNaN(Date.parse(end))) return bad('end: invalid date-time');
    if (Date.parse(end) <= Date.parse(start)) return bad('end: must be after start');
    if (Date.parse(end) - Date.parse(start) > 24 * 3_600_000) return bad('end: meeting duration must not exceed 24 hours');
    if (typeof hostEmail !== 'string' || !hostEmail.includes('@')) return bad('hostEmail is required with an admin token in this stand-in.');
    if (password !== undefined && (typeof password !== 'string' || password.length < 4)) return bad('password: must be at least 4 characters');
    const list: WebexMeeting['invitees'] = [];
    for (const inv of Array.isArray(invitees) ? (invitees as Array<Record<string, unknown>>) : []) {
      if (typeof inv?.email !== 'string' || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(inv.email)) return bad(`invitees.email: invalid email address`);
      list.push({ email: inv.email, ...(typeof inv.displayName === 'string' ? { displayName: inv.displayName } : {}) });
    }
    const id = randomBytes(16).toString('hex');
    const meetingNumber = String(randomInt(2_000_000_000, 2_999_999_999));
    const origin = this.#opts.origin();
    const meeting: WebexMeeting = {
      id,
      meetingNumber,
      title,
      ...(typeof password === 'string' ? { password } : {}),
      meetingType: 'scheduledMeeting',
      state: 'active',
      start,
      end,
      hostEmail,
      webLink: `${origin}${this.#opts.sitePath}/j.php?MTID=m${id}`,
      sipAddress: `${meetingNumber}@${new URL(origin).hostname}.webex.invalid`,
      invitees: list,
    };
    this.meetings.set(id, meeting);
    sendJson(res, 200, publicMeeting(meeting));
  }

  #list(q: URLSearchParams, hostEmail: string, res: ServerResponse): void {
    if (q.get('meetingType') && q.get('meetingType') !== 'scheduledMeeting') return sendJson(res, 200, { items: [] });
    const from = q.get('from') ? Date.parse(q.get('from')!) : -Infinity;
    const to = q.get('to') ? Date.parse(q.get('to')!) : Infinity;
    if (Number.isNaN(from) || Number.isNaN(to)) return sendError(res, 400, 'Request failed.', 'from/to: invalid date-time');
    const max = Math.min(Number(q.get('max') ?? 10) || 10, 100);
    const items = [...this.meetings.values()]
      .filter((m) => m.hostEmail.toLowerCase() === hostEmail && Date.parse(m.end) > from && Date.parse(m.start) < to)
      .sort((a, b) => Date.parse(a.start) - Date.parse(b.start))
      .slice(0, max)
      .map(publicMeeting);
    sendJson(res, 200, { items });
  }

  #sitePage(url: URL, res: ServerResponse): void {
    const mtid = url.searchParams.get('MTID')?.replace(/^m/, '');
    const meeting = mtid ? this.meetings.get(mtid) : [...this.meetings.values()].find((m) => m.meetingNumber === url.searchParams.get('MK'));
    const title = meeting ? meeting.title.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`) : 'Webex';
    res.writeHead(meeting ? 200 : 404, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': "default-src 'none'" });
    res.end(`<!doctype html><html lang="fr"><meta charset="utf-8"><title>${title}</title><h1 id="webex-room">${meeting ? `Salle Webex (sandbox) : ${title}` : 'Conférence inconnue'}</h1></html>`);
  }
}

/** Webex answers `hasPassword`-like detail only to the host; we never echo the password itself here. */
function publicMeeting(m: WebexMeeting): Omit<WebexMeeting, 'password'> & { hasPassword?: true } {
  const { password, ...rest } = m;
  return password ? { ...rest, hasPassword: true } : rest;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json;charset=UTF-8', TrackingID: `SANDBOX_${randomBytes(8).toString('hex')}` });
  res.end(JSON.stringify(body));
}

/** Webex's error shape: `{message, errors:[{description}], trackingId}`. */
function sendError(res: ServerResponse, status: number, message: string, description = message): void {
  sendJson(res, status, { message, errors: [{ description }], trackingId: `SANDBOX_${randomBytes(8).toString('hex')}` });
}

/** The stand-in alone on its own port (tests): API at `<url>/v1`, site at `<url>/meet`. */
export async function startWebexStandIn(opts: Omit<WebexStandInOptions, 'apiPath' | 'sitePath' | 'origin'>): Promise<{
  url: string;
  apiUrl: string;
  siteUrl: string;
  standIn: WebexStandIn;
  stop(): Promise<void>;
}> {
  let origin = '';
  const standIn = new WebexStandIn({ ...opts, apiPath: '/v1', sitePath: '/meet', origin: () => origin });
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://webex');
    standIn.handle(url, req, res).catch(() => {
      if (!res.headersSent) sendError(res, 500, 'Internal error');
      else res.destroy();
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: origin,
    apiUrl: `${origin}/v1`,
    siteUrl: `${origin}/meet`,
    standIn,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}
