/**
 * The help page, one per language, every section on it (a link lands on its anchor): plain HTML,
 * no script, its own small stylesheet inline under a CSP that allows nothing else.
 */
import { LANGS, type Lang } from '../../../shared/i18n/lang.ts';
import { HELP_PATH, HELP_SECTIONS } from '../../../shared/help/sections.ts';
import { escapeMarkup as esc } from '../../../shared/markup.ts';
import { HELP_TEXTS } from './texts.ts';

export interface Helpdesk {
  phone: string;
  mail: string;
}

const LANG_NAMES: Record<Lang, string> = { fr: 'Français', de: 'Deutsch', en: 'English' };

/** The CSP of the page: its one inline stylesheet by hash would be stricter; 'unsafe-inline' styles cannot run anything. */
export const HELP_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; form-action 'none'; base-uri 'none'; frame-ancestors 'self'";

export function helpPage(lang: Lang, helpdesk: Helpdesk): string {
  const t = HELP_TEXTS[lang];
  const tel = helpdesk.phone.replace(/[^+\d]/g, '');
  const contact = `<aside aria-labelledby="helpdesk"><h2 id="helpdesk">${esc(t.helpdesk)}</h2><dl>
<dt>${esc(t.phone)}</dt><dd><a href="tel:${esc(tel)}">${esc(helpdesk.phone)}</a></dd>
<dt>${esc(t.mail)}</dt><dd><a href="mailto:${esc(helpdesk.mail)}">${esc(helpdesk.mail)}</a></dd></dl></aside>`;
  const toc = HELP_SECTIONS.map((id) => `<li><a href="#${id}">${esc(t.sections[id].title)}</a></li>`).join('');
  const sections = HELP_SECTIONS.map(
    (id) => `<section id="${id}" aria-labelledby="${id}-title" tabindex="-1"><h2 id="${id}-title">${esc(t.sections[id].title)}</h2>${t.sections[id].paragraphs.map((p) => `<p>${esc(p)}</p>`).join('')}</section>`,
  ).join('\n');
  const others = LANGS.map((l) => (l === lang ? `<span aria-current="page">${LANG_NAMES[l]}</span>` : `<a href="${HELP_PATH}/${l}" lang="${l}" hreflang="${l}">${LANG_NAMES[l]}</a>`)).join(' · ');
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(t.title)}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:46rem;margin:1rem auto;padding:0 1rem;color:#222}h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:1.6rem}
aside{background:#f2f2f2;padding:.5rem 1rem;border-left:4px solid #005ea8}dt{font-weight:bold;float:left;margin-right:.5rem}dd{margin:0 0 .3rem}a{color:#005ea8}
section:target{outline:2px solid #005ea8;outline-offset:.4rem}</style></head>
<body><header><h1>${esc(t.title)}</h1><nav aria-label="Langue / Sprache / Language">${others}</nav></header>
<main><p>${esc(t.intro)}</p>${contact}<nav aria-label="${esc(t.title)}"><ul>${toc}</ul></nav>
${sections}</main></body></html>`;
}
