/**
 * The "Gestionnaire de sécurité" panel (guide p.7, 10): how the session was opened (LuxTrust card or
 * fallback), whether signing is possible and why not, the signing certificate (subject, issuer,
 * serial, validity, days to expiry, a warning under 30 days), the trust anchors, and "Tester ma
 * signature" (signs and verifies a sample through the service, shows the result with the same
 * banner as a received message). Knows only the ZimletHost port and two injected service calls.
 * Test hooks: section[data-state=loading|ready|error], [data-field=…], button[data-action=test].
 */
import { css, html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import { DEFAULT_LANG } from '../../../../shared/i18n/lang.ts';
import { errorText, isErrorCode } from '../../../../shared/errors.ts';
import type { ResponseOf } from '../../../../shared/soap/operations.ts';
import { EsanteElement } from '../../../../shared/ui/base-element.ts';
import { type ServiceInfoLoader } from '../../../../shared/ui/service-info/service-info.ts';
import { formatDate, type SignatureReport } from '../../../../shared/ui/signature-banner/signature-banner.ts';
import { faultText } from '../../../../shared/ui/fault-text.ts';
import { LatestLoad } from '../../../../shared/ui/latest-load.ts';
import { retryAlert } from '../../../../shared/ui/retry-alert.ts';
import { definitionList, statusStyles } from '../../../../shared/ui/tokens.ts';

export type SigningStatusView = ResponseOf<'GetSigningStatus'>;
export type StatusLoader = (signal: AbortSignal) => Promise<SigningStatusView>;
export type SignatureTester = () => Promise<SignatureReport>;

/** Days before expiry from which the panel warns (guide: renew the card in time). */
export const EXPIRY_WARNING_DAYS = 30;

type View = { state: 'loading' } | { state: 'ready'; status: SigningStatusView } | { state: 'error'; message: string };
type Test = { state: 'idle' } | { state: 'running' } | { state: 'done'; report: SignatureReport } | { state: 'error'; message: string };

const styles = css`
  section + section {
    margin-top: var(--esante-space-3);
  }
  h3 {
    font-size: 12px;
    margin: 0 0 var(--esante-space-1);
  }
  .bad,
  .warn {
    color: var(--esante-color-error);
  }
  ul {
    margin: 0;
    padding-left: 1.2em;
  }
  .mono {
    font-family: monospace;
  }
`;

export class EsanteSecurityPanel extends EsanteElement {
  static override styles = [...EsanteElement.styles, definitionList, statusStyles, styles];

  /** GetServiceInfo (the "À propos" part); injected by panel.ts. */
  @property({ attribute: false }) accessor loadInfo: ServiceInfoLoader | undefined = undefined;
  /** GetSigningStatus; injected by panel.ts (a fake in tests). */
  @property({ attribute: false }) accessor loadStatus: StatusLoader | undefined = undefined;
  /** Signs then verifies a sample message through the service. */
  @property({ attribute: false }) accessor testSignature: SignatureTester | undefined = undefined;

  @state() private accessor view: View = { state: 'loading' };
  @state() private accessor test: Test = { state: 'idle' };
  private readonly loading = new LatestLoad();

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.loading.cancel();
  }

  /** Called by the dialog on every open: reloads the status. */
  async opened(_section?: string): Promise<void> {
    this.test = { state: 'idle' };
    await this.refresh();
    await this.updateComplete;
    await this.renderRoot.querySelector<HTMLElement & { refresh(): Promise<void> }>('esante-service-info')?.refresh();
  }

  async refresh(): Promise<void> {
    this.view = { state: 'loading' };
    await this.loading.run(
      this.loadStatus,
      (status) => (this.view = { state: 'ready', status }),
      (e) => (this.view = { state: 'error', message: this.describe(e) }),
    );
    await this.updateComplete;
  }

  private describe(err: unknown): string {
    return faultText(err, this.host?.lang ?? DEFAULT_LANG);
  }

  private async runTest(): Promise<void> {
    if (!this.testSignature || this.test.state === 'running') return;
    this.test = { state: 'running' };
    try {
      this.test = { state: 'done', report: await this.testSignature() };
    } catch (e) {
      this.test = { state: 'error', message: this.describe(e) };
    }
  }

  private renderStatus(s: SigningStatusView) {
    const lang = this.host?.lang ?? DEFAULT_LANG;
    const method =
      s.authMethod === 'card' ? this.msg('status_method_card') : s.authMethod === 'fallback' ? this.msg('status_method_fallback') : this.msg('status_method_unknown');
    const why = s.reason && isErrorCode(s.reason) ? errorText(s.reason, lang) : s.reason;
    const c = s.certificate;
    const expiring = c ? c.daysToExpiry < EXPIRY_WARNING_DAYS : false;
    return html`
      <section aria-labelledby="session-title">
        <h3 id="session-title">${this.msg('status_session')}</h3>
        <dl>
          <dt>${this.msg('status_method')}</dt>
          <dd data-field="auth-method" data-value=${s.authMethod}>${method}</dd>
          <dt>${this.msg('status_can_sign')}</dt>
          <dd data-field="can-sign" data-value=${String(s.canSign)} class=${s.canSign ? 'ok' : 'bad'}>
            ${s.canSign ? this.msg('status_can_sign_yes') : this.msg('status_can_sign_no')}
          </dd>
          ${!s.canSign && why ? html`<dt>${this.msg('status_why_not')}</dt><dd data-field="reason">${why}</dd>` : nothing}
        </dl>
      </section>
      <section aria-labelledby="cert-title">
        <h3 id="cert-title">${this.msg('cert_title')}</h3>
        ${c
          ? html`<dl data-field="certificate">
              <dt>${this.msg('cert_subject')}</dt>
              <dd data-field="cert-subject">${c.subject}</dd>
              <dt>${this.msg('cert_issuer')}</dt>
              <dd data-field="cert-issuer">${c.issuer}</dd>
              <dt>${this.msg('cert_serial')}</dt>
              <dd data-field="cert-serial" class="mono">${c.serialNumber}</dd>
              <dt>${this.msg('cert_validity')}</dt>
              <dd data-field="cert-validity">${this.msg('cert_validity_range', formatDate(c.notBefore, lang), formatDate(c.notAfter, lang))}</dd>
              <dt>${this.msg('cert_expiry')}</dt>
              <dd data-field="cert-expiry" class=${expiring ? 'warn' : ''} role=${expiring ? 'alert' : nothing}>
                ${c.daysToExpiry < 0 ? this.msg('cert_expired') : this.msg('cert_days_left', c.daysToExpiry)}
                ${expiring && c.daysToExpiry >= 0 ? html` — ${this.msg('cert_expiry_warning')}` : nothing}
              </dd>
              <dt>${this.msg('cert_signer_kind')}</dt>
              <dd>${s.signerKind === 'csc' ? this.msg('cert_signer_csc') : this.msg('cert_signer_soft')}</dd>
            </dl>`
          : html`<p data-field="no-certificate">${this.msg('cert_none')}</p>`}
      </section>
      <section aria-labelledby="anchors-title">
        <h3 id="anchors-title">${this.msg('anchors_title')}</h3>
        <ul data-field="trust-anchors">
          ${s.trustAnchors.map((a) => html`<li>${a}</li>`)}
        </ul>
      </section>
      <section aria-labelledby="test-title">
        <h3 id="test-title">${this.msg('test_title')}</h3>
        <p>${this.msg('test_intro')}</p>
        <button type="button" data-action="test" ?disabled=${!s.canSign || this.test.state === 'running'} @click=${() => void this.runTest()}>
          ${this.msg('test_button')}
        </button>
        <div data-field="test-result" data-state=${this.test.state} role="status" aria-live="polite">
          ${this.test.state === 'running' ? html`<p>${this.msg('test_running')}</p>` : nothing}
          ${this.test.state === 'done' ? html`<esante-signature-banner .host=${this.host} .report=${this.test.report}></esante-signature-banner>` : nothing}
          ${this.test.state === 'error' ? html`<p class="error">${this.test.message}</p>` : nothing}
        </div>
      </section>
    `;
  }

  override render() {
    const v = this.view;
    return html`
      <h2 class="visually-hidden">${this.msg('panel_title')}</h2>
      <section data-state=${v.state} aria-busy=${v.state === 'loading' ? 'true' : 'false'}>
        ${v.state === 'loading' ? html`<p role="status">${this.msg('status_loading')}</p>` : nothing}
        ${v.state === 'ready' ? this.renderStatus(v.status) : nothing}
        ${v.state === 'error' ? retryAlert(v.message, this.msg('about_retry'), () => this.refresh()) : nothing}
      </section>
      <section aria-labelledby="about-title">
        <h3 id="about-title">${this.msg('menu_about')}</h3>
        <esante-service-info feature="signing" .host=${this.host} .load=${this.loadInfo}></esante-service-info>
      </section>
    `;
  }
}
