/**
 * The password strength meter (guide p.5: "l'assistant vous donne une évaluation de la force de votre
 * mot de passe au fur et à mesure de votre saisie"). The verdict is shared/password/policy.ts's, the
 * very one the service enforces, so the meter never says "Fort" for a password the service refuses.
 * The word is in a polite live region: screen readers hear it change as one types.
 */
import { html, nothing } from 'lit';
import { property } from 'lit/decorators.js';
import { assessPassword, type StrengthLevel } from '../../../../shared/password/policy.ts';
import { EsanteElement } from '../../../../shared/ui/base-element.ts';
import { css } from 'lit';

const COLORS = ['#b00020', '#e65100', '#f9a825', '#558b2f', '#2e7d32'];

export class EsanteRegifyPasswordMeter extends EsanteElement {
  static override styles = [
    ...EsanteElement.styles,
    css`
      :host {
        display: block;
        margin: var(--esante-space-1) 0;
        /* The bar and its word take their room from the start, so the dialog does not grow (jump) when the first character is typed. */
        min-height: calc(6px + 1.5em);
      }
      .bar {
        display: grid;
        grid-template-columns: repeat(5, 1fr);
        gap: 2px;
        height: 6px;
        max-width: 16em;
      }
      .bar span {
        background: var(--esante-color-border);
        border-radius: 2px;
      }
    `,
  ];

  /** The password being typed. */
  @property({ attribute: false }) accessor password = '';
  /** Words an attacker would try first for this user (address, names). */
  @property({ attribute: false }) accessor userInputs: readonly string[] = [];

  /** The level shown (0 "Trop faible" … 4 "Très fort"). */
  get level(): StrengthLevel {
    return assessPassword(this.password, this.userInputs).level;
  }

  private word(level: StrengthLevel): string {
    // Literal keys, one per level (the validator finds keys by scanning `.msg('…')` calls).
    switch (level) {
      case 0:
        return this.msg('password_strength_too_weak');
      case 1:
        return this.msg('password_strength_weak');
      case 2:
        return this.msg('password_strength_medium');
      case 3:
        return this.msg('password_strength_strong');
      default:
        return this.msg('password_strength_very_strong');
    }
  }

  override render() {
    if (this.password === '') return html`<div aria-live="polite" data-level=""></div>`;
    const level = this.level;
    const color = COLORS[level]!;
    return html`
      <div class="bar" aria-hidden="true">
        ${[0, 1, 2, 3, 4].map((i) => html`<span style=${i <= level ? `background:${color}` : nothing}></span>`)}
      </div>
      <div aria-live="polite" data-level=${level} style="color:${color}">${this.msg('password_strength_label', this.word(level))}</div>
    `;
  }
}
