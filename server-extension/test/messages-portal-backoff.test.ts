/**
 * Issue 15 (b): the portal's log-in back-off must not be a lock-out strangers can trigger. Limits are
 * per (address, client); when many clients guess at one address, the right password alone no longer
 * opens a session (nobody can guess any more), and the owner gets in with a one-time link mailed to the
 * address. Before the fix: ten failed log-ins from ONE client refused the right password from every client.
 * Clients are told apart by X-Forwarded-For (the test connects from 127.0.0.1, a trusted proxy by default).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SERVICE_BASE_PATH } from '../../shared/paths.ts';
import { hashPassword } from '../src/accounts/password-hash.ts';
import type { Store } from '../src/store/index.ts';
import { startPortalEnv, type PortalEnv, type RawMailCatcher, type portalClient } from './messages-portal-support.ts';
import type { TestEnv } from './support/service.ts';

const PORTAL = `${SERVICE_BASE_PATH}/portal`;
const PW = 'Owner-Str0ng_Pass!26';
const MINUTE = 60_000;

describe('portal log-in back-off: no lock-out by strangers (issue 15 b)', () => {
  let t: PortalEnv;
  let env: TestEnv;
  let store: Store;
  let smtp: RawMailCatcher;
  let portal: ReturnType<typeof portalClient>;
  const login = (email: string, password: string, ip: string) => portal.post('/api/login', { email, password }, ip);
  const advance = (ms: number) => t.advance(ms);
  const sessionStatus = async (cookie: string) => (await fetch(`${env.url}${PORTAL}/api/session`, { headers: { Cookie: cookie } })).status;
  const linkIn = (text: string) => new RegExp(`${PORTAL}/login-link\\?token=([A-Za-z0-9_-]{43})`).exec(text)?.[1];
  const redeem = (token: string, headers: Record<string, string> = {}) =>
    fetch(`${env.url}${PORTAL}/login-link`, { method: 'POST', redirect: 'manual', headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers }, body: `token=${token}` });

  before(async () => {
    t = await startPortalEnv(async (store) => {
      for (const email of ['one.client@example.org', 'many.clients@example.org']) {
        await store.accounts.create({ email, fullName: 'Outside Owner', identityLevel: 0, passwordHash: await hashPassword(PW, 14) });
      }
    });
    ({ env, store, smtp, portal } = t);
  });
  after(() => t?.close());

  test('11 failed log-ins from one client slow that client only: the right password works from every other client', async () => {
    const owner = 'one.client@example.org';
    for (let i = 0; i < 11; i++) {
      if (i > 0) await advance(16 * MINUTE); // past that client's own back-off, so every guess reaches the password check
      const r = await login(owner, `Wrong-Guess-${i}!x`, '198.51.100.66');
      assert.equal(await portal.errorCode(r), 'portal.login_failed', `guess ${i}`);
    }
    // Right after the guesser's last failure (as while a guesser keeps going), the owner logs in elsewhere.
    const other = await login(owner, PW, '203.0.113.5');
    assert.equal(other.status, 200, 'the owner, from another client, is not locked out');
    assert.equal(await sessionStatus((other.headers.get('set-cookie') ?? '').split(';')[0]!), 200);
    // The guesser's client is still slowed right after a new failure.
    await login(owner, 'Wrong-Guess-x!x', '198.51.100.66');
    assert.equal((await login(owner, PW, '198.51.100.66')).status, 429);
    assert.equal((await store.accounts.get(owner))?.failedAttempts, 0, 'the account itself is never locked from the portal');
  });

  test('many clients guessing: no password opens a session, the answer is the same; the owner gets in with the mailed one-time link; audited', async () => {
    const owner = 'many.clients@example.org';
    for (let c = 0; c < 5; c++) for (let i = 0; i < 3; i++) assert.equal((await login(owner, `Wrong-${c}-${i}!xY`, `198.51.100.${100 + c}`)).status, 401);
    // Under attack: a wrong and the right password get the same answer, no session.
    const wrong = await login(owner, 'Another-Wrong-1!x', '203.0.113.20');
    const right = await login(owner, PW, '203.0.113.21');
    assert.equal(right.status, 401);
    assert.equal(right.headers.get('set-cookie'), null, 'no session with the password alone while the address is under attack');
    const rightBody = await right.json();
    assert.deepEqual(rightBody, await wrong.json(), 'the answer tells a guesser nothing');
    assert.equal((rightBody as { error: { code: string } }).error.code, 'portal.login_link_sent');
    // Only the right password mails a link, to the address (a guesser without the mailbox learns nothing).
    const mail = await smtp.next(owner);
    assert.equal(smtp.mails.length, 0, 'the wrong password mailed nothing');
    const token = linkIn(mail.text);
    assert.ok(token, mail.text);

    // Opening the link (a mail scanner may fetch it) only shows a button; the POST opens the session.
    const page = await fetch(`${env.url}${PORTAL}/login-link?token=${token}&lang=en`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<form method="post" action="\/service\/extension\/esante\/portal\/login-link">/);
    assert.equal((await redeem(token, { Origin: 'https://evil.example' })).status, 403, 'another origin cannot post it');
    const opened = await redeem(token);
    assert.equal(opened.status, 303);
    assert.equal(opened.headers.get('location'), `${PORTAL}/`);
    const cookie = (opened.headers.get('set-cookie') ?? '').split(';')[0]!;
    assert.equal(await sessionStatus(cookie), 200);
    // (Issue 13) nobody logged in is an ordinary answer; a cookie that is no session is still refused.
    const anonymous = await fetch(`${env.url}${PORTAL}/api/session`);
    assert.equal(anonymous.status, 200);
    assert.deepEqual(await anonymous.json(), { email: null });
    assert.equal(await sessionStatus(`ESANTE_PORTAL=${'A'.repeat(43)}`), 401);
    assert.equal((await redeem(token)).status, 400, 'the link works once');
    assert.equal((await redeem('A'.repeat(43))).status, 400, 'an invented token opens nothing');

    // A second link, unused, expires with the code lifetime.
    await advance(2 * MINUTE);
    await login(owner, PW, '203.0.113.22');
    const late = linkIn((await smtp.next(owner)).text)!;
    await advance(16 * MINUTE);
    assert.equal((await redeem(late)).status, 400, 'expired');

    assert.equal((await store.accounts.get(owner))?.failedAttempts, 0, 'never locked');
    const trail = await store.audit.list({ subject: owner, limit: 100 });
    assert.ok(trail.some((e) => e.action === 'portal.login' && e.outcome === 'denied' && e.detail?.['reason'] === 'under_attack'));
    assert.ok(trail.some((e) => e.action === 'portal.login_link' && e.outcome === 'allowed' && e.detail?.['step'] === 'sent'));
    assert.ok(trail.some((e) => e.action === 'portal.login_link' && e.outcome === 'allowed' && e.detail?.['step'] === 'used' && e.detail?.['ip'] === '127.0.0.1'));
    const links = await store.audit.list({ action: 'portal.login_link', limit: 50 });
    assert.deepEqual(links.filter((e) => e.outcome === 'denied').map((e) => e.detail?.['reason']).sort(), ['unknown', 'unknown', 'unknown'], 'used, invented and expired links');
  });
});
