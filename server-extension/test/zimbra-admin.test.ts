/**
 * The Zimbra client against the sandbox: admin calls (the stand-in of https://mailbox:7071/service/admin/soap),
 * configured the way an operator would (user + password file), and the user-side session checks.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthRequiredError, ServiceUnavailableError } from '../src/errors.ts';
import { createLogger } from '../src/log.ts';
import { ZimbraAdmin, ZimbraClient } from '../src/zimbra/client.ts';
import { SEED_PASSWORD, callAs, loginAs, startTestEnv, type TestEnv } from './support/service.ts';

describe('Zimbra admin SOAP (sandbox)', () => {
  let env: TestEnv;
  let secrets: string;
  let admin: ZimbraAdmin;

  before(async () => {
    secrets = await mkdtemp(join(tmpdir(), 'esante-secret-'));
    await writeFile(join(secrets, 'admin-password'), `${SEED_PASSWORD}\n`, { mode: 0o600 });
    env = await startTestEnv({ ESANTE_ZIMBRA_ADMIN_USER: 'admin@esante.lu', ESANTE_ZIMBRA_ADMIN_PASSWORD_FILE: join(secrets, 'admin-password') });
    const client = new ZimbraClient({ url: env.sandboxUrl, adminUrl: env.sandboxUrl, timeoutMs: 3000, log: createLogger({ level: 'silent' }) });
    admin = new ZimbraAdmin(client, () => ({ name: 'admin@esante.lu', password: SEED_PASSWORD }));
  });
  after(async () => {
    await env?.close();
    await rm(secrets, { recursive: true, force: true });
  });

  test('with admin credentials configured, GetServiceInfo lists the provisioning feature', async () => {
    const marie = await loginAs(env.sandboxUrl, 'marie.schmit@esante.lu', SEED_PASSWORD);
    const info = await callAs(env.url, marie, 'GetServiceInfo', {});
    assert.ok(info.features.includes('provisioning'), JSON.stringify(info.features));
  });

  test('GetAccount finds a seeded account and answers null for an unknown one', async () => {
    const marie = await admin.getAccount('marie.schmit@esante.lu');
    assert.equal(marie?.name, 'marie.schmit@esante.lu');
    assert.match(marie?.id ?? '', /\S/);
    assert.equal(marie?.attrs['displayName'], 'Marie Schmit');
    assert.equal(await admin.getAccount('nobody.here@esante.lu'), null);
  });

  test('CreateAccount creates an account that GetAccount then finds', async () => {
    const created = await admin.createAccount('paul.kieffer@esante.lu', { displayName: 'Paul Kieffer', givenName: 'Paul', sn: 'Kieffer' });
    assert.equal(created.name, 'paul.kieffer@esante.lu');
    const found = await admin.getAccount('paul.kieffer@esante.lu');
    assert.equal(found?.id, created.id);
    assert.equal(found?.attrs['sn'], 'Kieffer');
  });

  test('wrong admin credentials: service.unavailable (a configuration problem), never auth.required', async () => {
    const client = new ZimbraClient({ url: env.sandboxUrl, adminUrl: env.sandboxUrl, timeoutMs: 3000, log: createLogger({ level: 'silent' }) });
    const wrong = new ZimbraAdmin(client, () => ({ name: 'admin@esante.lu', password: 'not-it' }));
    await assert.rejects(wrong.getAccount('marie.schmit@esante.lu'), ServiceUnavailableError);
  });

  test('user side: getInfo proves a web session, verifyAuthToken checks a token belongs to an account', async () => {
    const client = new ZimbraClient({ url: env.sandboxUrl, adminUrl: env.sandboxUrl, timeoutMs: 3000, log: createLogger({ level: 'silent' }) });
    const sophie = await loginAs(env.sandboxUrl, 'sophie.muller@esante.lu', SEED_PASSWORD, 'fallback');
    const info = await client.getInfo(sophie.authToken, sophie.csrfToken);
    assert.equal(info.name, 'sophie.muller@esante.lu');
    assert.equal(info.locale, 'de');
    assert.equal(info.authMethod, 'fallback');
    await assert.rejects(client.getInfo(sophie.authToken, 'wrong-csrf'), AuthRequiredError);
    assert.equal(await client.verifyAuthToken(sophie.authToken, 'sophie.muller@esante.lu'), true);
    assert.equal(await client.verifyAuthToken(sophie.authToken, 'marie.schmit@esante.lu'), false);
    assert.equal(await client.verifyAuthToken('forged-token', 'sophie.muller@esante.lu'), false);
  });

  test('the admin password never reaches the logs', () => {
    assert.ok(!env.lines.join('\n').includes(SEED_PASSWORD));
  });
});
