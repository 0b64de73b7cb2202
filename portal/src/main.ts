/**
 * The recipients' portal page (guide p.13, architecture flow 4). Plain DOM, no framework: forms to
 * log in or sign up (address proved by a mailed code), then a file picker that opens a secure
 * message (.esmsg) entirely in the browser: the key is released by the service for the logged-in
 * recipient, the container is decrypted with WebCrypto (shared/container), the MIME is read
 * (shared/messages/mime.ts, the reader the regify zimlet uses too) and the HTML body is sanitised with DOMPurify and shown in a sandboxed
 * frame without scripts. Neither the file nor its content is ever sent to the server.
 * Issue 12: under an opened message, "Répondre" writes a secure answer to its sender: the MIME is
 * built here (shared/messages/build-mime.ts), sealed here under a data key the service registered for the sender
 * alone, and only the sealed container is uploaded (server-extension/src/messages/portal-reply.ts).
 */
import { CONTAINER_MEDIA_TYPE, containerDigest, dataKeyFromBase64, openContainer, readHeader, sealContainerParts, ContainerError } from '../../shared/container/container.ts';
import { errorText, isErrorCode } from '../../shared/errors.ts';
import { formatDateTime } from '../../shared/i18n/dates.ts';
import { format, pickLang, type Lang } from '../../shared/i18n/lang.ts';
import { mailboxAddress, parseMime, toDisplay, type DisplayMessage } from '../../shared/messages/mime.ts';
import { MESSAGE_FRAME_SANDBOX, frameDocument, inlineImageDataUrl, sanitizeMessageHtml } from '../../shared/messages/safe-html.ts';
import { PORTAL_CSRF_HEADER, PORTAL_REPLY_TICKET_HEADER, type PortalErrorBody, type PortalRelease, type PortalReplyRegistration, type PortalReplySent } from '../../shared/messages/portal-api.ts';
import { PORTAL_TEXTS, type PortalTextKey } from '../../shared/messages/portal-texts.ts';
import { buildMimeMessage, type BuiltAttachment } from '../../shared/messages/build-mime.ts';

const app = document.getElementById('app')!;
const lang: Lang = pickLang(app.dataset['lang']);
const api = app.dataset['api']!;
const maxBytes = Number(app.dataset['maxBytes']);
const replyMaxBytes = Number(app.dataset['replyMaxBytes'] ?? maxBytes);
const megabytes = (n: number): string => new Intl.NumberFormat(lang, { maximumFractionDigits: 1 }).format(Math.max(0.1, n / 1_048_576));
const keyService = app.dataset['keyService']!;
const codeMinutes = Number(app.dataset['codeMinutes']);
const t = (key: PortalTextKey, ...args: Array<string | number>): string => format(PORTAL_TEXTS[lang][key], ...args);

class PortalError extends Error {
  /** The service's error code, when the error came from it. */
  constructor(message: string, readonly code?: string) {
    super(message);
  }
}

async function call<T>(path: string, body?: Record<string, unknown>): Promise<T> {
  return answer<T>(
    path,
    await fetch(`${api}${path}`, {
      method: body ? 'POST' : 'GET',
      credentials: 'same-origin',
      headers: body ? { 'Content-Type': 'application/json', [PORTAL_CSRF_HEADER]: '1', 'Accept-Language': lang } : { 'Accept-Language': lang },
      ...(body ? { body: JSON.stringify({ ...body, lang }) } : {}),
    }),
  );
}

async function answer<T>(path: string, res: Response): Promise<T> {
  const json = (await res.json().catch(() => ({}))) as Partial<PortalErrorBody> & T;
  if (!res.ok) {
    const message = json.error?.message ?? `HTTP ${res.status}`;
    // The session ended under us (expired, logged out elsewhere, account locked): back to the log-in form, saying why.
    if (json.error?.code === 'portal.session_required' && path !== '/session' && app.querySelector('[data-testid="portal-user"]')) {
      render(null, message);
    }
    throw new PortalError(message, json.error?.code);
  }
  return json;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

let fieldCount = 0;
function field(label: string, type: string, name: string, autocomplete: string): { wrap: HTMLElement; input: HTMLInputElement } {
  const id = `f${++fieldCount}`;
  const input = el('input', { id, type, name, autocomplete, required: '' });
  return { wrap: el('div', {}, el('label', { for: id }, label), input), input };
}

function errorLine(): HTMLElement {
  return el('p', { class: 'error', role: 'alert', 'aria-live': 'assertive' });
}

function show(node: Element, err: unknown): void {
  node.textContent = err instanceof PortalError ? err.message : err instanceof ContainerError && isErrorCode(err.code) ? errorText(err.code, lang, ...(err.args ?? [])) : `${t('error')}: ${(err as Error).message}`;
}

function loginSection(): HTMLElement {
  const email = field(t('email'), 'email', 'email', 'username');
  const password = field(t('password'), 'password', 'password', 'current-password');
  const error = errorLine();
  const form = el('form', { 'data-testid': 'portal-login' }, email.wrap, password.wrap, el('button', { type: 'submit' }, t('login')), error);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    call<{ email: string }>('/login', { email: email.input.value, password: password.input.value })
      .then((r) => render(r.email))
      .catch((err: unknown) => show(error, err));
  });
  return el('section', { 'aria-labelledby': 'login-h' }, el('h2', { id: 'login-h' }, t('login_title')), form);
}

function registerSection(): HTMLElement {
  const email = field(t('email'), 'email', 'email', 'email');
  const codeInfo = el('p', { class: 'hint', 'aria-live': 'polite' });
  const error = errorLine();
  const sendCode = el('button', { type: 'button', 'data-testid': 'portal-send-code' }, t('send_code'));
  const code = field(t('code'), 'text', 'code', 'one-time-code');
  code.input.setAttribute('inputmode', 'numeric');
  const fullName = field(t('full_name'), 'text', 'fullName', 'name');
  const password = field(t('password'), 'password', 'password', 'new-password');
  password.input.setAttribute('aria-describedby', 'pw-hint');
  const confirmation = field(t('confirmation'), 'password', 'confirmation', 'new-password');
  const step2 = el('div', { hidden: '' }, code.wrap, fullName.wrap, password.wrap, el('p', { id: 'pw-hint', class: 'hint' }, t('password_hint')), confirmation.wrap, el('button', { type: 'submit' }, t('register')));
  sendCode.addEventListener('click', () => {
    error.textContent = '';
    call('/register/code', { email: email.input.value })
      .then(() => {
        codeInfo.textContent = t('code_sent', codeMinutes);
        step2.hidden = false;
        code.input.focus();
      })
      .catch((err: unknown) => show(error, err));
  });
  const form = el('form', { 'data-testid': 'portal-register' }, email.wrap, sendCode, codeInfo, step2, error);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    call<{ email: string }>('/register', {
      email: email.input.value,
      code: code.input.value,
      fullName: fullName.input.value,
      password: password.input.value,
      confirmation: confirmation.input.value,
    })
      .then((r) => render(r.email))
      .catch((err: unknown) => show(error, err));
  });
  return el('section', { 'aria-labelledby': 'register-h' }, el('h2', { id: 'register-h' }, t('register_title')), form);
}

type Released = PortalRelease;

function showMessage(target: HTMLElement, view: DisplayMessage, released: Released): void {
  const banners = el('div', {}, el('p', { class: 'banner', 'data-testid': 'portal-banner-encrypted' }, t('banner_encrypted')));
  if (released.sender.levelBanner) {
    banners.append(el('p', { class: 'banner level', 'data-testid': 'portal-banner-level' }, t('banner_level', released.sender.displayName ?? released.sender.mail, released.sender.level)));
  }
  const headers = el('dl', { class: 'headers' });
  // "De" is who the key service knows sent it; a different From written inside the message is shown apart.
  const sender = released.sender.displayName ? `${released.sender.displayName} <${released.sender.mail}>` : released.sender.mail;
  const claimed = mailboxAddress(view.from) !== released.sender.mail.toLowerCase() ? view.from || '—' : '';
  for (const [label, value] of [[t('from'), sender], [t('from_claimed'), claimed], [t('to'), view.to], [t('cc'), view.cc], [t('date'), formatDateTime(view.date, lang, 'full')], [t('subject'), view.subject]] as const) {
    if (value) headers.append(el('dt', label === t('from_claimed') ? { class: 'warn' } : {}, label), el('dd', label === t('from_claimed') ? { class: 'warn', 'data-testid': 'portal-from-claimed' } : {}, value));
  }
  let body: HTMLElement;
  if (view.html !== undefined) {
    // The webmail's two layers (shared/messages/safe-html.ts): DOMPurify, then a sandboxed frame with
    // its own CSP. Remote images stay out: this page's CSP (img-src 'self' data: blob:) would block them anyway.
    const cids = new Map(view.attachments.filter((a) => a.contentId).map((a) => [a.contentId!, inlineImageDataUrl(a.contentType, a.data)] as const));
    const safe = sanitizeMessageHtml(view.html, { cidUrl: (id) => cids.get(id) });
    const frame = el('iframe', { class: 'body', sandbox: MESSAGE_FRAME_SANDBOX, referrerpolicy: 'no-referrer', title: view.subject || t('subject'), 'data-testid': 'portal-body-html' });
    (frame as HTMLIFrameElement).srcdoc = frameDocument(safe, { lang });
    body = safe.heldImages > 0 ? el('div', {}, el('p', { class: 'hint', role: 'status', 'data-testid': 'portal-images-held' }, t('images_held', safe.heldImages)), frame) : frame;
  } else {
    body = el('pre', { class: 'body', 'data-testid': 'portal-body-text' }, view.text ?? '');
  }
  const list = el('ul', { 'data-testid': 'portal-attachments' });
  for (const a of view.attachments) {
    const url = URL.createObjectURL(new Blob([a.data as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
    list.append(el('li', {}, el('a', { href: url, download: a.filename }, `${t('download')} ${a.filename}`), ` (${t('bytes', a.data.length)})`));
  }
  target.replaceChildren(banners, headers, body, ...(view.attachments.length ? [el('h3', {}, t('attachments')), list] : []), replySection(target, released));
}

/**
 * "Répondre" under an opened message, and its form. The service decides the recipient (the original's
 * sender); the page only shows who it is once the answer is registered, and the hint names the
 * sender as the key service knows them.
 */
function replySection(target: HTMLElement, released: Released): HTMLElement {
  const senderName = released.sender.displayName ? `${released.sender.displayName} <${released.sender.mail}>` : released.sender.mail;
  const open = el('button', { type: 'button', 'data-testid': 'portal-reply', 'aria-expanded': 'false', 'aria-controls': 'reply-form' }, t('reply'));
  const text = el('textarea', { id: 'reply-text', name: 'text', 'data-testid': 'portal-reply-text' });
  const files = el('input', { id: 'reply-files', type: 'file', multiple: '', 'data-testid': 'portal-reply-files' });
  const status = el('p', { class: 'hint', 'aria-live': 'polite', 'data-testid': 'portal-reply-status' });
  const error = errorLine();
  error.setAttribute('data-testid', 'portal-reply-error');
  const send = el('button', { type: 'submit', 'data-testid': 'portal-reply-send' }, t('reply_send'));
  const cancel = el('button', { type: 'button', class: 'secondary' }, t('reply_cancel'));
  const heading = el('h3', { id: 'reply-h', tabindex: '-1' }, t('reply_title'));
  const form = el(
    'form',
    { id: 'reply-form', 'aria-labelledby': 'reply-h', 'data-testid': 'portal-reply-form', hidden: '' },
    heading,
    el('p', { class: 'hint', id: 'reply-hint' }, t('reply_to', senderName), el('br'), t('reply_hint', senderName)),
    el('label', { for: 'reply-text' }, t('reply_text')),
    text,
    el('label', { for: 'reply-files' }, t('reply_files', megabytes(replyMaxBytes))),
    files,
    el('div', {}, send, cancel),
    status,
    error,
  );
  text.setAttribute('aria-describedby', 'reply-hint');
  open.addEventListener('click', () => {
    form.hidden = false;
    open.setAttribute('aria-expanded', 'true');
    text.focus();
  });
  cancel.addEventListener('click', () => {
    form.hidden = true;
    open.setAttribute('aria-expanded', 'false');
    open.focus();
  });
  let busy = false;
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (busy) return;
    error.textContent = '';
    const chosen = Array.from(files.files ?? []);
    if (!text.value.trim() && chosen.length === 0) {
      error.textContent = t('reply_empty');
      return;
    }
    // A first, cheap bound before anything is read or registered; the sealed size is checked again below and by the service.
    if (chosen.reduce((n, f) => n + f.size, 0) > replyMaxBytes) {
      error.textContent = t('reply_too_large', megabytes(replyMaxBytes));
      return;
    }
    busy = true;
    send.disabled = true;
    status.textContent = t('reply_sending');
    void (async () => {
      let key: Uint8Array | undefined;
      try {
        const attachments: BuiltAttachment[] = [];
        for (const f of chosen) attachments.push({ fileName: f.name, mimeType: f.type || 'application/octet-stream', bytes: new Uint8Array(await f.arrayBuffer()) });
        const reg = await call<PortalReplyRegistration>('/reply/register', { messageId: released.messageId });
        const mime = buildMimeMessage({ from: reg.sender.mail, to: [reg.to.mail], subject: reg.subject, text: text.value, attachments });
        key = dataKeyFromBase64(reg.dataKey);
        // Kept as its segments and sent as their Blob: no copy of the whole answer (issue 17).
        const sealed = await sealContainerParts({ messageId: reg.messageId, keyService: reg.keyService, sender: reg.sender.mail, mime, key });
        key.fill(0);
        if (sealed.length > reg.maxBytes) throw new PortalError(t('reply_too_large', megabytes(reg.maxBytes)));
        const sent = await answer<PortalReplySent>(
          '/reply/send',
          await fetch(`${api}/reply/send`, {
            method: 'POST',
            credentials: 'same-origin',
            headers: { 'Content-Type': CONTAINER_MEDIA_TYPE, [PORTAL_CSRF_HEADER]: '1', [PORTAL_REPLY_TICKET_HEADER]: reg.ticket, 'Accept-Language': lang },
            body: new Blob(sealed.parts as Uint8Array<ArrayBuffer>[], { type: CONTAINER_MEDIA_TYPE }),
          }),
        );
        const done = el('p', { class: 'success', role: 'status', tabindex: '-1', 'data-testid': 'portal-reply-sent' }, t('reply_sent', reg.to.displayName ? `${reg.to.displayName} <${sent.to}>` : sent.to));
        form.replaceWith(done);
        open.remove();
        done.focus();
      } catch (err) {
        key?.fill(0);
        status.textContent = '';
        if (err instanceof PortalError && (err.code === 'message.revoked' || err.code === 'message.access_ended')) {
          // Withdrawn since it was opened: the same page as when opening it, instead of the message and the form.
          showWithdrawn(target, err.code, err.message, released.sender.mail);
          return;
        }
        show(error, err);
      } finally {
        busy = false;
        send.disabled = false;
      }
    })();
  });
  return el('div', { class: 'reply' }, open, form);
}

function showWithdrawn(target: HTMLElement, code: 'message.revoked' | 'message.access_ended', text: string, sender: string): void {
  const heading = el('h3', { tabindex: '-1' }, t(code === 'message.revoked' ? 'withdrawn_title' : 'access_ended_title'));
  target.replaceChildren(
    el(
      'section',
      { class: 'withdrawn', role: 'status', 'data-testid': 'portal-withdrawn', 'data-code': code },
      heading,
      el('p', {}, text),
      ...(sender ? [el('p', {}, t('withdrawn_contact', sender))] : []),
    ),
  );
  heading.focus(); // screen readers and keyboard users land on the notice
}

function openSection(): HTMLElement {
  const id = 'container-file';
  const input = el('input', { id, type: 'file', accept: '.esmsg,application/vnd.esante.secure-message', 'data-testid': 'portal-file' });
  const status = el('p', { 'aria-live': 'polite', class: 'hint' });
  const error = errorLine();
  const result = el('div', { 'data-testid': 'portal-message' });
  const form = el('form', {}, el('label', { for: id }, t('choose_file')), input, el('button', { type: 'submit' }, t('open')), status, error);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    error.textContent = '';
    result.replaceChildren();
    const file = input.files?.[0];
    if (!file) return;
    if (file.size > maxBytes) {
      error.textContent = t('too_large', Math.floor(maxBytes / 1048576));
      return;
    }
    status.textContent = t('opening');
    let sender = '';
    void (async () => {
      try {
        const bytes = new Uint8Array(await file.arrayBuffer());
        const header = readHeader(bytes);
        sender = header.sender;
        if (header.keyService !== keyService) throw new PortalError(t('other_service', header.keyService));
        let released: Released | undefined;
        const opened = await openContainer(bytes, async (h) => {
          released = await call<Released>('/release', { messageId: h.messageId });
          // The file must be the very one the sender uploaded (a recipient could re-seal another).
          // The service releases keys to recipients only once the sender confirmed the upload, with its digest.
          if (!released.containerDigest || released.containerDigest !== (await containerDigest(bytes))) throw new PortalError(t('digest_mismatch'));
          if (released.sender.mail.toLowerCase() !== h.sender.toLowerCase()) throw new PortalError(t('digest_mismatch'));
          return dataKeyFromBase64(released.dataKey);
        });
        showMessage(result, toDisplay(parseMime(opened.mime)), released!);
        status.textContent = '';
      } catch (err) {
        status.textContent = '';
        if (err instanceof PortalError && (err.code === 'message.revoked' || err.code === 'message.access_ended')) {
          // Issue 12: not an error of the reader's, a state of the message: a page of its own saying
          // what happened and when (the service's text, dated in this page's language) and who to ask.
          showWithdrawn(result, err.code, err.message, sender);
          return;
        }
        show(error, err);
      }
    })();
  });
  return el('section', { 'aria-labelledby': 'open-h' }, el('h2', { id: 'open-h' }, t('open_title')), form, result);
}

function render(email: string | null, notice?: string): void {
  const intro = app.querySelector('p');
  const children: Node[] = intro ? [intro] : [];
  if (notice) children.push(el('p', { class: 'error', role: 'alert', 'data-testid': 'portal-notice' }, notice));
  if (email) {
    const logout = el('button', { type: 'button' }, t('logout'));
    logout.addEventListener('click', () => void call('/logout', {}).finally(() => render(null)));
    children.push(el('p', { 'data-testid': 'portal-user' }, t('logged_in_as', email), ' ', logout), openSection());
  } else {
    children.push(loginSection(), registerSection());
  }
  app.replaceChildren(...children);
}

call<{ email: string }>('/session')
  .then((r) => render(r.email))
  .catch(() => render(null));
