/**
 * Stable error codes: public API, carried in every SOAP Fault (`<detail><e:error code=…>`), and their
 * user-facing texts in the three languages. The service's error classes (server-extension/src/errors.ts)
 * map one-to-one to these codes; the zimlets translate a Fault's code with `errorText`.
 * Add a code here together with its three texts; a test checks none is missing.
 */
import { accountErrorTexts } from './accounts/errors.ts';
import { dspErrorTexts } from './dsp/errors.ts';
import { type Lang, format } from './i18n/lang.ts';
import { messageErrorTexts } from './messages/errors.ts';
import { provisioningErrorTexts } from './provisioning/errors.ts';
import { webexErrorTexts } from './webex/errors.ts';

const coreErrorTexts = {
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
  // Encrypted-message container (shared/container/, docs/container-format.md).
  'container.malformed': {
    fr: 'Ce fichier n’est pas un message sécurisé valide ou il est incomplet.',
    de: 'Diese Datei ist keine gültige gesicherte Nachricht oder sie ist unvollständig.',
    en: 'This file is not a valid secure message or it is incomplete.',
  },
  'container.unsupported_version': {
    fr: 'Ce message sécurisé utilise une version de format ({0}) que cette application ne sait pas lire. Veuillez la mettre à jour.',
    de: 'Diese gesicherte Nachricht verwendet eine Formatversion ({0}), die diese Anwendung nicht lesen kann. Bitte aktualisieren Sie sie.',
    en: 'This secure message uses a format version ({0}) this application cannot read. Please update it.',
  },
  'container.tampered': {
    fr: 'Ce message sécurisé a été modifié ou endommagé depuis son envoi : il ne peut pas être ouvert.',
    de: 'Diese gesicherte Nachricht wurde seit dem Versand verändert oder beschädigt und kann nicht geöffnet werden.',
    en: 'This secure message was altered or damaged after it was sent: it cannot be opened.',
  },
  'container.wrong_key': {
    fr: 'La clé reçue ne correspond pas à ce message sécurisé : le fichier a été modifié ou n’appartient pas à ce message.',
    de: 'Der erhaltene Schlüssel passt nicht zu dieser gesicherten Nachricht: Die Datei wurde verändert oder gehört nicht zu dieser Nachricht.',
    en: 'The key received does not match this secure message: the file was altered or does not belong to this message.',
  },
  'search.criteria_required': {
    fr: 'Veuillez indiquer le nom du professionnel ou son identifiant.',
    de: 'Bitte geben Sie den Namen der Gesundheitsfachkraft oder ihre Kennung an.',
    en: 'Please enter the professional’s name or identifier.',
  },
  'directory.not_found': {
    fr: 'Ce professionnel est introuvable dans l’annuaire.',
    de: 'Diese Gesundheitsfachkraft wurde im Verzeichnis nicht gefunden.',
    en: 'This professional was not found in the directory.',
  },
  'directory.unavailable': {
    fr: 'L’annuaire des professionnels ne répond pas. Veuillez réessayer plus tard.',
    de: 'Das Verzeichnis der Gesundheitsfachkräfte antwortet nicht. Bitte versuchen Sie es später erneut.',
    en: 'The professional directory is not responding. Please try again later.',
  },
  'sign.card_required': {
    fr: 'Vous ne pouvez pas signer de message, car vous n’êtes pas authentifié par carte (mode de secours).',
    de: 'Sie können keine Nachricht signieren, da Sie nicht mit Ihrer Karte angemeldet sind (Notfallmodus).',
    en: 'You cannot sign a message because you are not authenticated with your card (fallback mode).',
  },
  'sign.no_certificate': {
    fr: 'Aucun certificat de signature n’est disponible pour votre compte.',
    de: 'Für Ihr Konto ist kein Signaturzertifikat verfügbar.',
    en: 'No signing certificate is available for your account.',
  },
  'sign.certificate_invalid': {
    fr: 'Votre certificat de signature n’est pas valide actuellement (valable du {0} au {1}).',
    de: 'Ihr Signaturzertifikat ist derzeit nicht gültig (gültig vom {0} bis {1}).',
    en: 'Your signing certificate is not currently valid (valid from {0} to {1}).',
  },
  'sign.sender_mismatch': {
    fr: 'L’adresse de l’expéditeur ({0}) ne correspond pas à votre certificat de signature ({1}).',
    de: 'Die Absenderadresse ({0}) stimmt nicht mit Ihrem Signaturzertifikat ({1}) überein.',
    en: 'The sender address ({0}) does not match your signing certificate ({1}).',
  },
  'sign.message_invalid': {
    fr: 'Le message à signer n’est pas un message MIME valide : {0}',
    de: 'Die zu signierende Nachricht ist keine gültige MIME-Nachricht: {0}',
    en: 'The message to sign is not a valid MIME message: {0}',
  },
  'sign.unavailable': {
    fr: 'Le service de signature est indisponible ou a refusé la signature. Veuillez réessayer plus tard.',
    de: 'Der Signaturdienst ist nicht verfügbar oder hat die Signatur abgelehnt. Bitte versuchen Sie es später erneut.',
    en: 'The signing service is unavailable or refused to sign. Please try again later.',
  },
} as const satisfies Record<string, Record<Lang, string>>;

/** Features with many codes keep them beside their code (shared/<feature>/errors.ts). */
export const errorTexts = {
  ...coreErrorTexts,
  ...accountErrorTexts,
  ...messageErrorTexts,
  ...provisioningErrorTexts,
  ...webexErrorTexts,
  ...dspErrorTexts,
} as const satisfies Record<string, Record<Lang, string>>;

export type ErrorCode = keyof typeof errorTexts;

export function isErrorCode(code: string): code is ErrorCode {
  return Object.prototype.hasOwnProperty.call(errorTexts, code);
}

/** The user-facing text of an error code in a language, `{0}`… filled from args. */
export function errorText(code: ErrorCode, lang: Lang, ...args: ReadonlyArray<string | number>): string {
  return format(errorTexts[code][lang], ...args);
}
