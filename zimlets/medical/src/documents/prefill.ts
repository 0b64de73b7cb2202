/**
 * The metadata form filled in for the doctor (issue 11): every value below is only a proposal the
 * doctor may change before filing.
 * - title: the file name without its extension, separators as spaces (an XDM entry's own title first);
 * - class and type: the XDM entry's codes when the service's value sets know them, else a code whose
 *   display or code matches words of the file name (e.g. "laboratoire" → a laboratory report), else the
 *   value set's first code;
 * - confidentiality: normal (N), or the XDM entry's;
 * - format: the service's formatByMimeType for the MIME type (IHE ITI TF-3 4.2.3.2.9 format codes);
 * - practice setting and facility type: the author's own (GetDspOptions.author, from the directory);
 * - date of the act: the mail's date (the XDM entry's serviceStartTime first), in the reader's time zone;
 * - language: the reader's (fr-LU / de-LU / en-GB) when the value set has it.
 * The value sets come from the service (GetDspOptions): nothing is hard-coded here but the matching words.
 */
import type { Lang } from '../../../../shared/i18n/lang.ts';
import type { RequestOf, ResponseOf } from '../../../../shared/soap/operations.ts';
import type { XdmDocument } from './xdm.ts';

export type DspOptions = ResponseOf<'GetDspOptions'>;
export type DocumentMetadata = RequestOf<'FileDocument'>['metadata'];
type Coded = DspOptions['classCodes'][number];

/** Words of a file name or subject that point at a kind of document (fr/de/en, lower case, no accents). */
const HINTS: ReadonlyArray<{ words: RegExp; match: RegExp }> = [
  { words: /\b(labo|laboratoire|analyses?|biolog|labor|befund|lab|results?)\b/, match: /lab|laborat|11502-2|biolog/ },
  { words: /\b(sortie|entlassung|discharge)\b/, match: /sortie|entlass|discharge|18842-5/ },
  { words: /\b(radio|imagerie|irm|scanner|echo|rontgen|mrt|imaging|x-?ray)\b/, match: /imag|radio|18748-4/ },
  { words: /\b(ordonnance|prescription|rezept)\b/, match: /prescri|ordonn|rezept|57833-6/ },
  { words: /\b(lettre|courrier|brief|letter|consultation|konsultation)\b/, match: /lettre|letter|brief|consult|11488-4|34133-9/ },
];

function plain(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
}

/** "Resultats_labo_2026-11.pdf" → "Resultats labo 2026-11": underscores are spaces, hyphens stay (compte-rendu). */
export function titleFromFileName(fileName: string): string {
  const base = fileName.replace(/\.[A-Za-z0-9]{1,5}$/, '');
  const t = base.replace(/_+/g, ' ').replace(/\s+/g, ' ').trim();
  return (t || fileName).slice(0, 128);
}

function known(list: readonly Coded[], code: string | undefined): string | undefined {
  return code && list.some((c) => c.code === code) ? code : undefined;
}

/** A code of `list` the words of `text` point at, if any. */
export function guessCode(list: readonly Coded[], text: string): string | undefined {
  const words = plain(text).replace(/[_.\-]+/g, ' ');
  for (const hint of HINTS) {
    if (!hint.words.test(words)) continue;
    const hit = list.find((c) => hint.match.test(plain(`${c.code} ${c.display}`)));
    if (hit) return hit.code;
  }
  return undefined;
}

const LANG_CODE: Record<Lang, string[]> = { fr: ['fr-LU', 'fr-FR', 'fr'], de: ['de-LU', 'de-DE', 'de'], en: ['en-GB', 'en-US', 'en'] };

/** YYYY-MM-DD of a date in the reader's time zone (the day the doctor sees in the mail list). */
export function localDay(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

export interface PrefillInput {
  fileName: string;
  mimeType: string;
  /** Proposed title, e.g. for the message text ("Message : <subject>"); else from the file name. */
  title?: string;
  /** Subject of the mail, also searched for hints of the kind of document. */
  subject?: string;
  mailDate?: Date;
  xdm?: XdmDocument;
}

export function prefillMetadata(input: PrefillInput, options: DspOptions, lang: Lang): DocumentMetadata {
  const x = input.xdm;
  const hintText = `${input.fileName} ${input.title ?? ''} ${x?.title ?? ''} ${input.subject ?? ''}`;
  const first = (l: readonly Coded[]) => l[0]?.code ?? '';
  const classCode = known(options.classCodes, x?.codes.classCode) ?? guessCode(options.classCodes, hintText) ?? first(options.classCodes);
  const typeCode = known(options.typeCodes, x?.codes.typeCode) ?? guessCode(options.typeCodes, hintText) ?? first(options.typeCodes);
  const confidentialityCode =
    known(options.confidentialityCodes, x?.codes.confidentialityCode) ?? known(options.confidentialityCodes, 'N') ?? first(options.confidentialityCodes);
  const mime = input.mimeType.toLowerCase().split(';')[0]!.trim();
  const formatCode =
    known(options.formatCodes, x?.codes.formatCode) ?? options.formatByMimeType.find((f) => f.mimeType.toLowerCase() === mime)?.formatCode;
  const author = options.author;
  const practiceSettingCode = known(options.practiceSettingCodes, x?.codes.practiceSettingCode) ?? known(options.practiceSettingCodes, author?.practiceSettingCode);
  const healthcareFacilityTypeCode =
    known(options.healthcareFacilityTypeCodes, x?.codes.healthcareFacilityTypeCode) ?? known(options.healthcareFacilityTypeCodes, author?.healthcareFacilityTypeCode);
  const languageCode =
    known(options.languages, x?.languageCode) ?? LANG_CODE[lang].map((c) => known(options.languages, c)).find(Boolean) ?? first(options.languages);
  const serviceStartTime = x?.serviceStartTime ?? (input.mailDate && !Number.isNaN(input.mailDate.getTime()) ? localDay(input.mailDate) : undefined);

  const meta: DocumentMetadata = {
    title: (x?.title ?? input.title ?? titleFromFileName(input.fileName)).slice(0, 128),
    classCode,
    typeCode,
    confidentialityCode,
    languageCode,
  };
  if (formatCode) meta.formatCode = formatCode;
  if (practiceSettingCode) meta.practiceSettingCode = practiceSettingCode;
  if (healthcareFacilityTypeCode) meta.healthcareFacilityTypeCode = healthcareFacilityTypeCode;
  if (serviceStartTime) meta.serviceStartTime = serviceStartTime;
  if (x?.comments) meta.comments = x.comments.slice(0, 1000);
  return meta;
}
