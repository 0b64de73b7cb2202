/** The three languages of the suite: French first (the guide's language), then German and English. */
export type Lang = 'fr' | 'de' | 'en';
export const LANGS: readonly Lang[] = ['fr', 'de', 'en'];
export const DEFAULT_LANG: Lang = 'fr';

/** Picks our language from a locale string such as Zimbra's `zimbraPrefLocale` or Accept-Language. */
export function pickLang(locale: string | null | undefined): Lang {
  if (!locale) return DEFAULT_LANG;
  for (const part of locale.toLowerCase().split(',')) {
    const tag = part.trim().slice(0, 2);
    if (tag === 'fr' || tag === 'de' || tag === 'en') return tag;
  }
  return DEFAULT_LANG;
}

/** Replaces `{0}`, `{1}` … like Zimbra's AjxMessageFormat does for simple cases. */
export function format(template: string, ...args: ReadonlyArray<string | number>): string {
  return template.replace(/\{(\d+)\}/g, (m, i: string) => {
    const v = args[Number(i)];
    return v === undefined ? m : String(v);
  });
}
