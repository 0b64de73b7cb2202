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
import { toFault } from '../src/soap/fault.ts';
import { ZimbraAdmin, ZimbraClient } from '../src/zimbra/client.ts';
import { SEED_PASSWORD, callAs, freePort, loginAs, memoryLogger, startTestEnv, type TestEnv } from './support/service.ts';

/** Every client of this file logs here (debug level), so the last test reads what really was logged. */
const captured = memoryLogger();
const WRONG_PASSWORD = 'not-it-Wr0ng-admin-pw';

describe('Zimbra admin SOAP (sandbox)', () => {
  let env: TestEnv;
  let secrets: string;
  let admin: ZimbraAdmin;

  before(async () => {
    secrets = await mkdtemp(join(tmpdir(), 'esante-secret-'));
    await writeFile(join(secrets, 'admin-password'), `${SEED_PASSWORD}\n`, { mode: 0o600 });
    env = await startTestEnv({ ESANTE_ZIMBRA_ADMIN_USER: 'admin@esante.lu', ESANTE_ZIMBRA_ADMIN_PASSWORD_FILE: join(secrets, 'admin-password') });
    const client = new ZimbraClient({ url: env.sandboxUrl, adminUrl: env.sandboxUrl, timeoutMs: 3000, log: captured.log });
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
    const client = new ZimbraClient({ url: env.sandboxUrl, adminUrl: env.sandboxUrl, timeoutMs: 3000, log: captured.log });
    const wrong = new ZimbraAdmin(client, () => ({ name: 'admin@esante.lu', password: WRONG_PASSWORD }));
    const err = await wrong.getAccount('marie.schmit@esante.lu').then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof ServiceUnavailableError, String(err));
    // The way the service reports it: the one wire mapper logs the error with its cause chain.
    assert.equal(toFault(err, 'en', captured.log).code, 'service.unavailable');
  });

  test('admin service unreachable: service.unavailable, logged with the request name', async () => {
    const closed = await freePort();
    const client = new ZimbraClient({ url: env.sandboxUrl, adminUrl: `http://127.0.0.1:${closed}`, timeoutMs: 3000, log: captured.log });
    const down = new ZimbraAdmin(client, () => ({ name: 'admin@esante.lu', password: SEED_PASSWORD }));
    const err = await down.getAccount('marie.schmit@esante.lu').then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof ServiceUnavailableError, String(err));
    toFault(err, 'en', captured.log);
  });

  test('user side: getInfo proves a web session, verifyAuthToken checks a token belongs to an account', async () => {
    const client = new ZimbraClient({ url: env.sandboxUrl, adminUrl: env.sandboxUrl, timeoutMs: 3000, log: captured.log });
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

  test('the admin password never reaches the logs (which did receive the admin calls’ failures)', () => {
    const ours = captured.lines.join('\n');
    // Proof the captured logger is wired: the failures above were logged, with their request and code.
    assert.match(ours, /"msg":"Zimbra unreachable"/);
    assert.match(ours, /"zimbraRequest":"Auth"/);
    assert.match(ours, /"errorCode":"service.unavailable"/);
    assert.ok(captured.lines.length >= 3, `${captured.lines.length} lines`);
    assert.ok(!ours.includes(SEED_PASSWORD), 'the admin password is not in the admin client’s logs');
    assert.ok(!ours.includes(WRONG_PASSWORD), 'nor a wrong one');
    const service = env.lines.join('\n');
    assert.ok(env.lines.length > 0, 'the service logged');
    assert.ok(!service.includes(SEED_PASSWORD));
  });
});
