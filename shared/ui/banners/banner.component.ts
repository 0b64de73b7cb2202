/**
 * One information banner above a message (guide p.12): "Message chiffré avec Regify", "L'émetteur de
 * ce message, NOM, est authentifié de niveau N", a signature line, or an error that replaces the
 * content (not a recipient, tampered file, service down). Usable by any zimlet: the text is given
 * already translated by the caller (each zimlet owns its keys), the element only adds the icon, the
 * look, and the accessible role (`status`, or `alert` for errors so screen readers announce them).
 * An action (e.g. "voir le rapport") can be slotted after the text.
 */
import { html, svg } from 'lit';
import { property } from 'lit/decorators.js';
import { EsanteElement } from '../base-element.ts';
import { styles } from './banner.styles.ts';

export type BannerKind = 'encrypted' | 'level' | 'signed' | 'error' | 'info';

const ICONS: Record<BannerKind, ReturnType<typeof svg>> = {
  // Padlock: the same sign as the "Envoyer avec Regify" button.
  encrypted: svg`<rect x="3" y="7" width="10" height="8" rx="1" fill="currentColor"/><path d="M5 7V5a3 3 0 0 1 6 0v2" fill="none" stroke="currentColor" stroke-width="1.6"/>`,
  // Person with a check: identity level.
  level: svg`<circle cx="6" cy="5" r="3" fill="currentColor"/><path d="M1 15c0-3 2-5 5-5s5 2 5 5z" fill="currentColor"/><path d="M10 8l2 2 3-4" fill="none" stroke="currentColor" stroke-width="1.6"/>`,
  // Seal.
  signed: svg`<circle cx="8" cy="7" r="5" fill="none" stroke="currentColor" stroke-width="1.6"/><path d="M5 12l-1 4 4-2 4 2-1-4" fill="currentColor"/>`,
  error: svg`<path d="M8 1l7 14H1z" fill="currentColor"/><rect x="7.2" y="6" width="1.6" height="5" fill="#fff"/><rect x="7.2" y="12" width="1.6" height="1.6" fill="#fff"/>`,
  info: svg`<circle cx="8" cy="8" r="7" fill="currentColor"/><rect x="7.2" y="7" width="1.6" height="5" fill="#fff"/><rect x="7.2" y="4" width="1.6" height="1.6" fill="#fff"/>`,
};

export class EsanteBanner extends EsanteElement {
  static override styles = [...EsanteElement.styles, styles];

  @property({ reflect: true }) accessor kind: BannerKind = 'info';
  /** The translated text shown. */
  @property() accessor text = '';

  override render() {
    const kind = ICONS[this.kind] ? this.kind : 'info';
    return html`<div class="banner" data-kind=${kind} role=${kind === 'error' ? 'alert' : 'status'}>
      <svg class="icon" viewBox="0 0 16 16" aria-hidden="true" focusable="false">${ICONS[kind]}</svg>
      <span class="text">${this.text}</span><slot></slot>
    </div>`;
  }
}
