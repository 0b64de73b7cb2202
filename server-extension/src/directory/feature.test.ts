import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../config.ts';
import type { FeatureContext } from '../feature.ts';
import { createDirectoryFeature, directoryFromEnv, readDirectoryConfig } from './feature.ts';

const work = mkdtempSync(join(tmpdir(), 'esante-dir-feature-'));
after(() => rmSync(work, { recursive: true, force: true }));

test('embedded by default', () => {
  assert.deepEqual(readDirectoryConfig({}, work), { kind: 'embedded' });
});

test('ldap reads the password from its file and keeps it secret', () => {
  writeFileSync(join(work, 'ldap.pw'), 's3cret-Passw0rd\n');
  const cfg = readDirectoryConfig(
    { ESANTE_DIRECTORY: 'ldap', ESANTE_LDAP_URL: 'ldaps://ldap.esante.lu:636', ESANTE_LDAP_BIND_DN: 'cn=svc,dc=HPD,dc=esante,dc=lu', ESANTE_LDAP_PASSWORD_FILE: 'ldap.pw', ESANTE_LDAP_TIMEOUT_MS: '1500' },
    work,
  );
  assert.equal(cfg.kind, 'ldap');
  if (cfg.kind !== 'ldap') return;
  assert.equal(cfg.password.reveal(), 's3cret-Passw0rd');
  assert.equal(cfg.timeoutMs, 1500);
  assert.equal(cfg.poolSize, 4);
  assert.equal(cfg.baseDN, 'dc=HPD,dc=esante,dc=lu');
  assert.doesNotMatch(JSON.stringify(cfg), /s3cret/);
});

test('every bad variable is named at once', () => {
  assert.throws(
    () => readDirectoryConfig({ ESANTE_DIRECTORY: 'ldap', ESANTE_LDAP_URL: 'http://x', ESANTE_LDAP_POOL_SIZE: '0', ESANTE_LDAP_PASSWORD_FILE: 'missing.pw' }, work),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      const text = e.problems.join('\n');
      for (const v of ['ESANTE_LDAP_URL', 'ESANTE_LDAP_BIND_DN', 'ESANTE_LDAP_PASSWORD_FILE', 'ESANTE_LDAP_POOL_SIZE']) assert.match(text, new RegExp(v));
      return true;
    },
  );
  assert.throws(() => readDirectoryConfig({ ESANTE_DIRECTORY: 'x500' }, work), ConfigError);
  assert.throws(() => readDirectoryConfig({ ESANTE_DIRECTORY_SEED: 'nope.ndjson' }, work), ConfigError);
});

test('the feature reports the directory healthy, and a dead one not', async () => {
  const live = directoryFromEnv({});
  const ok = createDirectoryFeature({ directory: live } as unknown as FeatureContext);
  assert.equal(ok.name, 'directory');
  assert.equal(await ok.health?.(), true);
  await live.close();

  writeFileSync(join(work, 'dead.pw'), 'x');
  const down = directoryFromEnv({ ESANTE_DIRECTORY: 'ldap', ESANTE_LDAP_URL: 'ldap://127.0.0.1:1', ESANTE_LDAP_BIND_DN: 'cn=x', ESANTE_LDAP_PASSWORD_FILE: join(work, 'dead.pw'), ESANTE_LDAP_TIMEOUT_MS: '500' });
  const dead = createDirectoryFeature({ directory: down } as unknown as FeatureContext);
  assert.equal(await dead.health?.(), false);
  await down.close();
});
