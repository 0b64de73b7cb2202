/**
 * `<esante-regify-sent-messages>`: the "Messages envoyés" tab of the Regify window (issue 12, "The
 * sender's view … in a 'Messages envoyés' tab of the Regify panel"). The user's own encrypted messages,
 * newest first, 20 a page (ListSentSecureMessages): subject, when sent, read deadline, how many of the
 * recipients opened. "Suivi" on a row opens that message's `<esante-regify-sender-control>` under the
 * list, already expanded: the same per-recipient states, notifications, withdrawal, dates and CSV export
 * as under the Sent copy, without finding the mail first.
 *
 * Keyboard and screen reader: a table with a caption and column headers; each row's button is named
 * with the subject and says `aria-expanded`; the page buttons say which messages they show; loading and
 * results are announced in a status region, failures in an alert.
 *
 * Test hooks: host `data-load="loading|ready|error"`; `tr[data-message=ID]`, `[data-action=follow][data-message=ID]`,
 * `#sent-newer`, `#sent-older`, `#sent-range`, `#sent-empty`, `#sent-error`, `#sent-control`.
 */
import { html, nothing, css } from 'lit';
import { property, state } from 'lit/decorators.js';
import { keyed } from 'lit/directives/keyed.js';
import { repeat } from 'lit/directives/repeat.js';
import { formatDateTime } from '../../../../shared/i18n/dates.ts';
import { EsanteElement } from '../../../../shared/ui/base-element.ts';
import { faultText } from '../../../../shared/ui/fault-text.ts';
import { statusStyles } from '../../../../shared/ui/tokens.ts';
import type { ControlApi, SentPage } from './api.ts';
import { controlTableStyles } from './sender-control.styles.ts';
import './sender-control.ts';

/** Messages a page (ListSentSecureMessages' limit). */
export const SENT_PAGE_SIZE = 20;

type Load = { state: 'loading' } | { state: 'ready'; page: SentPage; offset: number } | { state: 'error'; message: string };

export class RegifySentMessages extends EsanteElement {
  static override styles = [
    ...EsanteElement.styles,
    statusStyles,
    controlTableStyles,
    css`
      :host {
        display: block;
      }
      tr[aria-current='true'] {
        background: var(--esante-color-bg);
      }
      .pages {
        display: flex;
        gap: var(--esante-space-2);
        align-items: center;
        margin-top: var(--esante-space-2);
      }
    `,
  ];

  private loadSeq = 0;

  @state() private accessor load: Load = { state: 'loading' };
  /** The message whose control is open under the list. */
  @state() private accessor selected: string | undefined = undefined;
  @state() private accessor announcement = '';

  /** The service calls (./api.ts; a fake in tests). */
  @property({ attribute: false }) accessor api: ControlApi | undefined = undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.show(0);
  }

  private setLoad(load: Load): void {
    this.load = load;
    this.dataset['load'] = load.state;
  }

  private userLang() {
    return this.host?.lang ?? 'fr';
  }

  /** The page starting at `offset`; an earlier answer arriving late is dropped. */
  private async show(offset: number): Promise<void> {
    if (!this.api) return;
    const seq = ++this.loadSeq;
    if (this.load.state !== 'ready') this.setLoad({ state: 'loading' });
    try {
      const page = await this.api.listSent(offset, SENT_PAGE_SIZE);
      if (seq !== this.loadSeq) return;
      this.setLoad({ state: 'ready', page, offset });
      this.announcement = page.total === 0 ? '' : this.msg('sent_range', offset + 1, offset + page.messages.length, page.total);
    } catch (err) {
      if (seq === this.loadSeq) this.setLoad({ state: 'error', message: faultText(err, this.userLang()) });
    }
  }

  private async follow(messageId: string): Promise<void> {
    this.selected = this.selected === messageId ? undefined : messageId;
    if (!this.selected) return;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('#sent-control')?.scrollIntoView?.({ block: 'nearest' });
  }

  private renderTable(page: SentPage, offset: number) {
    if (page.total === 0) return html`<p id="sent-empty" class="muted">${this.msg('sent_empty')}</p>`;
    const date = (iso: string | undefined) => formatDateTime(iso, this.userLang(), 'medium');
    return html`<table>
        <caption>${this.msg('sent_caption')}</caption>
        <thead>
          <tr>
            <th scope="col">${this.msg('sent_col_subject')}</th>
            <th scope="col">${this.msg('sent_col_sent')}</th>
            <th scope="col">${this.msg('sent_col_deadline')}</th>
            <th scope="col">${this.msg('sent_col_opened')}</th>
            <th scope="col"><span class="visually-hidden">${this.msg('sent_col_actions')}</span></th>
          </tr>
        </thead>
        <tbody>
          ${repeat(
            page.messages,
            (m) => m.messageId,
            (m) => {
              const subject = m.subject.trim() || this.msg('sent_no_subject');
              const open = this.selected === m.messageId;
              return html`<tr data-message=${m.messageId} aria-current=${open ? 'true' : 'false'}>
                <td>${subject}</td>
                <td>${m.sentAt ? date(m.sentAt) : this.msg('control_state_not_sent')}</td>
                <td>${date(m.readDeadline)}</td>
                <td>${this.msg('sent_opened_of', m.opened, m.recipients)}</td>
                <td>
                  <button
                    type="button"
                    data-action="follow"
                    data-message=${m.messageId}
                    aria-expanded=${open ? 'true' : 'false'}
                    aria-controls="sent-control"
                    aria-label=${this.msg('sent_follow_label', subject)}
                    @click=${() => void this.follow(m.messageId)}
                  >
                    ${this.msg('sent_follow')}
                  </button>
                </td>
              </tr>`;
            },
          )}
        </tbody>
      </table>
      ${page.total > SENT_PAGE_SIZE
        ? html`<div class="pages">
            <button type="button" id="sent-newer" ?disabled=${offset === 0} @click=${() => void this.show(Math.max(0, offset - SENT_PAGE_SIZE))}>${this.msg('sent_newer')}</button>
            <span id="sent-range">${this.msg('sent_range', offset + 1, offset + page.messages.length, page.total)}</span>
            <button type="button" id="sent-older" ?disabled=${offset + page.messages.length >= page.total} @click=${() => void this.show(offset + SENT_PAGE_SIZE)}>${this.msg('sent_older')}</button>
          </div>`
        : nothing}`;
  }

  override render() {
    const l = this.load;
    return html`${l.state === 'loading' ? html`<p class="muted">${this.msg('sent_loading')}</p>` : nothing}
      ${l.state === 'error' ? html`<p id="sent-error" class="error" role="alert">${l.message}</p>` : nothing}
      ${l.state === 'ready' ? this.renderTable(l.page, l.offset) : nothing}
      <p class="visually-hidden" role="status" aria-live="polite">${this.announcement}</p>
      ${this.selected
        ? keyed(this.selected, html`<esante-regify-sender-control id="sent-control" .host=${this.host} .api=${this.api} .messageId=${this.selected} open></esante-regify-sender-control>`)
        : nothing}`;
  }
}
