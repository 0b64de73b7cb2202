// @ts-check
/** The five zimlets: source folder under zimlets/, Zimbra name, handler global. */

/** @typedef {{ short: 'regify' | 'prosearch' | 'medical' | 'security' | 'webex', name: string, handler: string, dir: string }} ZimletSpec */

import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** @type {ReadonlyArray<ZimletSpec['short']>} */
const SHORTS = ['regify', 'prosearch', 'medical', 'security', 'webex'];

/** @type {ReadonlyArray<ZimletSpec>} */
export const ZIMLETS = SHORTS.map((short) => ({
  short,
  name: `lu_esante_${short}`,
  handler: `lu_esante_${short}_HandlerObject`,
  dir: path.join(ROOT, 'zimlets', short),
}));
