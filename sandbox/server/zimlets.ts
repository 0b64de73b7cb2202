/**
 * Zimlet deployment the way `zmzimletctl deploy` does it, for every `*.zip` of the zimlets folder:
 * - zip checks and layout from zm-mailbox `store/src/java/com/zimbra/cs/zimlet/ZimletFile.java`: the
 *   descriptor is `<lowercased zip basename>.xml`, entry names are matched lowercased, names with `../`
 *   or control characters and absolute paths make the whole zip invalid, empty entries are ignored;
 * - the descriptor and `config_template.xml` become Zimbra's JSON (Element.toJSON: attributes as keys,
 *   child elements as arrays, text as `_content`) for GetInfoResponse `zimlets.zimlet[]`
 *   (ZimletUtil.listZimlet: `zimletContext`, `zimlet`, `zimletConfig`);
 * - files are served at `/service/zimlet/<name>/<file>` and every zimlet's properties plus its local
 *   `include` scripts are concatenated into `/service/zimlet/res/Zimlets-nodev_all.js` (what Zimbra
 *   serves gzipped as `Zimlets-nodev_all.js.zgz`, read by zm-web-client `ZmZimletMgr.__getIncludes`).
 * Like Zimbra's ZimletFilter, everything under /service/zimlet/ needs a valid auth cookie.
 * Compressed like Zimbra's mailboxd does it (sendCompressible below): zm-jetty-conf
 * `conf/jetty/jetty.xml.production` (HTTPCOMPRESSIONBEGIN, on while zimbraHttpCompressionEnabled is TRUE,
 * its default) wraps every webapp in Jetty's GzipHandler with minGzipSize 2048, methods GET and POST,
 * MSIE 6.0 excluded; the handler's own defaults skip images, audio, video and already-compressed types
 * (jetty-server `handler/gzip/GzipHandler.java`, constructor and getDeflater).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readdir, readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { join, extname } from 'node:path';
import yauzl from 'yauzl';
import { DOMParser } from '@xmldom/xmldom';
import type { SandboxDeps } from './context.ts';
import { authTokenFromCookie, sendText } from './http-util.ts';

const ZIMLET_NAME = /^[\w.-]+$/;
/** ZimletFile.BAD_FILE_NAME_PATTERN plus backslashes (Windows-made zips). */
const BAD_ENTRY = /(\.\.\/)|[\u0000-\u001f\u007f]|\\/;
const MAX_ZIP_BYTES = 20 * 1024 * 1024;
const MAX_ENTRIES = 500;
/** ZmZimletMgr._RE_REMOTE: includes that are URLs are loaded by the client, not concatenated. */
const REMOTE = /^((https?|ftps?):\/\/|\/)/;
const LOCALE = /^[a-z]{2,3}$/i;
const COUNTRY = /^[a-z]{2}$/i;

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'application/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.properties': 'text/plain; charset=utf-8',
  '.png': 'image/png',
  '.gif': 'image/gif',
  '.jpg': 'image/jpeg',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
};

/** GzipHandler's settings in zm-jetty-conf jetty.xml.production (see the header). */
const GZIP_MIN_BYTES = 2048;
const GZIP_METHODS = new Set(['GET', 'POST']);
const GZIP_EXCLUDED_AGENT = /.*MSIE.6\.0.*/;
/** GzipHandler's default exclusions: media and formats that are compressed already. */
const GZIP_EXCLUDED_TYPE = /^(image\/(?!svg\+xml)|audio\/|video\/|application\/(compress|zip|gzip|bzip2|brotli|x-xz|x-rar-compressed)\b)/;

/** Whether the request's Accept-Encoding admits gzip (as GzipHandler reads it: not refused with q=0). */
function acceptsGzip(req: IncomingMessage): boolean {
  const header = req.headers['accept-encoding'];
  const value = Array.isArray(header) ? header.join(',') : (header ?? '');
  return value.split(',').some((part) => {
    const [coding, ...params] = part.trim().split(';').map((x) => x.trim().toLowerCase());
    if (coding !== 'gzip' && coding !== '*') return false;
    const q = params.find((p) => p.startsWith('q='));
    return !q || Number(q.slice(2)) > 0;
  });
}

/**
 * sendText with Jetty GzipHandler's rules: gzip when the method, the type and the size allow it and
 * the client accepts it; `Vary: Accept-Encoding, User-Agent` (GzipHandler's, with its excluded agent)
 * on every answer whose type could be compressed. `gzipped` returns the compressed body (cached by the caller).
 */
function sendCompressible(req: IncomingMessage, res: ServerResponse, body: Buffer, contentType: string, headers: Record<string, string>, gzipped: () => Buffer): void {
  if (!GZIP_METHODS.has(req.method ?? '') || GZIP_EXCLUDED_TYPE.test(contentType)) return sendText(res, 200, body, contentType, headers);
  const vary = { ...headers, Vary: 'Accept-Encoding, User-Agent' };
  if (body.length < GZIP_MIN_BYTES || GZIP_EXCLUDED_AGENT.test(req.headers['user-agent'] ?? '') || !acceptsGzip(req)) return sendText(res, 200, body, contentType, vary);
  sendText(res, 200, gzipped(), contentType, { ...vary, 'Content-Encoding': 'gzip' });
}

type JsonElement = Record<string, unknown>;

/** Zimbra's JSON form of an XML element (zm-common Element.JSONElement). */
export function elementToJson(el: Element): JsonElement {
  const out: JsonElement = {};
  for (let i = 0; i < el.attributes.length; i++) {
    const a = el.attributes.item(i)!;
    if (a.name === 'xmlns' || a.name.startsWith('xmlns:')) continue;
    out[a.name] = a.value;
  }
  let textContent = '';
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1) {
      const child = n as Element;
      const key = child.localName ?? child.nodeName;
      const arr = (out[key] as JsonElement[] | undefined) ?? [];
      arr.push(elementToJson(child));
      out[key] = arr;
    } else if (n.nodeType === 3 || n.nodeType === 4) textContent += n.nodeValue ?? '';
  }
  const trimmed = textContent.trim();
  if (trimmed) out['_content'] = trimmed;
  return out;
}

function parseXml(xml: string, what: string): Element {
  const errors: string[] = [];
  const doc = new DOMParser({
    errorHandler: { warning: () => undefined, error: (m: unknown) => errors.push(String(m)), fatalError: (m: unknown) => errors.push(String(m)) },
  }).parseFromString(xml, 'text/xml');
  const root = doc.documentElement;
  if (errors.length || !root) throw new Error(`${what}: malformed XML${errors.length ? ` (${errors[0]})` : ''}`);
  return root as unknown as Element;
}

/** Java .properties (key=value, key: value, key value; # and ! comments; line continuations; \uXXXX and \t\n escapes). */
export function parseProperties(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!.replace(/^[ \t\f]+/, '');
    if (!line || line.startsWith('#') || line.startsWith('!')) continue;
    // An odd number of trailing backslashes continues the line.
    while (/(^|[^\\])(\\\\)*\\$/.test(line) && i + 1 < lines.length) line = line.slice(0, -1) + lines[++i]!.replace(/^[ \t\f]+/, '');
    const m = /^((?:[^\\:=\s]|\\.)*)\s*[:=\s]?\s*(.*)$/s.exec(line);
    if (!m) continue;
    const unescape = (s: string): string =>
      s.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_x, e: string) =>
        e.length === 5 ? String.fromCharCode(parseInt(e.slice(1), 16)) : e === 't' ? '\t' : e === 'n' ? '\n' : e === 'r' ? '\r' : e === 'f' ? '\f' : e,
      );
    out[unescape(m[1]!)] = unescape(m[2] ?? '');
  }
  return out;
}

export interface DeployedZimlet {
  name: string;
  version: string;
  priority: number;
  /** GetInfoResponse `zimlets.zimlet[]` entry. */
  infoJson(hostname?: string): Record<string, unknown>;
}

class Zimlet implements DeployedZimlet {
  constructor(
    readonly name: string,
    readonly version: string,
    readonly priority: number,
    private readonly descriptor: JsonElement,
    private readonly config: JsonElement | null,
    /** Entries by lowercased name (ZimletFile.getEntry). */
    readonly entries: Map<string, Buffer>,
  ) {}

  infoJson(hostname = ''): Record<string, unknown> {
    const out: Record<string, unknown> = {
      zimletContext: [{ baseUrl: `/service/zimlet/${this.name}/`, priority: this.priority, presence: 'enabled' }],
      zimlet: [this.descriptor],
    };
    if (this.config) {
      // A <host name="…"> block for this server becomes `local` (ZmZimletContext.getConfig reads local before global).
      const cfg: JsonElement = { ...this.config };
      const host = ((cfg['host'] as JsonElement[] | undefined) ?? []).find((h) => h['name'] === hostname);
      delete cfg['host'];
      if (host) cfg['local'] = [{ property: host['property'] ?? [] }];
      out['zimletConfig'] = [cfg];
    }
    return out;
  }

  /** `window[name]` for a language: default file, then `_<lang>`, then `_<lang>_<COUNTRY>` override (ResourceBundle order). */
  properties(language: string | null, country: string | null): Record<string, string> {
    const files = [`${this.name}.properties`];
    if (language) files.push(`${this.name}_${language}.properties`);
    if (language && country) files.push(`${this.name}_${language}_${country}.properties`);
    const out: Record<string, string> = {};
    for (const f of files) {
      const data = this.entries.get(f.toLowerCase());
      if (data) Object.assign(out, parseProperties(data.toString('utf8')));
    }
    return out;
  }

  /** Local `include` scripts (or `includeCSS` sheets) in descriptor order. */
  includes(css: boolean): Array<{ file: string; data: Buffer }> {
    const list = (this.descriptor[css ? 'includeCSS' : 'include'] as JsonElement[] | undefined) ?? [];
    const out: Array<{ file: string; data: Buffer }> = [];
    for (const inc of list) {
      const file = String(inc['_content'] ?? '');
      if (!file || REMOTE.test(file)) continue;
      const data = this.entries.get(file.toLowerCase());
      if (data) out.push({ file, data });
    }
    return out;
  }
}

async function readZip(path: string): Promise<Map<string, Buffer>> {
  const buf = await readFile(path);
  if (buf.length > MAX_ZIP_BYTES) throw new Error(`larger than ${MAX_ZIP_BYTES} bytes`);
  const zip = await yauzl.fromBufferPromise(buf, { lazyEntries: true, decodeStrings: true, validateEntrySizes: true });
  const entries = new Map<string, Buffer>();
  let total = 0;
  await new Promise<void>((resolve, reject) => {
    zip.on('error', reject);
    zip.on('end', () => resolve());
    zip.on('entry', (entry: yauzl.Entry) => {
      const name = entry.fileName;
      if (BAD_ENTRY.test(name)) return reject(new Error(`invalid zimlet entry: ${JSON.stringify(name)}`));
      if (name.startsWith('/') || /^[a-zA-Z]:/.test(name)) return reject(new Error(`absolute path in zimlet: ${name}`));
      if (entries.size >= MAX_ENTRIES) return reject(new Error(`more than ${MAX_ENTRIES} entries`));
      if (name.endsWith('/') || entry.uncompressedSize === 0) return zip.readEntry();
      total += entry.uncompressedSize;
      if (total > MAX_ZIP_BYTES) return reject(new Error(`uncompressed content larger than ${MAX_ZIP_BYTES} bytes`));
      zip.openReadStreamPromise(entry).then((stream) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('error', reject);
        stream.on('end', () => {
          entries.set(name.toLowerCase(), Buffer.concat(chunks));
          zip.readEntry();
        });
      }, reject);
    });
    zip.readEntry();
  });
  zip.close();
  return entries;
}

async function loadZimlet(path: string, zipName: string): Promise<Zimlet> {
  const base = zipName.toLowerCase().replace(/\.zip$/, '');
  if (!ZIMLET_NAME.test(base)) throw new Error(`invalid zimlet name: ${base}`);
  const entries = await readZip(path);
  const descXml = entries.get(`${base}.xml`);
  if (!descXml) throw new Error(`zimlet description not found: ${base}.xml`);
  const root = parseXml(descXml.toString('utf8'), `${base}.xml`);
  if (root.nodeName !== 'zimlet') throw new Error(`${base}.xml: root element must be <zimlet>`);
  const descriptor = elementToJson(root);
  const name = String(descriptor['name'] ?? '');
  if (!ZIMLET_NAME.test(name)) throw new Error(`${base}.xml: invalid zimlet name ${JSON.stringify(name)}`);
  if (name.toLowerCase() !== base) throw new Error(`${base}.xml: zimlet name ${name} does not match the zip name ${base}`);
  let config: JsonElement | null = null;
  const cfgXml = entries.get('config_template.xml');
  if (cfgXml) {
    const cfgRoot = parseXml(cfgXml.toString('utf8'), 'config_template.xml');
    if (cfgRoot.nodeName !== 'zimletConfig') throw new Error('config_template.xml: root element must be <zimletConfig>');
    config = elementToJson(cfgRoot);
  }
  const priority = Number(descriptor['priority'] ?? 0);
  return new Zimlet(name, String(descriptor['version'] ?? ''), Number.isFinite(priority) ? priority : 0, descriptor, config, entries);
}

export class ZimletRegistry {
  private zimlets: Zimlet[] = [];
  /** Gzipped answers by URL key; the content only changes on reload(), which empties it. */
  private readonly gzipCache = new Map<string, Buffer>();
  /** Why each rejected zip was refused (also logged), for `POST /sandbox/zimlets/reload`. */
  errors: Array<{ zip: string; error: string }> = [];

  constructor(
    private readonly dir: string,
    private readonly log: (m: string, x?: Record<string, unknown>) => void,
  ) {}

  list(): DeployedZimlet[] {
    return this.zimlets;
  }

  /** Reads every *.zip of the folder again; a broken zip is skipped (and reported), the others still deploy. */
  async reload(): Promise<void> {
    let files: string[];
    try {
      files = (await readdir(this.dir)).filter((f) => f.toLowerCase().endsWith('.zip')).sort();
    } catch {
      files = [];
    }
    const loaded: Zimlet[] = [];
    const errors: Array<{ zip: string; error: string }> = [];
    for (const f of files) {
      try {
        const z = await loadZimlet(join(this.dir, f), f);
        if (loaded.some((x) => x.name === z.name)) throw new Error(`duplicate zimlet ${z.name}`);
        loaded.push(z);
      } catch (e) {
        errors.push({ zip: f, error: (e as Error).message });
        this.log('zimlet not deployed', { zip: f, error: (e as Error).message });
      }
    }
    // Zimbra orders zimlets by priority (0 first), then name.
    loaded.sort((a, b) => a.priority - b.priority || a.name.localeCompare(b.name));
    this.zimlets = loaded;
    this.gzipCache.clear();
    this.errors = errors;
  }

  /** The concatenated script (or stylesheet) of all zimlets for one language. */
  bundle(kind: 'js' | 'css', language: string | null, country: string | null): string {
    const parts: string[] = [];
    for (const z of this.zimlets) {
      parts.push(`/* ---- zimlet ${z.name} ${z.version} ---- */`);
      if (kind === 'js') parts.push(`window[${JSON.stringify(z.name)}] = ${JSON.stringify(z.properties(language, country))};`);
      for (const inc of z.includes(kind === 'css')) {
        parts.push(`/* ${z.name}/${inc.file} */`);
        // A newline and semicolon between files: a script without a trailing one must not merge with the next.
        parts.push(inc.data.toString('utf8') + (kind === 'js' ? '\n;' : ''));
      }
    }
    return parts.join('\n') + '\n';
  }

  async serve(path: string, req: IncomingMessage, res: ServerResponse, deps: SandboxDeps): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'method not allowed', 'text/plain; charset=utf-8');
    let session;
    try {
      session = deps.sessions.resolve(authTokenFromCookie(req));
    } catch {
      return sendText(res, 401, 'must authenticate', 'text/plain; charset=utf-8');
    }
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const rest = path.slice('/service/zimlet/'.length);
    const bundle = /^res\/Zimlets-nodev_all\.(js|css)(\.zgz)?$/.exec(rest);
    if (bundle) {
      const userLang = (session.account.attrs['zimbraPrefLocale'] ?? '').split(/[_-]/);
      const langParam = url.searchParams.get('language');
      const countryParam = url.searchParams.get('country');
      const language = (langParam && LOCALE.test(langParam) ? langParam : userLang[0] && LOCALE.test(userLang[0]) ? userLang[0] : null)?.toLowerCase() ?? null;
      const country = (countryParam && COUNTRY.test(countryParam) ? countryParam : userLang[1] && COUNTRY.test(userLang[1]) ? userLang[1] : null)?.toUpperCase() ?? null;
      const kind = bundle[1] as 'js' | 'css';
      const body = Buffer.from(this.bundle(kind, language, country));
      return sendCompressible(req, res, body, CONTENT_TYPES[`.${kind}`]!, { 'Cache-Control': 'no-cache' }, () => this.gzipOnce(`bundle:${kind}:${language}:${country}`, body));
    }
    const slash = rest.indexOf('/');
    const zimlet = slash > 0 ? this.zimlets.find((z) => z.name === decodeURIComponent(rest.slice(0, slash))) : undefined;
    let file: string;
    try {
      file = decodeURIComponent(rest.slice(slash + 1));
    } catch {
      return sendText(res, 400, 'bad path', 'text/plain; charset=utf-8');
    }
    const data = zimlet?.entries.get(file.toLowerCase());
    if (!zimlet || !data || BAD_ENTRY.test(file)) return sendText(res, 404, 'not found', 'text/plain; charset=utf-8');
    sendCompressible(req, res, data, CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream', { 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff' }, () =>
      this.gzipOnce(`file:${zimlet.name}:${file.toLowerCase()}`, data),
    );
  }

  /** Jetty deflates every answer anew; the sandbox keeps the result, its content being fixed until reload(). */
  private gzipOnce(key: string, body: Buffer): Buffer {
    let out = this.gzipCache.get(key);
    if (!out) {
      out = gzipSync(body);
      // Bounded: ?language= and ?country= make many keys for one bundle.
      if (this.gzipCache.size >= 256) this.gzipCache.clear();
      this.gzipCache.set(key, out);
    }
    return out;
  }
}
