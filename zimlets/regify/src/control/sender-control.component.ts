/**
 * `<esante-regify-sender-control>`: the sender keeps control of an encrypted message after sending it
 * (issue 12), from the Sent copy. A disclosure button "Suivi et contrôle de l'envoi" opens, under the
 * decrypted message, each recipient's state (delivered / opened when and where / deadline passed /
 * access ended / withdrawn), their read deadline and access end, the notifications of the message, and
 * the actions: withdraw for one recipient or all, change the read deadline or the access end for one or
 * all (GetSecureMessageHistory, RevokeSecureMessage, UpdateSecureMessage), and export of the user's
 * messages' history as CSV (ExportSecureMessageHistory).
 *
 * Every action asks first in a modal dialog (native <dialog>: focus moves in and is trapped, Escape
 * cancels, focus comes back to the button that opened it). Withdrawing is final: its dialog is an
 * alertdialog whose first focus is "Annuler", and it says when a recipient already opened the message
 * (a withdrawal erases nothing already read). Results are announced in a status region; failures are
 * the service's own translated texts, shown where the user is (the dialog, or the panel).
 *
 * Test hooks: host `data-load="idle|loading|ready|error"`; `#control-button`, `#control-panel`,
 * `tr[data-recipient=ADDR][data-state=STATE]`, row buttons `[data-action=revoke|dates][data-recipient=ADDR]`,
 * `#revoke-all`, `#dates-all`, `#refresh`, `#export`, `#control-status`; `#revoke-dialog` with
 * `[data-action=confirm|cancel]`, `#revoke-error`; `#dates-dialog` with `#read-deadline`, `#access-until`,
 * `#no-access-end`, `[data-action=save|cancel]`, `#dates-error`; `#notifications tr[data-kind]`.
 */
import { html, nothing } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { errorText } from '../../../../shared/errors.ts';
import { formatDateTime } from '../../../../shared/i18n/dates.ts';
import { EsanteElement } from '../../../../shared/ui/base-element.ts';
import { faultText } from '../../../../shared/ui/fault-text.ts';
import type { ControlApi } from './api.ts';
import { dayValue, endOfDayIso } from './dates.ts';
import { activeRecipients, alreadyOpened, datesRequest, initialDates, type DatesForm, type DatesProblem, type MessageHistory, type RecipientRow } from './model.ts';
import { statusStyles } from '../../../../shared/ui/tokens.ts';
import { controlTableStyles, senderControlStyles } from './sender-control.styles.ts';

type Load = { state: 'idle' } | { state: 'loading' } | { state: 'ready'; history: MessageHistory } | { state: 'error'; message: string };

/** The action waiting for the user's confirmation; no `recipient` = every recipient not withdrawn. */
type Pending = { kind: 'revoke'; recipient?: string } | { kind: 'dates'; recipient?: string; initial: DatesForm };

type Notification = MessageHistory['notifications'][number];

export class RegifySenderControl extends EsanteElement {
  static override styles = [...EsanteElement.styles, statusStyles, controlTableStyles, senderControlStyles];

  /** The button that opened the dialog, focused again when it closes. */
  private opener: HTMLElement | null = null;
  private loadSeq = 0;

  @query('#revoke-dialog') private accessor revokeDialog: HTMLDialogElement | null = null;
  @query('#dates-dialog') private accessor datesDialog: HTMLDialogElement | null = null;
  @query('#control-title') private accessor titleEl: HTMLElement | null = null;

  @state() private accessor expanded = false;
  @state() private accessor load: Load = { state: 'idle' };
  @state() private accessor pending: Pending | undefined = undefined;
  @state() private accessor busy = false;
  @state() private accessor dialogError: { text: string; field?: 'readDeadline' | 'accessUntil' } | undefined = undefined;
  @state() private accessor form: DatesForm = { readDeadline: '', accessUntil: '', noAccessEnd: true };
  @state() private accessor announcement = '';

  /** The service calls (./api.ts; a fake in tests). */
  @property({ attribute: false }) accessor api: ControlApi | undefined = undefined;
  /** The key service's id of the message (its container header). */
  @property() accessor messageId = '';
  /** Starts expanded (the "Messages envoyés" tab opens it on the user's "Suivi"). */
  @property({ type: Boolean }) accessor open = false;

  override connectedCallback(): void {
    super.connectedCallback();
    this.dataset['load'] = this.load.state;
  }

  override firstUpdated(): void {
    if (this.open && !this.expanded) this.toggle();
  }

  private setLoad(load: Load): void {
    this.load = load;
    this.dataset['load'] = load.state;
  }

  private userLang() {
    return this.host?.lang ?? 'fr';
  }

  private date(iso: string | undefined): string {
    return formatDateTime(iso, this.userLang(), 'medium');
  }

  private failure(err: unknown): string {
    return faultText(err, this.userLang());
  }

  private async reload(): Promise<void> {
    if (!this.api || !this.messageId) return;
    const seq = ++this.loadSeq;
    if (this.load.state !== 'ready') this.setLoad({ state: 'loading' });
    try {
      const history = await this.api.history(this.messageId);
      if (seq === this.loadSeq) this.setLoad({ state: 'ready', history });
    } catch (err) {
      if (seq === this.loadSeq) this.setLoad({ state: 'error', message: this.failure(err) });
    }
  }

  private toggle(): void {
    this.expanded = !this.expanded;
    if (this.expanded) {
      this.announcement = '';
      void this.reload();
    }
  }

  private rows(): RecipientRow[] {
    return this.load.state === 'ready' ? this.load.history.recipients : [];
  }

  /** The recipients a pending action names. */
  private targets(p: Pending): RecipientRow[] {
    const active = activeRecipients(this.rows());
    return p.recipient ? active.filter((r) => r.address === p.recipient) : active;
  }

  private async openDialog(p: Pending, opener: EventTarget | null): Promise<void> {
    this.opener = opener instanceof HTMLElement ? opener : null;
    this.dialogError = undefined;
    this.busy = false;
    if (p.kind === 'dates') this.form = { ...p.initial };
    this.pending = p;
    await this.updateComplete;
    const dialog = p.kind === 'revoke' ? this.revokeDialog : this.datesDialog;
    if (!dialog || dialog.open) return;
    dialog.showModal();
    // A withdrawal is final: the first focus is the harmless choice (WAI-ARIA APG, alert dialog).
    const first = dialog.querySelector<HTMLElement>(p.kind === 'revoke' ? '[data-action=cancel]' : '#read-deadline');
    first?.focus();
  }

  private askRevoke(e: Event, recipient?: string): void {
    void this.openDialog(recipient ? { kind: 'revoke', recipient } : { kind: 'revoke' }, e.currentTarget);
  }

  private askDates(e: Event, recipient?: string): void {
    const rows = activeRecipients(this.rows()).filter((r) => !recipient || r.address === recipient);
    const initial = initialDates(rows);
    void this.openDialog(recipient ? { kind: 'dates', recipient, initial } : { kind: 'dates', initial }, e.currentTarget);
  }

  /** Both dialogs end here (a button, Escape, or after a success): focus back where the user was. */
  private async onDialogClose(): Promise<void> {
    this.pending = undefined;
    this.dialogError = undefined;
    this.busy = false;
    const opener = this.opener;
    this.opener = null;
    // After the render that re-enables the buttons (a disabled button cannot take focus).
    await this.updateComplete;
    const back = opener && opener.isConnected ? opener : this.titleEl;
    back?.focus();
  }

  private closeDialogs(): void {
    if (this.revokeDialog?.open) this.revokeDialog.close();
    if (this.datesDialog?.open) this.datesDialog.close();
  }

  private async confirmRevoke(): Promise<void> {
    const p = this.pending;
    if (!p || p.kind !== 'revoke' || !this.api || this.busy) return;
    this.busy = true;
    this.dialogError = undefined;
    try {
      const res = await this.api.revoke(this.messageId, p.recipient);
      this.announcement = p.recipient ? this.msg('control_revoked_one', p.recipient) : this.msg('control_revoked_all', res.revoked.length);
      // The row's buttons go away with the withdrawal: focus goes to the panel's title.
      this.opener = null;
      this.closeDialogs();
      await this.reload();
    } catch (err) {
      this.busy = false;
      this.dialogError = { text: this.failure(err) };
      // e.g. message.already_revoked from another window: show what is true now.
      void this.reload();
    }
  }

  private problemText(problem: DatesProblem): string {
    if ('key' in problem) return problem.key === 'control_dates_required' ? this.msg('control_dates_required') : this.msg('control_dates_access_required');
    if (problem.code === 'message.date_past') return errorText('message.date_past', this.userLang(), formatDateTime(endOfDayIso(problem.day), this.userLang(), 'date'));
    return errorText('message.nothing_to_change', this.userLang());
  }

  private async saveDates(e: Event): Promise<void> {
    e.preventDefault();
    const p = this.pending;
    if (!p || p.kind !== 'dates' || !this.api || this.busy) return;
    const decision = datesRequest(this.messageId, p.recipient, p.initial, this.form, dayValue(new Date()));
    if (!decision.ok) {
      this.dialogError = { text: this.problemText(decision.problem), ...(decision.problem.field ? { field: decision.problem.field } : {}) };
      await this.updateComplete;
      const field = decision.problem.field === 'accessUntil' ? '#access-until' : decision.problem.field === 'readDeadline' ? '#read-deadline' : undefined;
      if (field) this.datesDialog?.querySelector<HTMLElement>(field)?.focus();
      return;
    }
    this.busy = true;
    this.dialogError = undefined;
    try {
      const res = await this.api.update(decision.request);
      this.announcement = this.msg('control_dates_saved', p.recipient ?? res.recipients.map((r) => r.address).join(', '));
      this.closeDialogs();
      await this.reload();
    } catch (err) {
      this.busy = false;
      this.dialogError = { text: this.failure(err) };
    }
  }

  private async exportCsv(): Promise<void> {
    if (!this.api || this.busy) return;
    this.busy = true;
    try {
      const file = await this.api.exportCsv();
      const url = URL.createObjectURL(new Blob([file.csv], { type: file.mimeType }));
      const a = document.createElement('a');
      a.href = url;
      a.download = file.fileName;
      a.hidden = true;
      this.renderRoot.appendChild(a);
      a.click();
      a.remove();
      // The click has handed the blob to the download; the URL is not needed after this task.
      setTimeout(() => URL.revokeObjectURL(url), 0);
      this.announcement = this.msg('control_exported', file.rows);
    } catch (err) {
      this.announcement = this.failure(err);
    } finally {
      this.busy = false;
    }
  }

  private stateText(r: RecipientRow): string {
    switch (r.state) {
      case 'not_sent':
        return this.msg('control_state_not_sent');
      case 'delivered':
        return this.msg('control_state_delivered');
      case 'opened':
        return this.msg('control_state_opened');
      case 'deadline_passed':
        return this.msg('control_state_deadline_passed');
      case 'access_ended':
        return this.msg('control_state_access_ended');
      case 'revoked':
        return this.msg('control_state_revoked');
      default:
        return r.state;
    }
  }

  private openedText(r: RecipientRow): string {
    if (!r.openedAt) return this.msg('control_not_opened');
    return r.openedVia === 'portal' ? this.msg('control_opened_portal', this.date(r.openedAt)) : this.msg('control_opened_webmail', this.date(r.openedAt));
  }

  private notificationKind(n: Notification): string {
    switch (n.kind) {
      case 'transmission':
        return this.msg('control_notif_transmission');
      case 'read':
        return this.msg('control_notif_read');
      case 'deadline':
        return this.msg('control_notif_deadline');
      default:
        return n.kind;
    }
  }

  private notificationState(n: Notification): string {
    if (n.state === 'sent') return this.msg('control_notif_sent', this.date(n.sentAt ?? n.dueAt));
    if (n.state === 'failed') return this.msg('control_notif_failed');
    return this.msg('control_notif_pending', this.date(n.dueAt));
  }

  private renderRecipients(h: MessageHistory) {
    return html`<table id="recipients">
      <caption>${this.msg('control_recipients_caption')}</caption>
      <thead>
        <tr>
          <th scope="col">${this.msg('control_col_recipient')}</th>
          <th scope="col">${this.msg('control_col_state')}</th>
          <th scope="col">${this.msg('control_col_opened')}</th>
          <th scope="col">${this.msg('control_col_deadline')}</th>
          <th scope="col">${this.msg('control_col_access')}</th>
          <th scope="col">${this.msg('control_col_actions')}</th>
        </tr>
      </thead>
      <tbody>
        ${repeat(
          h.recipients,
          (r) => r.address,
          (r) => {
            const revoked = r.state === 'revoked' || !!r.revokedAt;
            return html`<tr data-recipient=${r.address} data-state=${r.state}>
              <th scope="row">${r.address}${r.kind === 'cc' ? html` <span class="muted">${this.msg('control_kind_cc')}</span>` : nothing}</th>
              <td class="state-${r.state}">${revoked && r.revokedAt ? this.msg('control_revoked_at', this.date(r.revokedAt)) : this.stateText(r)}</td>
              <td>${this.openedText(r)}</td>
              <td>${this.date(r.readDeadline)}</td>
              <td>${r.accessUntil ? this.date(r.accessUntil) : this.msg('control_no_access_end')}</td>
              <td class="actions">
                ${revoked
                  ? nothing
                  : html`<button type="button" data-action="revoke" data-recipient=${r.address} aria-haspopup="dialog"
                        aria-label=${this.msg('control_revoke_one_label', r.address)} ?disabled=${this.busy} @click=${(e: Event) => this.askRevoke(e, r.address)}>
                        ${this.msg('control_revoke_one')}
                      </button><button type="button" data-action="dates" data-recipient=${r.address} aria-haspopup="dialog"
                        aria-label=${this.msg('control_dates_one_label', r.address)} ?disabled=${this.busy} @click=${(e: Event) => this.askDates(e, r.address)}>
                        ${this.msg('control_dates_one')}
                      </button>`}
              </td>
            </tr>`;
          },
        )}
      </tbody>
    </table>`;
  }

  private renderNotifications(h: MessageHistory) {
    if (h.notifications.length === 0) return html`<p id="notifications" class="muted">${this.msg('control_notif_none')}</p>`;
    return html`<table id="notifications">
      <caption>${this.msg('control_notifications_caption')}</caption>
      <thead>
        <tr>
          <th scope="col">${this.msg('control_notif_col_kind')}</th>
          <th scope="col">${this.msg('control_notif_col_recipient')}</th>
          <th scope="col">${this.msg('control_notif_col_state')}</th>
        </tr>
      </thead>
      <tbody>
        ${h.notifications.map(
          (n) => html`<tr data-kind=${n.kind} data-notification-state=${n.state}>
            <td>${this.notificationKind(n)}</td>
            <td>${n.recipient ?? '—'}</td>
            <td>${this.notificationState(n)}</td>
          </tr>`,
        )}
      </tbody>
    </table>`;
  }

  private renderPanelBody() {
    const l = this.load;
    if (l.state === 'idle' || l.state === 'loading') return html`<p class="muted">${this.msg('control_loading')}</p>`;
    if (l.state === 'error') {
      return html`<p class="error" role="alert">${l.message}</p>
        <button type="button" id="refresh" @click=${() => void this.reload()}>${this.msg('control_refresh')}</button>`;
    }
    const h = l.history;
    const active = activeRecipients(h.recipients);
    return html`${h.sentAt ? html`<p class="muted">${this.msg('control_sent_at', this.date(h.sentAt))}</p>` : nothing}
      ${this.renderRecipients(h)}
      <div class="toolbar">
        <button type="button" id="revoke-all" aria-haspopup="dialog" ?disabled=${this.busy || active.length === 0} @click=${(e: Event) => this.askRevoke(e)}>
          ${this.msg('control_revoke_all')}
        </button>
        <button type="button" id="dates-all" aria-haspopup="dialog" ?disabled=${this.busy || active.length === 0} @click=${(e: Event) => this.askDates(e)}>
          ${this.msg('control_dates_all')}
        </button>
        <button type="button" id="refresh" ?disabled=${this.busy} @click=${() => void this.reload()}>${this.msg('control_refresh')}</button>
        <button type="button" id="export" ?disabled=${this.busy} @click=${() => void this.exportCsv()}>${this.msg('control_export')}</button>
      </div>
      <h4>${this.msg('control_notifications')}</h4>
      ${this.renderNotifications(h)}`;
  }

  private renderRevokeDialog() {
    const p = this.pending?.kind === 'revoke' ? this.pending : undefined;
    const targets = p ? this.targets(p) : [];
    const opened = alreadyOpened(targets);
    return html`<dialog id="revoke-dialog" role="alertdialog" aria-modal="true" aria-labelledby="revoke-title" aria-describedby="revoke-text"
      @close=${() => void this.onDialogClose()}>
      ${p
        ? html`<h2 id="revoke-title">${this.msg('control_revoke_title')}</h2>
            <div id="revoke-text">
              <p>${p.recipient ? this.msg('control_revoke_text_one', p.recipient) : this.msg('control_revoke_text_all', targets.map((r) => r.address).join(', '))}</p>
              ${opened.length > 0 ? html`<p>${this.msg('control_revoke_opened_note', opened.join(', '))}</p>` : nothing}
            </div>
            ${this.dialogError ? html`<p id="revoke-error" class="error" role="alert">${this.dialogError.text}</p>` : nothing}
            <div class="buttons">
              <button type="button" data-action="cancel" @click=${() => this.closeDialogs()}>${this.msg('control_cancel')}</button>
              <button type="button" class="danger" data-action="confirm" ?disabled=${this.busy} @click=${() => void this.confirmRevoke()}>
                ${this.msg('control_revoke_confirm')}
              </button>
            </div>`
        : nothing}
    </dialog>`;
  }

  private renderDatesDialog() {
    const p = this.pending?.kind === 'dates' ? this.pending : undefined;
    const err = this.dialogError;
    const f = this.form;
    const today = dayValue(new Date());
    const invalid = (field: 'readDeadline' | 'accessUntil') => (err?.field === field ? 'true' : 'false');
    const describedBy = (hint: string, field: 'readDeadline' | 'accessUntil') => (err?.field === field ? `${hint} dates-error` : hint);
    return html`<dialog id="dates-dialog" aria-modal="true" aria-labelledby="dates-title" @close=${() => void this.onDialogClose()}>
      ${p
        ? html`<form @submit=${(e: Event) => void this.saveDates(e)} novalidate>
            <h2 id="dates-title">${p.recipient ? this.msg('control_dates_title_one', p.recipient) : this.msg('control_dates_title_all')}</h2>
            <div class="field">
              <label for="read-deadline">${this.msg('control_dates_deadline')}</label>
              <span class="hint" id="read-deadline-hint">${this.msg('control_dates_deadline_hint')}</span>
              <input id="read-deadline" type="date" required min=${today} .value=${f.readDeadline}
                aria-invalid=${invalid('readDeadline')} aria-describedby=${describedBy('read-deadline-hint', 'readDeadline')}
                @input=${(e: Event) => (this.form = { ...this.form, readDeadline: (e.target as HTMLInputElement).value })} />
            </div>
            <div class="field">
              <label for="access-until">${this.msg('control_dates_access')}</label>
              <span class="hint" id="access-until-hint">${this.msg('control_dates_access_hint')}</span>
              <input id="access-until" type="date" min=${today} .value=${f.accessUntil} ?disabled=${f.noAccessEnd}
                aria-invalid=${invalid('accessUntil')} aria-describedby=${describedBy('access-until-hint', 'accessUntil')}
                @input=${(e: Event) => (this.form = { ...this.form, accessUntil: (e.target as HTMLInputElement).value })} />
              <label class="check"
                ><input id="no-access-end" type="checkbox" .checked=${f.noAccessEnd}
                  @change=${(e: Event) => (this.form = { ...this.form, noAccessEnd: (e.target as HTMLInputElement).checked })} />
                ${this.msg('control_dates_no_access_end')}</label
              >
            </div>
            ${err ? html`<p id="dates-error" class="error" role="alert">${err.text}</p>` : nothing}
            <div class="buttons">
              <button type="button" data-action="cancel" @click=${() => this.closeDialogs()}>${this.msg('control_cancel')}</button>
              <button type="submit" data-action="save" ?disabled=${this.busy}>${this.msg('control_dates_save')}</button>
            </div>
          </form>`
        : nothing}
    </dialog>`;
  }

  override render() {
    return html`<button type="button" id="control-button" aria-expanded=${this.expanded ? 'true' : 'false'} aria-controls="control-panel" @click=${() => this.toggle()}>
        ${this.msg('control_button')}
      </button>
      <section id="control-panel" aria-labelledby="control-title" ?hidden=${!this.expanded}>
        <h3 id="control-title" tabindex="-1">${this.msg('control_title')}</h3>
        ${this.expanded ? this.renderPanelBody() : nothing}
        <p id="control-status" role="status" aria-live="polite">${this.announcement}</p>
      </section>
      ${this.renderRevokeDialog()} ${this.renderDatesDialog()}`;
  }
}
