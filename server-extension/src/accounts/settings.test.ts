import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../config.ts';
import { accountsConfigVars, readAccountsSettings } from './settings.ts';

const config = { publicUrl: 'https://mail.esante.lu' };

test('defaults: level 3, 5 attempts, 15 minutes, the guide’s servers, the portal under the public URL', () => {
  const s = readAccountsSettings({}, config);
  assert.equal(s.directoryLevel, 3);
  assert.equal(s.maxAttempts, 5);
  assert.equal(s.lockMinutes, 15);
  assert.equal(s.scryptLog2n, 17);
  assert.deepEqual(s.servers, {
    imapHost: 'regify-integration.esante.lu', imapPort: 993, imapSecurity: 'TLS',
    smtpHost: 'regify-integration.esante.lu', smtpPort: 465, smtpSecurity: 'TLS',
    encryptionServer: 'regify-integration.esante.lu', portalUrl: 'https://mail.esante.lu/service/extension/esante/portal/',
  });
  // Every variable read is declared (the README table is generated from the declarations).
  for (const name of ['ESANTE_ACCOUNT_DIRECTORY_LEVEL', 'ESANTE_ACCOUNT_MAX_ATTEMPTS', 'ESANTE_ACCOUNT_LOCK_MINUTES', 'ESANTE_ACCOUNT_IMAP_HOST', 'ESANTE_ACCOUNT_PORTAL_URL']) {
    assert.ok(accountsConfigVars.some((v) => v.name === name), name);
  }
});

test('values from the environment', () => {
  const s = readAccountsSettings({ ESANTE_ACCOUNT_DIRECTORY_LEVEL: '5', ESANTE_ACCOUNT_IMAP_HOST: 'imap.example.lu', ESANTE_ACCOUNT_IMAP_PORT: '143', ESANTE_ACCOUNT_IMAP_SECURITY: 'STARTTLS' }, config);
  assert.equal(s.directoryLevel, 5);
  assert.equal(s.servers.imapHost, 'imap.example.lu');
  assert.equal(s.servers.imapPort, 143);
  assert.equal(s.servers.imapSecurity, 'STARTTLS');
});

test('bad values stop the start, naming every variable', () => {
  assert.throws(
    () => readAccountsSettings({ ESANTE_ACCOUNT_DIRECTORY_LEVEL: '4', ESANTE_ACCOUNT_MAX_ATTEMPTS: '0', ESANTE_ACCOUNT_IMAP_HOST: 'a b', ESANTE_ACCOUNT_PORTAL_URL: 'ftp://x' }, config),
    (e: unknown) => e instanceof ConfigError && e.problems.length === 4,
  );
});
