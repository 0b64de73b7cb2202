/**
 * The sender's view of a sent message (issue 12): each recipient's state as the "Messages envoyés"
 * tab and the CSV export show it, computed from the stored message, its notification jobs and the
 * service's clock. Pure functions: the key service reads the store and checks the caller.
 */
import type { Lang } from '../../../shared/i18n/lang.ts';
import type { NotificationJob, SecureMessage, SecureMessageRecipient } from '../store/index.ts';

export type RecipientState = 'not_sent' | 'delivered' | 'opened' | 'deadline_passed' | 'access_ended' | 'revoked';

export interface RecipientHistory {
  address: string;
  kind: string;
  state: RecipientState;
  delivered: boolean;
  openedAt?: string;
  openedVia?: 'webmail' | 'portal';
  readDeadline: string;
  deadlinePassed: boolean;
  accessUntil?: string;
  revokedAt?: string;
}

/** The recipient's read deadline: their own after an update naming them, else the message's. */
export function effectiveDeadline(message: SecureMessage, r: SecureMessageRecipient): string {
  return r.readDeadlineOverride ?? message.readDeadline;
}

/** The recipient's access end, if any: their own after an update naming them, else the message's. */
export function effectiveAccessUntil(message: SecureMessage, r: SecureMessageRecipient): string | null {
  return r.accessUntilOverride ?? message.accessUntil ?? null;
}

export function recipientHistory(message: SecureMessage, r: SecureMessageRecipient, nowMs: number): RecipientHistory {
  const deadline = effectiveDeadline(message, r);
  const access = effectiveAccessUntil(message, r);
  const delivered = message.sentAt !== null;
  // Passed = the deadline came while the recipient had not opened (an open after it does not undo that).
  const deadlinePassed = delivered && Date.parse(deadline) <= nowMs && (r.firstOpenedAt === null || Date.parse(r.firstOpenedAt) > Date.parse(deadline));
  const accessEnded = access !== null && Date.parse(access) <= nowMs;
  const state: RecipientState = r.revokedAt
    ? 'revoked'
    : accessEnded
      ? 'access_ended'
      : r.firstOpenedAt
        ? 'opened'
        : deadlinePassed
          ? 'deadline_passed'
          : delivered
            ? 'delivered'
            : 'not_sent';
  return {
    address: r.address,
    kind: r.kind,
    state,
    delivered,
    ...(r.firstOpenedAt ? { openedAt: r.firstOpenedAt } : {}),
    ...(r.openedChannel ? { openedVia: r.openedChannel === 'portal' ? 'portal' : 'webmail' } : {}),
    readDeadline: deadline,
    deadlinePassed,
    ...(access ? { accessUntil: access } : {}),
    ...(r.revokedAt ? { revokedAt: r.revokedAt } : {}),
  };
}

export function notificationHistory(message: SecureMessage, jobs: readonly NotificationJob[]) {
  const byKey = new Map(message.recipients.map((r) => [r.addressKey, r.address]));
  return jobs.map((j) => ({
    kind: j.kind,
    ...(j.recipientKey ? { recipient: byKey.get(j.recipientKey) ?? j.recipientKey } : {}),
    state: j.state,
    dueAt: j.dueAt,
    ...(j.sentAt ? { sentAt: j.sentAt } : {}),
  }));
}

// ---------------------------------------------------------------------------------------------
// CSV export (RFC 4180: comma-separated, CRLF line ends, fields with `"`, `,`, CR or LF quoted and
// their quotes doubled). A BOM first so that Excel reads UTF-8. Dates are ISO 8601 (UTC): sortable
// and unambiguous in every spreadsheet locale.

const HEADERS: Record<Lang, readonly string[]> = {
  fr: ['Message', 'Objet', 'Créé le', 'Envoyé le', 'Destinataire', 'Type', 'État', 'Ouvert le', 'Ouvert via', 'Délai de lecture', 'Délai dépassé', 'Fin d’accès', 'Retiré le', 'Notification de lecture envoyée le', 'Notification de délai envoyée le'],
  de: ['Nachricht', 'Betreff', 'Erstellt am', 'Gesendet am', 'Empfänger', 'Art', 'Status', 'Geöffnet am', 'Geöffnet über', 'Lesefrist', 'Frist überschritten', 'Zugriffsende', 'Zurückgezogen am', 'Lesebenachrichtigung gesendet am', 'Fristbenachrichtigung gesendet am'],
  en: ['Message', 'Subject', 'Created', 'Sent', 'Recipient', 'Kind', 'State', 'Opened', 'Opened via', 'Read deadline', 'Deadline passed', 'Access end', 'Withdrawn', 'Read notification sent', 'Deadline notification sent'],
};

const STATES: Record<Lang, Record<RecipientState, string>> = {
  fr: { not_sent: 'non envoyé', delivered: 'remis', opened: 'ouvert', deadline_passed: 'délai dépassé', access_ended: 'accès terminé', revoked: 'retiré' },
  de: { not_sent: 'nicht gesendet', delivered: 'zugestellt', opened: 'geöffnet', deadline_passed: 'Frist überschritten', access_ended: 'Zugriff beendet', revoked: 'zurückgezogen' },
  en: { not_sent: 'not sent', delivered: 'delivered', opened: 'opened', deadline_passed: 'deadline passed', access_ended: 'access ended', revoked: 'withdrawn' },
};
const KINDS: Record<Lang, Record<string, string>> = { fr: { to: 'À', cc: 'Cc' }, de: { to: 'An', cc: 'Cc' }, en: { to: 'To', cc: 'Cc' } };
const VIA: Record<Lang, Record<'webmail' | 'portal', string>> = {
  fr: { webmail: 'messagerie', portal: 'portail' },
  de: { webmail: 'Webmail', portal: 'Portal' },
  en: { webmail: 'webmail', portal: 'portal' },
};
const YES_NO: Record<Lang, [string, string]> = { fr: ['oui', 'non'], de: ['ja', 'nein'], en: ['yes', 'no'] };

/**
 * One CSV field. A value a spreadsheet would run as a formula (=, +, -, @, tab, CR first: OWASP "CSV
 * Injection") gets a leading apostrophe; subjects and addresses are free text.
 */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export interface HistoryRowSource {
  message: SecureMessage;
  subject: string;
  jobs: readonly NotificationJob[];
}

export function historyCsv(sources: readonly HistoryRowSource[], lang: Lang, nowMs: number): { csv: string; rows: number } {
  const lines = [HEADERS[lang].map(csvField).join(',')];
  for (const { message, subject, jobs } of sources) {
    const sentAt = (kind: string, key: string) => jobs.find((j) => j.kind === kind && j.recipientKey === key && j.sentAt)?.sentAt ?? '';
    for (const r of message.recipients) {
      const h = recipientHistory(message, r, nowMs);
      lines.push(
        [
          message.id,
          subject,
          message.createdAt,
          message.sentAt ?? '',
          h.address,
          KINDS[lang][h.kind] ?? h.kind,
          STATES[lang][h.state],
          h.openedAt ?? '',
          h.openedVia ? VIA[lang][h.openedVia] : '',
          h.readDeadline,
          YES_NO[lang][h.deadlinePassed ? 0 : 1],
          h.accessUntil ?? '',
          h.revokedAt ?? '',
          sentAt('read', r.addressKey),
          sentAt('deadline', r.addressKey),
        ]
          .map(csvField)
          .join(','),
      );
    }
  }
  return { csv: `\uFEFF${lines.join('\r\n')}\r\n`, rows: lines.length - 1 };
}
