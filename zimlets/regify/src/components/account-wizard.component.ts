/**
 * The Regify account creation wizard (guide p.5): "Utilisateur Regify", "Nom complet", "Adresse mail"
 * (read-only, from the session), the password and its confirmation with the strength meter, and the
 * opt-out "Ne plus me poser la question au démarrage (je ne chiffre pas mes mails)".
 * The dialog's OK button (account/dialog.ts) calls `submit()`; Enter in a field asks for the same by
 * dispatching `esante-wizard-submit`. Problems are checked here with the service's own policy first
 * (shared/password/policy.ts), then by the service; either way the translated text is shown in an
 * alert region and focus moves to the field to fix.
 */
import { html, nothing } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { errorText, type ErrorCode } from '../../../../shared/errors.ts';
import { DEFAULT_LANG } from '../../../../shared/i18n/lang.ts';
import { assessPassword } from '../../../../shared/password/policy.ts';
import { EsanteElement } from '../../../../shared/ui/base-element.ts';
import type { AccountApi, AccountInfo } from '../account/api.ts';
import { formStyles } from './account.styles.ts';
import { faultCode, faultText } from '../../../../shared/ui/fault-text.ts';
import './password-meter.ts';

export type WizardOutcome = 'created' | 'opted-out' | 'invalid';

type Field = 'fullName' | 'password' | 'confirmation';

export class EsanteRegifyWizard extends EsanteElement {
  static override styles = [...EsanteElement.styles, formStyles];

  @query('#wizard-fullname') private accessor fullNameInput: HTMLInputElement | null = null;
  @query('#wizard-password') private accessor passwordInput: HTMLInputElement | null = null;
  @query('#wizard-confirmation') private accessor confirmationInput: HTMLInputElement | null = null;

  @state() private accessor fullName = '';
  @state() private accessor password = '';
  @state() private accessor confirmation = '';
  @state() private accessor optOut = false;
  @state() private accessor error = '';
  @state() private accessor errorField: Field | undefined = undefined;
  @state() private accessor busy = false;

  /** The service calls (injected). */
  @property({ attribute: false }) accessor api: AccountApi | undefined = undefined;
  /** What GetEncryptionAccount said about the caller. */
  @property({ attribute: false }) accessor info: AccountInfo | undefined = undefined;
  /** The opt-out box is offered at webmail start, not when the wizard opens for an encrypted send. */
  @property({ type: Boolean }) accessor showOptOut = true;

  override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('info') && this.info) this.fullName = this.info.suggestedFullName;
  }

  /** Puts the cursor in the first field to fill (the dialog calls it once shown). */
  focusFirst(): void {
    (this.fullName.trim() === '' ? this.fullNameInput : this.passwordInput)?.focus();
  }

  /** Creates the account, or records the opt-out; 'invalid' when the user has something to fix. */
  async submit(): Promise<WizardOutcome> {
    if (this.busy || !this.api) return 'invalid';
    this.clearError();
    if (this.optOut && this.password === '' && this.confirmation === '') {
      return (await this.run(async () => void (await this.api!.setOptOut(true)))) ? 'opted-out' : 'invalid';
    }
    const local = this.localProblem();
    if (local) {
      this.showError(errorText(local.code, this.host?.lang ?? DEFAULT_LANG), local.field);
      return 'invalid';
    }
    const created = await this.run(async () => {
      await this.api!.create({ fullName: this.fullName.trim(), password: this.password, confirmation: this.confirmation });
    });
    return created ? 'created' : 'invalid';
  }

  private localProblem(): { code: ErrorCode; field: Field } | undefined {
    if (this.fullName.trim() === '') return { code: 'account.full_name_required', field: 'fullName' };
    const verdict = assessPassword(this.password, this.userInputs());
    if (verdict.problem) return { code: verdict.problem, field: 'password' };
    if (this.confirmation !== this.password) return { code: 'password.mismatch', field: 'confirmation' };
    return undefined;
  }

  private userInputs(): string[] {
    return [this.info?.email ?? '', this.fullName];
  }

  /** Runs a service call with the busy state; shows its Fault. True when it succeeded. */
  private async run(call: () => Promise<void>): Promise<boolean> {
    this.busy = true;
    try {
      await call();
      return true;
    } catch (err) {
      const code = faultCode(err) ?? '';
      const field: Field | undefined = code === 'password.mismatch' ? 'confirmation' : code.startsWith('password.') ? 'password' : code === 'account.full_name_required' ? 'fullName' : undefined;
      this.showError(faultText(err, this.host?.lang ?? DEFAULT_LANG), field);
      return false;
    } finally {
      this.busy = false;
    }
  }

  private clearError(): void {
    this.error = '';
    this.errorField = undefined;
  }

  private async showError(text: string, field: Field | undefined): Promise<void> {
    this.error = text;
    this.errorField = field;
    await this.updateComplete;
    const input = field === 'fullName' ? this.fullNameInput : field === 'confirmation' ? this.confirmationInput : field === 'password' ? this.passwordInput : null;
    input?.focus();
  }

  private onKeydown(ev: KeyboardEvent): void {
    if (ev.key === 'Enter' && (ev.target as HTMLElement).tagName === 'INPUT' && (ev.target as HTMLInputElement).type !== 'checkbox') {
      ev.preventDefault();
      this.dispatchEvent(new CustomEvent('esante-wizard-submit', { bubbles: true, composed: true }));
    }
  }

  private invalid(field: Field): 'true' | 'false' {
    return this.errorField === field ? 'true' : 'false';
  }

  override render() {
    // Nothing until opened with the caller's information (conventions: dialogs render nothing without params).
    const info = this.info;
    if (!info) return nothing;
    return html`
      <form novalidate @submit=${(e: Event) => e.preventDefault()} @keydown=${this.onKeydown} aria-busy=${this.busy ? 'true' : 'false'}>
        <p>${this.msg('wizard_intro')}</p>
        <div class="grid">
          <label for="wizard-user">${this.msg('account_user')}</label>
          <input id="wizard-user" type="text" readonly .value=${info.regifyUser} />
          <label for="wizard-fullname">${this.msg('account_full_name')}</label>
          <input
            id="wizard-fullname"
            type="text"
            autocomplete="name"
            maxlength="256"
            required
            aria-invalid=${this.invalid('fullName')}
            aria-describedby="wizard-error"
            .value=${this.fullName}
            @input=${(e: Event) => (this.fullName = (e.target as HTMLInputElement).value)}
          />
          <label for="wizard-mail">${this.msg('account_mail')}</label>
          <input id="wizard-mail" type="text" readonly .value=${info.email} />
          <label for="wizard-password">${this.msg('password_new')}</label>
          <div>
            <input
              id="wizard-password"
              type="password"
              autocomplete="new-password"
              required
              aria-invalid=${this.invalid('password')}
              aria-describedby="wizard-hint wizard-error"
              .value=${this.password}
              @input=${(e: Event) => (this.password = (e.target as HTMLInputElement).value)}
            />
            <esante-regify-password-meter .host=${this.host} .password=${this.password} .userInputs=${this.userInputs()}></esante-regify-password-meter>
          </div>
          <label for="wizard-confirmation">${this.msg('password_confirm')}</label>
          <input
            id="wizard-confirmation"
            type="password"
            autocomplete="new-password"
            required
            aria-invalid=${this.invalid('confirmation')}
            aria-describedby="wizard-error"
            .value=${this.confirmation}
            @input=${(e: Event) => (this.confirmation = (e.target as HTMLInputElement).value)}
          />
        </div>
        <p id="wizard-hint" class="hint">${this.msg('password_hint')}</p>
        ${this.showOptOut
          ? html`<div class="check">
              <input id="wizard-optout" type="checkbox" .checked=${this.optOut} @change=${(e: Event) => (this.optOut = (e.target as HTMLInputElement).checked)} />
              <label for="wizard-optout">${this.msg('wizard_opt_out')}</label>
            </div>`
          : ''}
        <p id="wizard-error" class="error" role="alert">${this.error}</p>
      </form>
    `;
  }
}
