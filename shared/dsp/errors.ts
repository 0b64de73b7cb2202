/**
 * Error codes of the DSP feature (medical message assistant) with their fr/de/en texts, merged into
 * shared/errors.ts. They are Fault codes (bad input: nothing was sent) and also the `code` of a
 * FileDocument answer with outcome "refused" (the registry said no: nothing was filed).
 * The registry's own codes (IHE ITI TF-3 4.2.4.1 Table 4.2.4.1-2) map onto them in
 * server-extension/src/dsp/registry-errors.ts. Codes are public API: never rename one.
 */
import type { Lang } from '../i18n/lang.ts';

export const dspErrorTexts = {
  'dsp.matricule_invalid': {
    fr: 'Ce matricule n’est pas valide : il doit compter 13 chiffres (ou 11 pour l’ancien format) et ses chiffres de contrôle ne correspondent pas.',
    de: 'Diese Matrikelnummer ist ungültig: Sie muss 13 Ziffern (oder 11 im alten Format) haben, und ihre Prüfziffern stimmen nicht.',
    en: 'This national identification number is not valid: it must have 13 digits (or 11 in the old format) and its check digits do not match.',
  },
  'dsp.search_criteria': {
    fr: 'Veuillez indiquer le matricule du patient, ou son nom et sa date de naissance.',
    de: 'Bitte geben Sie die Matrikelnummer des Patienten oder seinen Namen und sein Geburtsdatum an.',
    en: 'Please enter the patient’s national identification number, or their name and date of birth.',
  },
  'dsp.unknown_patient': {
    fr: 'Ce patient est inconnu du Dossier de Soins Partagé (ou son dossier n’est pas ouvert).',
    de: 'Dieser Patient ist in der Gemeinsamen Patientenakte (DSP) nicht bekannt (oder seine Akte ist nicht eröffnet).',
    en: 'This patient is not known to the shared care record (DSP), or their record is not open.',
  },
  'dsp.too_large': {
    fr: 'Ce document dépasse la taille maximale autorisée dans le DSP ({0} Mo).',
    de: 'Dieses Dokument überschreitet die im DSP zulässige Höchstgröße ({0} MB).',
    en: 'This document exceeds the largest size allowed in the DSP ({0} MB).',
  },
  'dsp.type_not_allowed': {
    fr: 'Ce type de document ({0}) ne peut pas être déposé dans le DSP.',
    de: 'Dieser Dokumenttyp ({0}) kann nicht im DSP abgelegt werden.',
    en: 'This type of document ({0}) cannot be filed in the DSP.',
  },
  'dsp.empty_document': {
    fr: 'Ce document est vide.',
    de: 'Dieses Dokument ist leer.',
    en: 'This document is empty.',
  },
  'dsp.upload_unknown': {
    fr: 'Le document transmis n’est plus disponible (délai dépassé). Veuillez relancer le dépôt.',
    de: 'Das übertragene Dokument ist nicht mehr verfügbar (Zeit überschritten). Bitte starten Sie die Ablage erneut.',
    en: 'The document sent is no longer available (time limit exceeded). Please file it again.',
  },
  'dsp.upload_mismatch': {
    fr: 'Le document reçu ne correspond pas à celui annoncé (taille ou empreinte différente) : rien n’a été déposé. Veuillez relancer le dépôt.',
    de: 'Das empfangene Dokument entspricht nicht dem angekündigten (Größe oder Prüfsumme abweichend): Es wurde nichts abgelegt. Bitte starten Sie die Ablage erneut.',
    en: 'The document received does not match the one announced (different size or checksum): nothing was filed. Please file it again.',
  },
  'dsp.metadata_invalid': {
    fr: 'Les informations du document sont incomplètes ou invalides : {0}',
    de: 'Die Angaben zum Dokument sind unvollständig oder ungültig: {0}',
    en: 'The document’s details are incomplete or invalid: {0}',
  },
  'dsp.author_unknown': {
    fr: 'Vous ne figurez pas dans l’annuaire des professionnels de santé : vous ne pouvez pas déposer de document dans le DSP.',
    de: 'Sie sind nicht im Verzeichnis der Gesundheitsfachkräfte eingetragen: Sie können keine Dokumente im DSP ablegen.',
    en: 'You are not listed in the health professional directory: you cannot file documents in the DSP.',
  },
  'dsp.refused': {
    fr: 'Le DSP a refusé ce document : {0}',
    de: 'Der DSP hat dieses Dokument abgelehnt: {0}',
    en: 'The DSP refused this document: {0}',
  },
  'dsp.metadata_refused': {
    fr: 'Le DSP a refusé les informations de ce document : {0}',
    de: 'Der DSP hat die Angaben zu diesem Dokument abgelehnt: {0}',
    en: 'The DSP refused this document’s details: {0}',
  },
  'dsp.access_denied': {
    fr: 'Le DSP a refusé votre accès à ce dossier (autorisation expirée ou insuffisante). Veuillez réessayer ; si le refus persiste, le patient a peut-être restreint l’accès à son dossier.',
    de: 'Der DSP hat Ihren Zugriff auf diese Akte verweigert (Berechtigung abgelaufen oder unzureichend). Bitte versuchen Sie es erneut; bleibt die Ablehnung bestehen, hat der Patient den Zugriff auf seine Akte möglicherweise eingeschränkt.',
    en: 'The DSP denied your access to this record (authorisation expired or insufficient). Please try again; if it persists, the patient may have restricted access to their record.',
  },
  'dsp.unavailable': {
    fr: 'Le Dossier de Soins Partagé ne répond pas. Aucun document n’a été déposé. Veuillez réessayer plus tard.',
    de: 'Die Gemeinsame Patientenakte (DSP) antwortet nicht. Es wurde kein Dokument abgelegt. Bitte versuchen Sie es später erneut.',
    en: 'The shared care record (DSP) is not responding. No document was filed. Please try again later.',
  },
  'dsp.bad_answer': {
    fr: 'Le DSP a répondu de façon inattendue. Aucun document n’a été déposé. Veuillez réessayer plus tard.',
    de: 'Der DSP hat unerwartet geantwortet. Es wurde kein Dokument abgelegt. Bitte versuchen Sie es später erneut.',
    en: 'The DSP gave an unexpected answer. No document was filed. Please try again later.',
  },
  'dsp.outcome_unknown': {
    fr: 'Le DSP n’a pas confirmé le dépôt et n’a pas pu être interrogé : on ne sait pas encore si le document a été déposé. Réessayez plus tard : il ne sera pas déposé deux fois.',
    de: 'Der DSP hat die Ablage nicht bestätigt und konnte nicht abgefragt werden: Es ist noch unklar, ob das Dokument abgelegt wurde. Versuchen Sie es später erneut: Es wird nicht doppelt abgelegt.',
    en: 'The DSP did not confirm the filing and could not be queried: it is not yet known whether the document was filed. Try again later: it will not be filed twice.',
  },
  'dsp.patient_search_unavailable': {
    fr: 'La recherche de patients ne répond pas. Veuillez réessayer plus tard.',
    de: 'Die Patientensuche antwortet nicht. Bitte versuchen Sie es später erneut.',
    en: 'The patient search is not responding. Please try again later.',
  },
  'dsp.in_progress': {
    fr: 'Ce document est déjà en cours de dépôt pour ce patient.',
    de: 'Dieses Dokument wird für diesen Patienten bereits abgelegt.',
    en: 'This document is already being filed for this patient.',
  },
} as const satisfies Record<string, Record<Lang, string>>;

export type DspErrorCode = keyof typeof dspErrorTexts;
