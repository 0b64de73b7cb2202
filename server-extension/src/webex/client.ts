/**
 * The Webex Meetings REST API, as the service uses it (developer.webex.com "Meetings";
 * WebexSamples/rest-api-samples `meetings/create/create_meeting.js`):
 *   POST   /meetings        {title, start, end, invitees[{email, displayName}], password, hostEmail}
 *   GET    /meetings        ?meetingType=scheduledMeeting&from&to&hostEmail&max → {items}
 *   DELETE /meetings/{id}   ?hostEmail → 204
 * With a site-admin integration token, `hostEmail` schedules, lists and deletes on behalf of that
 * user; the feature always passes the caller's own Zimbra address there.
 *
 * Failures are mapped here, at the adapter edge, to our public codes:
 *   network error, timeout, 401/403 (bad token), 5xx, unexpected answer → webex.unavailable
 *   429 → webex.rate_limited (Retry-After seconds, default 60)
 *   404 → webex.not_found
 *   other 4xx → webex.rejected with Webex's first `errors[].description` (bounded; Webex describes
 *   the field at fault, never the token)
 * The token never appears in an error, a log line or an answer: it lives in a Secret until the
 * Authorization header is built.
 */
import { CodedError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Secret } from '../config.ts';

/** The fields of Webex's meeting object we read. */
export interface WebexMeeting {
  id: string;
  meetingNumber: string;
  title: string;
  start: string;
  end: string;
  webLink: string;
  sipAddress?: string;
  hostEmail?: string;
  hasPassword?: boolean;
  password?: string;
}

export interface CreateMeeting {
  title: string;
  start: string;
  end: string;
  invitees: Array<{ email: string; displayName?: string }>;
  password?: string;
  hostEmail: string;
}

export interface WebexClientOptions {
  apiUrl: string;
  token: () => Promise<Secret | undefined>;
  timeoutMs: number;
  log: Logger;
  fetch?: typeof fetch;
}

export class WebexClient {
  readonly #opts: WebexClientOptions;
  readonly #fetch: typeof fetch;

  constructor(opts: WebexClientOptions) {
    this.#opts = opts;
    this.#fetch = opts.fetch ?? fetch;
  }

  async createMeeting(m: CreateMeeting): Promise<WebexMeeting> {
    return meeting(await this.#call('POST', '/meetings', undefined, m));
  }

  async listMeetings(hostEmail: string, from: Date, to: Date): Promise<WebexMeeting[]> {
    const query = new URLSearchParams({ meetingType: 'scheduledMeeting', hostEmail, from: from.toISOString(), to: to.toISOString(), max: '100' });
    const body = (await this.#call('GET', '/meetings', query)) as { items?: unknown };
    if (!Array.isArray(body?.items)) throw unavailable('list answer without items');
    return body.items.map(meeting);
  }

  async deleteMeeting(id: string, hostEmail: string): Promise<void> {
    await this.#call('DELETE', `/meetings/${encodeURIComponent(id)}`, new URLSearchParams({ hostEmail }));
  }

  async #call(method: string, path: string, query?: URLSearchParams, body?: unknown): Promise<unknown> {
    const token = await this.#opts.token();
    if (!token) throw unavailable('no Webex token (ESANTE_WEBEX_TOKEN_FILE missing or empty)');
    const url = `${this.#opts.apiUrl}${path}${query ? `?${query}` : ''}`;
    let res: Response;
    try {
      res = await this.#fetch(url, {
        method,
        headers: {
          Authorization: `Bearer ${token.reveal()}`,
          Accept: 'application/json',
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.#opts.timeoutMs),
      });
    } catch (e) {
      throw unavailable(`Webex ${method} ${path}: ${(e as Error).name}`);
    }
    const text = await res.text().catch(() => '');
    if (res.ok) {
      if (res.status === 204 || !text) return undefined;
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw unavailable(`Webex ${method} ${path}: answer is not JSON`);
      }
    }
    const trackingId = res.headers.get('trackingid') ?? undefined;
    // Log the status and Webex's trackingId (what Cisco support asks for); not the body, which may echo request data.
    this.#opts.log.warn({ status: res.status, method, path: path.replace(/\/meetings\/.+/, '/meetings/{id}'), trackingId }, 'Webex refused a call');
    if (res.status === 429) {
      const retry = Number(res.headers.get('retry-after'));
      const seconds = Number.isFinite(retry) && retry > 0 ? Math.ceil(retry) : 60;
      throw new CodedError('webex.rate_limited', { args: [seconds], message: `Webex rate limit, retry after ${seconds}s` });
    }
    if (res.status === 404) throw new CodedError('webex.not_found');
    if (res.status >= 400 && res.status < 500 && res.status !== 401 && res.status !== 403) {
      throw new CodedError('webex.rejected', { args: [firstDescription(text)], message: `Webex ${res.status}` });
    }
    throw unavailable(`Webex ${method} ${path}: HTTP ${res.status}`);
  }
}

function unavailable(message: string): CodedError {
  return new CodedError('webex.unavailable', { message });
}

/** `errors[0].description` of Webex's error body, else its `message`, bounded and on one line. */
function firstDescription(text: string): string {
  try {
    const body = JSON.parse(text) as { message?: unknown; errors?: Array<{ description?: unknown }> };
    const d = body.errors?.find((e) => typeof e?.description === 'string')?.description ?? body.message;
    if (typeof d === 'string' && d.trim()) return d.replace(/\s+/g, ' ').trim().slice(0, 200);
  } catch {
    // not JSON: fall through
  }
  return '?';
}

function meeting(raw: unknown): WebexMeeting {
  const m = raw as Record<string, unknown> | null;
  const str = (k: string): string | undefined => (typeof m?.[k] === 'string' ? (m[k] as string) : undefined);
  const id = str('id');
  const meetingNumber = str('meetingNumber');
  const webLink = str('webLink');
  const start = str('start');
  const end = str('end');
  if (!id || !meetingNumber || !webLink || !start || !end) throw unavailable('meeting answer without id, meetingNumber, webLink, start or end');
  const sipAddress = str('sipAddress');
  const hostEmail = str('hostEmail');
  return {
    id,
    meetingNumber,
    title: str('title') ?? '',
    start,
    end,
    webLink,
    ...(sipAddress ? { sipAddress } : {}),
    ...(hostEmail ? { hostEmail } : {}),
    hasPassword: m?.hasPassword === true || typeof m?.password === 'string',
  };
}
