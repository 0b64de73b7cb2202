/**
 * Why a signature is not valid: stable machine codes (public API: the security zimlet keys its
 * banners on them) and their user-facing texts in the three languages. A verification never throws:
 * every failure becomes one of these codes in a VerificationReport (see ./types.ts).
 * Add a code here together with its three texts; a test checks none is missing.
 */
import { type Lang, format } from '../i18n/lang.ts';

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
