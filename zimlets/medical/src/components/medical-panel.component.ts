/**
 * The medical message assistant (guide p.7, issue 11): the documents of a message (attachments, the
 * message text, an XDM package's contents, a decrypted Regify message's attachments) with checkboxes;
 * the patient (proposed from the mail, or searched by matricule); the patient's documents already in
 * the DSP; a metadata form per checked document, filled in and editable; filing one document after the
 * other with a result each. Knows only the ZimletHost port and the injected DspService.
 * Accessibility: every control is labelled; progress goes to a polite live region, errors to alerts.
 */
import { html, nothing } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { checkMatricule } from '../../../../shared/dsp/matricule.ts';
import { errorText } from '../../../../shared/errors.ts';
import { formatDateTime } from '../../../../shared/i18n/dates.ts';
import { EsanteElement } from '../../../../shared/ui/base-element.ts';
import { faultCode, faultText } from '../../../../shared/ui/fault-text.ts';
import type { EsanteServiceInfo, ServiceInfoLoader } from '../../../../shared/ui/service-info/service-info.ts';
import type { MailContext, OfferedDocument } from '../documents/mail-context.ts';
import { prefillMetadata, type DocumentMetadata, type DspOptions } from '../documents/prefill.ts';
import type { DspService, ListedDocument, Patient, PatientQuery } from '../service.ts';

type CodedField = 'classCode' | 'typeCode' | 'confidentialityCode' | 'languageCode' | 'formatCode' | 'practiceSettingCode' | 'healthcareFacilityTypeCode';

type DocState = { state: 'idle' | 'uploading' | 'filing' | 'filed' | 'alreadyFiled' | 'refused' | 'error'; text?: string };

export class EsanteMedicalPanel extends EsanteElement {
  @query('esante-service-info') private accessor info: EsanteServiceInfo | null = null;

  @state() private accessor options: DspOptions | undefined = undefined;
  @state() private accessor checked = new Set<string>();
  @state() private accessor metadata = new Map<string, DocumentMetadata>();
  @state() private accessor matricule = '';
  /** Name + birth date search (PDQ ITI-47 livingSubjectName + livingSubjectBirthTime). */
  @state() private accessor familyName = '';
  @state() private accessor givenName = '';
  @state() private accessor birthDate = '';
  /** How the last search was made: its "no patient" text differs. */
  @state() private accessor searchedBy: 'matricule' | 'name' = 'matricule';
  @state() private accessor patients: Patient[] | undefined = undefined;
  @state() private accessor patient: Patient | undefined = undefined;
  @state() private accessor dspDocs: ListedDocument[] | undefined = undefined;
  @state() private accessor progress = new Map<string, DocState>();
  @state() private accessor busy = false;
  @state() private accessor error = '';
  @state() private accessor status = '';

  @property({ attribute: false }) accessor loadInfo: ServiceInfoLoader | undefined = undefined;
  @property({ attribute: false }) accessor service: DspService | undefined = undefined;
  /** The message "Ajouter au DSP" was chosen on; undefined when opened from the panel. */
  @property({ attribute: false }) accessor mail: MailContext | undefined = undefined;

  /** Called by the dialog on every open. */
  async opened(_section?: string): Promise<void> {
    this.error = '';
    this.status = '';
    this.progress = new Map();
    this.patients = undefined;
    this.patient = undefined;
    this.dspDocs = undefined;
    await this.updateComplete;
    void this.info?.refresh();
    try {
      this.options ??= await this.service!.options();
    } catch (e) {
      this.error = faultText(e, this.host!.lang);
      return;
    }
    const meta = new Map<string, DocumentMetadata>();
    const checked = new Set<string>();
    for (const d of this.mail?.documents ?? []) {
      const input = { fileName: d.fileName, mimeType: d.mimeType, subject: this.mail!.subject, ...(d.title ? { title: d.title } : {}), ...(d.xdm ? { xdm: d.xdm } : {}), ...(this.mail!.message.date ? { mailDate: this.mail!.message.date } : {}) };
      meta.set(d.key, prefillMetadata(input, this.options, this.host!.lang));
      if (!this.refusal(d) && d.source !== 'body') checked.add(d.key);
    }
    this.metadata = meta;
    this.checked = checked;
    // A new message: nothing of the previous search stays; the patient the mail names is proposed first.
    const named = this.mail?.namedMatricules[0];
    this.matricule = named ?? '';
    this.familyName = this.givenName = this.birthDate = '';
    if (named) await this.search();
  }

  /** Why a document cannot be filed, before anything is sent (size, type). */
  private refusal(d: OfferedDocument): string | undefined {
    const o = this.options;
    if (!o) return undefined;
    const lang = this.host!.lang;
    if (d.size > o.maxDocumentBytes) return errorText('dsp.too_large', lang, Math.round(o.maxDocumentBytes / 1_000_000));
    if (!o.allowedTypes.includes(d.mimeType.toLowerCase())) return errorText('dsp.type_not_allowed', lang, d.mimeType);
    return undefined;
  }

  /**
   * Matricule first (checked here with the service's own rule, shared/dsp/matricule.ts); else family
   * name + birth date (+ given name). One match is chosen at once; several are listed to choose from.
   */
  private async search(): Promise<void> {
    const lang = this.host!.lang;
    this.error = '';
    this.patients = undefined;
    this.patient = undefined;
    this.dspDocs = undefined;
    let query: PatientQuery;
    if (this.matricule.trim()) {
      if (!checkMatricule(this.matricule).ok) {
        this.error = errorText('dsp.matricule_invalid', lang);
        return;
      }
      query = { matricule: this.matricule.trim() };
      this.searchedBy = 'matricule';
    } else if (this.familyName.trim() && /^\d{4}-\d{2}-\d{2}$/.test(this.birthDate)) {
      query = { familyName: this.familyName.trim(), birthDate: this.birthDate, ...(this.givenName.trim() ? { givenName: this.givenName.trim() } : {}) };
      this.searchedBy = 'name';
    } else {
      this.error = errorText('dsp.search_criteria', lang);
      return;
    }
    try {
      const found = await this.service!.findPatients(query);
      this.patients = found;
      if (found.length === 1) await this.choose(found[0]!);
      else if (found.length > 1) {
        // Keyboard users land on the choice they now have to make.
        await this.updateComplete;
        this.renderRoot.querySelector<HTMLElement>('#m-patients button')?.focus();
      }
    } catch (e) {
      this.error = faultText(e, lang);
    }
  }

  private async choose(p: Patient): Promise<void> {
    this.patient = p;
    this.dspDocs = undefined;
    try {
      this.dspDocs = await this.service!.listDocuments(p.matricule);
    } catch (e) {
      this.error = faultText(e, this.host!.lang);
    }
  }

  private setDoc(key: string, s: DocState): void {
    this.progress = new Map(this.progress).set(key, s);
  }

  private async fileAll(): Promise<void> {
    const patient = this.patient;
    if (!patient || !this.mail || this.busy) return;
    this.busy = true;
    const lang = this.host!.lang;
    for (const d of this.mail.documents.filter((x) => this.checked.has(x.key))) {
      const name = d.fileName;
      try {
        this.setDoc(d.key, { state: 'uploading' });
        this.status = this.msg('file_progress_upload', name);
        // Streamed (service.ts fileBytes): hashed here, checked and claimed, then one transfer that the
        // service passes straight on to the DSP.
        const r = await this.service!.fileBytes(await d.load(), { matricule: patient.matricule, fileName: name, mimeType: d.mimeType, metadata: this.metadata.get(d.key)!, sourceMessageId: this.mail.message.id }, () => {
          this.setDoc(d.key, { state: 'filing' });
          this.status = this.msg('file_progress_filing', name);
        });
        if (r.outcome === 'filed') this.setDoc(d.key, { state: 'filed', text: this.msg('file_result_filed', r.uniqueId ?? '') });
        else if (r.outcome === 'alreadyFiled') this.setDoc(d.key, { state: 'alreadyFiled', text: this.msg('file_result_already', this.when(r.filedAt), r.filedBy ?? '') });
        else this.setDoc(d.key, { state: 'refused', text: this.msg('file_result_refused', r.reason ?? '') });
      } catch (e) {
        this.setDoc(d.key, { state: 'error', text: faultCode(e) ? faultText(e, lang) : this.msg('file_error_read') });
      }
    }
    this.status = this.msg('file_done');
    this.busy = false;
    await this.choose(patient);
  }

  /** Dates and times as shared/i18n/dates.ts writes them (the reader's language, Luxembourg time). */
  private when(iso: string | Date | undefined): string {
    return formatDateTime(iso, this.host!.lang, 'medium');
  }

  private day(iso: string | undefined): string {
    return formatDateTime(iso, this.host!.lang, 'day');
  }

  private size(n: number): string {
    return n >= 1024 * 1024 ? this.msg('size_mb', (n / (1024 * 1024)).toFixed(1)) : this.msg('size_kb', Math.max(1, Math.round(n / 1024)));
  }

  private edit(key: string, field: keyof DocumentMetadata, value: string): void {
    const m: DocumentMetadata = { ...this.metadata.get(key)!, [field]: value };
    // An optional field left empty is absent: the service then derives it (format from the MIME type,
    // setting and facility from the author's directory entry) or refuses with dsp.metadata_invalid.
    if (!value && field !== 'title' && field !== 'classCode' && field !== 'typeCode' && field !== 'confidentialityCode' && field !== 'languageCode') delete m[field];
    this.metadata = new Map(this.metadata).set(key, m);
  }

  private toggle(key: string, on: boolean): void {
    const s = new Set(this.checked);
    if (on) s.add(key);
    else s.delete(key);
    this.checked = s;
  }

  /** A labelled select of one value set; `optional` fields offer "—" when nothing was proposed. */
  private select(key: string, field: CodedField, list: DspOptions['classCodes'], label: string, optional = false) {
    const value = this.metadata.get(key)?.[field] ?? '';
    const id = `${field}-${key}`;
    return html`<label for=${id}>${label}</label>
      <select id=${id} name=${field} ?required=${!optional} @change=${(e: Event) => this.edit(key, field, (e.target as HTMLSelectElement).value)}>
        ${optional && !list.some((c) => c.code === value) ? html`<option value="" selected>${this.msg('meta_choose')}</option>` : nothing}
        ${list.map((c) => html`<option value=${c.code} ?selected=${c.code === value}>${c.display}</option>`)}
      </select>`;
  }

  private renderDocuments() {
    const docs = this.mail?.documents ?? [];
    if (!this.mail) return html`<p>${this.msg('docs_none_message')}</p>`;
    return html`<table id="m-documents">
      <caption>${this.msg('docs_title')}</caption>
      <thead><tr><th scope="col">${this.msg('docs_name')}</th><th scope="col">${this.msg('docs_type')}</th><th scope="col">${this.msg('docs_size')}</th><th scope="col">${this.msg('docs_result')}</th></tr></thead>
      <tbody>
        ${docs.map((d) => {
          const refusal = this.refusal(d);
          const p = this.progress.get(d.key);
          return html`<tr data-doc=${d.fileName} data-state=${p?.state ?? (refusal ? 'blocked' : 'idle')}>
            <td><label><input type="checkbox" .checked=${this.checked.has(d.key)} ?disabled=${!!refusal || this.busy}
              @change=${(e: Event) => this.toggle(d.key, (e.target as HTMLInputElement).checked)} />
              ${d.source === 'body' ? this.msg('docs_body') : d.fileName}</label></td>
            <td>${d.mimeType}</td><td>${this.size(d.size)}</td>
            <td class="result">${refusal ?? p?.text ?? (p ? (p.state === 'uploading' ? this.msg('file_state_upload') : this.msg('file_state_filing')) : '')}</td>
          </tr>`;
        })}
      </tbody>
    </table>`;
  }

  private renderPatient() {
    const input = (id: string, label: string, value: string, set: (v: string) => void, extra: { type?: string; inputmode?: string; autocomplete?: string } = {}) =>
      html`<label for=${id}>${label}</label>
        <input id=${id} type=${extra.type ?? 'text'} inputmode=${extra.inputmode ?? 'text'} autocomplete=${extra.autocomplete ?? 'off'} .value=${value} @input=${(e: Event) => set((e.target as HTMLInputElement).value)} />`;
    const several = this.patients && this.patients.length > 1;
    return html`<section aria-labelledby="m-patient-title">
      <h3 id="m-patient-title">${this.msg('patient_title')}</h3>
      <form @submit=${(e: Event) => { e.preventDefault(); void this.search(); }}>
        ${input('m-matricule', this.msg('patient_matricule'), this.matricule, (v) => (this.matricule = v), { inputmode: 'numeric' })}
        <fieldset id="m-by-name">
          <legend>${this.msg('patient_by_name')}</legend>
          ${input('m-family', this.msg('patient_family'), this.familyName, (v) => (this.familyName = v))}
          ${input('m-given', this.msg('patient_given'), this.givenName, (v) => (this.givenName = v))}
          ${input('m-birth', this.msg('patient_birth'), this.birthDate, (v) => (this.birthDate = v), { type: 'date' })}
        </fieldset>
        <button id="m-search" type="submit">${this.msg('patient_search')}</button>
      </form>
      ${this.patients && this.patients.length === 0
        ? html`<p id="m-no-patient" role="alert">${this.searchedBy === 'name' ? this.msg('patient_none_name') : this.msg('patient_none')}</p>`
        : nothing}
      ${several
        ? html`<p id="m-patients-title">${this.msg('patient_several', this.patients!.length)}</p>
            <ul id="m-patients" aria-labelledby="m-patients-title">
              ${this.patients!.map(
                (p) => html`<li><button type="button" data-matricule=${p.matricule} aria-pressed=${this.patient?.matricule === p.matricule ? 'true' : 'false'} @click=${() => void this.choose(p)}>
                  ${this.msg('patient_option', `${p.familyName} ${p.givenName}`, this.day(p.birthDate), p.city ?? '', p.matricule)}
                </button></li>`,
              )}
            </ul>`
        : nothing}
      ${this.patient
        ? html`<p id="m-chosen" role="status" data-matricule=${this.patient.matricule}>${this.msg('patient_chosen', `${this.patient.familyName} ${this.patient.givenName}`, this.day(this.patient.birthDate), this.patient.matricule)}</p>`
        : nothing}
    </section>`;
  }

  private renderDspDocs() {
    if (!this.patient || !this.dspDocs) return nothing;
    return html`<table id="m-dsp-docs">
      <caption>${this.msg('dsp_docs_title')}</caption>
      <thead><tr><th scope="col">${this.msg('dsp_docs_doc')}</th><th scope="col">${this.msg('dsp_docs_date')}</th><th scope="col">${this.msg('dsp_docs_author')}</th><th scope="col">${this.msg('docs_type')}</th></tr></thead>
      <tbody>${this.dspDocs.length === 0
        ? html`<tr><td colspan="4">${this.msg('dsp_docs_empty')}</td></tr>`
        : this.dspDocs.map((d) => html`<tr><td>${d.title}</td><td>${this.day(d.serviceStartTime ?? d.creationTime)}</td><td>${d.author ?? ''}</td><td>${d.typeDisplay ?? d.typeCode ?? ''}</td></tr>`)}</tbody>
    </table>`;
  }

  private renderMetadata() {
    const o = this.options;
    if (!o || !this.mail) return nothing;
    const a = o.author;
    return html`<section aria-labelledby="m-meta-title">
      <h3 id="m-meta-title">${this.msg('meta_title')}</h3>
      <p id="m-author">${a ? this.msg('meta_author', `${a.givenName} ${a.familyName}`, a.ehealthId, [a.profession, a.specialty, a.organisation].filter(Boolean).join(', ')) : errorText('dsp.author_unknown', this.host!.lang)}</p>
      ${this.mail.documents.filter((d) => this.checked.has(d.key)).map((d) => {
        const m = this.metadata.get(d.key)!;
        return html`<fieldset data-meta=${d.fileName}>
          <legend>${d.source === 'body' ? this.msg('docs_body') : d.fileName}</legend>
          <label for=${`title-${d.key}`}>${this.msg('meta_doc_title')}</label>
          <input id=${`title-${d.key}`} name="title" maxlength="128" .value=${m.title} @input=${(e: Event) => this.edit(d.key, 'title', (e.target as HTMLInputElement).value)} />
          ${this.select(d.key, 'classCode', o.classCodes, this.msg('meta_class'))}
          ${this.select(d.key, 'typeCode', o.typeCodes, this.msg('meta_type'))}
          ${this.select(d.key, 'confidentialityCode', o.confidentialityCodes, this.msg('meta_confidentiality'))}
          ${this.select(d.key, 'formatCode', o.formatCodes, this.msg('meta_format'), true)}
          ${this.select(d.key, 'practiceSettingCode', o.practiceSettingCodes, this.msg('meta_practice'), true)}
          ${this.select(d.key, 'healthcareFacilityTypeCode', o.healthcareFacilityTypeCodes, this.msg('meta_facility'), true)}
          ${this.select(d.key, 'languageCode', o.languages, this.msg('meta_language'))}
          <label for=${`date-${d.key}`}>${this.msg('meta_date')}</label>
          <input id=${`date-${d.key}`} type="date" name="serviceStartTime" .value=${(m.serviceStartTime ?? '').slice(0, 10)} @input=${(e: Event) => this.edit(d.key, 'serviceStartTime', (e.target as HTMLInputElement).value)} />
        </fieldset>`;
      })}
    </section>`;
  }

  override render() {
    return html`
      <section aria-labelledby="title">
        <h2 id="title" class="visually-hidden">${this.msg('panel_title')}</h2>
        <p>${this.msg('panel_intro')}</p>
        ${this.renderDocuments()} ${this.renderPatient()} ${this.renderDspDocs()} ${this.renderMetadata()}
        ${this.mail
          ? html`<p><button id="m-file" type="button" ?disabled=${!this.patient || this.busy || this.checked.size === 0} @click=${() => void this.fileAll()}>${this.msg('file_button')}</button></p>`
          : nothing}
        <p id="m-status" role="status" aria-live="polite">${this.status}</p>
        ${this.error ? html`<p id="m-error" role="alert">${this.error}</p>` : nothing}
        <esante-service-info feature="dsp" .host=${this.host} .load=${this.loadInfo}></esante-service-info>
      </section>
    `;
  }
}
