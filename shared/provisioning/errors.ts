/**
 * Error codes of the first login (SAML single sign-on from the eSanté portal and the automatic
 * creation of the mailbox, guide p. 3) with their fr/de/en texts, merged into shared/errors.ts.
 * Each refusal of an assertion has its own code (for the log and the helpdesk); the texts stay
 * plain for the user, who can only go back to the portal and try again.
 * Codes are public API: never rename one.
 */
import type { Lang } from '../i18n/lang.ts';

const RETRY = {
  fr: 'Veuillez retourner au portail eSanté et vous reconnecter.',
  de: 'Bitte kehren Sie zum eSanté-Portal zurück und melden Sie sich erneut an.',
  en: 'Please go back to the eSanté portal and log in again.',
} as const;

export const provisioningErrorTexts = {
  'sso.malformed': {
    fr: `La réponse d’authentification du portail est illisible. ${RETRY.fr}`,
    de: `Die Authentifizierungsantwort des Portals ist nicht lesbar. ${RETRY.de}`,
    en: `The portal's authentication response cannot be read. ${RETRY.en}`,
  },
  'sso.unsigned': {
    fr: `La réponse d’authentification du portail n’est pas signée. ${RETRY.fr}`,
    de: `Die Authentifizierungsantwort des Portals ist nicht signiert. ${RETRY.de}`,
    en: `The portal's authentication response is not signed. ${RETRY.en}`,
  },
  'sso.bad_signature': {
    fr: `La signature de la réponse d’authentification n’est pas valide. ${RETRY.fr}`,
    de: `Die Signatur der Authentifizierungsantwort ist ungültig. ${RETRY.de}`,
    en: `The signature of the authentication response is not valid. ${RETRY.en}`,
  },
  'sso.wrapped': {
    fr: `La réponse d’authentification contient des éléments non signés à la place des éléments signés : elle est refusée. ${RETRY.fr}`,
    de: `Die Authentifizierungsantwort enthält unsignierte Elemente anstelle der signierten: Sie wird abgelehnt. ${RETRY.de}`,
    en: `The authentication response carries unsigned elements in place of the signed ones: it is refused. ${RETRY.en}`,
  },
  'sso.wrong_issuer': {
    fr: `La réponse d’authentification ne vient pas du portail eSanté attendu. ${RETRY.fr}`,
    de: `Die Authentifizierungsantwort stammt nicht vom erwarteten eSanté-Portal. ${RETRY.de}`,
    en: `The authentication response does not come from the expected eSanté portal. ${RETRY.en}`,
  },
  'sso.wrong_audience': {
    fr: `La réponse d’authentification est destinée à un autre service. ${RETRY.fr}`,
    de: `Die Authentifizierungsantwort ist für einen anderen Dienst bestimmt. ${RETRY.de}`,
    en: `The authentication response is meant for another service. ${RETRY.en}`,
  },
  'sso.wrong_destination': {
    fr: `La réponse d’authentification a été envoyée à une autre adresse que celle de la messagerie. ${RETRY.fr}`,
    de: `Die Authentifizierungsantwort wurde an eine andere Adresse als die des Nachrichtendienstes gesendet. ${RETRY.de}`,
    en: `The authentication response was sent to another address than the messaging service's. ${RETRY.en}`,
  },
  'sso.expired': {
    fr: `La réponse d’authentification a expiré. ${RETRY.fr}`,
    de: `Die Authentifizierungsantwort ist abgelaufen. ${RETRY.de}`,
    en: `The authentication response has expired. ${RETRY.en}`,
  },
  'sso.not_yet_valid': {
    fr: `La réponse d’authentification n’est pas encore valable (horloges désynchronisées). ${RETRY.fr}`,
    de: `Die Authentifizierungsantwort ist noch nicht gültig (Uhren nicht synchron). ${RETRY.de}`,
    en: `The authentication response is not valid yet (clocks out of step). ${RETRY.en}`,
  },
  'sso.replayed': {
    fr: `Cette réponse d’authentification a déjà été utilisée. ${RETRY.fr}`,
    de: `Diese Authentifizierungsantwort wurde bereits verwendet. ${RETRY.de}`,
    en: `This authentication response has already been used. ${RETRY.en}`,
  },
  'sso.denied_by_portal': {
    fr: `Le portail eSanté n’a pas confirmé votre identité. ${RETRY.fr}`,
    de: `Das eSanté-Portal hat Ihre Identität nicht bestätigt. ${RETRY.de}`,
    en: `The eSanté portal did not confirm your identity. ${RETRY.en}`,
  },
  'sso.identity_incomplete': {
    fr: 'Le portail eSanté n’a pas transmis votre identifiant de professionnel de santé. Veuillez contacter le helpdesk eSanté.',
    de: 'Das eSanté-Portal hat Ihre Kennung als Gesundheitsfachkraft nicht übermittelt. Bitte wenden Sie sich an den eSanté-Helpdesk.',
    en: 'The eSanté portal did not send your health professional identifier. Please contact the eSanté helpdesk.',
  },
  'sso.not_in_directory': {
    fr: 'La messagerie sécurisée est réservée aux professionnels de santé figurant dans l’annuaire référentiel de l’Agence eSanté. Votre profil n’y est pas accessible : veuillez contacter le helpdesk eSanté.',
    de: 'Der gesicherte Nachrichtendienst ist den im Referenzverzeichnis der Agence eSanté geführten Gesundheitsfachkräften vorbehalten. Ihr Profil ist dort nicht zugänglich: Bitte wenden Sie sich an den eSanté-Helpdesk.',
    en: 'Secure messaging is reserved for health professionals listed in the reference directory of the eSanté Agency. Your profile is not accessible there: please contact the eSanté helpdesk.',
  },
  'sso.identity_mismatch': {
    fr: 'Le nom transmis par le portail ne correspond pas à celui de l’annuaire référentiel pour votre identifiant. Par sécurité, aucune boîte mail n’est ouverte : veuillez contacter le helpdesk eSanté.',
    de: 'Der vom Portal übermittelte Name stimmt nicht mit dem Namen im Referenzverzeichnis für Ihre Kennung überein. Aus Sicherheitsgründen wird kein Postfach geöffnet: Bitte wenden Sie sich an den eSanté-Helpdesk.',
    en: 'The name sent by the portal does not match the reference directory’s for your identifier. For safety no mailbox is opened: please contact the eSanté helpdesk.',
  },
  'sso.address_unavailable': {
    fr: 'Votre adresse de messagerie ne peut pas être attribuée automatiquement. Veuillez contacter le helpdesk eSanté, qui la créera pour vous.',
    de: 'Ihre E-Mail-Adresse kann nicht automatisch vergeben werden. Bitte wenden Sie sich an den eSanté-Helpdesk, der sie für Sie anlegt.',
    en: 'Your mail address cannot be assigned automatically. Please contact the eSanté helpdesk, who will create it for you.',
  },
  'sso.unavailable': {
    fr: 'La connexion depuis le portail eSanté n’est pas configurée sur ce serveur. Veuillez contacter le helpdesk eSanté.',
    de: 'Die Anmeldung über das eSanté-Portal ist auf diesem Server nicht eingerichtet. Bitte wenden Sie sich an den eSanté-Helpdesk.',
    en: 'Logging in from the eSanté portal is not set up on this server. Please contact the eSanté helpdesk.',
  },
} as const satisfies Record<string, Record<Lang, string>>;

export type ProvisioningErrorCode = keyof typeof provisioningErrorTexts;
