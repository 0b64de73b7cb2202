/**
 * `<esante-regify-secure-message>`: a decrypted message shown INSIDE Zimbra's message view, under the
 * banners of guide p.12 ("Message chiffré avec Regify", "L'émetteur de ce message, NOM, est
 * authentifié de niveau N", the signature banner when the inner message is signed), or an error
 * banner instead of the content when opening is refused.
 *
 * Safety: the HTML body is the sender's HTML (shared/messages/safe-html.ts): sanitized with DOMPurify
 * AND shown in a sandboxed iframe (no allow-scripts, no allow-same-origin, a CSP of its own), so one
 * sanitizer bypass runs nothing with the reader's Zimbra session and the message cannot use this
 * panel's classes to draw a genuine-looking header. Remote images are held back until the reader
 * chooses "Afficher les images" (a tracking pixel would tell the sender when and where a patient file
 * is read); `cid:` images come from the message's own parts; links open in a new tab with no referrer.
 * Attachments are blob: links created from the decrypted bytes and revoked when the view goes away.
 *
 * For the sender (the viewer is the container's registered sender) a "Statut de lecture" button shows
 * who opened the message and when (GetSecureMessageStatus).
 *
 * Test hooks: `data-state="loading|ready|error"` on the host element; `[data-banner=encrypted|level|error]`,
 * `#content`, `#attachments a`, `#status-button`, `#status table`.
 */
import { css, html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import { formatDateTime } from '../../../../shared/i18n/dates.ts';
import { mailboxAddress, type MimeAttachment } from '../../../../shared/messages/mime.ts';
import { MESSAGE_FRAME_SANDBOX, frameDocument, inlineImageDataUrl, sanitizeMessageHtml, type SafeHtml } from '../../../../shared/messages/safe-html.ts';
import type { ResponseOf } from '../../../../shared/soap/operations.ts';
import { EsanteElement } from '../../../../shared/ui/base-element.ts';
import '../../../../shared/ui/banners/banner.ts';
import '../../../../shared/ui/signature-banner/signature-banner.ts';
import type { VerificationReport as SignatureReport } from '../../../../shared/signing/operations.ts';
/** The report as it comes over the wire (VerifySignature). */
type VerificationReport = ResponseOf<'VerifySignature'>['report'];
import { bannerName, senderLine, type OpenedMessage } from './open-secure.ts';

export type SecureMessageStatus = ResponseOf<'GetSecureMessageStatus'>;

type View =
  | { state: 'loading' }
  | { state: 'ready'; opened: OpenedMessage; html: SafeHtml | undefined; remoteImages: boolean }
  | { state: 'error'; message: string };

type StatusView = { state: 'closed' } | { state: 'loading' } | { state: 'ready'; status: SecureMessageStatus } | { state: 'error'; message: string };

export class RegifySecureMessage extends EsanteElement {
  static override styles = [
    ...EsanteElement.styles,
    css`
      :host {
        display: block;
        margin: var(--esante-space-2) 0;
      }
      .meta {
        color: var(--esante-color-muted);
        margin: var(--esante-space-2) 0;
      }
      .meta dt {
        display: inline;
        font-weight: bold;
      }
      .meta dd {
        display: inline;
        margin: 0 var(--esante-space-3) 0 var(--esante-space-1);
      }
      .meta .warn {
        color: var(--esante-color-error);
      }
      #content {
        border-top: 1px solid var(--esante-color-border);
        padding-top: var(--esante-space-2);
        overflow-wrap: anywhere;
      }
      #body-frame {
        display: block;
        width: 100%;
        height: min(70vh, 40rem);
        border: 0;
        resize: vertical;
        overflow: auto;
      }
      .images {
        background: var(--esante-color-panel);
        padding: var(--esante-space-1) var(--esante-space-2);
      }
      .images button {
        margin-left: var(--esante-space-2);
      }
      pre {
        font: inherit;
        white-space: pre-wrap;
        margin: 0;
      }
      #attachments ul {
        list-style: none;
        padding: 0;
      }
      #attachments li {
        margin: var(--esante-space-1) 0;
      }
      table {
        border-collapse: collapse;
      }
      th,
      td {
        text-align: left;
        padding: var(--esante-space-1) var(--esante-space-2);
        border-bottom: 1px solid var(--esante-color-border);
      }
    `,
  ];

  private blobUrls: string[] = [];
  private attachmentUrls = new Map<MimeAttachment, string>();
  /** The message's inline images by Content-ID, as data: URLs for the frame. */
  private cidUrls = new Map<string, string>();
  private abort = new AbortController();

  @state() private accessor view: View = { state: 'loading' };
  @state() private accessor report: VerificationReport | undefined = undefined;
  @state() private accessor reportError: string | undefined = undefined;
  @state() private accessor statusView: StatusView = { state: 'closed' };

  /** Opens the container; rejects with an already translated message. */
  @property({ attribute: false }) accessor open: ((signal: AbortSignal) => Promise<OpenedMessage>) | undefined = undefined;
  /** Translates a failure of `open` into the text of the error banner. */
  @property({ attribute: false }) accessor describeError: ((err: unknown) => string) | undefined = undefined;
  /** Verifies a signed inner message (VerifySignature). */
  @property({ attribute: false }) accessor verify: ((mime: Uint8Array) => Promise<VerificationReport>) | undefined = undefined;
  /** The read status for the sender (GetSecureMessageStatus). */
  @property({ attribute: false }) accessor loadStatus: ((messageId: string) => Promise<SecureMessageStatus>) | undefined = undefined;
  /** The logged-in account, to know whether the viewer is the sender. */
  @property() accessor viewer = '';
  /** Called once the content is shown (the handler side hides the cover text then). */
  @property({ attribute: false }) accessor onShown: (() => void) | undefined = undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    this.abort = new AbortController();
    void this.start();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.abort.abort();
    for (const url of this.blobUrls) URL.revokeObjectURL(url);
    this.blobUrls = [];
    this.attachmentUrls.clear();
  }

  private async start(): Promise<void> {
    if (!this.open) return;
    const signal = this.abort.signal;
    this.view = { state: 'loading' };
    this.dataset['state'] = 'loading';
    try {
      const opened = await this.open(signal);
      if (signal.aborted) return;
      const cids = new Map<string, string>();
      for (const a of opened.display.attachments) {
        this.attachmentUrls.set(a, this.blobUrl(a));
        const inline = a.contentId ? inlineImageDataUrl(a.contentType, a.data) : undefined;
        if (a.contentId && inline) cids.set(a.contentId, inline);
      }
      this.cidUrls = cids;
      const sanitized = opened.display.html !== undefined ? this.sanitize(opened.display.html, false) : undefined;
      this.view = { state: 'ready', opened, html: sanitized, remoteImages: false };
      this.dataset['state'] = 'ready';
      this.onShown?.();
      if (opened.display.signed && this.verify) void this.runVerify(opened.mime, signal);
    } catch (err) {
      if (signal.aborted) return;
      this.view = { state: 'error', message: this.describeError ? this.describeError(err) : String(err) };
      this.dataset['state'] = 'error';
    }
  }

  private async runVerify(mime: Uint8Array, signal: AbortSignal): Promise<void> {
    try {
      const report = await this.verify!(mime);
      if (!signal.aborted) this.report = report;
    } catch (err) {
      if (!signal.aborted) this.reportError = this.describeError ? this.describeError(err) : String(err);
    }
  }

  private sanitize(html: string, remoteImages: boolean): SafeHtml {
    const cids = this.cidUrls;
    return sanitizeMessageHtml(html, { cidUrl: (id) => cids.get(id), remoteImages });
  }

  /** "Afficher les images": this message only, for this view only (nothing remembered). */
  private showImages(): void {
    const v = this.view;
    if (v.state !== 'ready' || v.opened.display.html === undefined) return;
    this.view = { ...v, html: this.sanitize(v.opened.display.html, true), remoteImages: true };
  }

  private renderBody(v: Extract<View, { state: 'ready' }>) {
    if (!v.html) return html`<pre>${v.opened.display.text ?? ''}</pre>`;
    return html`${v.html.heldImages > 0 && !v.remoteImages
        ? html`<p class="images" role="status">
            ${this.msg('read_images_held', v.html.heldImages)}
            <button type="button" id="show-images" @click=${() => this.showImages()}>${this.msg('read_images_show')}</button>
          </p>`
        : nothing}
      <iframe
        id="body-frame"
        title=${this.msg('read_body_title')}
        sandbox=${MESSAGE_FRAME_SANDBOX}
        referrerpolicy="no-referrer"
        .srcdoc=${frameDocument(v.html, { remoteImages: v.remoteImages, lang: this.host?.lang ?? 'fr' })}
      ></iframe>`;
  }

  private blobUrl(a: MimeAttachment): string {
    // Served as an opaque download type unless it is an image shown inline: a decrypted HTML or SVG
    // attachment must not run in the webmail's origin when opened.
    const inlineImage = a.inline && /^image\/(png|jpeg|gif|webp|bmp)$/.test(a.contentType);
    const url = URL.createObjectURL(new Blob([a.data as Uint8Array<ArrayBuffer>], { type: inlineImage ? a.contentType : 'application/octet-stream' }));
    this.blobUrls.push(url);
    return url;
  }

  private async toggleStatus(messageId: string): Promise<void> {
    if (this.statusView.state !== 'closed' && this.statusView.state !== 'error') {
      this.statusView = { state: 'closed' };
      return;
    }
    if (!this.loadStatus) return;
    this.statusView = { state: 'loading' };
    try {
      this.statusView = { state: 'ready', status: await this.loadStatus(messageId) };
    } catch (err) {
      this.statusView = { state: 'error', message: this.describeError ? this.describeError(err) : String(err) };
    }
  }

  private formatDateTime(iso: string | undefined): string {
    return formatDateTime(iso, this.host?.lang ?? 'fr', 'medium');
  }

  private formatSize(bytes: number): string {
    if (bytes < 1024) return this.msg('read_size_bytes', bytes);
    if (bytes < 1024 * 1024) return this.msg('read_size_kb', Math.round(bytes / 1024));
    return this.msg('read_size_mb', (bytes / 1024 / 1024).toFixed(1));
  }

  private renderStatus(messageId: string) {
    const open = this.statusView.state !== 'closed';
    return html`<div id="status">
      <button id="status-button" type="button" aria-expanded=${open ? 'true' : 'false'} aria-controls="status-panel" @click=${() => void this.toggleStatus(messageId)}>
        ${this.msg('read_status_button')}
      </button>
      <div id="status-panel" aria-live="polite">${this.renderStatusBody()}</div>
    </div>`;
  }

  private renderStatusBody() {
    const s = this.statusView;
    if (s.state === 'closed') return nothing;
    if (s.state === 'loading') return html`<p>${this.msg('read_status_loading')}</p>`;
    if (s.state === 'error') return html`<esante-banner kind="error" .host=${this.host} .text=${s.message}></esante-banner>`;
    const st = s.status;
    return html`<table>
        <caption class="visually-hidden">${this.msg('read_status_caption')}</caption>
        <thead>
          <tr>
            <th scope="col">${this.msg('read_status_recipient')}</th>
            <th scope="col">${this.msg('read_status_opened')}</th>
          </tr>
        </thead>
        <tbody>
          ${st.recipients.map(
            (r) =>
              html`<tr data-recipient=${r.address} data-opened=${r.openedAt ? 'true' : 'false'}>
                <td>${r.address}</td>
                <td>${r.openedAt ? this.msg('read_status_opened_at', this.formatDateTime(r.openedAt)) : this.msg('read_status_not_opened')}</td>
              </tr>`,
          )}
        </tbody>
      </table>
      <p>${this.msg('read_status_deadline', this.formatDateTime(st.readDeadline))}</p>`;
  }

  /**
   * The signature banner of guide p.12 ("Message signé par NOM le DATE… Cliquez ici pour voir le
   * rapport"), the security zimlet's shared element, once VerifySignature answered; a plain banner while
   * checking or when the check itself failed (service down).
   */
  private renderSignature() {
    if (this.reportError) return html`<esante-banner data-banner="signed" kind="error" .host=${this.host} .text=${this.reportError}></esante-banner>`;
    const r = this.report;
    if (!r) return html`<esante-banner data-banner="signed" kind="signed" .host=${this.host} .text=${this.msg('banner_signed_checking')}></esante-banner>`;
    // The wire type keeps `reason` a plain string; the element narrows it with isSignatureReason itself.
    return html`<esante-signature-banner data-banner="signed" .host=${this.host} .report=${r as unknown as SignatureReport}></esante-signature-banner>`;
  }

  override render() {
    const v = this.view;
    if (v.state === 'loading') {
      return html`<esante-banner data-banner="encrypted" kind="encrypted" .host=${this.host} .text=${this.msg('read_loading')}></esante-banner>`;
    }
    if (v.state === 'error') {
      return html`<esante-banner data-banner="error" kind="error" .host=${this.host} .text=${v.message}></esante-banner>`;
    }
    const { opened } = v;
    const d = opened.display;
    const isSender = this.viewer !== '' && this.viewer.toLowerCase() === opened.sender.mail.toLowerCase();
    const files = d.attachments.filter((a) => !a.inline);
    return html`
      <esante-banner data-banner="encrypted" kind="encrypted" .host=${this.host} .text=${this.msg('banner_encrypted')}></esante-banner>
      ${opened.sender.levelBanner
        ? html`<esante-banner data-banner="level" kind="level" .host=${this.host}
            .text=${this.msg('banner_sender_level', bannerName(opened.sender), opened.sender.level)}></esante-banner>`
        : nothing}
      ${d.signed ? this.renderSignature() : nothing}
      <dl class="meta">
        <dt>${this.msg('read_from')}</dt><dd data-field="from">${senderLine(opened.sender)}</dd>
        ${mailboxAddress(d.from) !== opened.sender.mail.toLowerCase()
          ? html`<dt class="warn">${this.msg('read_from_claimed')}</dt><dd class="warn" data-field="from-claimed">${d.from || '—'}</dd>`
          : nothing}
        ${d.to ? html`<dt>${this.msg('read_to')}</dt><dd>${d.to}</dd>` : nothing}
        ${d.cc ? html`<dt>${this.msg('read_cc')}</dt><dd>${d.cc}</dd>` : nothing}
        ${opened.sentAt ? html`<dt>${this.msg('read_sent_at')}</dt><dd>${this.formatDateTime(opened.sentAt)}</dd>` : nothing}
      </dl>
      <div id="content">
        ${this.renderBody(v)}
      </div>
      ${files.length > 0
        ? html`<section id="attachments" aria-label=${this.msg('read_attachments')}>
            <ul>
              ${files.map(
                (a) =>
                  html`<li><a href=${this.attachmentUrls.get(a) ?? '#'} download=${a.filename}>${a.filename}</a> (${this.formatSize(a.data.length)})</li>`,
              )}
            </ul>
          </section>`
        : nothing}
      ${isSender && this.loadStatus ? this.renderStatus(opened.header.messageId) : nothing}
    `;
  }
}

RegifySecureMessage.define('esante-regify-secure-message');

declare global {
  interface HTMLElementTagNameMap {
    'esante-regify-secure-message': RegifySecureMessage;
  }
}
