import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { loginAs } from '../server/testing.ts';
import { sandboxPerSuite, soapRaw, PASSWORD, MARIE } from './helpers.ts';

describe('AuthRequest and GetInfoRequest', () => {
  const sb = sandboxPerSuite();

  test('AuthRequest answers a token, a CSRF token and sets the HttpOnly cookie', async () => {
    const r = await soapRaw(sb.url, '/service/soap', 'AuthRequest', {
      account: { by: 'name', _content: MARIE },
      password: { _content: PASSWORD },
      csrfTokenSecured: '1',
    });
    assert.equal(r.status, 200);
    const auth = r.json.Body.AuthResponse;
    assert.match(auth.authToken[0]._content, /^0_[0-9a-f]{64}$/);
    assert.ok(auth.csrfToken._content);
    assert.ok(auth.lifetime > 0);
    assert.equal(auth._jsns, 'urn:zimbraAccount');
    const cookie = r.headers.get('set-cookie') ?? '';
    assert.match(cookie, new RegExp(`^ZM_AUTH_TOKEN=${auth.authToken[0]._content};`));
    assert.match(cookie, /HttpOnly/);
  });

  test('a wrong password and an unknown account give the same account.AUTH_FAILED fault', async () => {
    for (const [name, pw] of [[MARIE, 'wrong'], ['nobody@esante.lu', PASSWORD]] as const) {
      const r = await soapRaw(sb.url, '/service/soap', 'AuthRequest', { account: { by: 'name', _content: name }, password: { _content: pw } });
      assert.equal(r.status, 500);
      assert.equal(r.json.Body.Fault.Detail.Error.Code, 'account.AUTH_FAILED');
      assert.equal(r.json.Body.Fault.Reason.Text, `authentication failed for [${name}]`);
    }
  });

  test('GetInfo with a CSRF-secured token needs the CSRF header (SoapEngine)', async () => {
    const login = await loginAs(sb.url, MARIE, PASSWORD);
    const without = await soapRaw(sb.url, '/service/soap', 'GetInfoRequest', {}, { cookie: login.cookie });
    assert.equal(without.status, 500);
    assert.equal(without.json.Body.Fault.Detail.Error.Code, 'service.AUTH_REQUIRED');
    const wrong = await soapRaw(sb.url, '/service/soap', 'GetInfoRequest', {}, { cookie: login.cookie, csrf: '0_' + 'a'.repeat(40) });
    assert.equal(wrong.json.Body.Fault.Detail.Error.Code, 'service.AUTH_REQUIRED');
    const ok = await soapRaw(sb.url, '/service/soap', 'GetInfoRequest', {}, { cookie: login.cookie, csrf: login.csrfToken });
    assert.equal(ok.status, 200);
    const info = ok.json.Body.GetInfoResponse;
    assert.equal(info.name, MARIE);
    assert.match(info.id, /^[0-9a-f-]{36}$/);
    assert.equal(info.attrs._attrs.displayName, 'Marie Schmit');
    assert.equal(info.prefs._attrs.zimbraPrefLocale, 'fr');
    assert.equal(info.attrs._attrs.esanteAuthMethod, 'card');
    assert.deepEqual(info.zimlets.zimlet, []);
    // The CSRF token may also travel in the SOAP context header (SoapEngine reads both).
    const inHeader = await soapRaw(sb.url, '/service/soap', 'GetInfoRequest', {}, { cookie: login.cookie, context: { csrfToken: login.csrfToken } });
    assert.equal(inHeader.status, 200);
  });

  test('the CSRF token of one session does not open another', async () => {
    const a = await loginAs(sb.url, MARIE, PASSWORD);
    const b = await loginAs(sb.url, MARIE, PASSWORD);
    const r = await soapRaw(sb.url, '/service/soap', 'GetInfoRequest', {}, { cookie: a.cookie, csrf: b.csrfToken });
    assert.equal(r.json.Body.Fault.Detail.Error.Code, 'service.AUTH_REQUIRED');
  });

  test('a token without csrfTokenSecured works from the context header alone', async () => {
    const r = await soapRaw(sb.url, '/service/soap', 'AuthRequest', { account: { by: 'name', _content: MARIE }, password: { _content: PASSWORD } });
    const token = r.json.Body.AuthResponse.authToken[0]._content;
    assert.equal(r.json.Body.AuthResponse.csrfToken, undefined);
    const info = await soapRaw(sb.url, '/service/soap', 'GetInfoRequest', {}, { context: { authToken: { _content: token } } });
    assert.equal(info.json.Body.GetInfoResponse.name, MARIE);
  });

  test('the fallback login method is reported in GetInfo', async () => {
    const login = await loginAs(sb.url, 'sophie.muller@esante.lu', PASSWORD, 'fallback');
    const r = await soapRaw(sb.url, '/service/soap', 'GetInfoRequest', {}, { cookie: login.cookie, csrf: login.csrfToken });
    assert.equal(r.json.Body.GetInfoResponse.attrs._attrs.esanteAuthMethod, 'fallback');
    assert.equal(r.json.Body.GetInfoResponse.prefs._attrs.zimbraPrefLocale, 'de');
  });

  test('an unknown token is AUTH_REQUIRED, no token at all too', async () => {
    const bad = await soapRaw(sb.url, '/service/soap', 'GetInfoRequest', {}, { cookie: 'ZM_AUTH_TOKEN=0_deadbeef' });
    assert.equal(bad.json.Body.Fault.Detail.Error.Code, 'service.AUTH_REQUIRED');
    const none = await soapRaw(sb.url, '/service/soap', 'GetInfoRequest', {});
    assert.equal(none.json.Body.Fault.Detail.Error.Code, 'service.AUTH_REQUIRED');
    assert.equal(none.json.Body.Fault.Reason.Text, 'no valid authtoken present');
  });

  test('AuthRequest by token with verifyAccount checks the account', async () => {
    const login = await loginAs(sb.url, MARIE, PASSWORD);
    const ok = await soapRaw(sb.url, '/service/soap', 'AuthRequest', {
      authToken: { verifyAccount: '1', _content: login.authToken },
      account: { by: 'name', _content: MARIE },
    });
    assert.equal(ok.json.Body.AuthResponse.authToken[0]._content, login.authToken);
    const other = await soapRaw(sb.url, '/service/soap', 'AuthRequest', {
      authToken: { verifyAccount: '1', _content: login.authToken },
      account: { by: 'name', _content: 'luc.hoffmann@esante.lu' },
    });
    assert.equal(other.json.Body.Fault.Detail.Error.Code, 'account.AUTH_FAILED');
  });
});
