/**
 * The prosearch panel (guide p. 8): the search form of the "Annuaire des professionnels", the results
 * list, and for the selected professional the three actions of the guide — add to the "Professionnels"
 * contacts, show the identity card ("fiche d'identité"), add as To / Cc / Bcc recipient.
 * Knows only the ZimletHost port and an injected DirectoryService (panel.ts), so tests can replace both with fakes.
 *
 * Accessibility: fieldsets with legends as in the guide; each control has a label; the results are a
 * listbox (Up/Down/Home/End move, Enter opens the card, focus stays on the list and the active row is
 * aria-activedescendant); totals and action results are announced in a live region; errors in an alert.
 */
import { html, nothing, type TemplateResult } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { isErrorCode } from '../../../../shared/errors.ts';
import type { RecipientField } from '../../../../shared/host/zimlet-host.ts';
import type { DirectoryReferences, IdentifierType, ReferenceItem } from '../../../../shared/directory/operations.ts';
import type { ResponseOf } from '../../../../shared/soap/operations.ts';
import { EsanteElement } from '../../../../shared/ui/base-element.ts';
import { faultText } from '../../../../shared/ui/fault-text.ts';
import type { EsanteServiceInfo, ServiceInfoLoader } from '../../../../shared/ui/service-info/service-info.ts';
import { addToProfessionalContacts } from '../contacts.ts';
import { EMPTY_FORM, type FieldName, type FormProblem, type FormValues, allowedFromReferences, formToCriteria, specialtiesFor } from '../search-form.ts';
import type { DirectoryService } from '../service.ts';
import { styles } from './prosearch-panel.styles.ts';

/** A result row and an identity card as they come off the wire (shared/directory/operations.ts shapes). */
type ProfessionalSummary = ResponseOf<'SearchProfessionals'>['items'][number];
type Professional = ResponseOf<'GetProfessional'>['professional'];

interface Results {
  total: number;
  offset: number;
  items: ProfessionalSummary[];
}

const NO_REFS: DirectoryReferences = { professions: [], specialties: [], sectors: [], communities: [], identifierTypes: [] };

export class EsanteProsearchPanel extends EsanteElement {
  static override styles = [...EsanteElement.styles, styles];

  private abort: AbortController | undefined;

  @query('esante-service-info') private accessor info: EsanteServiceInfo | null = null;
  @query('[role="listbox"]') private accessor listbox: HTMLElement | null = null;
  @query('#card-title') private accessor cardTitle: HTMLElement | null = null;

  @state() private accessor refs: DirectoryReferences | undefined = undefined;
  @state() private accessor values: FormValues = { ...EMPTY_FORM };
  /** A problem of the form (client check) or a Fault of the service, shown in the alert. */
  @state() private accessor error: { message: string; field?: FieldName } | undefined = undefined;
  @state() private accessor results: Results | undefined = undefined;
  @state() private accessor active = 0;
  @state() private accessor card: Professional | undefined = undefined;
  @state() private accessor busy = false;
  /** Outcome of the last action, announced politely. */
  @state() private accessor status = '';

  /** Loads GetServiceInfo; injected by panel.ts. */
  @property({ attribute: false }) accessor loadInfo: ServiceInfoLoader | undefined = undefined;
  /** The directory operations; injected by panel.ts (a fake in tests). */
  @property({ attribute: false }) accessor service: DirectoryService | undefined = undefined;
  /** Rows per page (config maxResults, 1…100). */
  @property({ type: Number }) accessor pageSize = 20;
  /** The address book "Ajouter aux contacts" fills (config contactsFolderName). */
  @property() accessor contactsFolder = 'Professionnels';

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.abort?.abort();
  }

  /** Called by the dialog on every open: loads the selects once, refreshes the service information. */
  async opened(section?: string): Promise<void> {
    await this.updateComplete;
    if (!this.refs) void this.loadReferences();
    void this.info?.refresh();
    await this.updateComplete;
    if (section === 'about') this.info?.scrollIntoView({ block: 'nearest' });
    else this.renderRoot.querySelector<HTMLInputElement>('#f-name')?.focus();
  }

  // ---- service calls --------------------------------------------------------------------------------

  private async loadReferences(): Promise<void> {
    if (!this.service) return;
    try {
      this.refs = await this.service.references();
    } catch (err) {
      this.error = { message: this.describe(err) };
    }
  }

  /** A Fault shows the service's translated text; anything else is "service unavailable". */
  private describe(err: unknown): string {
    return faultText(err, this.host?.lang ?? 'fr');
  }

  private problemText(p: FormProblem): string {
    if (p.kind === 'required') return this.msg('search_error_required');
    if (p.kind === 'conflict') return this.msg('search_error_conflict', this.fieldText(p.field));
    return this.msg('search_error_invalid', this.fieldText(p.field));
  }

  private fieldText(field: FieldName): string {
    switch (field) {
      case 'name': return this.msg('form_name');
      case 'firstName': return this.msg('form_first_name');
      case 'profession': return this.msg('form_profession');
      case 'specialty': return this.msg('form_specialty');
      case 'idPostalCode':
      case 'postalCode': return this.msg('form_postal_code');
      case 'idCity':
      case 'city': return this.msg('form_city');
      case 'establishment': return this.msg('form_establishment');
      case 'sector': return this.msg('form_sector');
      case 'community': return this.msg('form_community');
      case 'identifier': return this.msg('form_identifier');
      case 'identifierType': return this.msg('form_identifier_type');
    }
  }

  private async runSearch(offset: number): Promise<void> {
    const check = formToCriteria(this.values, allowedFromReferences(this.refs ?? NO_REFS));
    if (!check.ok) {
      const field = check.problem.kind === 'invalid' ? check.problem.field : check.problem.kind === 'conflict' ? check.problem.field : 'name';
      this.error = { message: this.problemText(check.problem), field };
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>(`[name="${field}"]`)?.focus();
      return;
    }
    if (!this.service) return;
    this.abort?.abort();
    const abort = new AbortController();
    this.abort = abort;
    this.busy = true;
    this.error = undefined;
    this.status = '';
    try {
      const res = await this.service.search({ ...check.criteria, offset, limit: this.pageSize }, abort.signal);
      if (abort.signal.aborted) return;
      this.results = { total: res.total, offset, items: res.items };
      this.active = 0;
      this.card = undefined;
      this.status =
        res.total === 0 ? this.msg('results_none') : this.msg('results_range', offset + 1, offset + res.items.length, res.total);
      await this.updateComplete;
      if (res.items.length > 0) this.listbox?.focus();
    } catch (err) {
      if (!abort.signal.aborted) this.error = { message: this.describe(err) };
    } finally {
      if (this.abort === abort) this.busy = false;
    }
  }

  private get selected(): ProfessionalSummary | undefined {
    return this.card ?? this.results?.items[this.active];
  }

  private async openCard(): Promise<void> {
    const pro = this.selected;
    if (!pro || !this.service) return;
    this.busy = true;
    try {
      this.card = await this.service.get(pro.id);
      this.error = undefined;
      await this.updateComplete;
      this.cardTitle?.focus();
    } catch (err) {
      this.error = { message: this.describe(err) };
    } finally {
      this.busy = false;
    }
  }

  private async closeCard(): Promise<void> {
    this.card = undefined;
    await this.updateComplete;
    this.listbox?.focus();
  }

  private async addContact(): Promise<void> {
    const pro = this.selected;
    if (!pro || !this.host) return;
    this.busy = true;
    try {
      // The card has the practice places (address of the contact); fetch it if not shown.
      const full = this.card ?? (this.service ? await this.service.get(pro.id) : pro);
      const labels = {
        profession: this.label(this.refs?.professions, full.profession),
        ...(full.specialty ? { specialty: this.label(this.refs?.specialties, full.specialty) } : {}),
      };
      const r = await addToProfessionalContacts(this.host, full, labels, this.contactsFolder);
      this.error = undefined;
      this.status = r.status === 'exists' ? this.msg('contact_exists', full.displayName, this.contactsFolder) : this.msg('contact_added', full.displayName, this.contactsFolder);
      this.host.notify(this.status);
    } catch (err) {
      const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
      this.error = { message: isErrorCode(code) ? this.describe(err) : this.msg('contact_error', code || '?') };
    } finally {
      this.busy = false;
    }
  }

  private addRecipient(field: RecipientField): void {
    const pro = this.selected;
    if (!pro || !this.host) return;
    const fieldName = field === 'to' ? this.msg('action_to') : field === 'cc' ? this.msg('action_cc') : this.msg('action_bcc');
    // The message being composed if there is one (ZmComposeView.setAddress), else a new message.
    if (this.host.addToCurrentCompose(field, [pro.mail])) {
      this.status = this.msg('recipient_added_current', pro.displayName, fieldName);
    } else {
      this.host.compose({ [field]: [pro.mail] });
      this.status = this.msg('recipient_added_new', pro.displayName, fieldName);
    }
    this.host.notify(this.status);
  }

  private reset(): void {
    this.abort?.abort();
    this.values = { ...EMPTY_FORM };
    this.results = undefined;
    this.card = undefined;
    this.error = undefined;
    this.status = '';
    this.busy = false;
    this.renderRoot.querySelector<HTMLInputElement>('#f-name')?.focus();
  }

  // ---- events ---------------------------------------------------------------------------------------

  private onInput(e: Event): void {
    const el = e.target as HTMLInputElement | HTMLSelectElement;
    const name = el.name as FieldName;
    if (!(name in EMPTY_FORM)) return;
    const next = { ...this.values, [name]: el.value } as FormValues;
    // A specialty that does not belong to the newly chosen profession is cleared.
    if (name === 'profession' && next.specialty && this.refs && !specialtiesFor(this.refs, next.profession).some((s) => s.code === next.specialty)) {
      next.specialty = '';
    }
    this.values = next;
    if (this.error?.field === name) this.error = undefined;
  }

  private onSubmit(e: Event): void {
    e.preventDefault();
    void this.runSearch(0);
  }

  private onListKey(e: KeyboardEvent): void {
    const n = this.results?.items.length ?? 0;
    if (n === 0) return;
    let next = this.active;
    switch (e.key) {
      case 'ArrowDown': next = Math.min(n - 1, this.active + 1); break;
      case 'ArrowUp': next = Math.max(0, this.active - 1); break;
      case 'Home': next = 0; break;
      case 'End': next = n - 1; break;
      case 'Enter':
      case ' ':
        e.preventDefault();
        void this.openCard();
        return;
      default:
        return;
    }
    e.preventDefault();
    this.active = next;
    void this.updateComplete.then(() => this.renderRoot.querySelector(`#opt-${next}`)?.scrollIntoView({ block: 'nearest' }));
  }

  // ---- rendering ------------------------------------------------------------------------------------

  private label(list: ReferenceItem[] | undefined, code: string): string {
    const lang = this.host?.lang ?? 'fr';
    return list?.find((x) => x.code === code)?.[lang] ?? code;
  }

  private input(name: FieldName, label: string, opts: { autocomplete?: string; maxlength: number; inputmode?: string } = { maxlength: 64 }) {
    const id = `f-${name}`;
    return html`<div class="field">
      <label for=${id}>${label}</label>
      <input
        id=${id}
        name=${name}
        type="text"
        maxlength=${opts.maxlength}
        inputmode=${opts.inputmode ?? 'text'}
        autocomplete="off"
        .value=${this.values[name]}
        aria-invalid=${this.error?.field === name ? 'true' : 'false'}
        aria-describedby=${this.error?.field === name ? 'form-error' : nothing}
      />
    </div>`;
  }

  private select(name: FieldName, label: string, items: ReferenceItem[], empty: string) {
    const id = `f-${name}`;
    const lang = this.host?.lang ?? 'fr';
    const value = this.values[name];
    return html`<div class="field">
      <label for=${id}>${label}</label>
      <!-- .value as well as ?selected: once the user has picked an option, only the property resets it. -->
      <select id=${id} name=${name} .value=${value} aria-invalid=${this.error?.field === name ? 'true' : 'false'}>
        <option value="" ?selected=${value === ''}>${empty}</option>
        ${items.map((x) => html`<option value=${x.code} ?selected=${value === x.code}>${x[lang]}</option>`)}
      </select>
    </div>`;
  }

  private renderForm() {
    const refs = this.refs ?? NO_REFS;
    const choose = this.msg('form_select');
    return html`
      <form @submit=${this.onSubmit} @input=${this.onInput} @change=${this.onInput} novalidate aria-labelledby="form-title">
        <h3 id="form-title">${this.msg('form_title')}</h3>
        <p class="hint">${this.msg('form_rule')}</p>
        <div class="columns">
          <fieldset>
            <legend>${this.msg('form_identity')}</legend>
            ${this.input('name', this.msg('form_name'))}
            ${this.input('firstName', this.msg('form_first_name'))}
            ${this.select('profession', this.msg('form_profession'), refs.professions, choose)}
            ${this.select('specialty', this.msg('form_specialty'), specialtiesFor(refs, this.values.profession), choose)}
            ${this.input('idPostalCode', this.msg('form_postal_code'), { maxlength: 8, inputmode: 'numeric' })}
            ${this.input('idCity', this.msg('form_city'))}
          </fieldset>
          <div>
            <fieldset>
              <legend>${this.msg('form_location')}</legend>
              ${this.input('establishment', this.msg('form_establishment'), { maxlength: 128 })}
              ${this.input('city', this.msg('form_city'))}
              ${this.input('postalCode', this.msg('form_postal_code'), { maxlength: 8, inputmode: 'numeric' })}
              ${this.select('sector', this.msg('form_sector'), refs.sectors, choose)}
            </fieldset>
            <fieldset>
              <legend>${this.msg('form_membership')}</legend>
              ${this.select('community', this.msg('form_community'), refs.communities, choose)}
            </fieldset>
          </div>
        </div>
        <fieldset>
          <legend>${this.msg('form_identifier_section')}</legend>
          <div class="columns">
            ${this.input('identifier', this.msg('form_identifier'))}
            ${this.select('identifierType', this.msg('form_identifier_type'), refs.identifierTypes, this.msg('form_identifier_any'))}
          </div>
        </fieldset>
        <div class="buttons">
          <button type="button" data-action="reset" @click=${this.reset}>${this.msg('form_reset')}</button>
          <button type="submit" class="primary" data-action="search" ?disabled=${this.busy}>${this.msg('form_search')}</button>
        </div>
      </form>
    `;
  }

  private renderActions(pro: ProfessionalSummary) {
    return html`<div class="actions" role="group" aria-label=${this.msg('actions_label', pro.displayName)}>
      <button type="button" data-action="add-contact" ?disabled=${this.busy} @click=${() => void this.addContact()}>${this.msg('action_add_contact')}</button>
      ${this.card ? nothing : html`<button type="button" data-action="card" ?disabled=${this.busy} @click=${() => void this.openCard()}>${this.msg('action_card')}</button>`}
      <button type="button" data-action="to" @click=${() => this.addRecipient('to')}>${this.msg('action_add_to')}</button>
      <button type="button" data-action="cc" @click=${() => this.addRecipient('cc')}>${this.msg('action_add_cc')}</button>
      <button type="button" data-action="bcc" @click=${() => this.addRecipient('bcc')}>${this.msg('action_add_bcc')}</button>
    </div>`;
  }

  private renderResults(r: Results) {
    const pages = r.total > this.pageSize;
    return html`<section aria-labelledby="results-title" data-field="results">
      <h3 id="results-title">${this.msg('results_title')} <span data-field="total">(${r.total})</span></h3>
      ${r.items.length === 0
        ? html`<p data-field="empty">${this.msg('results_none')}</p>`
        : html`<ul
              role="listbox"
              tabindex="0"
              aria-labelledby="results-title"
              aria-activedescendant=${`opt-${this.active}`}
              @keydown=${this.onListKey}
            >
              ${r.items.map((p, i) => this.renderRow(p, i))}
            </ul>
            ${this.renderActions(r.items[this.active]!)}`}
      ${pages
        ? html`<div class="pager" role="group" aria-label=${this.msg('results_paging')}>
            <button type="button" data-action="prev" ?disabled=${this.busy || r.offset === 0} @click=${() => void this.runSearch(Math.max(0, r.offset - this.pageSize))}>
              ${this.msg('results_previous')}
            </button>
            <span data-field="range">${this.msg('results_range', r.offset + 1, r.offset + r.items.length, r.total)}</span>
            <button type="button" data-action="next" ?disabled=${this.busy || r.offset + r.items.length >= r.total} @click=${() => void this.runSearch(r.offset + this.pageSize)}>
              ${this.msg('results_next')}
            </button>
          </div>`
        : nothing}
    </section>`;
  }

  private renderRow(p: ProfessionalSummary, i: number): TemplateResult {
    const where = [p.establishment, p.city].filter(Boolean).join(', ');
    const what = [this.label(this.refs?.professions, p.profession), p.specialty ? this.label(this.refs?.specialties, p.specialty) : ''].filter(Boolean).join(' – ');
    return html`<li
      id=${`opt-${i}`}
      role="option"
      data-id=${p.id}
      aria-selected=${i === this.active ? 'true' : 'false'}
      @click=${() => (this.active = i)}
      @dblclick=${() => void this.openCard()}
    >
      <strong>${p.displayName}</strong> <span class="muted">${what}${where ? ` · ${where}` : ''}</span><br />
      <span class="muted">${p.mail}</span>
    </li>`;
  }

  private identifierType(t: IdentifierType | string): string {
    return this.label(this.refs?.identifierTypes, t);
  }

  private authority(t: string): string {
    switch (t) {
      case 'ehealth': return this.msg('card_authority_ehealth');
      case 'rpreg': return this.msg('card_authority_rpreg');
      case 'rnrpp': return this.msg('card_authority_rnrpp');
      case 'luxtrust': return this.msg('card_authority_luxtrust');
      default: return t;
    }
  }

  private identifierStatus(s: string): string {
    switch (s) {
      case 'active': return this.msg('card_status_active');
      case 'inactive': return this.msg('card_status_inactive');
      case 'revoked': return this.msg('card_status_revoked');
      case 'suspended': return this.msg('card_status_suspended');
      default: return s;
    }
  }

  private renderCard(p: Professional) {
    const refs = this.refs;
    const row = (label: string, value: unknown, field: string) =>
      value === undefined || value === '' || (Array.isArray(value) && value.length === 0) ? nothing : html`<dt>${label}</dt><dd data-field=${field}>${value}</dd>`;
    return html`<section class="card" data-field="card" data-id=${p.id} aria-labelledby="card-title">
      <h3 id="card-title" tabindex="-1">${this.msg('card_title', p.displayName)}</h3>
      ${p.confidentiality === 'restricted' ? html`<p class="hint" data-field="restricted">${this.msg('card_restricted')}</p>` : nothing}
      <dl>
        ${row(this.msg('card_name'), [p.title, p.givenName, p.sn].filter(Boolean).join(' '), 'name')}
        ${row(this.msg('form_profession'), this.label(refs?.professions, p.profession), 'profession')}
        ${row(this.msg('form_specialty'), p.specialty ? this.label(refs?.specialties, p.specialty) : undefined, 'specialty')}
        ${row(this.msg('card_mail'), p.mail, 'mail')}
        ${row(this.msg('form_sector'), p.sector ? this.label(refs?.sectors, p.sector) : undefined, 'sector')}
        ${row(
          this.msg('card_practices'),
          p.practices?.length
            ? html`<ul>${p.practices.map((pl) => html`<li>${[pl.establishment, pl.street, `L-${pl.postalCode} ${pl.city}`].filter(Boolean).join(', ')}</li>`)}</ul>`
            : undefined,
          'practices',
        )}
        ${row(this.msg('card_communities'), p.communities?.length ? p.communities.map((c) => this.label(refs?.communities, c)).join(', ') : undefined, 'communities')}
        ${row(
          this.msg('card_identifiers'),
          p.identifiers?.length
            ? html`<table>
                <thead><tr><th scope="col">${this.msg('card_identifier_type')}</th><th scope="col">${this.msg('card_identifier_value')}</th><th scope="col">${this.msg('card_identifier_authority')}</th><th scope="col">${this.msg('card_identifier_status')}</th></tr></thead>
                <tbody>
                  ${p.identifiers.map(
                    (i) => html`<tr data-type=${i.type}><td>${this.identifierType(i.type)}</td><td>${i.value}</td><td>${this.authority(i.type)}</td><td>${this.identifierStatus(i.status)}</td></tr>`,
                  )}
                </tbody>
              </table>`
            : undefined,
          'identifiers',
        )}
        ${row(this.msg('card_language'), p.preferredLanguage?.toUpperCase(), 'language')}
        ${row(this.msg('card_certificate'), p.certificate ? this.msg('card_certificate_yes') : this.msg('card_certificate_no'), 'certificate')}
      </dl>
      ${this.renderActions(p)}
      <button type="button" data-action="back" @click=${() => void this.closeCard()}>${this.msg('card_back')}</button>
    </section>`;
  }

  override render() {
    return html`
      <section aria-labelledby="title">
        <!-- The dialog shows the title visually; the heading gives screen readers the panel's structure. -->
        <h2 id="title" class="visually-hidden">${this.msg('panel_title')}</h2>
        <!-- The identity card takes the form's place, so it reads from its top without scrolling; "Retour" brings both back. -->
        ${this.card ? nothing : this.renderForm()}
        ${this.error ? html`<div id="form-error" role="alert" class="error" data-field="error">${this.error.message}</div>` : nothing}
        <div class="status" role="status" aria-live="polite" data-field="status">${this.status}</div>
        ${this.card ? this.renderCard(this.card) : this.results ? this.renderResults(this.results) : nothing}
        <esante-service-info feature="directory" .host=${this.host} .load=${this.loadInfo}></esante-service-info>
      </section>
    `;
  }
}
