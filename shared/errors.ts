/**
 * Stable error codes: public API, carried in every SOAP Fault (`<detail><e:error code=…>`), and their
 * user-facing texts in the three languages. The service's error classes (server-extension/src/errors.ts)
 * map one-to-one to these codes; the zimlets translate a Fault's code with `errorText`.
 * Add a code here together with its three texts; a test checks none is missing.
 */
import { type Lang, format } from './i18n/lang.ts';

export const errorTexts = {
  'auth.required': {
    fr: 'Votre session a expiré ou n’est pas reconnue. Veuillez vous reconnecter.',
    de: 'Ihre Sitzung ist abgelaufen oder wird nicht erkannt. Bitte melden Sie sich erneut an.',
    en: 'Your session has expired or is not recognised. Please log in again.',
  },
  'request.invalid': {
    fr: 'La requête est invalide : {0}',
    de: 'Die Anfrage ist ungültig: {0}',
    en: 'The request is invalid: {0}',
  },
  'request.malformed': {
    fr: 'La requête n’est pas un message SOAP/XML bien formé.',
    de: 'Die Anfrage ist keine wohlgeformte SOAP/XML-Nachricht.',
    en: 'The request is not a well-formed SOAP/XML message.',
  },
  'request.too_large': {
    fr: 'La requête dépasse la taille maximale autorisée ({0} octets).',
    de: 'Die Anfrage überschreitet die zulässige Höchstgröße ({0} Byte).',
    en: 'The request exceeds the maximum allowed size ({0} bytes).',
  },
  'request.unknown_operation': {
    fr: 'Opération inconnue : {0}',
    de: 'Unbekannte Operation: {0}',
    en: 'Unknown operation: {0}',
  },
  'service.unavailable': {
    fr: 'Le service est momentanément indisponible. Veuillez réessayer plus tard.',
    de: 'Der Dienst ist vorübergehend nicht verfügbar. Bitte versuchen Sie es später erneut.',
    en: 'The service is temporarily unavailable. Please try again later.',
  },
  'service.internal': {
    fr: 'Une erreur interne est survenue. Référence : {0}',
    de: 'Ein interner Fehler ist aufgetreten. Referenz: {0}',
    en: 'An internal error occurred. Reference: {0}',
  },
} as const satisfies Record<string, Record<Lang, string>>;

export type ErrorCode = keyof typeof errorTexts;

export function isErrorCode(code: string): code is ErrorCode {
  return Object.prototype.hasOwnProperty.call(errorTexts, code);
}

/** The user-facing text of an error code in a language, `{0}`… filled from args. */
export function errorText(code: ErrorCode, lang: Lang, ...args: ReadonlyArray<string | number>): string {
  return format(errorTexts[code][lang], ...args);
}
