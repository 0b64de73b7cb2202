/**
 * Shows what the eSanté service says about the caller: identity (as Zimbra vouches for it), service
 * version and whether this zimlet's feature is enabled. Every zimlet's skeleton panel embeds it: it is
 * how acceptance proves a zimlet reaches the service through the ZimletHost and the SOAP client.
 * States are exposed as `data-state="loading|ready|error"` for tests and screen readers get a live
 * region. Texts come from the zimlet's properties (keys `about_*`, present in every zimlet).
 */
import { html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import { PANEL_HELP } from '../../help/sections.ts';
import { DEFAULT_LANG } from '../../i18n/lang.ts';
import type { ResponseOf } from '../../soap/operations.ts';
import { EsanteElement } from '../base-element.ts';
import '../help-link.ts';
import { faultText } from '../fault-text.ts';
import { LatestLoad } from '../latest-load.ts';
import { retryAlert } from '../retry-alert.ts';
import { definitionList, statusStyles } from '../tokens.ts';
import { styles } from './service-info.styles.ts';

export type ServiceInfo = ResponseOf<'GetServiceInfo'>;
export type ServiceInfoLoader = (signal: AbortSignal) => Promise<ServiceInfo>;

type View =
  | { state: 'loading' }
  | { state: 'ready'; info: ServiceInfo }
  | { state: 'error'; message: string };

export class EsanteServiceInfo extends EsanteElement {
  static override styles = [...EsanteElement.styles, definitionList, statusStyles, styles];

  private readonly loading = new LatestLoad();

  @state() private accessor view: View = { state: 'loading' };

  /** Feature id this zimlet needs in `GetServiceInfo.features` (the zimlet's short name). */
  @property() accessor feature = '';
  /** Fetches the info; injected by the zimlet (callService in production, a fake in tests). */
  @property({ attribute: false }) accessor load: ServiceInfoLoader | undefined = undefined;

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.loading.cancel();
  }

  /** (Re)loads the info; called each time the panel opens. Resolves when the view is updated. */
  async refresh(): Promise<void> {
    this.view = { state: 'loading' };
    await this.loading.run(
      this.load,
      (info) => (this.view = { state: 'ready', info }),
      (err) => (this.view = { state: 'error', message: this.describe(err) }),
    );
    await this.updateComplete;
  }

  /** A Fault with a stable code shows its text; anything else (network, proxy) is "service unavailable". */
  private describe(err: unknown): string {
    return faultText(err, this.host?.lang ?? DEFAULT_LANG);
  }

  private renderInfo(info: ServiceInfo) {
    const enabled = info.features.includes(this.feature);
    const who = info.account.displayName ? `${info.account.displayName} <${info.account.name}>` : info.account.name;
    return html`
      <dl>
        <dt>${this.msg('about_account')}</dt>
        <dd data-field="account">${who}</dd>
        <dt>${this.msg('about_version')}</dt>
        <dd data-field="version">${info.version}</dd>
        <dt>${this.msg('about_feature')}</dt>
        <dd data-field="feature" class=${enabled ? 'ok' : 'off'}>
          ${enabled ? this.msg('about_enabled') : this.msg('about_disabled')}
        </dd>
      </dl>
    `;
  }

  /**
   * "Aide" (guide p.29): this panel's section of the help page, in the reader's language, in a new tab;
   * shown in every state (a user who cannot reach the service needs it most).
   */
  private renderHelp() {
    const section = PANEL_HELP[this.feature];
    if (!section) return nothing;
    return html`<esante-help-link section=${section} .host=${this.host}></esante-help-link>`;
  }

  override render() {
    const v = this.view;
    return html`
      <section data-state=${v.state} aria-busy=${v.state === 'loading' ? 'true' : 'false'}>
        <div role="status" aria-live="polite">
          ${v.state === 'loading' ? html`<p class="muted">${this.msg('about_loading')}</p>` : nothing}
          ${v.state === 'ready' ? this.renderInfo(v.info) : nothing}
        </div>
        ${v.state === 'error' ? retryAlert(v.message, this.msg('about_retry'), () => this.refresh()) : nothing}
        ${this.renderHelp()}
      </section>
    `;
  }
}
