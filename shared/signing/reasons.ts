/**
 * Why a signature is not valid: stable machine codes (public API: the security zimlet keys its
 * banners on them) and their user-facing texts in the three languages. A verification never throws:
 * every failure becomes one of these codes in a VerificationReport (see ./operations.ts).
 * Add a code here together with its three texts; a test checks none is missing.
 */
import { formatDateTime, TIME_ZONE } from '../i18n/dates.ts';
import { type Lang, format } from '../i18n/lang.ts';
import type { RevocationStatus } from './operations.ts';

export const signatureReasonTexts = {
  'signature.none': {
    fr: 'Ce message n’est pas signé.',
    de: 'Diese Nachricht ist nicht signiert.',
    en: 'This message is not signed.',
  },
  'signature.malformed': {
    fr: 'La signature de ce message est endommagée ou incomplète et ne peut pas être vérifiée.',
    de: 'Die Signatur dieser Nachricht ist beschädigt oder unvollständig und kann nicht geprüft werden.',
    en: 'The signature of this message is damaged or incomplete and cannot be checked.',
  },
  'signature.unsupported': {
    fr: 'Ce message utilise un format ou un algorithme de signature non pris en charge.',
    de: 'Diese Nachricht verwendet ein nicht unterstütztes Signaturformat oder -verfahren.',
    en: 'This message uses a signature format or algorithm that is not supported.',
  },
  'signature.tampered': {
    fr: 'Le contenu du message a été modifié après sa signature.',
    de: 'Der Inhalt der Nachricht wurde nach dem Signieren verändert.',
    en: 'The content of the message was changed after it was signed.',
  },
  'signature.invalid': {
    fr: 'La signature ne correspond pas au certificat du signataire : elle a été altérée.',
    de: 'Die Signatur passt nicht zum Zertifikat des Unterzeichners: Sie wurde verändert.',
    en: 'The signature does not match the signer’s certificate: it has been altered.',
  },
  'signature.untrusted': {
    fr: 'Le certificat du signataire n’est pas émis par une autorité de confiance.',
    de: 'Das Zertifikat des Unterzeichners stammt nicht von einer vertrauenswürdigen Stelle.',
    en: 'The signer’s certificate was not issued by a trusted authority.',
  },
  'signature.expired': {
    fr: 'Le certificat du signataire n’est pas ou n’était pas valide (expiré ou pas encore valide).',
    de: 'Das Zertifikat des Unterzeichners ist bzw. war nicht gültig (abgelaufen oder noch nicht gültig).',
    en: 'The signer’s certificate is or was not valid (expired or not yet valid).',
  },
  'signature.key_usage': {
    fr: 'Le certificat du signataire n’est pas destiné à signer des messages.',
    de: 'Das Zertifikat des Unterzeichners ist nicht zum Signieren von Nachrichten bestimmt.',
    en: 'The signer’s certificate is not meant for signing messages.',
  },
  'signature.sender_mismatch': {
    fr: 'L’adresse de l’expéditeur ({0}) ne figure pas dans le certificat du signataire.',
    de: 'Die Absenderadresse ({0}) ist nicht im Zertifikat des Unterzeichners enthalten.',
    en: 'The sender address ({0}) is not in the signer’s certificate.',
  },
  'signature.revoked': {
    fr: 'Le certificat du signataire (ou de l’autorité qui l’a émis) a été révoqué le {1}, avant la date de signature de ce message.',
    de: 'Das Zertifikat des Unterzeichners (oder der ausstellenden Stelle) wurde am {1} widerrufen, vor dem Signaturdatum dieser Nachricht.',
    en: 'The signer’s certificate (or that of the authority that issued it) was revoked on {1}, before this message was signed.',
  },
  'signature.revocation_unknown': {
    fr: 'Impossible de vérifier si le certificat du signataire a été révoqué : la liste de révocation n’est pas disponible.',
    de: 'Es konnte nicht geprüft werden, ob das Zertifikat des Unterzeichners widerrufen wurde: Die Sperrliste ist nicht verfügbar.',
    en: 'It could not be checked whether the signer’s certificate has been revoked: the revocation list is not available.',
  },
} as const satisfies Record<string, Record<Lang, string>>;

export type SignatureReason = keyof typeof signatureReasonTexts;

/** Banner of a valid signature (guide p.10): {0} signer name, {1} date, {2} time. */
export const signatureValidTexts: Record<Lang, string> = {
  fr: 'Message signé par {0} le {1} à {2}.',
  de: 'Nachricht signiert von {0} am {1} um {2}.',
  en: 'Message signed by {0} on {1} at {2}.',
};

export function isSignatureReason(code: string): code is SignatureReason {
  return Object.prototype.hasOwnProperty.call(signatureReasonTexts, code);
}

/** The user-facing text of a reason in a language, `{0}`… filled from args. */
export function signatureReasonText(reason: SignatureReason, lang: Lang, ...args: ReadonlyArray<string | number>): string {
  return format(signatureReasonTexts[reason][lang], ...args);
}

/**
 * The "Revocation" line of the verification report, per status ({0}: the revocation date, see
 * formatRevocationDate). 'unknown' and 'not_checked' never say "checked".
 */
export const revocationStatusTexts: Record<RevocationStatus, Record<Lang, string>> = {
  good: {
    fr: 'vérifiée : certificat non révoqué',
    de: 'geprüft: Zertifikat nicht widerrufen',
    en: 'checked: certificate not revoked',
  },
  revoked: {
    fr: 'certificat révoqué le {0}, avant la signature',
    de: 'Zertifikat am {0} widerrufen, vor der Signatur',
    en: 'certificate revoked on {0}, before signing',
  },
  revoked_after_signing: {
    fr: 'certificat révoqué le {0}, après la signature : la signature reste valable',
    de: 'Zertifikat am {0} widerrufen, nach der Signatur: Die Signatur bleibt gültig',
    en: 'certificate revoked on {0}, after signing: the signature remains valid',
  },
  unknown: {
    fr: 'non vérifiée : liste de révocation indisponible',
    de: 'nicht geprüft: Sperrliste nicht verfügbar',
    en: 'not checked: revocation list unavailable',
  },
  not_checked: {
    fr: 'non vérifiée',
    de: 'nicht geprüft',
    en: 'not checked',
  },
};

const AT: Record<Lang, string> = { fr: 'à', de: 'um', en: 'at' };

/**
 * A revocation date as the reader reads it: "29/11/2026 à 08:12" (fr), "29.11.2026 um 08:12" (de),
 * "29/11/2026 at 08:12" (en), in Luxembourg time unless told otherwise. '' for a missing or bad date.
 */
export function formatRevocationDate(iso: string | undefined, lang: Lang, timeZone = TIME_ZONE): string {
  if (!iso || Number.isNaN(Date.parse(iso))) return '';
  return `${formatDateTime(iso, lang, 'date', timeZone)} ${AT[lang]} ${formatDateTime(iso, lang, 'time', timeZone)}`;
}

/** The report's revocation line in a language (status absent = an older service: 'not_checked'). */
export function revocationStatusText(status: RevocationStatus | string | undefined, revokedAt: string | undefined, lang: Lang, timeZone?: string): string {
  const s: RevocationStatus = status && Object.prototype.hasOwnProperty.call(revocationStatusTexts, status) ? (status as RevocationStatus) : 'not_checked';
  return format(revocationStatusTexts[s][lang], formatRevocationDate(revokedAt, lang, timeZone));
}
