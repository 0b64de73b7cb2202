/**
 * Rules of a Webex conference, shared by the zimlet (to refuse early) and the service (which
 * enforces them): Luxembourg local time to ISO 8601 with offset, the limits of the Webex Meetings
 * REST API's `POST /v1/meetings` (title ≤ 128 characters, end after start; developer.webex.com
 * "Create a Meeting"), and what may be joined (a meeting number or a link on our Webex site).
 * Pure functions: no I/O, the clock is a parameter.
 */
import { TIME_ZONE, zoneOffsetMs } from '../i18n/dates.ts';

export { TIME_ZONE };

/** Webex's limit on `title` (developer.webex.com, Meetings API "Create a Meeting"). */
export const MAX_TITLE = 128;
/** Longest meeting we schedule, in minutes (24 h): longer ones are a typing mistake. */
export const MAX_DURATION_MINUTES = 24 * 60;
/** Invitees per meeting: beyond this a mailing list is the better tool. */
export const MAX_INVITEES = 100;
/** A start this far in the past is still accepted (the minute the user typed has begun). */
export const PAST_GRACE_MS = 5 * 60_000;

export type ScheduleErrorCode =
  | 'webex.title_required'
  | 'webex.title_too_long'
  | 'webex.invalid_start'
  | 'webex.start_in_past'
  | 'webex.end_before_start'
  | 'webex.too_long'
  | 'webex.invalid_invitee'
  | 'webex.too_many_invitees';

export interface ScheduleInput {
  title: string;
  /** `YYYY-MM-DDTHH:MM`, Luxembourg local time. */
  start: string;
  durationMinutes: number;
  invitees: ReadonlyArray<{ email: string; displayName?: string | undefined }>;
  password?: string | undefined;
}

export interface ValidSchedule {
  title: string;
  /** ISO 8601 with the Luxembourg offset. */
  start: string;
  end: string;
  invitees: Array<{ email: string; displayName?: string }>;
  password?: string;
}

export type ScheduleCheck = { ok: true; value: ValidSchedule } | { ok: false; code: ScheduleErrorCode; args: Array<string | number> };

/** A pragmatic address check (one @, a dotted domain, no spaces or angle brackets), as Zimbra's compose does. */
const EMAIL = /^[^\s@<>()",;:]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;
export function isEmail(s: string): boolean {
  return s.length <= 254 && EMAIL.test(s);
}

/** Offset of Europe/Luxembourg from UTC at an instant, in minutes (60 in winter, 120 in summer). */
export function luxembourgOffsetMinutes(at: Date): number {
  return Math.round(zoneOffsetMs(at.getTime(), TIME_ZONE) / 60_000);
}

/** An instant written in Luxembourg time with its offset: `2026-12-01T10:00:00+01:00`. */
export function toLuxembourgIso(at: Date): string {
  const offset = luxembourgOffsetMinutes(at);
  const local = new Date(at.getTime() + offset * 60_000).toISOString().slice(0, 19);
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/**
 * The instant of a Luxembourg wall-clock time `YYYY-MM-DDTHH:MM`, or null when it is not a real
 * date/time. A time skipped by the spring change (02:00–03:00) is read with the winter offset, so it
 * lands an hour later, as calendar applications do.
 */
export function fromLuxembourgLocal(local: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local.trim());
  if (!m) return null;
  const [y, mo, d, h, mi] = m.slice(1).map(Number) as [number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59) return null;
  const wall = Date.UTC(y, mo - 1, d, h, mi);
  const check = new Date(wall);
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return null; // 31 February
  // Two passes: the offset at the guessed instant, then at the corrected one (DST boundaries).
  const first = wall - luxembourgOffsetMinutes(new Date(wall)) * 60_000;
  return new Date(wall - luxembourgOffsetMinutes(new Date(first)) * 60_000);
}

/** Luxembourg wall-clock `YYYY-MM-DDTHH:MM` of an instant (what the form shows by default). */
export function toLuxembourgLocal(at: Date): string {
  return toLuxembourgIso(at).slice(0, 16);
}

/** Checks a schedule request against the rules above; the first broken rule wins. */
export function checkSchedule(input: ScheduleInput, now: Date): ScheduleCheck {
  const fail = (code: ScheduleErrorCode, ...args: Array<string | number>): ScheduleCheck => ({ ok: false, code, args });
  const title = input.title.trim();
  if (!title) return fail('webex.title_required');
  if ([...title].length > MAX_TITLE) return fail('webex.title_too_long', MAX_TITLE);
  const start = fromLuxembourgLocal(input.start);
  if (!start) return fail('webex.invalid_start');
  if (start.getTime() < now.getTime() - PAST_GRACE_MS) return fail('webex.start_in_past');
  if (!Number.isInteger(input.durationMinutes) || input.durationMinutes < 1) return fail('webex.end_before_start');
  if (input.durationMinutes > MAX_DURATION_MINUTES) return fail('webex.too_long');
  if (input.invitees.length > MAX_INVITEES) return fail('webex.too_many_invitees', MAX_INVITEES);
  const seen = new Set<string>();
  const invitees: ValidSchedule['invitees'] = [];
  for (const inv of input.invitees) {
    const email = inv.email.trim();
    if (!isEmail(email)) return fail('webex.invalid_invitee', email.slice(0, 100));
    if (seen.has(email.toLowerCase())) continue;
    seen.add(email.toLowerCase());
    const displayName = inv.displayName?.trim();
    invitees.push(displayName ? { email, displayName } : { email });
  }
  const end = new Date(start.getTime() + input.durationMinutes * 60_000);
  const password = input.password?.trim();
  return {
    ok: true,
    value: { title, start: toLuxembourgIso(start), end: toLuxembourgIso(end), invitees, ...(password ? { password } : {}) },
  };
}

/**
 * The URL to open for what the user typed in "Rejoindre": a meeting number (9–11 digits, spaces
 * and hyphens allowed as Webex prints them, "2734 567 890") becomes the site's "join meeting"
 * command of the Webex Meetings URL API, `<site>/m.php?AT=JM&MK=<number>` (developer.cisco.com
 * "URL API Overview", "URL API Tips and Tricks": `https://acme.webex.com/acme/m.php?AT=JM&MK=…`); a link must be on the configured Webex site (same origin, under its
 * path) and https — http only when the site itself is (the sandbox's stand-in). Null otherwise.
 */
export function resolveJoin(input: string, siteUrl: string): string | null {
  const text = input.trim();
  const site = new URL(siteUrl);
  const sitePath = site.pathname.replace(/\/+$/, '');
  if (/^[\d\s-]+$/.test(text)) {
    const digits = text.replace(/[\s-]/g, '');
    return /^\d{9,11}$/.test(digits) ? `${site.origin}${sitePath}/m.php?AT=JM&MK=${digits}` : null;
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && site.protocol === 'http:')) return null;
  if (url.origin !== site.origin || url.username || url.password) return null;
  if (sitePath && url.pathname !== sitePath && !url.pathname.startsWith(`${sitePath}/`)) return null;
  return url.href;
}
