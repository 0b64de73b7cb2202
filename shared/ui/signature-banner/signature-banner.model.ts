/**
 * What the signature banner shows, computed from a VerificationReport without any DOM (unit-tested
 * in node): the signer's name, the signing date and time in the user's language and time zone, and,
 * for a bad signature, the reason text (shared/signing/reasons.ts, fr/de/en).
 */
import { formatDateTime } from '../../i18n/dates.ts';
import type { Lang } from '../../i18n/lang.ts';
import { isSignatureReason, revocationStatusText, signatureReasonText } from '../../signing/reasons.ts';
import type { ResponseOf } from '../../soap/operations.ts';

/**
 * The report as VerifySignature puts it on the wire (reason codes as plain strings). The service's
 * VerificationReport (shared/signing/operations.ts) fits it, so the banner takes either.
 */
export type SignatureReport = ResponseOf<'VerifySignature'>['report'];

export interface BannerModel {
  state: 'valid' | 'invalid';
  /** The signer as the certificate names them ('' when the signature could not be read). */
  name: string;
  /** Signing date and time (the signer's claim), '' when unknown. */
  date: string;
  time: string;
  /** For an invalid signature: the first reason's text, translated. */
  reasonText: string;
  /**
   * For a valid signature whose revocation could not be checked, or whose certificate was revoked
   * after signing: that status, translated (shared/signing/reasons.ts), shown with the banner so it
   * never reads as fully checked. '' otherwise.
   */
  revocationNote: string;
}

/** The user's own time zone (the browser's) when none is given. */
const userZone = (timeZone: string | undefined): string => timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;

/**
 * A date as the user reads it, e.g. "29/11/2026" (fr), "29.11.2026" (de) (shared/i18n/dates.ts 'date');
 * '' for a missing or bad date.
 */
export function formatDate(iso: string | undefined, lang: Lang, timeZone?: string): string {
  if (!iso || Number.isNaN(Date.parse(iso))) return '';
  return formatDateTime(iso, lang, 'date', userZone(timeZone));
}

/** A time of day, 24 h, e.g. "07:05" (shared/i18n/dates.ts 'time'); '' for a missing or bad date. */
export function formatTime(iso: string | undefined, lang: Lang, timeZone?: string): string {
  if (!iso || Number.isNaN(Date.parse(iso))) return '';
  return formatDateTime(iso, lang, 'time', userZone(timeZone));
}

export function bannerModel(report: SignatureReport, lang: Lang, timeZone?: string): BannerModel {
  const name = report.signer?.name || report.signer?.mail || '';
  const base = { name, date: formatDate(report.signingTime, lang, timeZone), time: formatTime(report.signingTime, lang, timeZone) };
  if (report.valid) {
    const status = report.revocationStatus;
    const revocationNote = status === 'unknown' || status === 'revoked_after_signing' ? revocationStatusText(status, report.revokedAt, lang, timeZone) : '';
    return { state: 'valid', ...base, reasonText: '', revocationNote };
  }
  // An unknown code (a newer service) still gives a warning, with the generic "cannot be checked" text.
  const reason = report.reason && isSignatureReason(report.reason) ? report.reason : 'signature.malformed';
  return { state: 'invalid', ...base, reasonText: signatureReasonText(reason, lang, ...report.reasonArgs), revocationNote: '' };
}
