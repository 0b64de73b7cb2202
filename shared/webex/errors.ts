/**
 * Error codes of the WebEx feature with their fr/de/en texts, merged into shared/errors.ts.
 * Webex's own failures (401/403 token, 5xx, timeouts) all become `webex.unavailable`: the user can
 * do nothing about them, and Webex's answer (which may echo request data) is only logged.
 * Codes are public API: never rename one.
 */
import type { Lang } from '../i18n/lang.ts';

export const webexErrorTexts = {
  'webex.unavailable': {
    fr: 'Le service de conférence Webex ne répond pas. Veuillez réessayer plus tard.',
    de: 'Der Konferenzdienst Webex antwortet nicht. Bitte versuchen Sie es später erneut.',
    en: 'The Webex conference service is not responding. Please try again later.',
  },
  'webex.rate_limited': {
    fr: 'Trop de demandes envoyées à Webex. Veuillez réessayer dans {0} secondes.',
    de: 'Zu viele Anfragen an Webex. Bitte versuchen Sie es in {0} Sekunden erneut.',
    en: 'Too many requests sent to Webex. Please try again in {0} seconds.',
  },
  'webex.not_found': {
    fr: 'Cette conférence est introuvable : elle a peut-être déjà été annulée.',
    de: 'Diese Konferenz wurde nicht gefunden: Sie wurde möglicherweise bereits abgesagt.',
    en: 'This conference was not found: it may already have been cancelled.',
  },
  'webex.rejected': {
    fr: 'Webex a refusé cette conférence : {0}',
    de: 'Webex hat diese Konferenz abgelehnt: {0}',
    en: 'Webex refused this conference: {0}',
  },
  'webex.title_required': {
    fr: 'Veuillez indiquer le titre de la conférence.',
    de: 'Bitte geben Sie den Titel der Konferenz an.',
    en: 'Please enter the title of the conference.',
  },
  'webex.title_too_long': {
    fr: 'Le titre de la conférence ne doit pas dépasser {0} caractères.',
    de: 'Der Titel der Konferenz darf höchstens {0} Zeichen lang sein.',
    en: 'The title of the conference must not exceed {0} characters.',
  },
  'webex.invalid_start': {
    fr: 'Veuillez indiquer une date et une heure de début valides.',
    de: 'Bitte geben Sie ein gültiges Datum und eine gültige Anfangszeit an.',
    en: 'Please enter a valid start date and time.',
  },
  'webex.start_in_past': {
    fr: 'Le début de la conférence est déjà passé : veuillez choisir une date et une heure à venir.',
    de: 'Der Beginn der Konferenz liegt in der Vergangenheit: Bitte wählen Sie ein künftiges Datum und eine künftige Uhrzeit.',
    en: 'The start of the conference is in the past: please choose a future date and time.',
  },
  'webex.end_before_start': {
    fr: 'La fin de la conférence doit être après son début (durée d’au moins une minute).',
    de: 'Das Ende der Konferenz muss nach ihrem Beginn liegen (Dauer mindestens eine Minute).',
    en: 'The conference must end after it starts (at least one minute long).',
  },
  'webex.too_long': {
    fr: 'Une conférence ne peut pas durer plus de 24 heures.',
    de: 'Eine Konferenz darf nicht länger als 24 Stunden dauern.',
    en: 'A conference cannot last more than 24 hours.',
  },
  'webex.invalid_invitee': {
    fr: 'Cette adresse e-mail de participant n’est pas valide : {0}',
    de: 'Diese E-Mail-Adresse eines Teilnehmers ist ungültig: {0}',
    en: 'This participant e-mail address is not valid: {0}',
  },
  'webex.too_many_invitees': {
    fr: 'Une conférence ne peut pas avoir plus de {0} participants invités.',
    de: 'Zu einer Konferenz können höchstens {0} Teilnehmer eingeladen werden.',
    en: 'A conference cannot have more than {0} invited participants.',
  },
  'webex.invalid_join': {
    fr: 'Veuillez saisir un numéro de conférence (9 à 11 chiffres) ou un lien https de {0}.',
    de: 'Bitte geben Sie eine Konferenznummer (9 bis 11 Ziffern) oder einen https-Link von {0} ein.',
    en: 'Please enter a meeting number (9 to 11 digits) or an https link of {0}.',
  },
} as const satisfies Record<string, Record<Lang, string>>;
