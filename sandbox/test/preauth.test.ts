import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { sandboxPerSuite, soapRaw, MARIE } from './helpers.ts';

const KEY = '4e2816f16c44fab20ecdee39fb850c3b0bb54d03f1d8e073aaea376a4f407f0c';

/** HMAC-SHA1(key, "account|by|expires|timestamp") as zm-mailbox store/docs/preauth.md computes it. */
function preauth(account: string, timestamp: number, expires = 0, key = KEY): string {
  return createHmac('sha1', key).update(`${account}|name|${expires}|${timestamp}`).digest('hex');
}

describe('/service/preauth', () => {
  const sb = sandboxPerSuite({ preauthKey: KEY });

  const get = (q: Record<string, string>) => fetch(new URL(`/service/preauth?${new URLSearchParams(q)}`, sb.url), { redirect: 'manual' });

  test('a good HMAC sets the auth cookie and redirects; the session works', async () => {
    assert.equal(sb.preauthKey, KEY);
    const ts = Date.now();
    const res = await get({ account: MARIE, by: 'name', timestamp: String(ts), expires: '0', preauth: preauth(MARIE, ts), redirectURL: '/?app=mail' });
    assert.equal(res.status, 302);
    assert.equal(res.headers.get('location'), '/?app=mail');
    const cookie = /ZM_AUTH_TOKEN=([^;]+)/.exec(res.headers.get('set-cookie') ?? '');
    assert.ok(cookie);
    // The shell then carries the CSRF token for that session; GetInfo works with both.
    const shell = await (await fetch(new URL('/', sb.url), { headers: { Cookie: `ZM_AUTH_TOKEN=${cookie[1]}` } })).text();
    const csrf = /window\.csrfToken = "([^"]+)"/.exec(shell);
    assert.ok(csrf, 'shell without csrf token');
    const info = await soapRaw(sb.url, '/service/soap', 'GetInfoRequest', {}, { cookie: `ZM_AUTH_TOKEN=${cookie[1]}`, csrf: csrf[1]! });
    assert.equal(info.json.Body.GetInfoResponse.name, MARIE);
  });

  test('a stale timestamp (over 5 minutes) is refused', async () => {
    const ts = Date.now() - 6 * 60 * 1000;
    const res = await get({ account: MARIE, by: 'name', timestamp: String(ts), expires: '0', preauth: preauth(MARIE, ts) });
    assert.equal(res.status, 403);
    assert.equal(res.headers.get('set-cookie'), null);
  });

  test('a wrong HMAC (other key, other account) is refused', async () => {
    const ts = Date.now();
    const wrongKey = await get({ account: MARIE, by: 'name', timestamp: String(ts), expires: '0', preauth: preauth(MARIE, ts, 0, 'other-key') });
    assert.equal(wrongKey.status, 403);
    const otherAccount = await get({ account: 'luc.hoffmann@esante.lu', by: 'name', timestamp: String(ts), expires: '0', preauth: preauth(MARIE, ts) });
    assert.equal(otherAccount.status, 403);
    const missing = await get({ account: MARIE, timestamp: String(ts) });
    assert.equal(missing.status, 400);
  });

  test('an off-site redirectURL is replaced by /', async () => {
    const ts = Date.now();
    const res = await get({ account: MARIE, by: 'name', timestamp: String(ts), expires: '0', preauth: preauth(MARIE, ts), redirectURL: '//evil.example/' });
    assert.equal(res.status, 302);
    assert.equal(res.headers.get('location'), '/');
  });

  test('esanteAuthMethod is signed with the rest and reported by GetInfo', async () => {
    const ts = Date.now();
    const mac = createHmac('sha1', KEY).update(`${MARIE}|name|0|${ts}|fallback`).digest('hex');
    const tampered = await get({ account: MARIE, by: 'name', timestamp: String(ts), expires: '0', preauth: preauth(MARIE, ts), esanteAuthMethod: 'card' });
    assert.equal(tampered.status, 403);
    const res = await get({ account: MARIE, by: 'name', timestamp: String(ts), expires: '0', preauth: mac, esanteAuthMethod: 'fallback' });
    assert.equal(res.status, 302);
    const token = /ZM_AUTH_TOKEN=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')![1]!;
    const shell = await (await fetch(new URL('/', sb.url), { headers: { Cookie: `ZM_AUTH_TOKEN=${token}` } })).text();
    const csrf = /window\.csrfToken = "([^"]+)"/.exec(shell)![1]!;
    const info = await soapRaw(sb.url, '/service/soap', 'GetInfoRequest', {}, { cookie: `ZM_AUTH_TOKEN=${token}`, csrf });
    assert.equal(info.json.Body.GetInfoResponse.attrs._attrs.esanteAuthMethod, 'fallback');
  });
});
