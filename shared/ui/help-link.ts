/**
 * `<esante-help-link section="…">`: "Aide" (guide p.29), the link to one section of the help page
 * (server-extension/src/help/) in the reader's language, opened in a new tab. Every panel shows one
 * (through esante-service-info, or itself where a panel hides that), dialogs too.
 */
import { css, html, nothing } from 'lit';
import { property } from 'lit/decorators.js';
import { HELP_SECTIONS, helpUrl, type HelpSection } from '../help/sections.ts';
import { DEFAULT_LANG } from '../i18n/lang.ts';
import { EsanteElement } from './base-element.ts';

export class EsanteHelpLink extends EsanteElement {
  static override styles = [...EsanteElement.styles, css`:host { display: block; margin-top: var(--esante-space-2); }`];

  @property() accessor section: string = '';

  override render() {
    const section = this.section as HelpSection;
    if (!HELP_SECTIONS.includes(section)) return nothing;
    return html`<a data-help=${section} href=${helpUrl(this.host?.lang ?? DEFAULT_LANG, section)} target="_blank" rel="noopener noreferrer">${this.msg('about_help')}</a>`;
  }
}

EsanteHelpLink.define('esante-help-link');

declare global {
  interface HTMLElementTagNameMap {
    'esante-help-link': EsanteHelpLink;
  }
}
