/**
 * What the sender's control decides without a screen (issue 12): which recipients can still be acted
 * on, what the dates dialog starts with, and which UpdateSecureMessage request a filled dialog makes —
 * or why it makes none. Only what the user changed is sent, so "Enregistrer" on an untouched dialog
 * changes nothing (and says so, as the service would: message.nothing_to_change).
 */
import type { ErrorCode } from '../../../../shared/errors.ts';
import type { RequestOf, ResponseOf } from '../../../../shared/soap/operations.ts';
import { dayValue, endOfDayIso, isDayValue } from './dates.ts';

export type MessageHistory = ResponseOf<'GetSecureMessageHistory'>;
export type RecipientRow = MessageHistory['recipients'][number];
export type UpdateRequest = RequestOf<'UpdateSecureMessage'>;

/** Recipients a revoke or an update may still name (the service refuses revoked ones: message.already_revoked). */
export function activeRecipients(rows: readonly RecipientRow[]): RecipientRow[] {
  return rows.filter((r) => r.state !== 'revoked' && !r.revokedAt);
}

/** The dates dialog's fields: days as `<input type="date">` holds them (YYYY-MM-DD). */
export interface DatesForm {
  readDeadline: string;
  accessUntil: string;
  noAccessEnd: boolean;
}

/**
 * The dialog's starting values for the recipients it acts on: their read deadline and access end
 * when they share one; else the first one's deadline and an empty access end to choose ("Sans fin
 * d'accès" ticked only when none of them has an access end).
 */
export function initialDates(rows: readonly RecipientRow[], timeZone?: string): DatesForm {
  const deadlines = [...new Set(rows.map((r) => dayValue(r.readDeadline, timeZone)))];
  const ends = [...new Set(rows.map((r) => dayValue(r.accessUntil, timeZone)))];
  return {
    readDeadline: deadlines[0] ?? '',
    accessUntil: ends.length === 1 ? ends[0]! : '',
    noAccessEnd: ends.length === 1 && ends[0] === '',
  };
}

export type DatesProblem =
  | { field: 'readDeadline' | 'accessUntil'; key: 'control_dates_required' | 'control_dates_access_required' }
  | { field: 'readDeadline' | 'accessUntil'; code: Extract<ErrorCode, 'message.date_past'>; day: string }
  | { field: undefined; code: Extract<ErrorCode, 'message.nothing_to_change'> };

export type DatesDecision = { ok: true; request: UpdateRequest } | { ok: false; problem: DatesProblem };

/**
 * The request for `form` (compared with `initial`), or the first problem found. `today` is the day it
 * is now in Luxembourg (dayValue(new Date())): a day before it is in the past; today itself still runs
 * until its end. The service checks again, against its own clock and its maximum.
 */
export function datesRequest(messageId: string, recipient: string | undefined, initial: DatesForm, form: DatesForm, today: string, timeZone?: string): DatesDecision {
  const request: UpdateRequest = { messageId, ...(recipient ? { recipient } : {}) };
  const deadline = form.readDeadline.trim();
  if (!isDayValue(deadline)) return { ok: false, problem: { field: 'readDeadline', key: 'control_dates_required' } };
  if (deadline !== initial.readDeadline) {
    if (deadline < today) return { ok: false, problem: { field: 'readDeadline', code: 'message.date_past', day: deadline } };
    request.readDeadline = endOfDayIso(deadline, timeZone)!;
  }
  if (form.noAccessEnd) {
    if (!initial.noAccessEnd) request.clearAccessUntil = true;
  } else {
    const end = form.accessUntil.trim();
    if (!isDayValue(end)) return { ok: false, problem: { field: 'accessUntil', key: 'control_dates_access_required' } };
    if (end !== initial.accessUntil || initial.noAccessEnd) {
      if (end < today) return { ok: false, problem: { field: 'accessUntil', code: 'message.date_past', day: end } };
      request.accessUntil = endOfDayIso(end, timeZone)!;
    }
  }
  if (request.readDeadline === undefined && request.accessUntil === undefined && request.clearAccessUntil === undefined) {
    return { ok: false, problem: { field: undefined, code: 'message.nothing_to_change' } };
  }
  return { ok: true, request };
}

/** Recipients of `rows` who already opened the message (the revoke dialog says a withdrawal erases nothing read). */
export function alreadyOpened(rows: readonly RecipientRow[]): string[] {
  return rows.filter((r) => !!r.openedAt).map((r) => r.address);
}
