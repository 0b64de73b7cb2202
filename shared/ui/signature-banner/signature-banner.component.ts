/**
 * `<esante-signature-banner>`: the banner of a signed message (guide p.12) and its verification
 * report, for any zimlet (the security zimlet for plain signed mail, the regify zimlet after it
 * decrypted a message). Set `host` (the zimlet's ZimletHost: language and texts) and `report` (a
 * VerificationReport from the VerifySignature operation).
 *
 * - valid: « Message signé par NOM le DATE à HEURE. Cliquez ici pour voir le rapport »;
 * - not valid: a warning banner with the reason (shared/signing/reasons.ts) and the same link.
 * The link opens the full report in a modal <dialog> (focus moves into it, Escape closes it, focus
 * returns to the link). Texts: keys `sigbanner_*`, which every zimlet embedding this element must
 * carry in its three properties files (see zimlets/security/i18n/*.properties for the list).
 * Test hooks: `[data-state=valid|invalid]` on the banner, `[data-field=…]` in the report.
 */
import { html, nothing, css, type TemplateResult } from 'lit';
import { property, query } from 'lit/decorators.js';
import { DEFAULT_LANG } from '../../i18n/lang.ts';
import { isSignatureReason, revocationStatusText, signatureReasonText } from '../../signing/reasons.ts';
import type { CertificateSummary } from '../../signing/operations.ts';
import { EsanteElement } from '../base-element.ts';
import { bannerModel, formatDate, formatTime, type SignatureReport } from './signature-banner.model.ts';
import { definitionList } from '../tokens.ts';

const styles = css`
  :host {
    display: block;
    margin: 0 0 var(--esante-space-2);
  }
  .banner {
    display: flex;
    gap: var(--esante-space-2);
    align-items: baseline;
    flex-wrap: wrap;
    padding: var(--esante-space-2) var(--esante-space-3);
    border: 1px solid var(--esante-color-ok);
    border-left-width: 4px;
    border-radius: var(--esante-radius);
    background: #eef7ee;
  }
  .banner.invalid {
    border-color: var(--esante-color-error);
    background: var(--esante-color-error-bg);
    color: var(--esante-color-error);
  }
  .icon {
    font-weight: bold;
  }
  .note {
    color: var(--esante-color-muted);
  }
  button.link {
    background: none;
    border: none;
    padding: 0;
    color: var(--esante-color-accent);
    text-decoration: underline;
    cursor: pointer;
  }
  dialog {
    max-width: min(720px, 95vw);
    /* A long chain must scroll inside the dialog, never push its title or buttons off screen. */
    max-height: 90vh;
    overflow: auto;
    border: 1px solid var(--esante-color-border);
    border-radius: var(--esante-radius);
    padding: var(--esante-space-3);
    font: inherit;
    color: var(--esante-color-text);
  }
  dialog::backdrop {
    background: rgba(0, 0, 0, 0.3);
  }
  h2 {
    font-size: 14px;
    margin: 0 0 var(--esante-space-2);
  }
  h3 {
    font-size: 12px;
    margin: var(--esante-space-3) 0 var(--esante-space-1);
  }
  ol {
    margin: 0;
    padding-left: 1.5em;
  }
  .ok {
    color: var(--esante-color-ok);
  }
  .bad {
    color: var(--esante-color-error);
  }
  .mono {
    font-family: monospace;
    font-size: 11px;
  }
  .actions {
    margin-top: var(--esante-space-3);
    text-align: right;
  }
`;

export class EsanteSignatureBanner extends EsanteElement {
  static override styles = [...EsanteElement.styles, definitionList, styles];

  /** What VerifySignature answered for the message shown. */
  @property({ attribute: false }) accessor report: SignatureReport | undefined = undefined;
  /** The user's time zone for dates; the browser's when unset (tests pin it). */
  @property({ attribute: false }) accessor timeZone: string | undefined = undefined;

  @query('dialog') private accessor dialog: HTMLDialogElement | null = null;
  @query('button.link') private accessor opener: HTMLButtonElement | null = null;

  private get uiLang() {
    return this.host?.lang ?? DEFAULT_LANG;
  }

  /** Opens the report dialog (also what the banner's link does). */
  openReport(): void {
    const d = this.dialog;
    if (d && !d.open) d.showModal();
  }

  private closeReport(): void {
    this.dialog?.close();
  }

  private yesNo(v: boolean | undefined, good: boolean): TemplateResult {
    if (v === undefined) return html`<span>–</span>`;
    const ok = v === good;
    return html`<span class=${ok ? 'ok' : 'bad'}>${v ? this.msg('sigbanner_yes') : this.msg('sigbanner_no')}</span>`;
  }

  private renderCertificate(c: CertificateSummary, i: number): TemplateResult {
    const lang = this.uiLang;
    return html`<li data-field="chain-item">
      <dl>
        <dt>${this.msg('sigbanner_subject')}</dt>
        <dd>${c.subject}</dd>
        <dt>${this.msg('sigbanner_issuer')}</dt>
        <dd>${c.issuer}</dd>
        <dt>${this.msg('sigbanner_serial')}</dt>
        <dd class="mono">${c.serialNumber}</dd>
        <dt>${this.msg('sigbanner_validity')}</dt>
        <dd data-field=${i === 0 ? 'signer-validity' : nothing}>
          ${this.msg('sigbanner_validity_range', formatDate(c.notBefore, lang, this.timeZone), formatDate(c.notAfter, lang, this.timeZone))}
        </dd>
      </dl>
    </li>`;
  }

  private renderReport(r: SignatureReport): TemplateResult {
    const lang = this.uiLang;
    const tz = this.timeZone;
    const reasons = r.reasons.filter(isSignatureReason);
    return html`
      <dialog aria-labelledby="report-title" @close=${() => this.opener?.focus()}>
        <h2 id="report-title">${this.msg('sigbanner_report_title')}</h2>
        <dl>
          <dt>${this.msg('sigbanner_result')}</dt>
          <dd data-field="result" class=${r.valid ? 'ok' : 'bad'}>${r.valid ? this.msg('sigbanner_result_valid') : this.msg('sigbanner_result_invalid')}</dd>
          ${reasons.length
            ? html`<dt>${this.msg('sigbanner_reasons')}</dt>
                <dd data-field="reasons">
                  <ul>
                    ${reasons.map((code) => html`<li data-reason=${code}>${signatureReasonText(code, lang, ...r.reasonArgs)}</li>`)}
                  </ul>
                </dd>`
            : nothing}
          <dt>${this.msg('sigbanner_signer')}</dt>
          <dd data-field="signer">${r.signer ? `${r.signer.name} <${r.signer.mail}>` : '–'}</dd>
          <dt>${this.msg('sigbanner_signing_time')}</dt>
          <dd data-field="signing-time">
            ${r.signingTime ? `${formatDate(r.signingTime, lang, tz)} ${formatTime(r.signingTime, lang, tz)} ` : '– '}<span>${this.msg('sigbanner_signing_time_note')}</span>
          </dd>
          <dt>${this.msg('sigbanner_sender')}</dt>
          <dd data-field="sender">${r.from ?? '–'} ${this.yesNo(r.senderMatches, true)}</dd>
          <dt>${this.msg('sigbanner_trusted')}</dt>
          <dd data-field="trusted">${this.yesNo(r.trusted, true)} ${r.trustAnchor ?? ''}</dd>
          <dt>${this.msg('sigbanner_valid_at_signing')}</dt>
          <dd data-field="valid-at-signing">${this.yesNo(r.validAtSigningTime, true)}</dd>
          <dt>${this.msg('sigbanner_valid_now')}</dt>
          <dd data-field="valid-now">${this.yesNo(r.validNow, true)}</dd>
          <dt>${this.msg('sigbanner_key_usage')}</dt>
          <dd data-field="key-usage">${[...r.keyUsage, ...r.extKeyUsage].join(', ') || '–'} ${this.yesNo(r.keyUsageOk, true)}</dd>
          <dt>${this.msg('sigbanner_digest')}</dt>
          <dd data-field="digest">${[r.digestAlgorithm, r.signatureAlgorithm].filter(Boolean).join(' / ') || '–'}</dd>
          <dt>${this.msg('sigbanner_signed_digest')}</dt>
          <dd class="mono">${r.signedDigest ?? '–'}</dd>
          <dt>${this.msg('sigbanner_computed_digest')}</dt>
          <dd class="mono">${r.computedDigest ?? '–'}</dd>
          <dt>${this.msg('sigbanner_content_changed')}</dt>
          <dd data-field="content-changed">${this.yesNo(r.contentChanged, false)}</dd>
          <dt>${this.msg('sigbanner_revocation')}</dt>
          <dd data-field="revocation" data-status=${r.revocationStatus ?? 'not_checked'}>
            ${r.revocationStatus ? revocationStatusText(r.revocationStatus, r.revokedAt, this.host?.lang ?? DEFAULT_LANG) : r.revocationChecked ? this.msg('sigbanner_yes') : this.msg('sigbanner_revocation_unchecked')}
          </dd>
          ${r.detail
            ? html`<dt>${this.msg('sigbanner_detail')}</dt>
                <dd class="mono">${r.detail}</dd>`
            : nothing}
        </dl>
        <h3>${this.msg('sigbanner_chain')}</h3>
        ${r.chain.length ? html`<ol data-field="chain">${r.chain.map((c, i) => this.renderCertificate(c, i))}</ol>` : html`<p>–</p>`}
        <div class="actions">
          <button type="button" data-action="close" @click=${() => this.closeReport()}>${this.msg('sigbanner_close')}</button>
        </div>
      </dialog>
    `;
  }

  override render() {
    const r = this.report;
    if (!r) return nothing;
    const m = bannerModel(r, this.uiLang, this.timeZone);
    const text = m.state === 'valid' ? this.msg('sigbanner_valid', m.name, m.date, m.time) : this.msg('sigbanner_invalid', m.reasonText);
    return html`
      <div class="banner ${m.state}" data-state=${m.state} role=${m.state === 'valid' ? 'status' : 'alert'}>
        <span class="icon" aria-hidden="true">${m.state === 'valid' ? '✔' : '⚠'}</span>
        <span data-field="banner-text">${text}</span>
        ${m.revocationNote ? html`<span data-field="revocation-note" class="note">(${this.msg('sigbanner_revocation')} : ${m.revocationNote})</span>` : nothing}
        <button type="button" class="link" aria-haspopup="dialog" @click=${() => this.openReport()}>${this.msg('sigbanner_open_report')}</button>
      </div>
      ${this.renderReport(r)}
    `;
  }
}
