/**
 * The sender's HTML, made safe to show a doctor — in the webmail (regify's secure message view) and in
 * the recipients' portal. Two layers, because one sanitizer bypass must not be enough (DOMPurify has
 * had several, e.g. CVE-2024-45801, CVE-2024-47875, mutation-XSS through namespace confusion):
 *
 * 1. DOMPurify (cure53, the field's sanitizer): no scripts, forms, styles, frames, event handlers or
 *    `javascript:` URLs; links open in a new tab with `noopener noreferrer`; `cid:` images point at the
 *    message's own parts; remote images are held back (their URL kept in `data-esante-remote-src`)
 *    until the reader chooses "Afficher les images" for that message — as Zimbra does for external
 *    images (zm-web-client ZmMailMsgView.js `_showImages`/`_checkImgInAttachments`, pref
 *    zimbraPrefDisplayExternalImages default FALSE), since a remote image tells the sender when a
 *    patient file is read, and from where.
 * 2. The result is shown in `<iframe sandbox srcdoc>` (frameDocument below): no `allow-scripts` and no
 *    `allow-same-origin`, so even markup DOMPurify let through cannot run, read the webmail's session or
 *    reuse its CSS classes (the frame has its own document: a message cannot draw a genuine-looking
 *    "De :" line with the panel's styles). Its own CSP (a `<meta>` policy, which a srcdoc document
 *    adds to its parent's) allows no network at all but for images the reader released.
 *    `allow-popups allow-popups-to-escape-sandbox` only lets a link open in a new, normal tab.
 */
import createDOMPurify from 'dompurify';

type Purifier = ReturnType<typeof createDOMPurify>;

export interface SafeHtmlOptions {
  /** The message's inline parts by Content-ID (without `<>`), as `data:` URLs (a blob: URL of the webmail's origin would not load in the opaque-origin frame). */
  cidUrl?: (contentId: string) => string | undefined;
  /** true once the reader chose to show this message's remote images. */
  remoteImages?: boolean;
}

export interface SafeHtml {
  html: string;
  /** How many remote images were held back (0: no "Afficher les images" to offer). */
  heldImages: number;
}

const URL_ATTRS = ['src', 'background', 'poster', 'srcset'] as const;

/** One purifier per window (hooks are per instance); options of the current call passed through `current`. */
const purifiers = new WeakMap<object, Purifier>();
let current: { options: SafeHtmlOptions; held: number } = { options: {}, held: 0 };

function purifierFor(win: Window & typeof globalThis): Purifier {
  const known = purifiers.get(win);
  if (known) return known;
  const p = createDOMPurify(win);
  p.addHook('afterSanitizeAttributes', (node) => {
    const el = node as Element;
    if (el.tagName === 'A' && el.hasAttribute('href')) {
      el.setAttribute('target', '_blank');
      el.setAttribute('rel', 'noopener noreferrer');
    }
    for (const attr of URL_ATTRS) {
      const value = el.getAttribute?.(attr)?.trim();
      if (value === undefined) continue;
      const cid = /^cid:(.+)$/i.exec(value);
      if (cid) {
        const url = current.options.cidUrl?.(decodeURIComponent(cid[1]!).replace(/^<|>$/g, ''));
        if (url) el.setAttribute(attr, url);
        else el.removeAttribute(attr);
      } else if (/^data:image\/(png|jpeg|gif|webp|bmp);/i.test(value)) {
        // Inline bytes: no request, nothing to hold back.
      } else if (attr === 'src' && el.tagName === 'IMG' && /^https?:\/\//i.test(value)) {
        if (!current.options.remoteImages) {
          el.setAttribute('data-esante-remote-src', value);
          el.removeAttribute(attr);
          current.held++;
        }
      } else {
        // Every other URL in an image-like attribute (srcset, background, relative, other schemes) is dropped.
        el.removeAttribute(attr);
      }
    }
  });
  purifiers.set(win, p);
  return p;
}

export function sanitizeMessageHtml(html: string, options: SafeHtmlOptions = {}, win: Window & typeof globalThis = window): SafeHtml {
  const p = purifierFor(win);
  current = { options, held: 0 };
  try {
    const clean = p.sanitize(html, {
      USE_PROFILES: { html: true },
      FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'iframe', 'frame', 'object', 'embed', 'link', 'meta', 'base', 'svg', 'math'],
      FORBID_ATTR: ['style', 'srcset'],
      ALLOW_DATA_ATTR: false,
      ADD_ATTR: ['target'],
    });
    // DOMPurify drops unknown data-* attributes (ALLOW_DATA_ATTR false) but keeps the ones the hook set after its check.
    return { html: String(clean), heldImages: current.held };
  } finally {
    current = { options: {}, held: 0 };
  }
}

/**
 * The `srcdoc` of the message frame: the sanitized HTML under a policy that forbids every request but
 * `data:` images (and http(s) images once released), every script, form and navigation of the frame itself.
 */
export function frameDocument(safe: SafeHtml, options: { remoteImages?: boolean; lang?: string } = {}): string {
  const img = options.remoteImages ? "data: https: http:" : 'data:';
  const csp = `default-src 'none'; img-src ${img}; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'`;
  const lang = /^[a-z]{2}$/.test(options.lang ?? '') ? options.lang : 'fr';
  return (
    `<!doctype html><html lang="${lang}"><head><meta charset="utf-8">` +
    `<meta http-equiv="Content-Security-Policy" content="${csp}">` +
    '<base target="_blank">' +
    '<style>body{font:14px/1.45 system-ui,sans-serif;margin:8px;color:#1b1b1b;overflow-wrap:anywhere}img{max-width:100%;height:auto}</style>' +
    `</head><body>${safe.html}</body></html>`
  );
}

/** The sandbox of the message frame (see the header): links may open a normal new tab, nothing else. */
export const MESSAGE_FRAME_SANDBOX = 'allow-popups allow-popups-to-escape-sandbox';

/** `data:` URL of an inline image part (only raster types a browser shows without running anything). */
export function inlineImageDataUrl(contentType: string, bytes: Uint8Array): string | undefined {
  if (!/^image\/(png|jpeg|gif|webp|bmp)$/i.test(contentType)) return undefined;
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return `data:${contentType.toLowerCase()};base64,${btoa(bin)}`;
}
