import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadSigningConfig } from './config.ts';

test('defaults: soft token, zimbra attribute, master key in the data dir', () => {
  const c = loadSigningConfig({}, '/data');
  assert.equal(c.signer, 'soft-token');
  assert.deepEqual(c.authMethod, { source: 'zimbra-attr' });
  assert.equal(c.masterKeyFile, '/data/signing/master.key');
  assert.equal(c.trustAnchorsFile, undefined);
});

test('csc and header sources are read; every problem is listed at once', () => {
  const c = loadSigningConfig(
    { ESANTE_SIGNER: 'csc', ESANTE_CSC_URL: 'https://rssp.example.lu/csc/v2', ESANTE_CSC_TOKEN_FILE: 't', ESANTE_SIGNING_TRUST_ANCHORS: 'luxtrust.pem', ESANTE_AUTH_METHOD_SOURCE: 'header', ESANTE_AUTH_METHOD_ACCOUNT_HEADER: 'X-Sso-Mail' },
    '/data',
    '/etc/esante',
  );
  assert.equal(c.csc?.tokenFile, '/etc/esante/t');
  assert.equal(c.trustAnchorsFile, '/etc/esante/luxtrust.pem');
  assert.deepEqual(c.authMethod, { source: 'header', header: 'X-Esante-Auth-Method', accountHeader: 'X-Sso-Mail' });
  assert.throws(
    () => loadSigningConfig({ ESANTE_SIGNER: 'csc', ESANTE_CSC_URL: 'ftp://x', ESANTE_AUTH_METHOD_SOURCE: 'cookie' }, '/data'),
    (e: Error) => ['ESANTE_CSC_URL', 'ESANTE_SIGNING_TRUST_ANCHORS', 'ESANTE_AUTH_METHOD_SOURCE', 'ESANTE_CSC_USER'].every((n) => e.message.includes(n)),
  );
});
