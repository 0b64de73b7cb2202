/**
 * The Regify account window (guide p.6 and p.12), shown by the Regify panel item and its menu:
 * two tabs, "Informations" (creation date and identity level, name, address, transactions, portal,
 * mail and Regify server settings from the service's configuration, the unlock code behind
 * "Cliquez pour voir") and "Options" (password change with meter, read deadline, the three
 * notifications; OK saves, Annuler restores the saved values). Without an account it offers the
 * creation (guide p.5). A third tab, "Messages envoyés" (issue 12), lists the user's encrypted messages
 * with the sender's control of each (../control/sent-messages.component.ts). Tabs follow the WAI-ARIA
 * tabs pattern (arrow keys, Home/End).
 * Knows only the ZimletHost port and the injected AccountApi.
 */
import { html, nothing } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { errorText } from '../../../../shared/errors.ts';
import { DEFAULT_LANG } from '../../../../shared/i18n/lang.ts';
import { assessPassword } from '../../../../shared/password/policy.ts';
import { EsanteElement } from '../../../../shared/ui/base-element.ts';
import { type ServiceInfoLoader } from '../../../../shared/ui/service-info/service-info.ts';
import type { AccountApi, AccountInfo, AccountOptionsView } from '../account/api.ts';
import { formStyles } from './account.styles.ts';
import { faultText } from '../../../../shared/ui/fault-text.ts';
import './password-meter.ts';
import { controlApi, type ControlApi } from '../control/api.ts';
import '../control/sent-messages.ts';
import '../../../../shared/ui/help-link.ts';
import { css } from 'lit';

type Tab = 'informations' | 'options' | 'sent';
const TABS: readonly Tab[] = ['informations', 'options', 'sent'];
type View = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready'; info: AccountInfo };

export class EsanteRegifyPanel extends EsanteElement {
  static override styles = [
    ...EsanteElement.styles,
    formStyles,
    css`
      [role='tablist'] {
        display: flex;
        gap: 2px;
        border-bottom: 1px solid var(--esante-color-border);
        margin-bottom: var(--esante-space-3);
      }
      [role='tab'] {
        border-bottom: none;
        border-radius: var(--esante-radius) var(--esante-radius) 0 0;
      }
      [role='tab'][aria-selected='true'] {
        background: var(--esante-color-bg);
        font-weight: bold;
      }
      code {
        font-size: 1.1em;
        letter-spacing: 0.05em;
      }
    `,
  ];

  private abort: AbortController | undefined;

  @query('#options-password') private accessor passwordInput: HTMLInputElement | null = null;

  @state() private accessor view: View = { state: 'loading' };
  @state() private accessor tab: Tab = 'informations';
  @state() private accessor showAbout = false;
  @state() private accessor form: AccountOptionsView | undefined = undefined;
  @state() private accessor password = '';
  @state() private accessor confirmation = '';
  @state() private accessor error = '';
  @state() private accessor status = '';
  @state() private accessor busy = false;
  @state() private accessor unlockCode: string | undefined = undefined;
  @state() private accessor unlockInput = '';

  /** The service calls (injected by account/index.ts; a fake in tests). */
  @property({ attribute: false }) accessor api: AccountApi | undefined = undefined;
  /** Opens the creation wizard; resolves true once the account exists. */
  @property({ attribute: false }) accessor openWizard: (() => Promise<boolean>) | undefined = undefined;
  /** The sender's control calls for the "Messages envoyés" tab (default: the service, through the host). */
  @property({ attribute: false }) accessor controlApi: ControlApi | undefined = undefined;
  /** Loads GetServiceInfo for the "À propos" section. */
  @property({ attribute: false }) accessor loadInfo: ServiceInfoLoader | undefined = undefined;

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.abort?.abort();
  }

  /** Called by the dialog on every open: reloads the account; `section` is the menu item used. */
  async opened(section?: string): Promise<void> {
    if ((TABS as readonly string[]).includes(section ?? '')) this.tab = section as Tab;
    this.showAbout = section === 'about';
    await this.reload();
  }

  /** (Re)reads the account and resets the Options form to the saved values. */
  async reload(): Promise<void> {
    this.abort?.abort();
    const abort = new AbortController();
    this.abort = abort;
    this.view = { state: 'loading' };
    this.unlockCode = undefined;
    this.resetForm();
    try {
      if (!this.api) throw new Error('no api');
      const info = await this.api.get();
      if (abort.signal.aborted) return;
      this.view = { state: 'ready', info };
      this.form = info.account ? { ...info.account.options } : undefined;
    } catch (err) {
      if (!abort.signal.aborted) this.view = { state: 'error', message: faultText(err, this.uiLang()) };
    }
    await this.updateComplete;
  }

  private uiLang() {
    return this.host?.lang ?? DEFAULT_LANG;
  }

  private resetForm(): void {
    this.password = '';
    this.confirmation = '';
    this.error = '';
    const info = this.view.state === 'ready' ? this.view.info : undefined;
    this.form = info?.account ? { ...info.account.options } : undefined;
  }

  private async create(): Promise<void> {
    if (!this.openWizard) return;
    try {
      if (await this.openWizard()) await this.reload();
    } catch (err) {
      this.error = faultText(err, this.uiLang());
    }
  }

  /**
   * The dialog's OK (guide p.13): on the Options tab with something changed, saves and closes only when
   * saved (an error stays shown in the dialog); otherwise just closes.
   */
  async okPressed(): Promise<boolean> {
    if (this.tab !== 'options' || !this.optionsChanged()) return true;
    const saved = await this.save();
    if (saved) this.host?.notify(this.msg('options_saved'));
    return saved;
  }

  /** The dialog's Annuler: what was typed in Options is dropped. */
  cancelPressed(): void {
    this.resetForm();
    this.status = '';
  }

  private optionsChanged(): boolean {
    const saved = this.view.state === 'ready' ? this.view.info.account?.options : undefined;
    if (this.password !== '' || this.confirmation !== '') return true;
    return !!this.form && !!saved && (Object.keys(this.form) as Array<keyof AccountOptionsView>).some((k) => this.form![k] !== saved[k]);
  }

  /** Saving: the new password (when typed) then the options. Nothing is sent while a field is wrong. Answers whether it saved. */
  private async save(): Promise<boolean> {
    if (!this.api || !this.form || this.busy) return false;
    this.error = '';
    this.status = '';
    const info = this.view.state === 'ready' ? this.view.info : undefined;
    const days = this.form.readDeadlineDays;
    if (!Number.isInteger(days) || days < 1 || days > 365) {
      this.error = errorText('account.read_deadline_invalid', this.uiLang());
      return false;
    }
    const access = this.form.accessDays ?? 0;
    if (!Number.isInteger(access) || (access !== 0 && (access < days || access > 365))) {
      this.error = errorText('account.access_days_invalid', this.uiLang(), String(days));
      return false;
    }
    if (this.password !== '' || this.confirmation !== '') {
      const problem = assessPassword(this.password, [info?.email ?? '', info?.account?.fullName ?? '']).problem;
      const code = problem ?? (this.password !== this.confirmation ? 'password.mismatch' : undefined);
      if (code) {
        this.error = errorText(code, this.uiLang());
        await this.updateComplete;
        this.passwordInput?.focus();
        return false;
      }
    }
    this.busy = true;
    try {
      if (this.password !== '') await this.api.changePassword(this.password, this.confirmation);
      this.password = '';
      this.confirmation = '';
      const account = await this.api.setOptions(this.form);
      if (info) this.view = { state: 'ready', info: { ...info, account } };
      this.form = { ...account.options };
      this.status = this.msg('options_saved');
      return true;
    } catch (err) {
      this.error = faultText(err, this.uiLang());
      return false;
    } finally {
      this.busy = false;
    }
  }

  private async reveal(): Promise<void> {
    if (!this.api) return;
    this.error = '';
    try {
      this.unlockCode = await this.api.revealUnlockCode();
    } catch (err) {
      this.error = faultText(err, this.uiLang());
    }
  }

  private async unlock(): Promise<void> {
    if (!this.api) return;
    this.error = '';
    try {
      await this.api.unlock(this.unlockInput);
      this.unlockInput = '';
      await this.reload();
      this.status = this.msg('info_unlocked');
    } catch (err) {
      this.error = faultText(err, this.uiLang());
    }
  }

  private onTabKey(ev: KeyboardEvent): void {
    const order = TABS;
    const i = order.indexOf(this.tab);
    let next: Tab | undefined;
    if (ev.key === 'ArrowRight') next = order[(i + 1) % order.length];
    else if (ev.key === 'ArrowLeft') next = order[(i + order.length - 1) % order.length];
    else if (ev.key === 'Home') next = order[0];
    else if (ev.key === 'End') next = order[order.length - 1];
    if (!next) return;
    ev.preventDefault();
    this.selectTab(next, true);
  }

  private async selectTab(tab: Tab, focus = false): Promise<void> {
    this.tab = tab;
    this.status = '';
    if (focus) {
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>(`#tab-${tab}`)?.focus();
    }
  }

  private date(iso: string): string {
    try {
      return new Intl.DateTimeFormat(this.uiLang(), { dateStyle: 'full', timeStyle: 'medium' }).format(new Date(iso));
    } catch {
      return iso;
    }
  }

  private renderNone(info: AccountInfo) {
    return html`
      <div data-state="none">
        <p>${this.msg('account_none')}</p>
        <p class="hint">${info.email}</p>
        <div class="actions">
          <button id="account-create" type="button" @click=${() => this.create()}>${this.msg('account_create')}</button>
        </div>
      </div>
    `;
  }

  private renderInformations(info: AccountInfo) {
    const a = info.account!;
    const s = info.servers;
    return html`
      <div id="panel-informations" role="tabpanel" aria-labelledby="tab-informations" tabindex="0">
        ${info.state === 'locked'
          ? html`<div class="error" data-field="locked">
              <p>${this.msg('info_locked', a.lockedUntil ? this.date(a.lockedUntil) : '')}</p>
              <label for="unlock-code">${this.msg('info_unlock_label')}</label>
              <input id="unlock-code" type="text" autocomplete="off" .value=${this.unlockInput} @input=${(e: Event) => (this.unlockInput = (e.target as HTMLInputElement).value)} />
              <button id="unlock-submit" type="button" @click=${() => this.unlock()}>${this.msg('info_unlock_submit')}</button>
            </div>`
          : nothing}
        <p data-field="created">${this.msg('info_created', this.date(a.createdAt), a.identityLevel)}</p>
        <dl class="grid">
          <dt>${this.msg('info_full_name')}</dt>
          <dd data-field="fullName">${a.fullName}</dd>
          <dt>${this.msg('info_mail')}</dt>
          <dd data-field="email">${a.email}</dd>
          <dt>${this.msg('info_transactions')}</dt>
          <dd>
            <span data-field="transactions">${a.transactions}</span>
            <a id="info-portal" href=${s.portalUrl} target="_blank" rel="noopener noreferrer">${this.msg('info_portal')}</a>
          </dd>
        </dl>
        <fieldset>
          <legend>${this.msg('info_mail_server')}</legend>
          <dl class="grid">
            <dt>${this.msg('info_username')}</dt>
            <dd data-field="mailUser">${a.email}</dd>
            <dt>${this.msg('info_password')}</dt>
            <dd>${this.msg('info_mail_password')}</dd>
            <dt>${this.msg('info_imap_server')}</dt>
            <dd>
              <span data-field="imapHost">${s.imapHost}</span> — ${this.msg('info_imap_port')} <span data-field="imapPort">${s.imapPort}</span> —
              ${this.msg('info_security')} <span data-field="imapSecurity">${s.imapSecurity}</span>
            </dd>
            <dt>${this.msg('info_smtp_server')}</dt>
            <dd>
              <span data-field="smtpHost">${s.smtpHost}</span> — ${this.msg('info_smtp_port')} <span data-field="smtpPort">${s.smtpPort}</span> —
              ${this.msg('info_security')} <span data-field="smtpSecurity">${s.smtpSecurity}</span>
            </dd>
          </dl>
        </fieldset>
        <fieldset>
          <legend>${this.msg('info_regify')}</legend>
          <dl class="grid">
            <dt>${this.msg('info_regify_server')}</dt>
            <dd data-field="encryptionServer">${s.encryptionServer}</dd>
            <dt>${this.msg('info_regify_user')}</dt>
            <dd data-field="regifyUser">${a.regifyUser}</dd>
            <dt>${this.msg('info_password')}</dt>
            <dd>${this.msg('info_regify_password')}</dd>
            <dt>${this.msg('info_unlock_code')}</dt>
            <dd>
              <code data-field="unlockCode" aria-live="polite">${this.unlockCode ?? '••••-••••-••••'}</code>
              ${this.unlockCode ? nothing : html`<button id="info-reveal" type="button" @click=${() => this.reveal()}>${this.msg('info_unlock_show')}</button>`}
            </dd>
          </dl>
        </fieldset>
      </div>
    `;
  }

  private renderOptionsTab(info: AccountInfo) {
    const f = this.form!;
    const set = (patch: Partial<AccountOptionsView>) => {
      this.form = { ...f, ...patch };
      this.status = '';
    };
    return html`
      <div id="panel-options" role="tabpanel" aria-labelledby="tab-options" tabindex="0">
        <form novalidate @submit=${(e: Event) => (e.preventDefault(), void this.save())} aria-busy=${this.busy ? 'true' : 'false'}>
          <div class="grid">
            <label for="options-password">${this.msg('password_new')}</label>
            <div>
              <input id="options-password" type="password" autocomplete="new-password" aria-describedby="options-password-hint options-error" .value=${this.password} @input=${(e: Event) => ((this.password = (e.target as HTMLInputElement).value), (this.status = ''))} />
              <esante-regify-password-meter .host=${this.host} .password=${this.password} .userInputs=${[info.email, info.account?.fullName ?? '']}></esante-regify-password-meter>
            </div>
            <label for="options-confirmation">${this.msg('password_confirm')}</label>
            <input id="options-confirmation" type="password" autocomplete="new-password" aria-describedby="options-error" .value=${this.confirmation} @input=${(e: Event) => (this.confirmation = (e.target as HTMLInputElement).value)} />
          </div>
          <p id="options-password-hint" class="hint">${this.msg('options_password_hint')}</p>
          <div class="grid">
            <label for="options-deadline">${this.msg('options_deadline')}</label>
            <input id="options-deadline" type="number" min="1" max="365" step="1" required aria-describedby="options-error" .value=${String(f.readDeadlineDays)} @input=${(e: Event) => set({ readDeadlineDays: Number((e.target as HTMLInputElement).value) })} />
            <label for="options-access-days">${this.msg('options_access_days')}</label>
            <input id="options-access-days" type="number" min="0" max="365" step="1" aria-describedby="options-access-days-hint options-error" .value=${String(f.accessDays ?? 0)} @input=${(e: Event) => set({ accessDays: Number((e.target as HTMLInputElement).value) })} />
          </div>
          <p id="options-access-days-hint" class="hint">${this.msg('options_access_days_hint')}</p>
          <div class="check">
            <input id="options-notify-transmission" type="checkbox" .checked=${f.notifyTransmission} @change=${(e: Event) => set({ notifyTransmission: (e.target as HTMLInputElement).checked })} />
            <label for="options-notify-transmission">${this.msg('options_notify_transmission')}</label>
          </div>
          <div class="check">
            <input id="options-notify-read" type="checkbox" .checked=${f.notifyRead} @change=${(e: Event) => set({ notifyRead: (e.target as HTMLInputElement).checked })} />
            <label for="options-notify-read">${this.msg('options_notify_read')}</label>
          </div>
          <div class="check">
            <input id="options-notify-deadline" type="checkbox" .checked=${f.notifyDeadline} @change=${(e: Event) => set({ notifyDeadline: (e.target as HTMLInputElement).checked })} />
            <label for="options-notify-deadline">${this.msg('options_notify_deadline')}</label>
          </div>
          <!-- Saved by the dialog's OK, dropped by its Annuler (okPressed / cancelPressed): one pair of buttons, as in the guide. -->
        </form>
      </div>
    `;
  }

  private renderSentTab() {
    if (this.host && !this.controlApi) this.controlApi = controlApi(this.host);
    return html`<div id="panel-sent" role="tabpanel" aria-labelledby="tab-sent" tabindex="0">
      <esante-regify-sent-messages .host=${this.host} .api=${this.controlApi}></esante-regify-sent-messages>
    </div>`;
  }

  private renderAccount(info: AccountInfo) {
    return html`
      <div role="tablist" aria-label=${this.msg('account_title')} @keydown=${this.onTabKey}>
        <button id="tab-informations" type="button" role="tab" aria-controls="panel-informations" aria-selected=${this.tab === 'informations' ? 'true' : 'false'} tabindex=${this.tab === 'informations' ? 0 : -1} @click=${() => this.selectTab('informations')}>
          ${this.msg('account_tab_informations')}
        </button>
        <button id="tab-options" type="button" role="tab" aria-controls="panel-options" aria-selected=${this.tab === 'options' ? 'true' : 'false'} tabindex=${this.tab === 'options' ? 0 : -1} @click=${() => this.selectTab('options')}>
          ${this.msg('account_tab_options')}
        </button>
        <button id="tab-sent" type="button" role="tab" aria-controls="panel-sent" aria-selected=${this.tab === 'sent' ? 'true' : 'false'} tabindex=${this.tab === 'sent' ? 0 : -1} @click=${() => this.selectTab('sent')}>
          ${this.msg('account_tab_sent')}
        </button>
      </div>
      ${this.tab === 'informations' ? this.renderInformations(info) : this.tab === 'options' ? this.renderOptionsTab(info) : this.renderSentTab()}
    `;
  }

  private renderBody() {
    switch (this.view.state) {
      case 'loading':
        return html`<p role="status">${this.msg('account_loading')}</p>`;
      case 'error':
        return html`<p class="error" role="alert">${this.view.message}</p>
          <button type="button" @click=${() => this.reload()}>${this.msg('account_retry')}</button>`;
      case 'ready':
        return this.view.info.account ? this.renderAccount(this.view.info) : this.renderNone(this.view.info);
    }
  }

  override render() {
    return html`
      <section aria-labelledby="title" data-state=${this.view.state === 'ready' ? (this.view.info.account ? 'account' : 'none') : this.view.state}>
        <h2 id="title" class="visually-hidden">${this.msg('account_title')}</h2>
        ${this.renderBody()}
        <p id="options-error" class="error" role="alert">${this.error}</p>
        <p class="status" role="status">${this.status}</p>
        ${this.showAbout
          ? html`<esante-service-info feature="messages" .host=${this.host} .load=${this.loadInfo}></esante-service-info>`
          : html`<esante-help-link section=${this.view.state === 'ready' && !this.view.info.account ? 'regify-account' : 'regify-options'} .host=${this.host}></esante-help-link>`}
      </section>
    `;
  }

  override updated(): void {
    // The "À propos" section refreshes its service information each time it is shown.
    if (this.showAbout) {
      const el = this.renderRoot.querySelector('esante-service-info') as (HTMLElement & { refresh?: () => Promise<void>; dataset: DOMStringMap }) | null;
      if (el && !el.dataset['loaded']) {
        el.dataset['loaded'] = '1';
        void el.refresh?.();
      }
    }
  }
}
