#!/usr/bin/env node
// @ts-check
/**
 * Checks a zimlet zip the way Zimbra's deployer and web client will treat it, so a bad package fails
 * our build instead of an admin's `zmzimletctl deploy` or, worse, every user's webmail.
 *
 * Sources followed (Zimbra's code is the only definition; there is no XSD):
 * - zm-mailbox store/src/java/com/zimbra/cs/zimlet/ZimletFile.java: the descriptor is `<zip basename,
 *   lowercased>.xml`; entry names matching `(\.\./)|(\p{Cntrl})` are INVALID_ZIMLET_ENTRY, absolute ones
 *   INVALID_ABSOLUTE_PATH; entries are looked up lowercased (so two names differing by case collide).
 * - ZimletUtil.java: ZIMLET_NAME_REGEX `^[\w.-]+$`; config_template.xml is installed with the zimlet.
 * - ZimletMeta.java: root tag `zimlet` (or `zimletConfig` for the config), attributes name, version,
 *   description; any XML parse error fails the deploy.
 * - ZimletDescription.java: `include` (scripts), `includeCSS`, `zimletPanelItem`, `target`…
 * - zm-web-client WebRoot/js/zimbraMail/share/model/ZmZimletContext.js: `handlerObject` names a global
 *   constructor instantiated by the web client; `${msg.key}` (RE_SCAN_MSG, keys `[$a-zA-Z0-9_]+`) is
 *   replaced from `window[name]`, the properties bundle; ZmZimletBase.getMessage answers `???key???`
 *   for a missing key.
 *
 * Our own rules, stricter than Zimbra (they keep the suite safe when Zimbra concatenates all zimlets
 * into one script, and every text translated):
 * - flat zip, every entry name `^[\w.-]+$`;
 * - the bundle, run in a node:vm context with a fake minimal ZmZimletBase/window, adds exactly one
 *   global, the handler, which constructs an object inheriting ZmZimletBase;
 * - name = zip name in descriptor and config, one version in both, all `include`d files present;
 * - every `${msg.key}` of the XML files and every key the code uses exists in the three properties
 *   files (`<name>.properties` English default, `_fr`, `_de`), which are pure ASCII (\uXXXX escapes).
 *   "Keys the code uses" = the string literal first argument of every `.msg(…)` call in the bundle;
 *   a `.msg(` call without a literal key is itself a violation (rule documented in zimlets/README.md).
 *
 * Usage: node build/validate-zimlet.mjs dist/zimlets/*.zip   (exit code 1 on any violation)
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import yauzl from 'yauzl';
import { childrenNamed, parseXml } from './xml.mjs';
import { parseProperties } from './properties.mjs';

/**
 * @typedef {{ zip: string, file: string, rule: string, message: string }} Violation
 * @typedef {{ name: string, data: Buffer }} ZipEntry
 * @typedef {import('./xml.mjs').XmlElement} XmlElement
 */

/** zm-mailbox ZimletUtil.ZIMLET_NAME_REGEX, applied to the zimlet name and (our rule) every entry. */
export const NAME_PATTERN = /^[\w.-]+$/;
/** zm-mailbox ZimletFile.BAD_FILE_NAME_PATTERN: `(\.\./)|(\p{Cntrl})` (Java's \p{Cntrl} is C0 + DEL). */
const BAD_FILE_NAME = /(\.\.\/)|[\u0000-\u001f\u007f]/;
/** zm-web-client ZmZimletContext.RE_SCAN_MSG. */
const MSG_REF = /(^|[^\\])\$\{msg\.([$a-zA-Z0-9_]+)\}/g;
/** Our key naming (RE_SCAN_MSG's characters without `$`). */
const KEY_PATTERN = /^[A-Za-z0-9_]+$/;
/** A JS identifier as a handlerObject must be (ZmZimletContext looks it up as a global). */
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const LANGUAGE_FILES = /** @type {const} */ ([
  ['en (default)', ''],
  ['fr', '_fr'],
  ['de', '_de'],
]);

/**
 * Globals lit itself creates on purpose: registries SHARED between every copy of lit on a page (each
 * zimlet bundles its own copy), so versions can be detected and decorator metadata works across
 * copies. They are arrays/WeakMaps appended to with `??=`, never replaced, so several zimlets
 * loading them is safe. Any other new global fails the build.
 */
export const ALLOWED_LIT_GLOBALS = Object.freeze(['litHtmlVersions', 'litElementVersions', 'reactiveElementVersions', 'litPropertyMetadata']);

/**
 * The fake browser a bundle is loaded in: just enough of Zimbra (ZmZimletBase) and of the DOM for lit
 * to evaluate its modules and for our guarded customElements.define calls. Runs before the
 * "before" snapshot, so nothing it declares counts as a leak.
 */
const FAKE_BROWSER = `
  globalThis.window = globalThis;
  globalThis.self = globalThis;
  function ZmZimletBase() {}
  ZmZimletBase.prototype.init = function () {};
  ZmZimletBase.prototype.getMessage = function (key) { return '???' + key + '???'; };
  class HTMLElement {}
  class Node {}
  class Document {}
  const __registry = new Map();
  globalThis.customElements = {
    get(name) { return __registry.get(name); },
    define(name, ctor) {
      if (__registry.has(name)) throw new Error('custom element "' + name + '" already defined');
      __registry.set(name, ctor);
    },
  };
  globalThis.document = {
    createTreeWalker() { return { currentNode: null, nextNode() { return null; } }; },
    createComment() { return {}; },
    createElement() { return { content: {}, setAttribute() {} }; },
    importNode(n) { return n; },
  };
`;

/**
 * Reads a zip's entries WITHOUT yauzl's own name checks (decodeStrings: false): we want to report a
 * `../` or absolute entry with our rule, not crash on it.
 * @param {Buffer} buffer
 * @returns {Promise<ZipEntry[]>}
 */
export function readZipEntries(buffer) {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buffer, { lazyEntries: true, decodeStrings: false, validateEntrySizes: true }, (err, zip) => {
      if (err || !zip) return reject(err ?? new Error('unreadable zip'));
      /** @type {ZipEntry[]} */
      const entries = [];
      zip.on('error', reject);
      zip.on('end', () => resolve(entries));
      zip.on('entry', (/** @type {import('yauzl').Entry} */ entry) => {
        const raw = /** @type {Buffer} */ (/** @type {unknown} */ (entry.fileName));
        // Bit 11: UTF-8 names; otherwise CP437, whose printable ASCII range is the same as latin1's.
        const name = raw.toString((entry.generalPurposeBitFlag & 0x800) !== 0 ? 'utf8' : 'latin1');
        if (name.endsWith('/')) {
          entries.push({ name, data: Buffer.alloc(0) });
          zip.readEntry();
          return;
        }
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e ?? new Error(`unreadable entry ${name}`));
          /** @type {Buffer[]} */
          const chunks = [];
          stream.on('data', (c) => chunks.push(c));
          stream.on('error', reject);
          stream.on('end', () => {
            entries.push({ name, data: Buffer.concat(chunks) });
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

/**
 * Validates a zip file on disk.
 * @param {string} zipPath
 * @returns {Promise<Violation[]>}
 */
export async function validateZimletZip(zipPath) {
  return validateZimletBuffer(path.basename(zipPath), await readFile(zipPath));
}

/**
 * Validates zip bytes; `zipFileName` is the name the admin deploys (e.g. `lu_esante_regify.zip`).
 * @param {string} zipFileName @param {Buffer} buffer
 * @returns {Promise<Violation[]>}
 */
export async function validateZimletBuffer(zipFileName, buffer) {
  let entries;
  try {
    entries = await readZipEntries(buffer);
  } catch (e) {
    return [{ zip: zipFileName, file: '-', rule: 'zip', message: `not a readable zip: ${/** @type {Error} */ (e).message}` }];
  }
  return validateZimletEntries(zipFileName, entries);
}

/**
 * The checks themselves, on already-read entries.
 * @param {string} zipFileName @param {ZipEntry[]} entries
 * @returns {Violation[]}
 */
export function validateZimletEntries(zipFileName, entries) {
  /** @type {Violation[]} */
  const out = [];
  /** @param {string} file @param {string} rule @param {string} message */
  const fail = (file, rule, message) => out.push({ zip: zipFileName, file, rule, message });

  // ZimletFile.initialize: name = lowercased basename without ".zip".
  const zimletName = zipFileName.toLowerCase().replace(/\.zip$/, '');
  if (!zipFileName.toLowerCase().endsWith('.zip')) fail('-', 'zip-name', 'the package must be a .zip file');
  if (!NAME_PATTERN.test(zimletName)) fail('-', 'zip-name', `zimlet name "${zimletName}" does not match ${NAME_PATTERN}`);

  /** @type {Map<string, ZipEntry>} */
  const byName = new Map();
  for (const entry of entries) {
    const shown = JSON.stringify(entry.name);
    if (BAD_FILE_NAME.test(entry.name)) fail(entry.name, 'entry-name', `${shown} contains "../" or a control character (ZimletFile INVALID_ZIMLET_ENTRY)`);
    else if (/^([/\\]|[A-Za-z]:)/.test(entry.name)) fail(entry.name, 'entry-name', `${shown} is an absolute path (ZimletFile INVALID_ABSOLUTE_PATH)`);
    else if (/[/\\]/.test(entry.name)) fail(entry.name, 'flat', `${shown} is in a folder: the package must be flat`);
    else if (!NAME_PATTERN.test(entry.name)) fail(entry.name, 'entry-name', `${shown} does not match ${NAME_PATTERN}`);
    const key = entry.name.toLowerCase();
    if (byName.has(key)) fail(entry.name, 'entry-name', `${shown} appears twice (Zimbra looks entries up lowercased)`);
    byName.set(key, entry);
  }
  /** @param {string} name */
  const get = (name) => byName.get(name.toLowerCase());

  const descriptorName = `${zimletName}.xml`;
  const descriptorEntry = get(descriptorName);
  if (!descriptorEntry) {
    fail(descriptorName, 'descriptor-missing', `no descriptor ${descriptorName}: it must be named after the zip (ZimletFile: "zimlet description not found")`);
    return out;
  }
  const descriptor = parseXmlEntry(descriptorEntry, fail);
  if (!descriptor) return out;

  /** @type {Set<string>} */
  const neededKeys = new Set();
  /** @type {Map<string, string>} key -> where it is used (for the message) */
  const keyOrigin = new Map();
  /** @param {string} key @param {string} where */
  const need = (key, where) => {
    neededKeys.add(key);
    if (!keyOrigin.has(key)) keyOrigin.set(key, where);
  };

  // --- descriptor (ZimletMeta.validate + ZimletDescription + ZmZimletContext)
  let version = '';
  if (descriptor.name !== 'zimlet') {
    fail(descriptorName, 'descriptor-root', `root element is <${descriptor.name}>, expected <zimlet> (ZimletMeta: "Top level tag not recognized")`);
  } else {
    for (const attr of ['name', 'version', 'label', 'description']) {
      if (!descriptor.attrs[attr]?.trim()) fail(descriptorName, 'descriptor-attr', `<zimlet> needs a non-empty ${attr}="…" attribute`);
    }
    if (descriptor.attrs.name && descriptor.attrs.name !== zimletName) {
      fail(descriptorName, 'descriptor-name', `<zimlet name="${descriptor.attrs.name}"> must equal the zip name "${zimletName}"`);
    }
    version = descriptor.attrs.version ?? '';
    if (version && !/^\d+(\.\d+){0,3}$/.test(version)) fail(descriptorName, 'descriptor-attr', `version "${version}" must be dotted numbers (zm-mailbox Version.java compares them)`);
    checkDescriptorElements(descriptor, descriptorName, get, fail);
  }
  collectXmlKeys(descriptorEntry.data.toString('utf8'), descriptorName, need);

  // --- config_template.xml
  const configEntry = get('config_template.xml');
  if (!configEntry) fail('config_template.xml', 'config-missing', 'config_template.xml is missing');
  else {
    const config = parseXmlEntry(configEntry, fail);
    if (config) {
      if (config.name !== 'zimletConfig') fail('config_template.xml', 'config-root', `root element is <${config.name}>, expected <zimletConfig>`);
      if (config.attrs.name !== zimletName) fail('config_template.xml', 'config-name', `<zimletConfig name="${config.attrs.name ?? ''}"> must equal the zimlet name "${zimletName}"`);
      if (!config.attrs.version) fail('config_template.xml', 'config-version', '<zimletConfig> needs a version attribute (ZimletUtil installs a config only when its version is higher)');
      else if (version && config.attrs.version !== version) fail('config_template.xml', 'config-version', `version "${config.attrs.version}" differs from the descriptor's "${version}"`);
      if (childrenNamed(config, 'global').length !== 1) fail('config_template.xml', 'config-global', 'exactly one <global> element is required');
      collectXmlKeys(configEntry.data.toString('utf8'), 'config_template.xml', need);
    }
  }

  // --- scripts: globals and message keys
  /** @param {string} file @param {string} code */
  const needKeysOf = (file, code) => {
    for (const use of scanMessageCalls(code)) {
      if (use.key === undefined) fail(file, 'message-dynamic', `a .msg( call without a string literal key at "${use.excerpt}": keys must be literals so they can be checked`);
      else need(use.key, file);
    }
  };
  const included = new Set();
  for (const include of childrenNamed(descriptor, 'include')) {
    const file = include.text.trim();
    const entry = get(file);
    if (!entry || !file.endsWith('.js')) continue;
    included.add(entry);
    const code = entry.data.toString('utf8');
    checkBundleGlobals(code, file, descriptor, fail);
    needKeysOf(file, code);
  }
  // Scripts loaded when first needed (build/build.mjs *.chunk.ts) read the same properties.
  for (const entry of byName.values()) {
    if (!included.has(entry) && entry.name.endsWith('.js')) needKeysOf(entry.name, entry.data.toString('utf8'));
  }

  // --- properties: all three languages, ASCII, every needed key, same keys everywhere
  /** @type {Array<[string, string, Map<string, string>]>} */
  const bundles = [];
  for (const [lang, suffix] of LANGUAGE_FILES) {
    const file = `${zimletName}${suffix}.properties`;
    const entry = get(file);
    if (!entry) {
      fail(file, 'properties-missing', `${file} (${lang}) is missing`);
      continue;
    }
    if (entry.data.some((b) => b > 0x7e || (b < 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09))) {
      fail(file, 'properties-ascii', 'must be pure ASCII with \\uXXXX escapes (Java 8 ResourceBundle reads ISO-8859-1)');
    }
    bundles.push([file, lang, parseProperties(entry.data.toString('latin1'))]);
  }
  for (const key of neededKeys) {
    if (!KEY_PATTERN.test(key)) fail(keyOrigin.get(key) ?? '-', 'message-key-name', `message key "${key}" does not match ${KEY_PATTERN}`);
  }
  for (const [file, lang, props] of bundles) {
    for (const key of [...neededKeys].sort()) {
      if (!props.has(key)) fail(file, 'message-missing', `message key "${key}" (used in ${keyOrigin.get(key)}) is missing in ${lang}`);
    }
    for (const [otherFile, , other] of bundles) {
      for (const key of other.keys()) {
        if (!props.has(key) && !neededKeys.has(key)) fail(file, 'message-missing', `message key "${key}" of ${otherFile} is missing in ${lang}`);
      }
    }
  }
  return out;
}

/**
 * @param {ZipEntry} entry
 * @param {(file: string, rule: string, message: string) => void} fail
 * @returns {XmlElement | undefined}
 */
function parseXmlEntry(entry, fail) {
  try {
    return parseXml(entry.data.toString('utf8'));
  } catch (e) {
    fail(entry.name, 'xml', `not well-formed XML: ${/** @type {Error} */ (e).message}`);
    return undefined;
  }
}

/**
 * Required children and files they reference.
 * @param {XmlElement} descriptor @param {string} file
 * @param {(name: string) => ZipEntry | undefined} get
 * @param {(file: string, rule: string, message: string) => void} fail
 */
function checkDescriptorElements(descriptor, file, get, fail) {
  const includes = childrenNamed(descriptor, 'include');
  if (includes.length === 0) fail(file, 'required-element', 'at least one <include> (the bundle) is required');
  for (const tag of ['include', 'includeCSS', 'resource']) {
    for (const el of childrenNamed(descriptor, tag)) {
      const ref = el.text.trim();
      // Zimbra also accepts URLs in <include>; our zimlets ship everything they load.
      if (!ref || !get(ref)) fail(file, 'include-missing', `<${tag}>${ref}</${tag}> names a file that is not in the zip`);
    }
  }
  const handlers = childrenNamed(descriptor, 'handlerObject');
  if (handlers.length !== 1) fail(file, 'required-element', 'exactly one <handlerObject> is required');
  else if (!IDENTIFIER.test(handlers[0]?.text.trim() ?? '')) fail(file, 'required-element', `<handlerObject> "${handlers[0]?.text.trim()}" is not a JavaScript identifier`);
  const panels = childrenNamed(descriptor, 'zimletPanelItem');
  if (panels.length !== 1) fail(file, 'required-element', 'exactly one <zimletPanelItem> is required');
  const panel = panels[0];
  if (panel) {
    if (!panel.attrs.label) fail(file, 'required-element', '<zimletPanelItem> needs a label attribute');
    if (!panel.attrs.icon) fail(file, 'required-element', '<zimletPanelItem> needs an icon attribute');
    if (childrenNamed(panel, 'toolTipText').length !== 1) fail(file, 'required-element', '<zimletPanelItem> needs one <toolTipText>');
    for (const menu of childrenNamed(panel, 'contextMenu')) {
      for (const item of childrenNamed(menu, 'menuItem')) {
        if (!item.attrs.id || !item.attrs.label) fail(file, 'required-element', '<menuItem> needs id and label attributes (ZmZimletContext passes the id to menuItemSelected)');
      }
    }
    // The icon is the CSS class "Img" + icon (AjxImg); one of the included style sheets must define it.
    const icon = panel.attrs.icon;
    if (icon) {
      const css = childrenNamed(descriptor, 'includeCSS').map((el) => get(el.text.trim())?.data.toString('utf8') ?? '').join('\n');
      if (!css.includes(`.Img${icon}`)) fail(file, 'icon', `no included style sheet defines .Img${icon} for the panel icon`);
    }
  }
}

/**
 * `${msg.key}` references of an XML file.
 * @param {string} xml @param {string} file @param {(key: string, where: string) => void} need
 */
function collectXmlKeys(xml, file, need) {
  // Comments are not processed by Zimbra; a `${msg.x}` in one is documentation.
  const text = xml.replace(/<!--[\s\S]*?-->/g, '');
  for (const m of text.matchAll(MSG_REF)) need(/** @type {string} */ (m[2]), file);
}

/**
 * Every `.msg(` call of a (minified) bundle: property names survive minification, so
 * `host.msg("key")` / `this.msg("key", x)` stay visible. `key` is undefined when the first argument is
 * not a plain string literal directly followed by `,` or `)`.
 * @param {string} code
 * @returns {Array<{ key: string | undefined, excerpt: string }>}
 */
export function scanMessageCalls(code) {
  const calls = [];
  const re = /\.msg\(\s*/g;
  for (let m = re.exec(code); m; m = re.exec(code)) {
    const rest = code.slice(re.lastIndex, re.lastIndex + 200);
    const lit = /^(?:"([^"\\]*)"|'([^'\\]*)'|`([^`\\$]*)`)\s*[,)]/.exec(rest);
    calls.push({ key: lit ? (lit[1] ?? lit[2] ?? lit[3]) : undefined, excerpt: code.slice(m.index, m.index + 40) });
  }
  return calls;
}

/**
 * Loads the bundle in a fresh vm context and compares the globals before and after.
 * @param {string} code @param {string} file @param {XmlElement} descriptor
 * @param {(file: string, rule: string, message: string) => void} fail
 */
function checkBundleGlobals(code, file, descriptor, fail) {
  const handler = childrenNamed(descriptor, 'handlerObject')[0]?.text.trim() ?? '';
  // Standard web platform globals every browser Zimbra supports has (a bundle may use them at load
  // time, e.g. zxcvbn's TextEncoder); they exist before the snapshot, so they never count as leaks.
  const context = vm.createContext({
    console: { log() {}, warn() {}, error() {}, info() {}, debug() {} },
    TextEncoder,
    TextDecoder,
    URL,
    URLSearchParams,
    crypto: globalThis.crypto,
    atob,
    btoa,
    setTimeout,
    clearTimeout,
    queueMicrotask,
    AbortController,
    Blob,
  });
  vm.runInContext(FAKE_BROWSER, context);
  const globalsIn = () => /** @type {string[]} */ (vm.runInContext('Object.getOwnPropertyNames(globalThis)', context));
  const before = new Set(globalsIn());
  try {
    vm.runInContext(code, context, { filename: file, timeout: 5000 });
  } catch (e) {
    fail(file, 'bundle-load', `the bundle throws when loaded: ${/** @type {Error} */ (e).message}`);
    return;
  }
  const added = globalsIn().filter((g) => !before.has(g));
  const leaks = added.filter((g) => g !== handler && !ALLOWED_LIT_GLOBALS.includes(g));
  if (leaks.length > 0) fail(file, 'global-leak', `the bundle defines globals other than its handler: ${leaks.join(', ')}`);
  if (!handler || !IDENTIFIER.test(handler)) return;
  const state = vm.runInContext(
    `(function () {
      if (typeof globalThis[${JSON.stringify(handler)}] !== 'function') return 'undefined';
      var h = new globalThis[${JSON.stringify(handler)}]();
      if (!(h instanceof ZmZimletBase)) return 'not-zimlet';
      return typeof h.init === 'function' ? 'ok' : 'no-init';
    })()`,
    context,
  );
  if (state === 'undefined') fail(file, 'handler-undefined', `the bundle does not define the handler global "${handler}" named by <handlerObject>`);
  else if (state === 'not-zimlet') fail(file, 'handler-undefined', `"${handler}" does not construct a ZmZimletBase (prototype = new ZmZimletBase())`);
  else if (state === 'no-init') fail(file, 'handler-undefined', `"${handler}" has no init() method`);
}

/** @param {Violation} v */
export function formatViolation(v) {
  return `${v.zip}: ${v.file}: [${v.rule}] ${v.message}`;
}

async function main() {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    console.error('usage: node build/validate-zimlet.mjs ZIMLET.zip…');
    process.exit(2);
  }
  let bad = 0;
  for (const f of files) {
    const violations = await validateZimletZip(f);
    for (const v of violations) console.error(formatViolation(v));
    if (violations.length === 0) console.log(`${path.basename(f)}: ok`);
    bad += violations.length;
  }
  process.exit(bad > 0 ? 1 : 0);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
