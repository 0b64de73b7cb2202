// @ts-check
/**
 * The packager's output passes the validator, and the validator rejects each kind of bad package
 * with the rule and file that explain it. Bad packages are made by altering a real one.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildZimlets } from './build.mjs';
import { zipFiles } from './package-zimlet.mjs';
import { formatViolation, readZipEntries, scanMessageCalls, validateZimletBuffer, validateZimletEntries } from './validate-zimlet.mjs';
import { ROOT, ZIMLETS } from './zimlets.mjs';

/** @typedef {import('./validate-zimlet.mjs').ZipEntry} ZipEntry */
/** @typedef {import('./validate-zimlet.mjs').Violation} Violation */

let dir = '';
/** @type {string[]} */
let zips = [];
/** @type {ZipEntry[]} entries of the real lu_esante_regify.zip */
let regify = [];

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'esante-zimlets-'));
  zips = await buildZimlets({ outDir: dir });
  regify = await readZipEntries(await readFile(path.join(dir, 'lu_esante_regify.zip')));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * A copy of the regify entries with `name` replaced through `edit` (or removed when it returns null).
 * @param {string} name @param {(data: string) => string | null} edit
 */
function altered(name, edit) {
  return regify.flatMap((e) => {
    if (e.name !== name) return [e];
    const data = edit(e.data.toString('latin1'));
    return data === null ? [] : [{ name: e.name, data: Buffer.from(data, 'latin1') }];
  });
}

/** Each zimlet's parts loaded when first needed (zip files not in the descriptor's <include>s). */
/** @type {Partial<Record<string, string[]>>} */
const LAZY_PARTS = {
  regify: ['lu_esante_regify_account.js', 'lu_esante_regify_compose.js', 'lu_esante_regify_reader.js'],
  prosearch: ['lu_esante_prosearch_panel.js'],
  medical: ['lu_esante_medical_panel.js'],
};

/** @param {Violation[]} violations @param {string} rule */
function only(violations, rule) {
  return violations.filter((v) => v.rule === rule);
}

describe('the five real zimlets', () => {
  test('build into one zip each, and every zip passes the validator', async () => {
    assert.deepEqual(
      zips.map((z) => path.basename(z)),
      ZIMLETS.map((z) => `${z.name}.zip`),
    );
    for (const zip of zips) {
      const violations = await validateZimletBuffer(path.basename(zip), await readFile(zip));
      assert.deepEqual(violations.map(formatViolation), [], path.basename(zip));
    }
  });

  test('each zip holds exactly the expected flat files, with a real PNG icon and ASCII properties', async () => {
    for (const z of ZIMLETS) {
      const entries = await readZipEntries(await readFile(path.join(dir, `${z.name}.zip`)));
      assert.deepEqual(entries.map((e) => e.name).sort(), [
        'config_template.xml',
        `${z.name}.css`,
        `${z.name}.js`,
        `${z.name}.png`,
        `${z.name}.properties`,
        `${z.name}.xml`,
        // The parts loaded when first needed (build/build.mjs *.chunk.ts, issue 17: a light start).
        ...(LAZY_PARTS[z.short] ?? []),
        `${z.name}_de.properties`,
        `${z.name}_fr.properties`,
      ].sort());
      const png = entries.find((e) => e.name.endsWith('.png'))?.data;
      assert.ok(png && png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])));
      assert.equal(png.readUInt32BE(16), 16, 'icon width');
      const js = entries.find((e) => e.name.endsWith('.js'))?.data.toString('utf8') ?? '';
      assert.match(js, new RegExp(`^var ${z.handler}=`), 'the bundle is one IIFE assigned to the handler global');
      assert.doesNotMatch(js, /\blit-html\/development|lit\.dev\/msg\/dev-mode/, "lit's production build is bundled");
    }
  });

  test('French texts are the guide’s names, escaped as \\uXXXX in the package', () => {
    const fr = regify.find((e) => e.name === 'lu_esante_regify_fr.properties')?.data.toString('ascii') ?? '';
    assert.match(fr, /^zimlet_label=Regify$/m);
    assert.match(fr, /^about_enabled=Activ\\u00e9e$/m);
  });

  test('packaging is deterministic', async () => {
    const again = await zipFiles(regify);
    const once = await zipFiles(regify);
    assert.ok(again.equals(once));
  });
});

describe('the validator rejects', () => {
  test('a zip whose descriptor is not named after the zip', () => {
    const renamed = regify.map((e) => (e.name === 'lu_esante_regify.xml' ? { ...e, name: 'regify.xml' } : e));
    const v = validateZimletEntries('lu_esante_regify.zip', renamed);
    assert.equal(v.length, 1, v.map(formatViolation).join('\n'));
    assert.equal(v[0]?.rule, 'descriptor-missing');
    assert.equal(v[0]?.file, 'lu_esante_regify.xml');
    assert.match(formatViolation(/** @type {Violation} */ (v[0])), /^lu_esante_regify\.zip: lu_esante_regify\.xml: \[descriptor-missing\] .*named after the zip/);
  });

  test('a zip deployed under another name than the descriptor’s <zimlet name>', () => {
    const v = validateZimletEntries(
      'lu_esante_other.zip',
      regify.map((e) => (e.name === 'lu_esante_regify.xml' ? { ...e, name: 'lu_esante_other.xml' } : e)),
    );
    const names = only(v, 'descriptor-name');
    assert.equal(names.length, 1);
    assert.match(names[0]?.message ?? '', /<zimlet name="lu_esante_regify"> must equal the zip name "lu_esante_other"/);
    assert.equal(only(v, 'config-name').length, 1, 'config_template.xml has the old name too');
  });

  test('a zip name Zimbra refuses', () => {
    const v = validateZimletEntries('lu esante.zip', regify);
    assert.ok(only(v, 'zip-name').some((x) => /does not match/.test(x.message)));
  });

  test('a zip with a ../ entry or an absolute path', async () => {
    // yazl refuses such names, so write stand-in names of the same length and patch the bytes: the
    // name is stored in the local header and in the central directory, and no checksum covers it.
    let zip = await zipFiles([...regify, { name: 'zzzevil.js', data: Buffer.from('1') }, { name: 'Ytmp.js', data: Buffer.from('2') }]);
    zip = Buffer.from(zip.toString('latin1').replaceAll('zzzevil.js', '../evil.js').replaceAll('Ytmp.js', '/tmp.js'), 'latin1');
    const v = await validateZimletBuffer('lu_esante_regify.zip', zip);
    const bad = only(v, 'entry-name');
    assert.equal(bad.length, 2, v.map(formatViolation).join('\n'));
    assert.equal(bad[0]?.file, '../evil.js');
    assert.match(bad[0]?.message ?? '', /contains "\.\.\/"/);
    assert.equal(bad[1]?.file, '/tmp.js');
    assert.match(bad[1]?.message ?? '', /absolute path/);
  });

  test('a nested entry (the package must be flat)', () => {
    const v = validateZimletEntries('lu_esante_regify.zip', [...regify, { name: 'img/icon.png', data: Buffer.from('x') }]);
    assert.deepEqual(
      v.map((x) => [x.rule, x.file]),
      [['flat', 'img/icon.png']],
    );
  });

  test('a message key the code uses that is missing in one language', () => {
    const v = validateZimletEntries('lu_esante_regify.zip', altered('lu_esante_regify_de.properties', (t) => t.replace(/^about_version=.*\n/m, '')));
    assert.deepEqual(
      v.map((x) => [x.rule, x.file]),
      [['message-missing', 'lu_esante_regify_de.properties']],
    );
    // The key is used by the account panel, which is in the part loaded when needed: scanned too.
    assert.match(v[0]?.message ?? '', /"about_version" \(used in lu_esante_regify_account\.js\) is missing in de/);
  });

  test('a ${msg.key} of the descriptor missing in one language', () => {
    const v = validateZimletEntries('lu_esante_regify.zip', altered('lu_esante_regify_fr.properties', (t) => t.replace(/^zimlet_tooltip=.*\n/m, '')));
    assert.equal(v.length, 1, v.map(formatViolation).join('\n'));
    assert.match(v[0]?.message ?? '', /"zimlet_tooltip" \(used in lu_esante_regify\.xml\) is missing in fr/);
  });

  test('a properties file missing, or not ASCII', () => {
    const missing = validateZimletEntries('lu_esante_regify.zip', altered('lu_esante_regify.properties', () => null));
    assert.deepEqual(only(missing, 'properties-missing').map((x) => x.file), ['lu_esante_regify.properties']);
    const utf8 = regify.map((e) => (e.name === 'lu_esante_regify_fr.properties' ? { ...e, data: Buffer.from('zimlet_label=Régify\n', 'utf8') } : e));
    assert.equal(only(validateZimletEntries('lu_esante_regify.zip', utf8), 'properties-ascii').length, 1);
  });

  test('a bundle that leaks a global', () => {
    const v = validateZimletEntries('lu_esante_regify.zip', altered('lu_esante_regify.js', (js) => `${js}\nvar helper = 1; window.leaky = true;`));
    assert.deepEqual(
      v.map((x) => [x.rule, x.file]),
      [['global-leak', 'lu_esante_regify.js']],
    );
    assert.match(v[0]?.message ?? '', /other than its handler: helper, leaky$/);
  });

  test('a bundle that does not define the handler global', () => {
    const v = validateZimletEntries('lu_esante_regify.zip', altered('lu_esante_regify.js', (js) => js.replace(/^var lu_esante_regify_HandlerObject=/, 'void ')));
    assert.deepEqual(
      v.map((x) => x.rule),
      ['handler-undefined'],
    );
    assert.match(v[0]?.message ?? '', /does not define the handler global "lu_esante_regify_HandlerObject"/);
  });

  test('a handler that is not a ZmZimletBase, and a bundle that throws', () => {
    const fake = validateZimletEntries('lu_esante_regify.zip', altered('lu_esante_regify.js', () => 'var lu_esante_regify_HandlerObject = function () {};'));
    assert.match(only(fake, 'handler-undefined')[0]?.message ?? '', /does not construct a ZmZimletBase/);
    const throws = validateZimletEntries('lu_esante_regify.zip', altered('lu_esante_regify.js', () => 'undefinedThing.call();'));
    assert.match(only(throws, 'bundle-load')[0]?.message ?? '', /throws when loaded: undefinedThing is not defined/);
  });

  test('a .msg( call whose key is not a literal', () => {
    const v = validateZimletEntries('lu_esante_regify.zip', altered('lu_esante_regify.js', (js) => `${js}\n(function(h,k){return h.msg(k)});`));
    assert.deepEqual(
      v.map((x) => x.rule),
      ['message-dynamic'],
    );
  });

  test('a descriptor that is not well-formed, or misses required parts', () => {
    const broken = validateZimletEntries('lu_esante_regify.zip', altered('lu_esante_regify.xml', (x) => x.replace('</zimletPanelItem>', '')));
    assert.deepEqual(broken.map((x) => [x.rule, x.file]), [['xml', 'lu_esante_regify.xml']]);
    const noHandler = validateZimletEntries('lu_esante_regify.zip', altered('lu_esante_regify.xml', (x) => x.replace(/<handlerObject>.*<\/handlerObject>/, '')));
    assert.ok(only(noHandler, 'required-element').some((x) => /exactly one <handlerObject>/.test(x.message)));
    const missingInclude = validateZimletEntries('lu_esante_regify.zip', altered('lu_esante_regify.css', () => null));
    assert.ok(only(missingInclude, 'include-missing').some((x) => /<includeCSS>lu_esante_regify\.css<\/includeCSS>/.test(x.message)));
  });

  test('a config template with another version than the descriptor', () => {
    const v = validateZimletEntries('lu_esante_regify.zip', altered('config_template.xml', (x) => x.replace(/(<zimletConfig [^>]*version=")[^"]*/, (_m, start) => `${start}9.9.9`)));
    assert.deepEqual(v.map((x) => x.rule), ['config-version']);
  });
});

describe('scanMessageCalls', () => {
  test('finds literal keys in minified code and flags the others', () => {
    const calls = scanMessageCalls('a.msg("k1"),this.msg(\'k2\',x),b?.msg(`k3`),c.msg(k),d.msg("a"+b),e.msgX("no")');
    assert.deepEqual(
      calls.map((c) => c.key),
      ['k1', 'k2', 'k3', undefined, undefined],
    );
  });
});

describe('light start (issue 17)', () => {
  test('each zimlet starts with only what its descriptor includes, within the enforced limits; regify’s password dictionaries load later', async () => {
    const { START_LIMITS, startSizes } = await import('./start-size.mjs');
    let total = 0;
    for (const z of ZIMLETS) {
      const entries = await readZipEntries(await readFile(path.join(dir, `${z.name}.zip`)));
      const size = startSizes(z, entries);
      assert.ok(size.gzip <= START_LIMITS.perZimlet(z.name), `${z.name}: ${size.gzip} bytes gzipped`);
      total += size.gzip;
    }
    assert.ok(total <= START_LIMITS.total, `all: ${total}`);
    const start = regify.find((e) => e.name === 'lu_esante_regify.js')?.data.toString('utf8') ?? '';
    const chunk = regify.find((e) => e.name === 'lu_esante_regify_account.js')?.data.toString('utf8') ?? '';
    const descriptor = regify.find((e) => e.name === 'lu_esante_regify.xml')?.data.toString('utf8') ?? '';
    // zxcvbn-ts's dictionary names and the wizard's element are in the part, not at start.
    for (const marker of ['passwords-common', 'commonWords-fr', 'esante-regify-wizard', 'esante-regify-password-meter']) {
      assert.ok(chunk.includes(marker), `${marker} in the account part`);
    }
    assert.ok(!start.includes('passwords-common') && !start.includes('esante-regify-password-meter'), 'no dictionary nor meter at start');
    assert.ok(start.includes('lu_esante_regify_account.js'), 'the start script knows the part’s file name');
    assert.doesNotMatch(descriptor, /<include>\s*lu_esante_regify_account\.js/, 'the part is not an <include>: Zimbra would load it at start');
    assert.ok(start.length < 300_000 && chunk.length > 700_000, `start ${start.length}, part ${chunk.length} bytes`);
    // A classic script handing its exports to the <script> element running it (no global of its own).
    assert.match(chunk, /document\.currentScript\.esanteChunk\s*=/);
    assert.doesNotMatch(chunk, /^var /, 'no top-level var: the part adds no global');
  });

  test('the build prints each zimlet’s start-time size with target lines, and fails over a limit, leaving no zip', async (t) => {
    const out = await mkdtemp(path.join(tmpdir(), 'esante-zimlets-limit-'));
    t.after(() => rm(out, { recursive: true, force: true }));
    /** @type {string[]} */
    const lines = [];
    const limits = { perZimlet: (/** @type {string} */ z) => (z === 'lu_esante_webex' ? 1000 : 1e9), total: 1e9 };
    await assert.rejects(
      buildZimlets({ outDir: out, log: (l) => lines.push(l), limits }),
      /lu_esante_webex: its start-time script is \d+\.\d KB gzipped, over the limit of 1\.0 KB/,
    );
    assert.deepEqual(await readdir(out), [], 'no zip left behind');
    for (const z of ZIMLETS) assert.ok(lines.some((l) => l.startsWith(`start-time ${z.name}: `)), z.name);
    assert.match(lines.join('\n'), /^start-time lu_esante_regify: .*; loaded when needed: lu_esante_regify_account\.js \d+\.\d KB gzip, lu_esante_regify_compose\.js \d+\.\d KB gzip, lu_esante_regify_reader\.js \d+\.\d KB gzip$/m);
    assert.match(lines.join('\n'), /^target start-time all 5 zimlets: \d+\.\d KB gzip \(goal ≤ 150\.0 KB\) (PASS|FAIL)$/m);
  });

  test('the limits the build enforces are the goals themselves: 40 KB per zimlet, 150 KB for the five', async () => {
    const { START_GOALS, START_LIMITS } = await import('./start-size.mjs');
    assert.deepEqual(START_GOALS, { perZimlet: 40_000, total: 150_000 });
    for (const z of ZIMLETS) assert.equal(START_LIMITS.perZimlet(z.name), 40_000, z.name);
    assert.equal(START_LIMITS.total, 150_000);
  });

  test('with the enforced limits, a zimlet whose start-time script is over 40 KB gzipped fails the build, leaving no zip', async (t) => {
    // prosearch as it was before its panel became a part loaded when needed, plus DOMPurify: its
    // descriptor, config, styles and texts, and a handler that imports everything at start.
    const work = await mkdtemp(path.join(tmpdir(), 'esante-heavy-zimlet-'));
    t.after(() => rm(work, { recursive: true, force: true }));
    const real = ZIMLETS.find((z) => z.short === 'prosearch');
    assert.ok(real);
    const dir = path.join(work, 'prosearch');
    await cp(real.dir, dir, { recursive: true, filter: (f) => !f.startsWith(path.join(real.dir, 'src')) });
    await mkdir(path.join(dir, 'src'));
    const from = (/** @type {string} */ p) => JSON.stringify(path.join(ROOT, p));
    await writeFile(
      path.join(dir, 'src', 'handler.ts'),
      [
        `import { panelZimletHandler } from ${from('zimlets/common/panel-zimlet.ts')};`,
        `import { createPanel } from ${from('zimlets/prosearch/src/panel.ts')};`,
        `import { sanitizeMessageHtml } from ${from('shared/messages/safe-html.ts')};`,
        `const lu_esante_prosearch_HandlerObject = panelZimletHandler(createPanel, ['search', 'about']);`,
        `(lu_esante_prosearch_HandlerObject.prototype as unknown as Record<string, unknown>).sanitize = sanitizeMessageHtml;`,
        `export default lu_esante_prosearch_HandlerObject;`,
      ].join('\n'),
    );
    const out = path.join(work, 'out');
    /** @type {string[]} */
    const lines = [];
    await assert.rejects(
      buildZimlets({ outDir: out, log: (l) => lines.push(l), zimlets: [{ ...real, dir }] }),
      /lu_esante_prosearch: its start-time script is \d+\.\d KB gzipped, over the limit of 40\.0 KB/m,
    );
    assert.match(lines.join('\n'), /^target start-time lu_esante_prosearch: \d+\.\d KB gzip \(goal ≤ 40\.0 KB\) FAIL$/m);
    assert.deepEqual(await readdir(out), [], 'no zip left behind');
  });

  test('checkStartSizes names each zimlet over its limit and the total over its own', async () => {
    const { checkStartSizes } = await import('./start-size.mjs');
    const sizes = [
      { zimlet: 'a', raw: 100, gzip: 50, lazy: [] },
      { zimlet: 'b', raw: 100, gzip: 41, lazy: [] },
    ];
    const limits = { perZimlet: () => 45, total: 90 };
    assert.deepEqual(checkStartSizes(sizes, { perZimlet: () => 50, total: 91 }), []);
    const v = checkStartSizes(sizes, limits);
    assert.equal(v.length, 2);
    assert.match(v[0] ?? '', /^a: /);
    assert.match(v[1] ?? '', /together, over the limit/);
  });
});
