import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync, createWriteStream } from 'node:fs';
import { request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import yazl from 'yazl';
import { loginAs, soapAs, type LoginResult } from '../server/testing.ts';
import { parseProperties } from '../server/zimlets.ts';
import { startTestSandbox, PASSWORD, MARIE, type TestSandbox } from './helpers.ts';

async function writeZip(path: string, files: Record<string, string>): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const [name, content] of Object.entries(files)) zip.addBuffer(Buffer.from(content), name);
  zip.end();
  await new Promise<void>((resolve, reject) => zip.outputStream.pipe(createWriteStream(path)).on('close', resolve).on('error', reject));
}

/** yazl refuses to write "../" names; an attacker's zip has them, so patch the name bytes afterwards. */
function patchEntryName(path: string, from: string, to: string): void {
  assert.equal(from.length, to.length);
  const buf = readFileSync(path);
  let at = buf.indexOf(from);
  assert.ok(at >= 0);
  while (at >= 0) {
    buf.write(to, at, 'latin1');
    at = buf.indexOf(from, at + 1);
  }
  writeFileSync(path, buf);
}

const DESCRIPTOR = `<zimlet name="lu_test_hello" version="1.2.0" label="\${msg.label}" description="Hello">
  <include>hello.js</include>
  <includeCSS>hello.css</includeCSS>
  <include>https://cdn.example.org/remote.js</include>
  <handlerObject>lu_test_hello_HandlerObject</handlerObject>
  <zimletPanelItem label="\${msg.label}" icon="hello-icon">
    <toolTipText>\${msg.tip}</toolTipText>
    <contextMenu><menuItem id="about" label="\${msg.about}" icon="hello-icon"/></contextMenu>
  </zimletPanelItem>
  <userProperties><property type="string" name="greeting" label="Greeting"/></userProperties>
</zimlet>`;
const CONFIG = `<zimletConfig name="lu_test_hello" version="1.2.0">
  <global><property name="allowedDomains">esante.lu</property><property name="serviceUrl">/service/extension/esante/</property></global>
  <host name="127.0.0.1"><property name="serviceUrl">http://local/</property></host>
</zimletConfig>`;

const BIG_JS = `var lu_test_big = ${JSON.stringify('lu_test_hello '.repeat(400))};\n`;

/** A raw GET (fetch would ask for and undo the compression itself): status, headers, body bytes. */
function rawGet(url: URL, headers: Record<string, string>, method = 'GET'): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('zimlet deployment', () => {
  let sb: TestSandbox;
  let marie: LoginResult;
  before(async () => {
    sb = await startTestSandbox();
    mkdirSync(sb.zimletsDir, { recursive: true });
    await writeZip(join(sb.zimletsDir, 'LU_TEST_HELLO.zip'), {
      'lu_test_hello.xml': DESCRIPTOR,
      'config_template.xml': CONFIG,
      'lu_test_hello.properties': 'label=Hello\ntip=Say hello\nabout=About\nonly_default=kept\n',
      'lu_test_hello_fr.properties': '# French\nlabel=Bonjour\ntip = Dire bonjour \\u00e0 tous\nabout: \u00c0 propos\n',
      'lu_test_hello_de.properties': 'label=Hallo\n',
      'hello.js': 'function lu_test_hello_HandlerObject() {}\n// no trailing semicolon on purpose\nvar lu_test_hello_last = 1',
      'hello.css': '.hello { color: red }',
      'img/hello.png': 'PNG',
      // Over GzipHandler's minGzipSize (2048) of zm-jetty-conf, and not in the descriptor.
      'big.js': BIG_JS,
    });
    await writeZip(join(sb.zimletsDir, 'evil.zip'), { 'evil.xml': '<zimlet name="evil" version="1"/>', 'zz/escape.js': 'x' });
    patchEntryName(join(sb.zimletsDir, 'evil.zip'), 'zz/escape.js', '../escape.js');
    await writeZip(join(sb.zimletsDir, 'mismatch.zip'), { 'mismatch.xml': '<zimlet name="other" version="1"/>' });
    writeFileSync(join(sb.zimletsDir, 'notes.txt'), 'ignored');
    const reload = await fetch(new URL('/sandbox/zimlets/reload', sb.url), { method: 'POST' });
    const body = (await reload.json()) as { zimlets: Array<{ name: string }>; errors: Array<{ zip: string; error: string }> };
    assert.deepEqual(body.zimlets.map((z) => z.name), ['lu_test_hello']);
    assert.deepEqual(body.errors.map((e) => e.zip).sort(), ['evil.zip', 'mismatch.zip']);
    marie = await loginAs(sb.url, MARIE, PASSWORD);
  });
  after(async () => {
    await sb.dispose();
  });

  test('GetInfo lists the zimlet with zimletContext, descriptor JSON and zimletConfig', async () => {
    const info = await soapAs<any>(sb.url, marie, 'GetInfoRequest', {}, 'urn:zimbraAccount');
    assert.equal(info.zimlets.zimlet.length, 1);
    const z = info.zimlets.zimlet[0];
    assert.deepEqual(z.zimletContext, [{ baseUrl: '/service/zimlet/lu_test_hello/', priority: 0, presence: 'enabled' }]);
    const d = z.zimlet[0];
    assert.equal(d.name, 'lu_test_hello');
    assert.equal(d.version, '1.2.0');
    assert.deepEqual(d.include, [{ _content: 'hello.js' }, { _content: 'https://cdn.example.org/remote.js' }]);
    assert.deepEqual(d.handlerObject, [{ _content: 'lu_test_hello_HandlerObject' }]);
    assert.deepEqual(d.zimletPanelItem[0].toolTipText, [{ _content: '${msg.tip}' }]);
    assert.deepEqual(d.zimletPanelItem[0].contextMenu[0].menuItem, [{ id: 'about', label: '${msg.about}', icon: 'hello-icon' }]);
    assert.deepEqual(d.userProperties[0].property, [{ type: 'string', name: 'greeting', label: 'Greeting' }]);
    const cfg = z.zimletConfig[0];
    assert.deepEqual(cfg.global[0].property, [
      { name: 'allowedDomains', _content: 'esante.lu' },
      { name: 'serviceUrl', _content: '/service/extension/esante/' },
    ]);
    // The <host> block for this server (127.0.0.1) becomes `local`.
    assert.deepEqual(cfg.local, [{ property: [{ name: 'serviceUrl', _content: 'http://local/' }] }]);
    assert.equal(cfg.host, undefined);
  });

  test('Zimlets-nodev_all.js: properties in the asked language over the default, then the local scripts', async () => {
    const get = async (q: string) => fetch(new URL(`/service/zimlet/res/Zimlets-nodev_all.js${q}`, sb.url), { headers: { Cookie: marie.cookie } });
    const fr = await (await get('?language=fr')).text();
    const m = /window\["lu_test_hello"\] = (\{.*?\});/.exec(fr);
    assert.ok(m, fr);
    assert.deepEqual(JSON.parse(m[1]!), { label: 'Bonjour', tip: 'Dire bonjour à tous', about: 'À propos', only_default: 'kept' });
    assert.ok(fr.indexOf('window["lu_test_hello"]') < fr.indexOf('function lu_test_hello_HandlerObject'));
    assert.ok(!fr.includes('remote.js'), 'remote includes are left to the client');
    // The concatenation is valid JavaScript that defines the handler and the properties.
    const win: Record<string, unknown> = {};
    new Function('window', `${fr}\nwindow.H = lu_test_hello_HandlerObject; window.last = lu_test_hello_last;`)(win);
    assert.equal(typeof win['H'], 'function');
    assert.equal(win['last'], 1);
    const de = await (await get('?language=de')).text();
    assert.match(de, /"label":"Hallo","tip":"Say hello"/);
    // Without ?language: the user's zimbraPrefLocale (fr for Marie).
    assert.match(await (await get('')).text(), /"label":"Bonjour"/);
    const css = await (await fetch(new URL('/service/zimlet/res/Zimlets-nodev_all.css', sb.url), { headers: { Cookie: marie.cookie } })).text();
    assert.match(css, /\.hello \{ color: red \}/);
  });

  test('zimlet files are served at /service/zimlet/<name>/<file>, with auth', async () => {
    const js = await fetch(new URL('/service/zimlet/lu_test_hello/hello.js', sb.url), { headers: { Cookie: marie.cookie } });
    assert.equal(js.status, 200);
    assert.match(js.headers.get('content-type') ?? '', /javascript/);
    const img = await fetch(new URL('/service/zimlet/lu_test_hello/img/hello.png', sb.url), { headers: { Cookie: marie.cookie } });
    assert.equal(await img.text(), 'PNG');
    assert.equal((await fetch(new URL('/service/zimlet/lu_test_hello/missing.js', sb.url), { headers: { Cookie: marie.cookie } })).status, 404);
    assert.equal((await fetch(new URL('/service/zimlet/lu_test_hello/hello.js', sb.url))).status, 401);
    assert.equal((await fetch(new URL('/service/zimlet/res/Zimlets-nodev_all.js', sb.url))).status, 401);
  });

  test('zimlet files are gzipped as Jetty GzipHandler does in Zimbra: accepted, 2048 bytes or more, not images, GET', async () => {
    const url = (p: string) => new URL(`/service/zimlet/${p}`, sb.url);
    const gz = { Cookie: marie.cookie, 'Accept-Encoding': 'gzip, deflate, br' };
    const big = await rawGet(url('lu_test_hello/big.js'), gz);
    assert.equal(big.status, 200);
    assert.equal(big.headers['content-encoding'], 'gzip');
    assert.equal(big.headers['vary'], 'Accept-Encoding, User-Agent');
    assert.ok(big.body.length < BIG_JS.length / 4, `${big.body.length} bytes gzipped`);
    assert.equal(gunzipSync(big.body).toString('utf8'), BIG_JS);
    assert.equal(Number(big.headers['content-length']), big.body.length);
    // Not accepted (absent, or refused with q=0), or an excluded agent: the bytes as they are, still with Vary.
    for (const headers of [{ Cookie: marie.cookie }, { ...gz, 'Accept-Encoding': 'gzip;q=0, identity' }, { ...gz, 'User-Agent': 'Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1)' }]) {
      const plain = await rawGet(url('lu_test_hello/big.js'), headers);
      assert.equal(plain.headers['content-encoding'], undefined, JSON.stringify(headers));
      assert.equal(plain.headers['vary'], 'Accept-Encoding, User-Agent');
      assert.equal(plain.body.toString('utf8'), BIG_JS);
    }
    // Under minGzipSize: not compressed.
    const small = await rawGet(url('lu_test_hello/hello.js'), gz);
    assert.equal(small.headers['content-encoding'], undefined);
    assert.equal(small.headers['vary'], 'Accept-Encoding, User-Agent');
    // Images are excluded by type (no Vary: the answer never depends on the client).
    const img = await rawGet(url('lu_test_hello/img/hello.png'), gz);
    assert.equal(img.headers['content-encoding'], undefined);
    assert.equal(img.headers['vary'], undefined);
    // HEAD is not among the compressed methods (GET, POST).
    const head = await rawGet(url('lu_test_hello/big.js'), gz, 'HEAD');
    assert.equal(head.headers['content-encoding'], undefined);
    assert.equal(Number(head.headers['content-length']), Buffer.byteLength(BIG_JS));
    // The concatenated script goes through the same rules (here under 2048 bytes).
    const all = await rawGet(url('res/Zimlets-nodev_all.js'), gz);
    assert.equal(all.status, 200);
    assert.equal(all.headers['vary'], 'Accept-Encoding, User-Agent');
    assert.match(all.body.toString('utf8'), /lu_test_hello_HandlerObject/);
  });
});

test('parseProperties follows java.util.Properties', () => {
  assert.deepEqual(parseProperties('a=1\nb : two words \n# c=3\n! d=4\ne\\=x=5\nlong=one \\\n    two\nu=\\u00e9t\\u00e9\n  spaced = v'), {
    a: '1',
    b: 'two words ',
    'e=x': '5',
    long: 'one two',
    u: 'été',
    spaced: 'v',
  });
});
