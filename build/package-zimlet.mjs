// @ts-check
/**
 * Packs one zimlet into the flat zip `zmzimletctl deploy` takes (zm-mailbox ZimletFile.java): the
 * descriptor `<name>.xml`, `config_template.xml`, the bundle, CSS, icon and the properties files
 * (`<name>.properties` = English, Zimbra's default bundle; `_fr`, `_de`). Deterministic: fixed entry
 * order and timestamps, so the same sources give the same zip.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import yazl from 'yazl';
import { zimletIcon } from './png.mjs';
import { parseProperties, stringifyProperties } from './properties.mjs';

/** Zip timestamp of every entry (zip has no time zone; 1980 is its epoch). */
const FIXED_MTIME = new Date('2026-01-01T00:00:00Z');
const VERSION_TOKEN = /@VERSION@/g;

/** Languages and the properties file name each becomes (ZmZimletContext loads `<name>_<lang>`). */
const LANGUAGE_FILES = /** @type {const} */ ([
  ['en', ''],
  ['fr', '_fr'],
  ['de', '_de'],
]);

/**
 * The files of one zimlet package, in zip order.
 * @param {import('./zimlets.mjs').ZimletSpec} zimlet
 * @param {{ version: string, bundle: string, chunks?: ReadonlyArray<{ name: string, code: string }> }} opts
 *   `chunks`: the parts loaded when first needed (build/build.mjs bundleZimletChunks), not in the descriptor
 * @returns {Promise<Array<{ name: string, data: Buffer }>>}
 */
export async function zimletFiles(zimlet, { version, bundle, chunks = [] }) {
  const src = (/** @type {string} */ file) => readFile(path.join(zimlet.dir, file), 'utf8');
  /** @type {Array<{ name: string, data: Buffer }>} */
  const files = [
    { name: `${zimlet.name}.xml`, data: Buffer.from((await src(`${zimlet.name}.xml`)).replace(VERSION_TOKEN, version)) },
    { name: 'config_template.xml', data: Buffer.from((await src('config_template.xml')).replace(VERSION_TOKEN, version)) },
    { name: `${zimlet.name}.js`, data: Buffer.from(bundle) },
    ...chunks.map((c) => ({ name: c.name, data: Buffer.from(c.code) })),
    { name: `${zimlet.name}.css`, data: Buffer.from(await src(`${zimlet.name}.css`)) },
    { name: `${zimlet.name}.png`, data: zimletIcon(zimlet.short) },
  ];
  for (const [lang, suffix] of LANGUAGE_FILES) {
    const entries = parseProperties(await src(`i18n/${lang}.properties`));
    const header = `${zimlet.name} ${version} (${lang}), generated from zimlets/${zimlet.short}/i18n/${lang}.properties`;
    files.push({ name: `${zimlet.name}${suffix}.properties`, data: Buffer.from(stringifyProperties(entries, header), 'ascii') });
  }
  return files;
}

/**
 * Zips files flat, deflated, with fixed timestamps.
 * @param {Array<{ name: string, data: Buffer }>} files
 * @returns {Promise<Buffer>}
 */
export function zipFiles(files) {
  const zip = new yazl.ZipFile();
  for (const f of files) zip.addBuffer(f.data, f.name, { mtime: FIXED_MTIME, mode: 0o100644 });
  zip.end();
  return new Promise((resolve, reject) => {
    /** @type {Buffer[]} */
    const chunks = [];
    zip.outputStream.on('data', (c) => chunks.push(c));
    zip.outputStream.on('error', reject);
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
  });
}
