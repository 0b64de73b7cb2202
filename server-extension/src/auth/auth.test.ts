import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { AuthRequiredError, ServiceUnavailableError } from '../errors.ts';
import type { ZimbraAccountInfo } from '../zimbra/client.ts';
import { TtlCache } from './cache.ts';
import { readCookie, ZimbraAuthenticator } from './index.ts';

function verifier(answer: (token: string, csrf: string) => ZimbraAccountInfo | Error) {
  const calls: Array<[string, string]> = [];
  return {
    calls,
    async getInfo(token: string, csrf: string) {
      calls.push([token, csrf]);
      await Promise.resolve();
      const a = answer(token, csrf);
      if (a instanceof Error) throw a;
      return a;
    },
  };
}

const marie: ZimbraAccountInfo = { id: 'id-m', name: 'marie.schmit@esante.lu', displayName: 'Marie Schmit', locale: 'de_LU', authMethod: 'card' };

describe('ZimbraAuthenticator', () => {
  test('resolves the caller from GetInfo, language from the Zimbra locale', async () => {
    const v = verifier(() => marie);
    const caller = await new ZimbraAuthenticator(v, { cacheSeconds: 30 }).authenticate({ authToken: 'tok', csrfToken: 'csrf' });
    assert.deepEqual(caller, { accountId: 'id-m', name: 'marie.schmit@esante.lu', displayName: 'Marie Schmit', lang: 'de', authMethod: 'card' });
    assert.deepEqual(v.calls, [['tok', 'csrf']]);
  });

  test('no token, no CSRF token or a malformed one: auth.required without asking Zimbra', async () => {
    const v = verifier(() => marie);
    const auth = new ZimbraAuthenticator(v, { cacheSeconds: 30 });
    for (const creds of [{}, { authToken: 'tok' }, { csrfToken: 'c' }, { authToken: 'tok', csrfToken: '' }, { authToken: 'to k', csrfToken: 'c' }, { authToken: 'tok', csrfToken: 'c\n' }]) {
      await assert.rejects(auth.authenticate(creds), AuthRequiredError, JSON.stringify(creds));
    }
    assert.equal(v.calls.length, 0);
  });

  test('caches a proved session briefly, per token AND csrf pair', async () => {
    let now = 1_000_000;
    const v = verifier((_t, csrf) => (csrf === 'good' ? marie : new AuthRequiredError()));
    const auth = new ZimbraAuthenticator(v, { cacheSeconds: 30, now: () => now });
    await auth.authenticate({ authToken: 'tok', csrfToken: 'good' });
    await auth.authenticate({ authToken: 'tok', csrfToken: 'good' });
    assert.equal(v.calls.length, 1, 'second call served from cache');
    await assert.rejects(auth.authenticate({ authToken: 'tok', csrfToken: 'bad' }), AuthRequiredError);
    assert.equal(v.calls.length, 2, 'another CSRF token is proved again');
    now += 30_001;
    await auth.authenticate({ authToken: 'tok', csrfToken: 'good' });
    assert.equal(v.calls.length, 3, 'expired entry proved again');
  });

  test('failures are not cached; Zimbra being down stays service.unavailable', async () => {
    let down = true;
    const v = verifier(() => (down ? new ServiceUnavailableError() : marie));
    const auth = new ZimbraAuthenticator(v, { cacheSeconds: 30 });
    await assert.rejects(auth.authenticate({ authToken: 't', csrfToken: 'c' }), ServiceUnavailableError);
    down = false;
    assert.equal((await auth.authenticate({ authToken: 't', csrfToken: 'c' })).name, marie.name);
  });

  test('concurrent calls with one session share one Zimbra round trip', async () => {
    const v = verifier(() => marie);
    const auth = new ZimbraAuthenticator(v, { cacheSeconds: 0 });
    await Promise.all([1, 2, 3].map(() => auth.authenticate({ authToken: 't', csrfToken: 'c' })));
    assert.equal(v.calls.length, 1);
    await auth.authenticate({ authToken: 't', csrfToken: 'c' });
    assert.equal(v.calls.length, 2, 'cacheSeconds 0 = no cache once settled');
  });
});

describe('TtlCache', () => {
  test('is bounded, evicting the least recently used', () => {
    const c = new TtlCache<number>(60_000, 2);
    c.set('a', 1);
    c.set('b', 2);
    c.get('a');
    c.set('c', 3);
    assert.equal(c.size, 2);
    assert.equal(c.get('b'), undefined);
    assert.equal(c.get('a'), 1);
    assert.equal(c.get('c'), 3);
  });
});

test('readCookie finds ZM_AUTH_TOKEN among others', () => {
  assert.equal(readCookie('a=1; ZM_AUTH_TOKEN=0_abc%3D; b=2', 'ZM_AUTH_TOKEN'), '0_abc%3D');
  assert.equal(readCookie('XZM_AUTH_TOKEN=no; ZM_AUTH_TOKEN="q"', 'ZM_AUTH_TOKEN'), 'q');
  assert.equal(readCookie('a=1', 'ZM_AUTH_TOKEN'), undefined);
  assert.equal(readCookie(undefined, 'ZM_AUTH_TOKEN'), undefined);
  assert.equal(readCookie('ZM_AUTH_TOKEN=', 'ZM_AUTH_TOKEN'), undefined);
});
