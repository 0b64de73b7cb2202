import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { CONFIG_VARS, ConfigError, configTableMarkdown, loadConfig, Secret, unknownEsanteVars } from './config.ts';

describe('loadConfig', () => {
  test('defaults are those of the embedded mode', () => {
    const c = loadConfig({}, '/srv/app');
    assert.equal(c.port, 7080);
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.dataDir, '/srv/app/.data');
    assert.deepEqual(c.store, { kind: 'sqlite', path: '/srv/app/.data/esante.sqlite' });
    assert.equal(c.zimbra.url, 'http://127.0.0.1:8080');
    assert.equal(c.zimbra.adminUrl, 'http://127.0.0.1:8080');
    assert.equal(c.zimbra.adminUser, undefined);
    assert.equal(c.maxRequestBytes, 14 * 1024 * 1024);
    assert.equal(c.authCacheSeconds, 30);
    assert.equal(c.logLevel, 'info');
  });

  test('reads every variable and trims trailing slashes of URLs', () => {
    const c = loadConfig({
      ESANTE_PORT: '9000',
      ESANTE_ZIMBRA_URL: 'https://mail.example.lu/',
      ESANTE_ZIMBRA_ADMIN_URL: 'https://mailbox.example.lu:7071',
      ESANTE_STORE: 'postgres',
      ESANTE_PG_URL: 'postgres://esante:pw@db/esante',
      ESANTE_AUTH_CACHE_SECONDS: '0',
      ESANTE_LOG_LEVEL: 'warn',
    });
    assert.equal(c.port, 9000);
    assert.equal(c.zimbra.url, 'https://mail.example.lu');
    assert.equal(c.zimbra.adminUrl, 'https://mailbox.example.lu:7071');
    assert.equal(c.store.kind, 'postgres');
    assert.equal(c.store.kind === 'postgres' && c.store.url.reveal(), 'postgres://esante:pw@db/esante');
    assert.equal(c.authCacheSeconds, 0);
    assert.equal(c.logLevel, 'warn');
  });

  test('every bad value is named in one ConfigError', () => {
    try {
      loadConfig({ ESANTE_PORT: 'eighty', ESANTE_ZIMBRA_URL: 'ftp://x', ESANTE_STORE: 'mysql', ESANTE_AUTH_CACHE_SECONDS: '3600', ESANTE_LOG_LEVEL: 'loud' });
      assert.fail('expected ConfigError');
    } catch (e) {
      assert.ok(e instanceof ConfigError);
      const text = e.message;
      for (const name of ['ESANTE_PORT', 'ESANTE_ZIMBRA_URL', 'ESANTE_STORE', 'ESANTE_AUTH_CACHE_SECONDS', 'ESANTE_LOG_LEVEL']) assert.match(text, new RegExp(name));
      assert.equal(e.problems.length, 5);
    }
  });

  test('a Zimbra session is trusted from the cache for at most 60 s (a logout must reach the service soon)', () => {
    assert.equal(loadConfig({ ESANTE_AUTH_CACHE_SECONDS: '60' }).authCacheSeconds, 60);
    assert.throws(() => loadConfig({ ESANTE_AUTH_CACHE_SECONDS: '61' }), /ESANTE_AUTH_CACHE_SECONDS/);
  });

  test('postgres needs its URL', () => {
    assert.throws(() => loadConfig({ ESANTE_STORE: 'postgres' }), /ESANTE_PG_URL/);
  });

  test('the admin password comes from a file and never shows in JSON or inspect', () => {
    const dir = mkdtempSync(join(tmpdir(), 'esante-cfg-'));
    try {
      writeFileSync(join(dir, 'pw'), 'S3cret-admin!\n');
      const c = loadConfig({ ESANTE_ZIMBRA_ADMIN_USER: 'admin@esante.lu', ESANTE_ZIMBRA_ADMIN_PASSWORD_FILE: 'pw' }, dir);
      assert.equal(c.zimbra.adminPassword?.reveal(), 'S3cret-admin!');
      assert.ok(!JSON.stringify(c).includes('S3cret'));
      assert.ok(!inspect(c, { depth: 10 }).includes('S3cret'));
      assert.ok(!String(c.zimbra.adminPassword).includes('S3cret'));
      assert.throws(() => loadConfig({ ESANTE_ZIMBRA_ADMIN_USER: 'admin@esante.lu', ESANTE_ZIMBRA_ADMIN_PASSWORD_FILE: 'missing' }, dir), /cannot read missing \(ENOENT\)/);
      assert.throws(() => loadConfig({ ESANTE_ZIMBRA_ADMIN_USER: 'admin@esante.lu' }, dir), /PASSWORD_FILE is not/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('Secret hides its value from serialisation', () => {
    const s = new Secret('pw');
    assert.equal(JSON.stringify({ s }), '{"s":"[redacted]"}');
    assert.equal(`${s}`, '[redacted]');
  });

  test('unknown ESANTE_ variables are reported (likely typos)', () => {
    assert.deepEqual(unknownEsanteVars({ ESANTE_PORT: '1', ESANTE_PROT: '2', HOME: '/' }), ['ESANTE_PROT']);
    assert.deepEqual(unknownEsanteVars({ ESANTE_SIGNER: 'csc' }, [...CONFIG_VARS, { name: 'ESANTE_SIGNER', default: '', description: 'feature table' }]), []);
  });
});

describe('CONFIG_VARS', () => {
  test('lists each variable once, each with a description', () => {
    const names = CONFIG_VARS.map((v) => v.name);
    assert.equal(new Set(names).size, names.length);
    for (const v of CONFIG_VARS) assert.ok(v.description.length > 10, v.name);
  });

  test('every ESANTE_ variable config.ts reads is in the table', () => {
    const source = readFileSync(new URL('./config.ts', import.meta.url), 'utf8');
    const used = new Set(source.match(/ESANTE_[A-Z_]+/g));
    const listed = new Set<string>(CONFIG_VARS.map((v) => v.name));
    for (const name of used) assert.ok(listed.has(name), `${name} read but not in CONFIG_VARS`);
  });

  test('configTableMarkdown renders one row per variable for the README', () => {
    const rows = configTableMarkdown().split('\n');
    assert.equal(rows.length, CONFIG_VARS.length + 2);
    assert.ok(rows.some((r) => r.startsWith('| `ESANTE_PORT` | `7080` |')));
  });

});
