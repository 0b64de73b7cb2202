/**
 * The dates of the sender's control as a user picks them: an `<input type="date">` holds a calendar
 * day (YYYY-MM-DD), the key service wants an instant. A day chosen for a read deadline or an access
 * end means "until the end of that day" in Luxembourg, the time zone every screen of the suite shows
 * dates in (shared/i18n/dates.ts TIME_ZONE) — not the browser's, which may be anywhere.
 */
import { TIME_ZONE, zonedParts, zoneOffsetMs as offsetMs } from '../../../../shared/i18n/dates.ts';

const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar day written YYYY-MM-DD (no 2026-02-30). */
export function isDayValue(value: string): boolean {
  const m = DAY_RE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

/**
 * The last second of the day `value` (YYYY-MM-DD) in `timeZone`, as ISO 8601 UTC; undefined when
 * `value` is not a day. Two passes settle the offset on days when summer time starts or ends.
 */
export function endOfDayIso(value: string, timeZone = TIME_ZONE): string | undefined {
  if (!isDayValue(value)) return undefined;
  const [y, m, d] = value.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d, 23, 59, 59);
  let t = wall - offsetMs(wall, timeZone);
  t = wall - offsetMs(t, timeZone);
  return new Date(t).toISOString();
}

/** The day (YYYY-MM-DD) an instant falls on in `timeZone`, for a date input's value; '' for nothing. */
export function dayValue(value: string | Date | undefined, timeZone = TIME_ZONE): string {
  if (value === undefined || value === '') return '';
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  if (Number.isNaN(ms)) return '';
  const p = zonedParts(ms, timeZone);
  return `${String(p.y).padStart(4, '0')}-${String(p.m).padStart(2, '0')}-${String(p.d).padStart(2, '0')}`;
}
