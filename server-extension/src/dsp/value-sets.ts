/**
 * Default value sets of the filing form. The agency's own DSP code lists are not public, so the
 * defaults come from the standards XDS affinity domains usually pick: LOINC document codes for
 * class/type (ITI TF-3 §4.2.3.2.3/.25 leave the vocabulary to the domain), HL7 v3 Confidentiality
 * (2.16.840.1.113883.5.25) N/R/V, the IHE format code urn:ihe:iti:xds:2017:mimeTypeSufficient
 * (ITI TF-3 §4.2.3.2.9, scheme 1.3.6.1.4.1.19376.1.2.3), SNOMED CT clinical specialties for the
 * practice setting, HL7 v3 RoleCode service delivery locations for the facility type, BCP 47 languages.
 * A site replaces them with ESANTE_DSP_VALUE_SETS_FILE (same JSON shape; README.md).
 */
import { readFileSync } from 'node:fs';
import type { Lang } from '../../../shared/i18n/lang.ts';

export interface ValueSetItem {
  code: string;
  scheme: string;
  fr: string;
  de: string;
  en: string;
}
export interface ValueSets {
  classCodes: ValueSetItem[];
  typeCodes: ValueSetItem[];
  confidentialityCodes: ValueSetItem[];
  formatCodes: ValueSetItem[];
  formatByMimeType: { mimeType: string; formatCode: string }[];
  practiceSettingCodes: ValueSetItem[];
  healthcareFacilityTypeCodes: ValueSetItem[];
  languages: ValueSetItem[];
  /** SubmissionSet.contentTypeCode (one fixed code: "filed from secure messaging"). */
  contentTypeCode: ValueSetItem;
  /** Author role (authorRole, XUA subject:role) per directory profession code; "default" otherwise. */
  roleByProfession: Record<string, { code: string; fr: string; de: string; en: string }>;
  /** Practice setting default per directory specialty or profession code. */
  practiceSettingByProfession: Record<string, string>;
}

const LOINC = '2.16.840.1.113883.6.1';
const SNOMED = '2.16.840.1.113883.6.96';
const CONF = '2.16.840.1.113883.5.25';
const ROLE = '2.16.840.1.113883.5.111';
const FORMAT = '1.3.6.1.4.1.19376.1.2.3';
const BCP47 = 'urn:ietf:bcp:47';

const l = (code: string, fr: string, de: string, en: string, scheme = LOINC): ValueSetItem => ({ code, scheme, fr, de, en });

/** LOINC document kinds (Document Ontology), the default first (a laboratory report). */
const DOCUMENT_KINDS: ValueSetItem[] = [
  l('11502-2', 'Résultat de laboratoire', 'Laborbefund', 'Laboratory report'),
  l('18842-5', 'Lettre de sortie', 'Entlassungsbrief', 'Discharge summary'),
  l('11488-4', 'Compte rendu de consultation', 'Konsiliarbericht', 'Consult note'),
  l('18748-4', 'Compte rendu d’imagerie', 'Bildgebungsbefund', 'Diagnostic imaging study'),
  l('57133-1', 'Lettre d’adressage', 'Überweisungsschreiben', 'Referral note'),
  l('57833-6', 'Prescription', 'Verordnung', 'Prescription for medication'),
  l('11506-3', 'Note d’évolution', 'Verlaufsnotiz', 'Progress note'),
];

export const DEFAULT_VALUE_SETS: ValueSets = {
  // Class and type share the LOINC document kinds (the agency's own lists are not public); pathology is
  // a type within the laboratory class.
  classCodes: DOCUMENT_KINDS,
  typeCodes: [...DOCUMENT_KINDS, l('11526-1', 'Compte rendu d’anatomopathologie', 'Pathologiebefund', 'Pathology study')],
  confidentialityCodes: [
    l('N', 'Normal', 'Normal', 'Normal', CONF),
    l('R', 'Restreint', 'Eingeschränkt', 'Restricted', CONF),
    l('V', 'Très restreint', 'Sehr eingeschränkt', 'Very restricted', CONF),
  ],
  formatCodes: [l('urn:ihe:iti:xds:2017:mimeTypeSufficient', 'Défini par le type MIME', 'Durch MIME-Typ bestimmt', 'MIME type sufficient', FORMAT)],
  formatByMimeType: [
    { mimeType: 'application/pdf', formatCode: 'urn:ihe:iti:xds:2017:mimeTypeSufficient' },
    { mimeType: 'image/jpeg', formatCode: 'urn:ihe:iti:xds:2017:mimeTypeSufficient' },
    { mimeType: 'image/png', formatCode: 'urn:ihe:iti:xds:2017:mimeTypeSufficient' },
    { mimeType: 'text/plain', formatCode: 'urn:ihe:iti:xds:2017:mimeTypeSufficient' },
  ],
  practiceSettingCodes: [
    l('394814009', 'Médecine générale', 'Allgemeinmedizin', 'General practice', SNOMED),
    l('394802001', 'Médecine interne', 'Innere Medizin', 'General medicine', SNOMED),
    l('394579002', 'Cardiologie', 'Kardiologie', 'Cardiology', SNOMED),
    l('394537008', 'Pédiatrie', 'Pädiatrie', 'Pediatric specialty', SNOMED),
    l('394585009', 'Gynécologie-obstétrique', 'Gynäkologie und Geburtshilfe', 'Obstetrics and gynecology', SNOMED),
    l('394914008', 'Radiologie', 'Radiologie', 'Radiology', SNOMED),
    l('394591006', 'Neurologie', 'Neurologie', 'Neurology', SNOMED),
  ],
  healthcareFacilityTypeCodes: [
    l('HOSP', 'Hôpital', 'Krankenhaus', 'Hospital', ROLE),
    l('PC', 'Cabinet de médecine de ville', 'Arztpraxis', 'Primary care clinic', ROLE),
    l('OF', 'Centre de soins ambulatoires', 'Ambulante Einrichtung', 'Outpatient facility', ROLE),
    l('PHARM', 'Pharmacie', 'Apotheke', 'Pharmacy', ROLE),
    l('NCCF', 'Maison de soins', 'Pflegeheim', 'Nursing or custodial care facility', ROLE),
  ],
  languages: [
    l('fr-LU', 'Français', 'Französisch', 'French', BCP47),
    l('de-LU', 'Allemand', 'Deutsch', 'German', BCP47),
    l('lb-LU', 'Luxembourgeois', 'Luxemburgisch', 'Luxembourgish', BCP47),
    l('en-GB', 'Anglais', 'Englisch', 'English', BCP47),
    l('pt-PT', 'Portugais', 'Portugiesisch', 'Portuguese', BCP47),
  ],
  contentTypeCode: l('34133-9', 'Synthèse d’épisode de soins', 'Zusammenfassung einer Behandlungsepisode', 'Summary of episode note'),
  roleByProfession: {
    medecin: { code: '309343006', fr: 'Médecin', de: 'Arzt', en: 'Physician' },
    'medecin-dentiste': { code: '106289002', fr: 'Médecin-dentiste', de: 'Zahnarzt', en: 'Dentist' },
    pharmacien: { code: '46255001', fr: 'Pharmacien', de: 'Apotheker', en: 'Pharmacist' },
    infirmier: { code: '106292003', fr: 'Infirmier', de: 'Pflegefachkraft', en: 'Professional nurse' },
    'sage-femme': { code: '309453006', fr: 'Sage-femme', de: 'Hebamme', en: 'Registered midwife' },
    default: { code: '223366009', fr: 'Professionnel de santé', de: 'Gesundheitsfachkraft', en: 'Healthcare professional' },
  },
  practiceSettingByProfession: { medecin: '394814009', cardiologie: '394579002', pediatrie: '394537008', radiologie: '394914008', neurologie: '394591006' },
};

export function loadValueSets(file: string | undefined): ValueSets {
  if (!file) return DEFAULT_VALUE_SETS;
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<ValueSets>;
  return { ...DEFAULT_VALUE_SETS, ...parsed };
}

export function display(item: ValueSetItem, lang: Lang): { code: string; scheme: string; display: string } {
  return { code: item.code, scheme: item.scheme, display: item[lang] };
}
