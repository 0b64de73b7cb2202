/**
 * Pure helpers of the WebEx panel: reading the invitee addresses the user typed, the default form
 * values (Luxembourg time), the display of a meeting's time, and the invitation e-mail the user
 * sends from a new compose ("Inviter par e-mail"). No DOM, no Zimbra: unit-tested in node.
 */
import { toLuxembourgLocal, TIME_ZONE } from '../../../shared/webex/rules.ts';
import type { Lang } from '../../../shared/i18n/lang.ts';

export interface Invitee {
  email: string;
  displayName?: string;
}

/**
 * Addresses separated by commas, semicolons or new lines, each `a@b.lu` or `Name <a@b.lu>`
 * (how Zimbra writes them in a compose field). Invalid entries are kept as typed: the rules of
 * shared/webex/rules.ts refuse them with their own message.
 */
export function parseInvitees(text: string): Invitee[] {
  const out: Invitee[] = [];
  for (const part of text.split(/[,;\n]+/)) {
    const entry = part.trim();
    if (!entry) continue;
    const angle = /^(.*?)\s*<([^<>]+)>$/.exec(entry);
    if (angle) {
      const displayName = angle[1]!.replace(/^"|"$/g, '').trim();
      out.push(displayName ? { email: angle[2]!.trim(), displayName } : { email: angle[2]!.trim() });
    } else out.push({ email: entry });
  }
  return out;
}

/** The textarea form of invitees, one per line, `Name <address>` when a name is known. */
export function formatInvitees(invitees: readonly Invitee[]): string {
  return invitees.map((i) => (i.displayName ? `${i.displayName.replace(/[<>,;\s]+/g, ' ').trim()} <${i.email}>` : i.email)).join('\n');
}

/** Adds `more` to the typed text, skipping addresses already there (case-insensitive). */
export function mergeInvitees(text: string, more: readonly Invitee[]): string {
  const have = parseInvitees(text);
  const seen = new Set(have.map((i) => i.email.toLowerCase()));
  const added = more.filter((i) => !seen.has(i.email.toLowerCase()) && seen.add(i.email.toLowerCase()));
  return formatInvitees([...have, ...added]);
}

/** Default start: the next quarter hour at least 10 minutes away, Luxembourg time → {date, time}. */
export function defaultStart(now: Date): { date: string; time: string } {
  const quarter = 15 * 60_000;
  const at = new Date(Math.ceil((now.getTime() + 10 * 60_000) / quarter) * quarter);
  const local = toLuxembourgLocal(at);
  return { date: local.slice(0, 10), time: local.slice(11, 16) };
}

const LOCALES: Record<Lang, string> = { fr: 'fr-LU', de: 'de-LU', en: 'en-GB' };

/** "mardi 1 décembre 2026" and "10:00–10:30" of a meeting, in Luxembourg time and the user's language. */
export function meetingWhen(start: string, end: string, lang: Lang): { day: string; hours: string } {
  const locale = LOCALES[lang];
  const day = new Intl.DateTimeFormat(locale, { timeZone: TIME_ZONE, weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).format(new Date(start));
  const time = new Intl.DateTimeFormat(locale, { timeZone: TIME_ZONE, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  return { day, hours: `${time.format(new Date(start))}–${time.format(new Date(end))}` };
}

export interface InvitationTexts {
  /** `{0}` = title. */
  intro: string;
  /** `{0}` = day, `{1}` = hours. */
  when: string;
  /** `{0}` = link. */
  link: string;
  /** `{0}` = meeting number. */
  number: string;
  /** Shown when the meeting has a password (never written into the mail). */
  password: string;
}

/** The plain-text body of the invitation, one fact per line. */
export function invitationBody(
  meeting: { title: string; start: string; end: string; webLink: string; meetingNumber: string; hasPassword: boolean },
  lang: Lang,
  texts: InvitationTexts,
  fill: (template: string, ...args: string[]) => string,
): string {
  const { day, hours } = meetingWhen(meeting.start, meeting.end, lang);
  const lines = [fill(texts.intro, meeting.title), '', fill(texts.when, day, hours), fill(texts.link, meeting.webLink), fill(texts.number, meeting.meetingNumber)];
  if (meeting.hasPassword) lines.push(texts.password);
  return `${lines.join('\n')}\n`;
}
