/**
 * Error codes of the messages feature with their fr/de/en texts, merged into shared/errors.ts.
 * Codes are public API: never rename one.
 */
import type { Lang } from '../i18n/lang.ts';

export const messageErrorTexts = {
  'message.account_required': {
    fr: 'Vous devez disposer d’un compte de chiffrement pour envoyer un message chiffré.',
    de: 'Sie benötigen ein Verschlüsselungskonto, um eine verschlüsselte Nachricht zu senden.',
    en: 'You need an encryption account to send an encrypted message.',
  },
  'message.recipients_required': {
    fr: 'Veuillez indiquer au moins un destinataire (À ou Cc).',
    de: 'Bitte geben Sie mindestens einen Empfänger (An oder Cc) an.',
    en: 'Please enter at least one recipient (To or Cc).',
  },
  'message.invalid_address': {
    fr: 'Cette adresse e-mail n’est pas valide : {0}',
    de: 'Diese E-Mail-Adresse ist ungültig: {0}',
    en: 'This e-mail address is not valid: {0}',
  },
  'message.not_found': {
    fr: 'Ce message sécurisé est inconnu du service de clés.',
    de: 'Diese gesicherte Nachricht ist dem Schlüsseldienst nicht bekannt.',
    en: 'This secure message is unknown to the key service.',
  },
  'message.not_recipient': {
    fr: 'Vous ne figurez pas parmi les destinataires de ce message sécurisé : il ne peut pas être déchiffré pour vous.',
    de: 'Sie gehören nicht zu den Empfängern dieser gesicherten Nachricht: Sie kann für Sie nicht entschlüsselt werden.',
    en: 'You are not among the recipients of this secure message: it cannot be decrypted for you.',
  },
  'message.not_sender': {
    fr: 'Seul l’émetteur de ce message sécurisé peut effectuer cette opération.',
    de: 'Nur der Absender dieser gesicherten Nachricht kann diesen Vorgang ausführen.',
    en: 'Only the sender of this secure message can do this.',
  },
  'message.not_sent': {
    fr: 'L’envoi de ce message sécurisé n’a pas été confirmé par son émetteur : il ne peut pas encore être ouvert. Demandez à l’émetteur d’ouvrir sa copie dans « Envoyés ».',
    de: 'Der Versand dieser gesicherten Nachricht wurde vom Absender nicht bestätigt: Sie kann noch nicht geöffnet werden. Bitten Sie den Absender, seine Kopie unter „Gesendet“ zu öffnen.',
    en: 'The sender has not confirmed sending this secure message, so it cannot be opened yet. Ask the sender to open their copy in "Sent".',
  },
  'message.already_sent': {
    fr: 'Ce message sécurisé a déjà été confirmé comme envoyé avec un autre fichier.',
    de: 'Diese gesicherte Nachricht wurde bereits mit einer anderen Datei als gesendet bestätigt.',
    en: 'This secure message was already confirmed as sent with another file.',
  },
  // Issue 12: the sender keeps control after sending (docs/key-service.md, "After sending").
  'message.revoked': {
    fr: 'Ce message a été retiré par son expéditeur le {0}. Il ne peut plus être ouvert.',
    de: 'Diese Nachricht wurde am {0} von ihrem Absender zurückgezogen. Sie kann nicht mehr geöffnet werden.',
    en: 'This message was withdrawn by its sender on {0}. It can no longer be opened.',
  },
  'message.access_ended': {
    fr: 'L’accès à ce message a pris fin le {0}, à la demande de son expéditeur. Il ne peut plus être ouvert.',
    de: 'Der Zugriff auf diese Nachricht endete auf Wunsch ihres Absenders am {0}. Sie kann nicht mehr geöffnet werden.',
    en: 'Access to this message ended on {0}, as its sender decided. It can no longer be opened.',
  },
  'message.already_revoked': {
    fr: 'Ce message a déjà été retiré pour {0}.',
    de: 'Diese Nachricht wurde für {0} bereits zurückgezogen.',
    en: 'This message was already withdrawn for {0}.',
  },
  'message.unknown_recipient': {
    fr: '{0} ne figure pas parmi les destinataires de ce message.',
    de: '{0} gehört nicht zu den Empfängern dieser Nachricht.',
    en: '{0} is not among the recipients of this message.',
  },
  'message.date_past': {
    fr: 'La date choisie ({0}) est déjà passée. Choisissez une date à venir.',
    de: 'Das gewählte Datum ({0}) liegt in der Vergangenheit. Wählen Sie ein künftiges Datum.',
    en: 'The chosen date ({0}) has already passed. Choose a date in the future.',
  },
  'message.date_too_far': {
    fr: 'La date choisie ({0}) dépasse le maximum autorisé ({1}).',
    de: 'Das gewählte Datum ({0}) liegt nach dem zulässigen Höchstdatum ({1}).',
    en: 'The chosen date ({0}) is beyond the latest allowed ({1}).',
  },
  'message.nothing_to_change': {
    fr: 'Indiquez un nouveau délai de lecture ou une date de fin d’accès.',
    de: 'Geben Sie eine neue Lesefrist oder ein Zugriffsende an.',
    en: 'Give a new read deadline or an access end date.',
  },
  'portal.session_required': {
    fr: 'Veuillez vous connecter au portail.',
    de: 'Bitte melden Sie sich am Portal an.',
    en: 'Please log in to the portal.',
  },
  // One text for no account, wrong password and a locked account (no enumeration). Only users of the
  // eSanté webmail can have a locked account (wrong unlock codes there), so the way out names it.
  'portal.login_failed': {
    fr: 'Adresse e-mail ou mot de passe incorrect. Si vous utilisez la messagerie eSanté et que votre compte de chiffrement y est bloqué, débloquez-le d’abord depuis la messagerie.',
    de: 'E-Mail-Adresse oder Passwort falsch. Wenn Sie den eSanté-Webmail nutzen und Ihr Verschlüsselungskonto dort gesperrt ist, entsperren Sie es zuerst im Webmail.',
    en: 'Incorrect e-mail address or password. If you use the eSanté webmail and your encryption account is locked there, unlock it from the webmail first.',
  },
  'portal.rate_limited': {
    fr: 'Trop de tentatives. Par sécurité, veuillez réessayer dans {0} minute(s).',
    de: 'Zu viele Versuche. Aus Sicherheitsgründen versuchen Sie es bitte in {0} Minute(n) erneut.',
    en: 'Too many attempts. For your security, please try again in {0} minute(s).',
  },
  'portal.code_invalid': {
    fr: 'Le code de confirmation est incorrect ou a expiré. Demandez un nouveau code.',
    de: 'Der Bestätigungscode ist falsch oder abgelaufen. Fordern Sie einen neuen Code an.',
    en: 'The confirmation code is wrong or has expired. Ask for a new code.',
  },
  'portal.code_too_soon': {
    fr: 'Un code vient d’être envoyé à cette adresse. Veuillez patienter une minute avant d’en demander un autre.',
    de: 'Soeben wurde ein Code an diese Adresse gesendet. Bitte warten Sie eine Minute, bevor Sie einen neuen anfordern.',
    en: 'A code was just sent to this address. Please wait a minute before asking for another.',
  },
  // Issue 15 (b): while many clients guess at one address, the password alone opens no session; the
  // same answer for a right and a wrong password, the link goes only to the address's owner.
  'portal.login_link_sent': {
    fr: 'Pour protéger ce compte, la connexion se fait pour le moment par un lien à usage unique. Si l’adresse et le mot de passe sont corrects, ce lien vient de vous être envoyé par e-mail (valable {0} minutes).',
    de: 'Zum Schutz dieses Kontos erfolgt die Anmeldung derzeit über einen Einmal-Link. Wenn Adresse und Passwort stimmen, wurde Ihnen dieser Link soeben per E-Mail gesendet (gültig {0} Minuten).',
    en: 'To protect this account, logging in currently works with a one-time link. If the address and password are correct, this link has just been sent to you by e-mail (valid for {0} minutes).',
  },
  'portal.login_link_invalid': {
    fr: 'Ce lien de connexion n’est plus valable (déjà utilisé ou expiré). Connectez-vous à nouveau pour en recevoir un autre.',
    de: 'Dieser Anmeldelink ist nicht mehr gültig (bereits verwendet oder abgelaufen). Melden Sie sich erneut an, um einen neuen zu erhalten.',
    en: 'This log-in link is no longer valid (already used or expired). Log in again to receive a new one.',
  },
  // Issue 12: an outside recipient answers from the portal (server-extension/src/messages/portal-reply.ts).
  'portal.reply_too_large': {
    fr: 'Votre réponse est trop volumineuse ({0} Mo au maximum, pièces jointes comprises). Retirez des pièces jointes et réessayez.',
    de: 'Ihre Antwort ist zu groß (höchstens {0} MB, Anhänge eingeschlossen). Entfernen Sie Anhänge und versuchen Sie es erneut.',
    en: 'Your reply is too large ({0} MB at most, attachments included). Remove attachments and try again.',
  },
  'portal.reply_invalid': {
    fr: 'Cette réponse n’a pas pu être envoyée : elle ne correspond pas à la réponse préparée. Rechargez la page et recommencez.',
    de: 'Diese Antwort konnte nicht gesendet werden: Sie entspricht nicht der vorbereiteten Antwort. Laden Sie die Seite neu und versuchen Sie es erneut.',
    en: 'This reply could not be sent: it does not match the reply that was prepared. Reload the page and try again.',
  },
  'portal.forbidden': {
    fr: 'Requête refusée (origine ou format non autorisé).',
    de: 'Anfrage abgelehnt (Herkunft oder Format nicht zulässig).',
    en: 'Request refused (origin or format not allowed).',
  },
} as const satisfies Record<string, Record<Lang, string>>;
