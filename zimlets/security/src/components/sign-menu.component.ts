/**
 * The small menu under the compose "Signer" button: one checkable item "Signer numériquement ce
 * message" (WAI-ARIA menu pattern: role=menu, role=menuitemcheckbox with aria-checked; Enter/Space
 * toggle, Escape or a click elsewhere closes, focus returns to the button). It only reports the
 * user's choice (`esante-sign-toggle` event, detail = wanted state); the handler decides.
 */
import { css, html } from 'lit';
import { property } from 'lit/decorators.js';
import { EsanteElement } from '../../../../shared/ui/base-element.ts';

export class EsanteSignMenu extends EsanteElement {
  static override styles = [
    ...EsanteElement.styles,
    css`
      :host {
        position: fixed;
        z-index: 1000;
      }
      [role='menu'] {
        background: var(--esante-color-bg);
        border: 1px solid var(--esante-color-border);
        border-radius: var(--esante-radius);
        box-shadow: 0 2px 6px rgba(0, 0, 0, 0.25);
        padding: var(--esante-space-1) 0;
        min-width: 220px;
      }
      [role='menuitemcheckbox'] {
        display: block;
        width: 100%;
        text-align: left;
        border: none;
        background: none;
        border-radius: 0;
        padding: var(--esante-space-1) var(--esante-space-3);
      }
      [role='menuitemcheckbox']:hover,
      [role='menuitemcheckbox']:focus {
        background: #dfe9f5;
      }
      .check {
        display: inline-block;
        width: 1.2em;
      }
    `,
  ];

  /** Whether signing is currently requested for this compose view. */
  @property({ type: Boolean }) accessor checked = false;

  private readonly onOutside = (e: Event): void => {
    if (!e.composedPath().includes(this)) this.close();
  };

  override connectedCallback(): void {
    super.connectedCallback();
    // Next tick: the click that opened the menu must not close it.
    setTimeout(() => document.addEventListener('mousedown', this.onOutside, true), 0);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('mousedown', this.onOutside, true);
  }

  /** Puts the menu under `anchor` and focuses its item. */
  async openAt(anchor: HTMLElement): Promise<void> {
    const r = anchor.getBoundingClientRect();
    this.style.left = `${Math.round(r.left)}px`;
    this.style.top = `${Math.round(r.bottom + 2)}px`;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('[role=menuitemcheckbox]')?.focus();
  }

  close(): void {
    this.dispatchEvent(new CustomEvent('esante-sign-menu-close'));
    this.remove();
  }

  private choose(): void {
    this.dispatchEvent(new CustomEvent<boolean>('esante-sign-toggle', { detail: !this.checked }));
    this.close();
  }

  private onKey(e: KeyboardEvent): void {
    if (e.key === 'Escape' || e.key === 'Tab') {
      e.preventDefault();
      this.close();
    } else if (e.key === ' ' || e.key === 'Enter') {
      e.preventDefault();
      this.choose();
    }
  }

  override render() {
    return html`<div role="menu" aria-label=${this.msg('compose_sign')} @keydown=${(e: KeyboardEvent) => this.onKey(e)}>
      <button type="button" role="menuitemcheckbox" aria-checked=${this.checked ? 'true' : 'false'} data-action="sign-toggle" @click=${() => this.choose()}>
        <span class="check" aria-hidden="true">${this.checked ? '✔' : ''}</span>${this.msg('compose_sign_item')}
      </button>
    </div>`;
  }
}
