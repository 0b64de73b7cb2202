import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loginAs } from '../server/testing.ts';
import { startTestSandbox, soapRaw, PASSWORD, MARIE, type TestSandbox } from './helpers.ts';

describe('admin SOAP', () => {
  let sb: TestSandbox;
  let adminToken: string;
  before(async () => {
    sb = await startTestSandbox();
    const r = await soapRaw(sb.url, '/service/admin/soap', 'AuthRequest', { name: 'admin@esante.lu', password: PASSWORD }, { jsns: 'urn:zimbraAdmin' });
    adminToken = r.json.Body.AuthResponse.authToken[0]._content;
  });
  after(async () => {
    await sb.dispose();
  });
  const admin = (name: string, body: Record<string, unknown>, token = adminToken) =>
    soapRaw(sb.url, '/service/admin/soap', name, body, { jsns: 'urn:zimbraAdmin', context: { authToken: { _content: token } } });

  test('admin AuthRequest refuses a non-admin account', async () => {
    const r = await soapRaw(sb.url, '/service/admin/soap', 'AuthRequest', { name: MARIE, password: PASSWORD }, { jsns: 'urn:zimbraAdmin' });
    assert.equal(r.json.Body.Fault.Detail.Error.Code, 'account.AUTH_FAILED');
  });

  test('a user token cannot call admin requests', async () => {
    const marie = await loginAs(sb.url, MARIE, PASSWORD);
    const r = await soapRaw(sb.url, '/service/admin/soap', 'GetAccountRequest', { account: { by: 'name', _content: MARIE } }, {
      jsns: 'urn:zimbraAdmin',
      cookie: marie.cookie,
      csrf: marie.csrfToken,
      context: { authToken: { _content: marie.authToken } },
    });
    assert.equal(r.json.Body.Fault.Detail.Error.Code, 'service.PERM_DENIED');
  });

  test('GetAccount by name; unknown is account.NO_SUCH_ACCOUNT', async () => {
    const r = await admin('GetAccountRequest', { account: { by: 'name', _content: MARIE } });
    const acct = r.json.Body.GetAccountResponse.account[0];
    assert.equal(acct.name, MARIE);
    assert.ok(acct.a.some((a: any) => a.n === 'displayName' && a._content === 'Marie Schmit'));
    const byId = await admin('GetAccountRequest', { account: { by: 'id', _content: acct.id } });
    assert.equal(byId.json.Body.GetAccountResponse.account[0].name, MARIE);
    const none = await admin('GetAccountRequest', { account: { by: 'name', _content: 'nobody@esante.lu' } });
    assert.equal(none.json.Body.Fault.Detail.Error.Code, 'account.NO_SUCH_ACCOUNT');
  });

  test('CreateAccount makes a mailbox that can log in and receive mail; duplicates are account.ACCOUNT_EXISTS', async () => {
    const r = await admin('CreateAccountRequest', {
      name: 'paul.kieffer@esante.lu',
      password: 'Paul-2026!x',
      a: [{ n: 'displayName', _content: 'Paul Kieffer' }, { n: 'givenName', _content: 'Paul' }, { n: 'sn', _content: 'Kieffer' }, { n: 'zimbraPrefLocale', _content: 'de' }],
    });
    const acct = r.json.Body.CreateAccountResponse.account[0];
    assert.equal(acct.name, 'paul.kieffer@esante.lu');
    const paul = await loginAs(sb.url, 'paul.kieffer@esante.lu', 'Paul-2026!x');
    const info = await soapRaw(sb.url, '/service/soap', 'GetInfoRequest', {}, { cookie: paul.cookie, csrf: paul.csrfToken });
    assert.equal(info.json.Body.GetInfoResponse.prefs._attrs.zimbraPrefLocale, 'de');
    const dup = await admin('CreateAccountRequest', { name: 'Paul.Kieffer@esante.lu', password: 'x' });
    assert.equal(dup.json.Body.Fault.Detail.Error.Code, 'account.ACCOUNT_EXISTS');
    const badDomain = await admin('CreateAccountRequest', { name: 'x@gmail.com' });
    assert.equal(badDomain.json.Body.Fault.Detail.Error.Code, 'service.INVALID_REQUEST');
    const badAttr = await admin('CreateAccountRequest', { name: 'y@esante.lu', a: [{ n: 'zimbraIsAdminAccount', _content: 'TRUE' }] });
    assert.equal(badAttr.json.Body.Fault.Detail.Error.Code, 'service.INVALID_REQUEST');
    const notCreated = await admin('GetAccountRequest', { account: { by: 'name', _content: 'y@esante.lu' } });
    assert.equal(notCreated.json.Body.Fault.Detail.Error.Code, 'account.NO_SUCH_ACCOUNT', 'a refused request changes nothing');
  });

  test('ModifyAccount sets esanteAuthMethod, which a preauth session without its own method reports', async () => {
    const acct = (await admin('GetAccountRequest', { account: { by: 'name', _content: MARIE } })).json.Body.GetAccountResponse.account[0];
    const mod = await admin('ModifyAccountRequest', { id: acct.id, a: [{ n: 'esanteAuthMethod', _content: 'fallback' }] });
    assert.ok(mod.json.Body.ModifyAccountResponse.account[0].a.some((a: any) => a.n === 'esanteAuthMethod' && a._content === 'fallback'));
    const bad = await admin('ModifyAccountRequest', { id: acct.id, a: [{ n: 'esanteAuthMethod', _content: 'password' }] });
    assert.equal(bad.json.Body.Fault.Detail.Error.Code, 'service.INVALID_REQUEST');

    // The key file in the data dir is what a local service would be configured with.
    const keyFile = join(sb.dataDir, 'preauth.key');
    assert.equal(readFileSync(keyFile, 'utf8').trim(), sb.preauthKey);
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);
    const ts = Date.now();
    const mac = createHmac('sha1', sb.preauthKey).update(`${MARIE}|name|0|${ts}`).digest('hex');
    const res = await fetch(new URL(`/service/preauth?account=${MARIE}&by=name&timestamp=${ts}&expires=0&preauth=${mac}`, sb.url), { redirect: 'manual' });
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
    const shell = await (await fetch(new URL('/', sb.url), { headers: { Cookie: cookie } })).text();
    const csrf = /window\.csrfToken = "([^"]+)"/.exec(shell)![1]!;
    const info = await soapRaw(sb.url, '/service/soap', 'GetInfoRequest', {}, { cookie, csrf });
    assert.equal(info.json.Body.GetInfoResponse.attrs._attrs.esanteAuthMethod, 'fallback');
    // A session that knows its own method keeps it.
    const card = await loginAs(sb.url, MARIE, PASSWORD, 'card');
    const cardInfo = await soapRaw(sb.url, '/service/soap', 'GetInfoRequest', {}, { cookie: card.cookie, csrf: card.csrfToken });
    assert.equal(cardInfo.json.Body.GetInfoResponse.attrs._attrs.esanteAuthMethod, 'card');
  });
});
