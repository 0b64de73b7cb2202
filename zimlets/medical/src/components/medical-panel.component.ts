/**
 * Content of the medical zimlet's panel. Skeleton for now: the zimlet's title, what it will do, and
 * the service information (proof that the zimlet reaches the service). Knows only the ZimletHost port.
 */
import { html } from 'lit';
import { property, query } from 'lit/decorators.js';
import { EsanteElement } from '../../../../shared/ui/base-element.ts';
import { type EsanteServiceInfo, type ServiceInfoLoader } from '../../../../shared/ui/service-info/service-info.ts';

export class EsanteMedicalPanel extends EsanteElement {
  @query('esante-service-info') private accessor info: EsanteServiceInfo | null = null;

  /** Loads GetServiceInfo; injected by panel.ts (a fake in tests). */
  @property({ attribute: false }) accessor loadInfo: ServiceInfoLoader | undefined = undefined;

  /** Called by the dialog on every open: reloads the service information. */
  async opened(_section?: string): Promise<void> {
    await this.updateComplete;
    await this.info?.refresh();
  }

  override render() {
    return html`
      <section aria-labelledby="title">
        <!-- The dialog shows the title visually; the heading gives screen readers the panel's structure. -->
        <h2 id="title" class="visually-hidden">${this.msg('panel_title')}</h2>
        <p>${this.msg('panel_intro')}</p>
        <esante-service-info feature="medical" .host=${this.host} .load=${this.loadInfo}></esante-service-info>
      </section>
    `;
  }
}
