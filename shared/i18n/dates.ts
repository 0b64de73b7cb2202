/**
 * Dates, times and sizes as the reader reads them: their language, Luxembourg's time zone, through
 * Intl (issue 13). One place for every screen, banner, report, portal page and notification, so that
 * "Sun, 06 Dec 2026 21:07:52 +0000" never reaches a doctor and a German reader never gets 12-hour times.
 */
import type { Lang } from './lang.ts';

export const TIME_ZONE = 'Europe/Luxembourg';
/** The locale of each language: Luxembourg's French and German; British English (day-month order, 24 h). */
export const DATE_LOCALES: Record<Lang, string> = { fr: 'fr-LU', de: 'de-LU', en: 'en-GB' };

export type DateStyle =
  /** 07/12/2026 (fr), 07.12.2026 (de) */
  | 'date'
  /** 7 déc. 2026 */
  | 'day'
  /** 07:05 */
  | 'time'
  /** 7 déc. 2026, 09:05 */
  | 'medium'
  /** 7 décembre 2026 à 09:05 */
  | 'long'
  /** lundi 7 décembre 2026 à 09:05 */
  | 'full';

const OPTIONS: Record<DateStyle, Intl.DateTimeFormatOptions> = {
  date: { day: '2-digit', month: '2-digit', year: 'numeric' },
  day: { dateStyle: 'medium' },
  time: { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' },
  medium: { dateStyle: 'medium', timeStyle: 'short', hourCycle: 'h23' },
  long: { dateStyle: 'long', timeStyle: 'short', hourCycle: 'h23' },
  full: { dateStyle: 'full', timeStyle: 'short', hourCycle: 'h23' },
};

/**
 * `value` (ISO 8601, an RFC 5322 Date header, a Date) in `lang`; '' for nothing, the text itself when it
 * is not a date (shown as written rather than "Invalid Date").
 */
export function formatDateTime(value: string | Date | undefined | null, lang: Lang, style: DateStyle = 'medium', timeZone = TIME_ZONE): string {
  if (value === undefined || value === null || value === '') return '';
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  return new Intl.DateTimeFormat(DATE_LOCALES[lang], { ...OPTIONS[style], timeZone }).format(d);
}

/** The wall-clock fields of an instant in a time zone (Intl, so summer time follows the zone's rules). */
export function zonedParts(ms: number, timeZone = TIME_ZONE): { y: number; m: number; d: number; hh: number; mm: number; ss: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(ms));
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return { y: n('year'), m: n('month'), d: n('day'), hh: n('hour'), mm: n('minute'), ss: n('second') };
}

/** How far `timeZone`'s wall clock is ahead of UTC at `ms`, in ms (Luxembourg: 1 h in winter, 2 h in summer). */
export function zoneOffsetMs(ms: number, timeZone = TIME_ZONE): number {
  const p = zonedParts(ms, timeZone);
  return Date.UTC(p.y, p.m - 1, p.d, p.hh, p.mm, p.ss) - Math.floor(ms / 1000) * 1000;
}
