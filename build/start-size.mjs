// @ts-check
/**
 * Start-time sizes of the zimlets (issue 17: a light webmail start). Zimbra loads, at every webmail
 * start, the scripts each descriptor lists as <include> (zm-web-client ZmZimletMgr.__getIncludes →
 * one Zimlets-nodev_all.js, served gzipped as .zgz by zm-mailbox ZimletResources), and nothing else
 * of the zip: parts built from `*.chunk.ts` load later (build/build.mjs). What a user's line carries is
 * the gzipped size, so that is what is limited; gzip at zlib's default level, which is also the level of
 * Java's GZIPOutputStream (Deflater.DEFAULT_COMPRESSION = 6) that writes the .zgz.
 */
import { gzipSync } from 'node:zlib';
import { childrenNamed, parseXml } from './xml.mjs';

/** The goals in bytes (issue 17; 1 KB = 1000 bytes): each zimlet's start-time scripts, and all five together. */
export const START_GOALS = { perZimlet: 40_000, total: 150_000 };

/**
 * The limits the build enforces: the goals themselves (issue 17). The ceilings that held the sizes
 * while a goal was not met are gone since every goal is (a part that start does not need is a
 * `*.chunk.ts`: build/README.md, "Light start"), so `npm run build` fails as soon as one is missed.
 */
export const START_LIMITS = {
  perZimlet: (/** @type {string} */ _zimlet) => START_GOALS.perZimlet,
  total: START_GOALS.total,
};

/** @typedef {{ zimlet: string, raw: number, gzip: number, lazy: Array<{ file: string, raw: number, gzip: number }> }} StartSize */

const gz = (/** @type {Buffer} */ data) => gzipSync(data).length;
/** Includes that are URLs are loaded by the browser from elsewhere, not from the zip (ZmZimletMgr._RE_REMOTE). */
const REMOTE = /^((https?|ftps?):\/\/|\/)/;

/**
 * The start-time size of one packaged zimlet: the local scripts its descriptor includes; every other
 * script of the zip is listed as loaded later.
 * @param {import('./zimlets.mjs').ZimletSpec} zimlet
 * @param {ReadonlyArray<{ name: string, data: Buffer }>} files the zip's files
 * @returns {StartSize}
 */
export function startSizes(zimlet, files) {
  const descriptor = files.find((f) => f.name === `${zimlet.name}.xml`);
  if (!descriptor) throw new Error(`${zimlet.name}: no descriptor to read the includes from`);
  const includes = childrenNamed(parseXml(descriptor.data.toString('utf8')), 'include')
    .map((i) => i.text.trim())
    .filter((i) => !REMOTE.test(i));
  const scripts = files.filter((f) => f.name.endsWith('.js'));
  const start = scripts.filter((f) => includes.includes(f.name));
  if (start.length !== includes.length) throw new Error(`${zimlet.name}: an <include> is not in the zip`);
  const all = Buffer.concat(start.map((f) => f.data));
  return {
    zimlet: zimlet.name,
    raw: all.length,
    gzip: gz(all),
    lazy: scripts.filter((f) => !includes.includes(f.name)).map((f) => ({ file: f.name, raw: f.data.length, gzip: gz(f.data) })),
  };
}

const kb = (/** @type {number} */ n) => `${(n / 1000).toFixed(1)} KB`;
const verdict = (/** @type {number} */ n, /** @type {number} */ goal) => (n <= goal ? 'PASS' : 'FAIL');

/**
 * The lines `npm run build` prints: each zimlet's start-time size, what loads later, and one
 * `target …: … (goal …) PASS|FAIL` line per goal.
 * @param {ReadonlyArray<StartSize>} sizes
 */
export function formatStartSizes(sizes) {
  const lines = sizes.map((s) => {
    const later = s.lazy.length > 0 ? `; loaded when needed: ${s.lazy.map((l) => `${l.file} ${kb(l.gzip)} gzip`).join(', ')}` : '';
    return `start-time ${s.zimlet}: ${kb(s.gzip)} gzip (${kb(s.raw)} raw)${later}`;
  });
  for (const s of sizes) {
    lines.push(`target start-time ${s.zimlet}: ${kb(s.gzip)} gzip (goal ≤ ${kb(START_GOALS.perZimlet)}) ${verdict(s.gzip, START_GOALS.perZimlet)}`);
  }
  const total = sizes.reduce((n, s) => n + s.gzip, 0);
  lines.push(`target start-time all ${sizes.length} zimlets: ${kb(total)} gzip (goal ≤ ${kb(START_GOALS.total)}) ${verdict(total, START_GOALS.total)}`);
  return lines;
}

/**
 * What is over the enforced limits, as messages (empty when all is within).
 * @param {ReadonlyArray<StartSize>} sizes
 * @param {{ perZimlet: (zimlet: string) => number, total: number }} [limits]
 */
export function checkStartSizes(sizes, limits = START_LIMITS) {
  const out = sizes
    .filter((s) => s.gzip > limits.perZimlet(s.zimlet))
    .map(
      (s) =>
        `${s.zimlet}: its start-time script is ${kb(s.gzip)} gzipped, over the limit of ${kb(limits.perZimlet(s.zimlet))}: ` +
        'move what start does not need into a *.chunk.ts (build/README.md, "Light start")',
    );
  const total = sizes.reduce((n, s) => n + s.gzip, 0);
  if (total > limits.total) out.push(`the ${sizes.length} zimlets' start-time scripts are ${kb(total)} gzipped together, over the limit of ${kb(limits.total)}`);
  return out;
}
