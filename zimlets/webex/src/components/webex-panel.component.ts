/**
 * The WebEx panel (guide p. 7: "programmer, lancer ou rejoindre une conférence web"), in three
 * sections the panel menu items jump to:
 * - "Programmer": title, Luxembourg date/time, duration, invitees (typed, or those of the message
 *   being read), optional password → ScheduleConference; the link is shown, and "Inviter par
 *   e-mail" opens a new compose (host.compose) with the invitees, subject = title, body in the
 *   user's language.
 * - "Mes conférences": ListConferences, each with "Lancer" (a link opening webLink in a new tab,
 *   rel=noopener), "Inviter par e-mail" and "Annuler" (asks for confirmation in place).
 * - "Rejoindre": a meeting number or link → ResolveConferenceJoin (only links on our Webex site).
 * Knows only the ZimletHost port and an injected ConferenceService (panel.ts).
 *
 * Accessibility: every control has a label; outcomes are announced in a polite live region
 * (#w-status) and errors in an alert (#w-error); after an action, focus goes where the user
 * continues (the created link, the list, the confirm button).
 */
import { html, nothing } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { errorText, type ErrorCode } from '../../../../shared/errors.ts';
import { format } from '../../../../shared/i18n/lang.ts';
import { EsanteElement } from '../../../../shared/ui/base-element.ts';
import { faultText } from '../../../../shared/ui/fault-text.ts';
import type { EsanteServiceInfo, ServiceInfoLoader } from '../../../../shared/ui/service-info/service-info.ts';
import { checkSchedule, MAX_TITLE } from '../../../../shared/webex/rules.ts';
import { defaultStart, invitationBody, meetingWhen, mergeInvitees, parseInvitees, type Invitee } from '../invitation.ts';
import type { Conference, ConferenceService } from '../service.ts';
import { styles } from './webex-panel.styles.ts';

const DURATIONS = [15, 30, 45, 60, 90, 120, 180, 240, 480];

/** "45 min", "1 h", "1 h 30": read the same in French, German and English. */
function durationLabel(minutes: number): string {
  if (minutes < 60) return `${minutes} min`;
  return minutes % 60 === 0 ? `${minutes / 60} h` : `${Math.floor(minutes / 60)} h ${minutes % 60}`;
}

export class EsanteWebexPanel extends EsanteElement {
  static override styles = [...EsanteElement.styles, styles];

  @query('esante-service-info') private accessor info: EsanteServiceInfo | null = null;

  @state() private accessor meetingTitle = '';
  @state() private accessor date = '';
  @state() private accessor time = '';
  @state() private accessor duration = 30;
  @state() private accessor inviteesText = '';
  @state() private accessor password = '';
  @state() private accessor created: { conference: Conference; invitees: Invitee[] } | undefined = undefined;
  @state() private accessor conferences: Conference[] | undefined = undefined;
  /**
   * Why the list could not be loaded, shown in its section and not in the alert: opening the panel
   * must not raise an alert of its own when the service information already reports the cause.
   */
  @state() private accessor listError = '';
  /** Id of the meeting whose cancellation waits for confirmation. */
  @state() private accessor confirming: string | undefined = undefined;
  @state() private accessor joinInput = '';
  @state() private accessor joinUrl: string | undefined = undefined;
  @state() private accessor busy = false;
  @state() private accessor error = '';
  @state() private accessor status = '';

  /** Loads GetServiceInfo; injected by panel.ts. */
  @property({ attribute: false }) accessor loadInfo: ServiceInfoLoader | undefined = undefined;
  /** The WebEx operations; injected by panel.ts (a fake in tests). */
  @property({ attribute: false }) accessor service: ConferenceService | undefined = undefined;
  /** Addresses of the message being read (its sender and recipients, without the user); injected by panel.ts. */
  @property({ attribute: false }) accessor messageAddresses: () => Invitee[] = () => [];
  /** Time as the panel sees it (tests may fix it). */
  @property({ attribute: false }) accessor now: () => Date = () => new Date();

  /** Called by the dialog on every open: fresh defaults, the list, the service information. */
  async opened(section?: string): Promise<void> {
    if (!this.meetingTitle) this.meetingTitle = this.msg('schedule_title_default');
    if (!this.created) {
      const start = defaultStart(this.now());
      this.date = start.date;
      this.time = start.time;
    }
    this.error = '';
    await this.updateComplete;
    // One call at a time: the list, then the service information (which also reports a lost session).
    void this.refresh().then(() => this.info?.refresh());
    const target = section === 'join' ? '#w-join-input' : section === 'mine' ? '#w-mine-title' : section === 'about' ? 'esante-service-info' : '#w-title';
    const el = this.renderRoot.querySelector<HTMLElement>(target);
    if (section === 'about') el?.scrollIntoView({ block: 'nearest' });
    else el?.focus();
  }

  private fail(err: unknown): void {
    this.error = faultText(err, this.host?.lang ?? 'fr');
    this.status = '';
  }

  private refuse(code: ErrorCode, args: ReadonlyArray<string | number>): void {
    this.error = errorText(code, this.host?.lang ?? 'fr', ...args);
    this.status = '';
  }

  private async refresh(): Promise<void> {
    if (!this.service) return;
    try {
      this.conferences = await this.service.list();
      this.listError = '';
    } catch (e) {
      this.listError = faultText(e, this.host?.lang ?? 'fr');
    }
  }

  private addFromMessage(): void {
    const more = this.messageAddresses();
    this.inviteesText = mergeInvitees(this.inviteesText, more);
    this.status = this.msg('schedule_from_message_done', more.length);
  }

  private async schedule(ev: Event): Promise<void> {
    ev.preventDefault();
    if (!this.service || this.busy) return;
    const req = {
      title: this.meetingTitle,
      start: `${this.date}T${this.time}`,
      durationMinutes: this.duration,
      invitees: parseInvitees(this.inviteesText),
      ...(this.password ? { password: this.password } : {}),
    };
    // The same rules as the service, checked first so a mistake is shown at once.
    const check = checkSchedule(req, this.now());
    if (!check.ok) return this.refuse(check.code, check.args);
    this.busy = true;
    this.error = '';
    try {
      const conference = await this.service.schedule(req);
      this.created = { conference, invitees: check.value.invitees };
      this.password = '';
      this.status = this.msg('schedule_done', conference.title);
      await this.refresh();
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('#w-created-link')?.focus();
    } catch (e) {
      this.fail(e);
    } finally {
      this.busy = false;
    }
  }

  private invite(conference: Conference, invitees: readonly Invitee[]): void {
    const lang = this.host?.lang ?? 'fr';
    const body = invitationBody(
      conference,
      lang,
      {
        intro: this.msg('invite_body_intro'),
        when: this.msg('invite_body_when'),
        link: this.msg('invite_body_link'),
        number: this.msg('invite_body_number'),
        password: this.msg('invite_body_password'),
      },
      format,
    );
    this.host?.compose({ to: invitees.map((i) => i.email), subject: conference.title, body });
    this.status = this.msg('invite_done');
  }

  private async cancel(conference: Conference): Promise<void> {
    if (!this.service || this.busy) return;
    this.busy = true;
    try {
      await this.service.cancel(conference.id);
      this.confirming = undefined;
      if (this.created?.conference.id === conference.id) this.created = undefined;
      this.status = this.msg('mine_cancelled', conference.title);
      this.error = '';
      await this.refresh();
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('#w-mine-title')?.focus();
    } catch (e) {
      this.fail(e);
    } finally {
      this.busy = false;
    }
  }

  private async askCancel(id: string): Promise<void> {
    this.confirming = id;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>(`#w-confirm-${CSS.escape(id)}`)?.focus();
  }

  /** "Non": back to the "Annuler" button, so keyboard users stay where they were. */
  private async keep(id: string): Promise<void> {
    this.confirming = undefined;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>(`li[data-meeting-id="${CSS.escape(id)}"] [data-action=cancel]`)?.focus();
  }

  private async join(ev: Event): Promise<void> {
    ev.preventDefault();
    if (!this.service || this.busy) return;
    this.busy = true;
    this.joinUrl = undefined;
    try {
      const url = await this.service.resolveJoin(this.joinInput);
      this.joinUrl = url;
      this.error = '';
      this.status = this.msg('join_opening');
      // A new tab without access back to the webmail (noopener): Webex's page is another site.
      window.open(url, '_blank', 'noopener,noreferrer');
    } catch (e) {
      this.fail(e);
    } finally {
      this.busy = false;
    }
  }

  private renderWhen(c: Conference) {
    const { day, hours } = meetingWhen(c.start, c.end, this.host?.lang ?? 'fr');
    return html`${day}, ${hours}`;
  }

  private renderCreated() {
    if (!this.created) return nothing;
    const c = this.created.conference;
    return html`
      <div class="created" id="w-created">
        <p><strong>${this.msg('created_title')}</strong> ${c.title} — ${this.renderWhen(c)}</p>
        <p>
          ${this.msg('created_link')}
          <a id="w-created-link" href=${c.webLink} target="_blank" rel="noopener noreferrer">${c.webLink}</a>
        </p>
        <p>${this.msg('created_number')} <span id="w-created-number">${c.meetingNumber}</span></p>
        <div class="buttons">
          <button type="button" id="w-invite" @click=${() => this.invite(c, this.created?.invitees ?? [])}>${this.msg('invite_button')}</button>
        </div>
      </div>
    `;
  }

  private renderMeeting(c: Conference) {
    const confirming = this.confirming === c.id;
    return html`
      <li data-meeting-id=${c.id} aria-labelledby="w-m-${c.id}">
        <div class="meeting-title" id="w-m-${c.id}">${c.title}</div>
        <div>${this.renderWhen(c)} <span class="muted">· ${this.msg('created_number')} ${c.meetingNumber}</span></div>
        <div class="buttons">
          <a class="button" data-action="start" href=${c.webLink} target="_blank" rel="noopener noreferrer" aria-label=${this.msg('mine_start_label', c.title)}
            >${this.msg('mine_start')}</a
          >
          <button type="button" data-action="invite" aria-label=${this.msg('invite_button_label', c.title)} @click=${() => this.invite(c, [])}>
            ${this.msg('invite_button')}
          </button>
          ${confirming
            ? html`
                <span role="group" aria-label=${this.msg('mine_confirm_question', c.title)}>
                  <span>${this.msg('mine_confirm_question', c.title)}</span>
                  <button type="button" class="primary" id="w-confirm-${c.id}" data-action="confirm-cancel" ?disabled=${this.busy} @click=${() => this.cancel(c)}>
                    ${this.msg('mine_confirm_yes')}
                  </button>
                  <button type="button" data-action="keep" @click=${() => this.keep(c.id)}>${this.msg('mine_confirm_no')}</button>
                </span>
              `
            : html`<button type="button" data-action="cancel" aria-label=${this.msg('mine_cancel_label', c.title)} @click=${() => this.askCancel(c.id)}>
                ${this.msg('mine_cancel')}
              </button>`}
        </div>
      </li>
    `;
  }

  private renderMine() {
    if (this.listError) return html`<p class="error" id="w-mine-error">${this.listError}</p>`;
    if (this.conferences === undefined) return html`<p class="muted">${this.msg('mine_loading')}</p>`;
    if (this.conferences.length === 0) return html`<p class="muted" id="w-mine-empty">${this.msg('mine_empty')}</p>`;
    return html`<ul class="meetings" id="w-mine-list">${this.conferences.map((c) => this.renderMeeting(c))}</ul>`;
  }

  override render() {
    const fromMessage = this.messageAddresses().length > 0;
    return html`
      <h2 id="title" class="visually-hidden">${this.msg('panel_title')}</h2>
      <p id="w-error" class="error" role="alert">${this.error}</p>
      <p id="w-status" class="visually-hidden" role="status" aria-live="polite">${this.status}</p>

      <section aria-labelledby="w-schedule-title">
        <h3 id="w-schedule-title">${this.msg('schedule_title')}</h3>
        <form id="w-schedule-form" @submit=${this.schedule} novalidate>
          <div class="field">
            <label for="w-title">${this.msg('schedule_field_title')}</label>
            <input id="w-title" .value=${this.meetingTitle} maxlength=${MAX_TITLE} required @input=${(e: Event) => (this.meetingTitle = (e.target as HTMLInputElement).value)} />
          </div>
          <div class="field">
            <span id="w-when-label">${this.msg('schedule_field_when')}</span>
            <div class="when" role="group" aria-labelledby="w-when-label">
              <label class="visually-hidden" for="w-date">${this.msg('schedule_field_date')}</label>
              <input id="w-date" type="date" .value=${this.date} required @input=${(e: Event) => (this.date = (e.target as HTMLInputElement).value)} />
              <label class="visually-hidden" for="w-time">${this.msg('schedule_field_time')}</label>
              <input id="w-time" type="time" step="300" .value=${this.time} required @input=${(e: Event) => (this.time = (e.target as HTMLInputElement).value)} />
              <label class="visually-hidden" for="w-duration">${this.msg('schedule_field_duration')}</label>
              <select id="w-duration" @change=${(e: Event) => (this.duration = Number((e.target as HTMLSelectElement).value))}>
                ${DURATIONS.map((m) => html`<option value=${m} ?selected=${m === this.duration}>${durationLabel(m)}</option>`)}
              </select>
            </div>
          </div>
          <p class="hint">${this.msg('schedule_timezone_hint')}</p>
          <div class="field top">
            <label for="w-invitees">${this.msg('schedule_field_invitees')}</label>
            <div>
              <textarea id="w-invitees" rows="4" aria-describedby="w-invitees-hint" .value=${this.inviteesText} @input=${(e: Event) => (this.inviteesText = (e.target as HTMLTextAreaElement).value)}></textarea>
              <p class="hint" id="w-invitees-hint">${this.msg('schedule_invitees_hint')}</p>
              ${fromMessage ? html`<button type="button" id="w-from-message" @click=${this.addFromMessage}>${this.msg('schedule_from_message')}</button>` : nothing}
            </div>
          </div>
          <div class="field">
            <label for="w-password">${this.msg('schedule_field_password')}</label>
            <input id="w-password" type="password" autocomplete="new-password" .value=${this.password} @input=${(e: Event) => (this.password = (e.target as HTMLInputElement).value)} />
          </div>
          <div class="buttons">
            <button type="submit" class="primary" id="w-schedule" ?disabled=${this.busy}>${this.msg('schedule_submit')}</button>
          </div>
        </form>
        ${this.renderCreated()}
      </section>

      <section aria-labelledby="w-mine-title">
        <h3 id="w-mine-title" tabindex="-1">${this.msg('mine_title')}</h3>
        ${this.renderMine()}
        <div class="buttons"><button type="button" id="w-refresh" @click=${() => this.refresh()}>${this.msg('mine_refresh')}</button></div>
      </section>

      <section aria-labelledby="w-join-title">
        <h3 id="w-join-title">${this.msg('join_title')}</h3>
        <form id="w-join-form" @submit=${this.join} novalidate>
          <div class="field">
            <label for="w-join-input">${this.msg('join_field')}</label>
            <input id="w-join-input" .value=${this.joinInput} aria-describedby="w-join-hint" @input=${(e: Event) => (this.joinInput = (e.target as HTMLInputElement).value)} />
          </div>
          <p class="hint" id="w-join-hint">${this.msg('join_hint')}</p>
          <div class="buttons">
            <button type="submit" id="w-join" ?disabled=${this.busy}>${this.msg('join_submit')}</button>
            ${this.joinUrl ? html`<a id="w-join-link" href=${this.joinUrl} target="_blank" rel="noopener noreferrer">${this.msg('join_link')}</a>` : nothing}
          </div>
        </form>
      </section>

      <section aria-labelledby="w-about-title">
        <h3 id="w-about-title">${this.msg('menu_about')}</h3>
        <esante-service-info feature="webex" .host=${this.host} .load=${this.loadInfo}></esante-service-info>
      </section>
    `;
  }
}
