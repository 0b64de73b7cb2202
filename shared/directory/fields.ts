/**
 * Names of the search form's fields as a user reads them (guide p. 8), in the three languages. The
 * service puts the translated name in a `request.invalid` Fault ("La requête est invalide : Profession"),
 * so the message the zimlet shows says which field is wrong, in the user's language.
 */
import type { Lang } from '../i18n/lang.ts';
import type { CriterionName } from './operations.ts';

type Label = Readonly<Record<Lang, string>>;

export const FIELD_LABELS: Readonly<Record<CriterionName | 'offset' | 'limit' | 'id' | 'criteria', Label>> = {
  name: { fr: 'Nom', de: 'Name', en: 'Surname' },
  firstName: { fr: 'Prénom', de: 'Vorname', en: 'First name' },
  profession: { fr: 'Profession', de: 'Beruf', en: 'Profession' },
  specialty: { fr: 'Spécialité', de: 'Fachrichtung', en: 'Specialty' },
  postalCode: { fr: 'Code Postal', de: 'Postleitzahl', en: 'Postcode' },
  city: { fr: 'Ville', de: 'Ort', en: 'City' },
  establishment: { fr: 'Établissement', de: 'Einrichtung', en: 'Establishment' },
  sector: { fr: 'Secteur d’Activité', de: 'Tätigkeitsbereich', en: 'Sector of activity' },
  community: { fr: 'Communauté', de: 'Gemeinschaft', en: 'Community' },
  identifier: { fr: 'Identifiant', de: 'Kennung', en: 'Identifier' },
  identifierType: { fr: 'Type d’identifiant', de: 'Art der Kennung', en: 'Identifier type' },
  offset: { fr: 'Position de la page', de: 'Seitenposition', en: 'Page position' },
  limit: { fr: 'Taille de la page', de: 'Seitengröße', en: 'Page size' },
  id: { fr: 'Identifiant du professionnel', de: 'Kennung der Gesundheitsfachkraft', en: 'Professional’s identifier' },
  criteria: { fr: 'Critères de recherche', de: 'Suchkriterien', en: 'Search criteria' },
};

/** The field's name in `lang`; an unknown field name is returned as it is (it came from our own code). */
export function fieldLabel(field: string, lang: Lang): string {
  const label = (FIELD_LABELS as Record<string, Label | undefined>)[field];
  return label ? label[lang] : field;
}
