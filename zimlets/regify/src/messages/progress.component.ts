/**
 * The progress window of an encrypted send (issue 5: "a progress indication while a large message is
 * encrypted and uploaded"). A native modal <dialog> (focus kept inside, Escape does nothing while
 * work that cannot be interrupted half-way is running) with a <progress> bar whose label and value
 * screen readers announce; the phase text sits in a polite live region.
 */
import { html } from 'lit';
import { property, query } from 'lit/decorators.js';
import { EsanteElement } from '../../../../shared/ui/base-element.ts';
import { css } from 'lit';

export class RegifySendProgress extends EsanteElement {
  static override styles = [
    ...EsanteElement.styles,
    css`
      dialog {
        min-width: 320px;
        border: 1px solid var(--esante-color-border);
        border-radius: var(--esante-radius);
        padding: var(--esante-space-3);
        font: inherit;
      }
      h2 {
        font-size: 13px;
        margin: 0 0 var(--esante-space-2) 0;
      }
      progress {
        width: 100%;
      }
    `,
  ];

  @query('dialog') private accessor dialog: HTMLDialogElement | null = null;

  /** Translated phase text ("Chiffrement du message…"). */
  @property() accessor phase = '';
  /** 0..1, or undefined while the phase has no measurable progress (indeterminate bar). */
  @property({ attribute: false }) accessor fraction: number | undefined = undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.updateComplete.then(() => {
      if (this.dialog && !this.dialog.open) this.dialog.showModal();
    });
  }

  close(): void {
    this.dialog?.close();
    this.remove();
  }

  override render() {
    const pct = this.fraction === undefined ? undefined : Math.round(this.fraction * 100);
    return html`<dialog aria-labelledby="title" @cancel=${(e: Event) => e.preventDefault()}>
      <h2 id="title">${this.msg('compose_progress_title')}</h2>
      <p id="phase" aria-live="polite">${this.phase}</p>
      ${pct === undefined
        ? html`<progress aria-labelledby="phase"></progress>`
        : html`<progress aria-labelledby="phase" max="100" .value=${pct}></progress>`}
    </dialog>`;
  }
}

RegifySendProgress.define('esante-regify-send-progress');

declare global {
  interface HTMLElementTagNameMap {
    'esante-regify-send-progress': RegifySendProgress;
  }
}
