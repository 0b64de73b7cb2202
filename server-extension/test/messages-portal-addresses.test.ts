/**
 * Issue 15 (a): one normalisation of addresses in the portal (shared/address/address.ts). Each test
 * is what an attacker or an ordinary user types into the real portal of the real service; the
 * registration code must go to the normalised address, a look-alike must never become the real
 * recipient, and an IDN address must be one address however it is written.
 * Before the fix: the KELVIN SIGN look-alike got a code mailed to itself and registered as the real
 * recipient; "Kim@Example.ORG" got its code mailed to that spelling; IDN domains were refused.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { containerDigest, dataKeyFromBase64, sealContainer } from '../../shared/container/container.ts';
import type { Store } from '../src/store/index.ts';
import { startPortalEnv, type PortalEnv, type RawMailCatcher, type portalClient } from './messages-portal-support.ts';
import { SEED_PASSWORD, callAs, loginAs, type LoginResult, type TestEnv } from './support/service.ts';

const MARIE = 'marie.schmit@esante.lu';
const KIM = 'kim.relative@example.org';
const PASSWORD = 'Tr3s-Secret_Pw!2026';
const MIME = new TextEncoder().encode('From: marie.schmit@esante.lu\r\nSubject: x\r\nContent-Type: text/plain\r\n\r\nConfidentiel.\r\n');

describe('portal addresses: one normal form (issue 15 a)', () => {
  let t: PortalEnv;
  let env: TestEnv;
  let store: Store;
  let smtp: RawMailCatcher;
  let marie: LoginResult;
  let portal: ReturnType<typeof portalClient>;
  let ipSeq = 10;
  // Each test its own client, so the per-client limits of one never slow another.
  const ip = () => `192.0.2.${ipSeq++}`;

  async function sendTo(to: string) {
    const reg = await callAs(env.url, marie, 'RegisterSecureMessage', { to: [to], cc: [], subject: 'Pour vous' });
    const container = await sealContainer({ messageId: reg.messageId, keyService: reg.keyService, sender: MARIE, mime: MIME, key: dataKeyFromBase64(reg.dataKey) });
    await callAs(env.url, marie, 'ConfirmSecureMessageSent', { messageId: reg.messageId, containerDigest: await containerDigest(container), size: container.length });
    return reg.messageId;
  }

  /** Asks a code for `typed`, expects it at `rcpt` exactly, registers with it; returns the session cookie. */
  async function register(typed: string, rcpt: string, client: string): Promise<string> {
    const asked = await portal.post('/api/register/code', { email: typed }, client);
    assert.equal(asked.status, 202, `code for ${typed}`);
    const mail = await smtp.next(rcpt);
    const code = portal.codeIn(mail.text);
    assert.ok(code);
    const ok = await portal.post('/api/register', { email: typed, code, fullName: 'Kim Relative', password: PASSWORD, confirmation: PASSWORD }, client);
    assert.equal(ok.status, 200, `register ${typed}`);
    return (ok.headers.get('set-cookie') ?? '').split(';')[0]!;
  }

  before(async () => {
    t = await startPortalEnv((store) => store.accounts.create({ email: MARIE, fullName: 'Marie Schmit', identityLevel: 3, passwordHash: '$scrypt$test' }).then(() => undefined));
    ({ env, store, smtp, portal } = t);
    marie = await loginAs(env.sandboxUrl, MARIE, SEED_PASSWORD);
  });
  after(() => t?.close());

  test('look-alikes whose case folding is ASCII (KELVIN SIGN, long s, dotless i, fullwidth) are refused: no code, no mail, no account', async () => {
    const messageId = await sendTo(KIM);
    // KELVIN SIGN (lower case "k"), fullwidth k (NFKC "k"), dotless i (upper case "I"), long s (upper case "S").
    for (const lookalike of ['\u212Aim.relative@example.org', '\uFF4Bim.relative@example.org', 'kim.relat\u0131ve@example.org', '\u017Fophie@example.org']) {
      const r = await portal.post('/api/register/code', { email: lookalike }, ip());
      assert.equal(r.status, 400, lookalike);
      assert.equal(await portal.errorCode(r), 'message.invalid_address');
    }
    assert.equal(smtp.mails.length, 0, 'nothing was mailed to a look-alike');
    assert.equal(await store.accounts.get(KIM), null);
    // The real recipient can still register and is released the key.
    const session = await register(KIM, KIM, ip());
    const released = await portal.post('/api/release', { messageId }, ip(), { Cookie: session });
    assert.equal(released.status, 200);
  });

  test('mixed case: the code goes to the normalised address, the account is the one of the lower-case address', async () => {
    const typed = 'Lea.MULLER@Example.ORG';
    const messageId = await sendTo('lea.muller@example.org');
    const session = await register(typed, 'lea.muller@example.org', ip());
    assert.equal((await store.accounts.get('lea.muller@example.org'))?.email, 'lea.muller@example.org');
    assert.equal((await portal.post('/api/release', { messageId }, ip(), { Cookie: session })).status, 200);
    // Logging in with another spelling of the same address is the same account.
    assert.equal((await portal.post('/api/login', { email: 'LEA.muller@EXAMPLE.org', password: PASSWORD }, ip())).status, 200);
  });

  test('IDN: "Anna@Müller.LU", "anna@müller.lu" and "anna@xn--mller-kva.lu" are one address, mailed in its ASCII form', async () => {
    const ascii = 'anna@xn--mller-kva.lu';
    const messageId = await sendTo(ascii);
    const session = await register('Anna@Müller.LU', ascii, ip());
    assert.ok(await store.accounts.get(ascii));
    assert.equal((await portal.post('/api/release', { messageId }, ip(), { Cookie: session })).status, 200);
    assert.equal((await portal.post('/api/login', { email: 'anna@müller.lu', password: PASSWORD }, ip())).status, 200);
    assert.equal((await portal.post('/api/login', { email: ascii, password: PASSWORD }, ip())).status, 200);
    // Asking a code again for the existing account, in any spelling, mails the "account exists" text to the same address.
    // Its limits are the same too: another spelling a moment later is "too soon" for that one address.
    assert.equal(await portal.errorCode(await portal.post('/api/register/code', { email: 'ANNA@MÜLLER.lu' }, ip())), 'portal.code_too_soon');
    await t.advance(61_000);
    assert.equal((await portal.post('/api/register/code', { email: 'ANNA@MÜLLER.lu' }, ip())).status, 202);
    assert.doesNotMatch((await smtp.next(ascii)).text, /\b\d{6}\b/);
  });

  test('a look-alike from another script (Cyrillic а) is its own address: never the real recipient', async () => {
    const real = 'alice@example.org';
    const messageId = await sendTo(real);
    const cyrillic = '\u0430lice@example.org';
    const session = await register(cyrillic, cyrillic, ip());
    const refused = await portal.post('/api/release', { messageId }, ip(), { Cookie: session });
    assert.equal(await portal.errorCode(refused), 'message.not_recipient');
    assert.equal(await store.accounts.get(real), null, 'the real recipient can still register');
  });
});
