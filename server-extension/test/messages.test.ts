/**
 * Integration of the key service, notifications and portal: the real composition root, the sandbox
 * as Zimbra, a real SMTP server catching notifications, containers sealed and opened with the
 * shared WebCrypto code exactly as the zimlet and the portal page do.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ContainerError, containerDigest, dataKeyFromBase64, openContainer, sealContainer } from '../../shared/container/container.ts';
import { SERVICE_BASE_PATH } from '../../shared/paths.ts';
import { ServiceFault } from '../../shared/soap/client.ts';
import { UNLOCK_CODE_PURPOSE, ownerOf } from '../src/accounts/service.ts';
import { hashPassword } from '../src/accounts/password-hash.ts';
import { addNewMasterKeyToFile, openSecretText, readKeyringFile, sealSecret, unwrapDataKey, wrappedKeyId } from '../src/keys/index.ts';
import { runRotationCommand } from '../src/rotate-master-key.ts';
import type { Store } from '../src/store/index.ts';
import { startMailCatcher, startMessagesEnv, type MailCatcher, type MessagesEnv } from './messages-support.ts';
import { SEED_PASSWORD, callAs, loginAs, startTestEnv, type LoginResult, type TestEnv } from './support/service.ts';

const MARIE = 'marie.schmit@esante.lu';
const LUC = 'luc.hoffmann@esante.lu';
const SOPHIE = 'sophie.muller@esante.lu';
const OUTSIDE = 'patient.relative@example.org';
const PORTAL = `${SERVICE_BASE_PATH}/portal`;
const DAY = 86_400_000;
const MIME = new TextEncoder().encode(
  'From: Marie Schmit <marie.schmit@esante.lu>\r\nTo: luc.hoffmann@esante.lu\r\nSubject: Compte rendu\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nRésultats confidentiels du patient.\r\n',
);

describe('encrypted messages: key service, notifications, portal', () => {
  let env: TestEnv;
  let store: Store;
  let storeDir: string;
  let smtp: MailCatcher;
  let marie: LoginResult;
  let luc: LoginResult;
  let sophie: LoginResult;
  const secrets: string[] = [];

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${env.url}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Esante-Portal': '1', ...headers },
      body: JSON.stringify(body),
    });
  const runScheduler = async () => (await (await post(`${SERVICE_BASE_PATH}/test/scheduler/run`, {})).json()) as { sent: number; deadlinesCreated: number };
  const advance = (ms: number) => post(`${SERVICE_BASE_PATH}/test/clock`, { advanceMs: ms });

  async function sendSecure(to: string[], cc: string[], subject: string) {
    const reg = await callAs(env.url, marie, 'RegisterSecureMessage', { to, cc, subject });
    secrets.push(reg.dataKey);
    const container = await sealContainer({ messageId: reg.messageId, keyService: reg.keyService, sender: MARIE, mime: MIME, key: dataKeyFromBase64(reg.dataKey) });
    const confirmed = await callAs(env.url, marie, 'ConfirmSecureMessageSent', { messageId: reg.messageId, containerDigest: await containerDigest(container), size: container.length });
    return { reg, container, confirmed };
  }

  let t: MessagesEnv | undefined;
  before(async () => {
    t = await startMessagesEnv(
      'esante-msg-',
      async (s) => {
        await s.accounts.create({ email: MARIE, fullName: 'Marie Schmit', identityLevel: 3, passwordHash: '$scrypt$test', options: { notifyTransmission: true } });
        await s.accounts.create({ email: LUC, fullName: 'Luc Hoffmann', identityLevel: 0, passwordHash: '$scrypt$test' });
      },
      { ESANTE_TEST_CLOCK: '1', ESANTE_ACCOUNT_SCRYPT_LOG2N: '14' },
    );
    ({ env, store, smtp, dir: storeDir } = t);
    [marie, luc, sophie] = await Promise.all([loginAs(env.sandboxUrl, MARIE, SEED_PASSWORD), loginAs(env.sandboxUrl, LUC, SEED_PASSWORD), loginAs(env.sandboxUrl, SOPHIE, SEED_PASSWORD)]);
  });
  after(async () => {
    if (process.env['DEBUG_LOGS']) for (const l of env?.lines ?? []) if (/"level":(40|50|60)/.test(l)) console.error(l);
    await t?.close();
  });

  test('registering needs an encryption account, recipients, and valid addresses', async () => {
    await assert.rejects(callAs(env.url, sophie, 'RegisterSecureMessage', { to: [LUC], cc: [], subject: 'x' }), (e: unknown) => e instanceof ServiceFault && e.code === 'message.account_required');
    await assert.rejects(callAs(env.url, marie, 'RegisterSecureMessage', { to: [], cc: [], subject: 'x' }), (e: unknown) => e instanceof ServiceFault && e.code === 'message.recipients_required');
    await assert.rejects(
      callAs(env.url, marie, 'RegisterSecureMessage', { to: ['not an address'], cc: [], subject: 'x' }),
      (e: unknown) => e instanceof ServiceFault && e.code === 'message.invalid_address' && e.message === 'Cette adresse e-mail n’est pas valide : not an address',
    );
  });

  test('register → seal → confirm; recipients and the sender get the key; anyone else is refused and audited', async () => {
    const { reg, container, confirmed } = await sendSecure([LUC], [OUTSIDE], 'Compte rendu Dupont');
    assert.equal(reg.keyService, `${env.config.publicUrl}${SERVICE_BASE_PATH}/soap`);
    assert.equal(Buffer.from(reg.dataKey, 'base64').length, 32);
    assert.deepEqual(reg.sender, { mail: MARIE, displayName: 'Marie Schmit', level: 3, levelBanner: true });
    assert.ok(Date.parse(reg.readDeadline) - Date.parse(confirmed.sentAt) > 4.9 * DAY);

    // Sophie is not listed: refused, and the refusal is in the audit trail.
    await assert.rejects(callAs(env.url, sophie, 'ReleaseMessageKey', { messageId: reg.messageId }), (e: unknown) => e instanceof ServiceFault && e.code === 'message.not_recipient');
    const denied = await store.audit.list({ subject: reg.messageId, action: 'key.release', limit: 10 });
    assert.equal(denied[0]?.actor, SOPHIE);
    assert.equal(denied[0]?.outcome, 'denied');

    // Luc opens: same key, the container opens, the digest matches.
    const released = await callAs(env.url, luc, 'ReleaseMessageKey', { messageId: reg.messageId });
    assert.equal(released.dataKey, reg.dataKey);
    assert.equal(released.containerDigest, await containerDigest(container));
    assert.equal(released.sender.levelBanner, true);
    const opened = await openContainer(container, async () => dataKeyFromBase64(released.dataKey));
    assert.deepEqual(opened.mime, MIME);

    // The sender may reopen; it is not an "open" by a recipient.
    const own = await callAs(env.url, marie, 'ReleaseMessageKey', { messageId: reg.messageId });
    assert.equal(own.dataKey, reg.dataKey);

    // First open recorded once: a second release keeps the first time.
    const status1 = await callAs(env.url, marie, 'GetSecureMessageStatus', { messageId: reg.messageId });
    await advance(60_000);
    await callAs(env.url, luc, 'ReleaseMessageKey', { messageId: reg.messageId });
    const status2 = await callAs(env.url, marie, 'GetSecureMessageStatus', { messageId: reg.messageId });
    assert.equal(status2.subject, 'Compte rendu Dupont');
    assert.deepEqual(status2.recipients.map((r) => [r.address, r.kind, Boolean(r.openedAt)]), [[LUC, 'to', true], [OUTSIDE, 'cc', false]]);
    assert.equal(status2.recipients[0]!.openedAt, status1.recipients[0]!.openedAt);
    const lucReleases = await store.audit.list({ subject: reg.messageId, actor: LUC, action: 'key.release', limit: 10 });
    assert.deepEqual(lucReleases.map((e) => [e.outcome, e.detail?.['first']]), [['allowed', false], ['allowed', true]]);
    // Each open counts as a transaction of the opener's account.
    assert.equal((await store.accounts.get(LUC))?.transactions, 2);

    // Only the sender sees the status; the list shows one opened of two.
    await assert.rejects(callAs(env.url, luc, 'GetSecureMessageStatus', { messageId: reg.messageId }), (e: unknown) => e instanceof ServiceFault && e.code === 'message.not_sender');
    const list = await callAs(env.url, marie, 'ListSentSecureMessages', {});
    assert.deepEqual(
      list.messages.filter((m) => m.messageId === reg.messageId).map((m) => [m.subject, m.recipients, m.opened]),
      [['Compte rendu Dupont', 2, 1]],
    );
  });

  test('a container with one byte flipped, in the header or in the body, is refused', async () => {
    const { reg, container } = await sendSecure([LUC], [], 'Tamper test');
    const released = await callAs(env.url, luc, 'ReleaseMessageKey', { messageId: reg.messageId });
    const at = Buffer.from(container).indexOf('marie.schmit'); // inside the header's JSON
    for (const index of [at + 1, container.length - 20]) {
      const bad = container.slice();
      bad[index] = bad[index]! ^ 0x01;
      await assert.rejects(openContainer(bad, async () => dataKeyFromBase64(released.dataKey)), (e: unknown) => e instanceof ContainerError && e.code === 'container.tampered');
      assert.notEqual(await containerDigest(bad), released.containerDigest);
    }
  });

  test('until the sender confirms, recipients are refused (no read notice); the sender may open and confirm', async () => {
    const reg = await callAs(env.url, marie, 'RegisterSecureMessage', { to: [LUC], cc: [], subject: 'Jamais confirmé' });
    secrets.push(reg.dataKey);
    const container = await sealContainer({ messageId: reg.messageId, keyService: reg.keyService, sender: MARIE, mime: MIME, key: dataKeyFromBase64(reg.dataKey) });
    await assert.rejects(callAs(env.url, luc, 'ReleaseMessageKey', { messageId: reg.messageId }), (e: unknown) => e instanceof ServiceFault && e.code === 'message.not_sent');
    const denied = await store.audit.list({ subject: reg.messageId, actor: LUC, action: 'key.release', limit: 5 });
    assert.deepEqual(denied.map((e) => [e.outcome, e.detail?.['reason']]), [['denied', 'not_sent']]);
    assert.deepEqual(await store.notifications.forMessage(reg.messageId), [], 'no read notice for a message never sent');
    // The sender's own copy: the key without a digest, which is how the zimlet knows to confirm again.
    const own = await callAs(env.url, marie, 'ReleaseMessageKey', { messageId: reg.messageId });
    assert.equal(own.containerDigest, undefined);
    await callAs(env.url, marie, 'ConfirmSecureMessageSent', { messageId: reg.messageId, containerDigest: await containerDigest(container), size: container.length });
    const released = await callAs(env.url, luc, 'ReleaseMessageKey', { messageId: reg.messageId });
    assert.equal(released.containerDigest, await containerDigest(container));
  });

  test('notifications: transmission and read once each, deadline once per unopened recipient, in the sender’s language', async () => {
    await runScheduler();
    const before = smtp.to(MARIE).length;
    const { reg } = await sendSecure([LUC], [OUTSIDE], 'Suivi post-opératoire');
    await callAs(env.url, luc, 'ReleaseMessageKey', { messageId: reg.messageId });
    const first = await runScheduler();
    assert.equal(first.sent, 2);
    assert.equal((await runScheduler()).sent, 0);
    const mine = smtp.to(MARIE).slice(before);
    assert.equal(mine.length, 2);
    assert.ok(mine.some((m) => m.subject === 'Message chiffré envoyé : « Suivi post-opératoire »'));
    const read = mine.find((m) => m.subject.startsWith('Message chiffré lu par'));
    assert.ok(read && read.text.includes(LUC) && read.text.includes('Suivi post-opératoire'));
    assert.match(read.messageId, /^<notif-[0-9a-f]{32}@/);

    // Past the deadline: one notice for the outside recipient (Luc opened), and only once.
    await advance(6 * DAY);
    const late = await runScheduler();
    assert.ok(late.deadlinesCreated >= 1);
    assert.equal((await runScheduler()).sent, 0);
    const deadline = smtp.to(MARIE).filter((m) => m.subject.includes('Délai de lecture dépassé') && m.subject.includes('Suivi post-opératoire'));
    assert.equal(deadline.length, 1);
    assert.ok(deadline[0]!.text.includes(OUTSIDE));
    assert.ok(deadline[0]!.text.includes('reste lisible'));
    const status = await callAs(env.url, marie, 'GetSecureMessageStatus', { messageId: reg.messageId });
    assert.ok(status.recipients.find((r) => r.address === OUTSIDE)?.deadlineNotifiedAt);
    assert.equal(status.recipients.find((r) => r.address === LUC)?.deadlineNotifiedAt, undefined);
    // Still readable after the deadline.
    assert.equal((await callAs(env.url, luc, 'ReleaseMessageKey', { messageId: reg.messageId })).dataKey, secrets.at(-1));
  });

  test('portal: an outside recipient proves the address, registers (level 0), logs in and gets the key', async () => {
    const { reg, container } = await sendSecure([LUC], [OUTSIDE], 'Pour la famille');
    const page = await fetch(`${env.url}${PORTAL}/?lang=de`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    assert.match(await page.text(), /<html lang="de">/);
    const script = await fetch(`${env.url}${PORTAL}/portal.js`);
    assert.equal(script.status, 200);
    assert.ok((await script.text()).length > 1000);

    // CSRF: without the header, or from another origin, nothing happens.
    assert.equal((await fetch(`${env.url}${PORTAL}/api/register/code`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: OUTSIDE }) })).status, 403);
    assert.equal((await post(`${PORTAL}/api/register/code`, { email: OUTSIDE }, { Origin: 'https://evil.example' })).status, 403);

    assert.equal((await post(`${PORTAL}/api/register/code`, { email: OUTSIDE, lang: 'en' })).status, 202);
    assert.equal((await post(`${PORTAL}/api/register/code`, { email: OUTSIDE })).status, 429);
    const [mail] = await smtp.waitFor(OUTSIDE, 1);
    const code = /\b(\d{6})\b/.exec(mail!.text)?.[1];
    assert.ok(code);
    secrets.push(code);
    const password = 'Tr3s-Secret_Pw!2026';
    secrets.push(password);
    const form = { email: OUTSIDE, fullName: 'Anne Relative', password, confirmation: password };

    const weak = await post(`${PORTAL}/api/register`, { ...form, code, password: 'password', confirmation: 'password' });
    assert.equal(weak.status, 400);
    assert.match(((await weak.json()) as { error: { code: string } }).error.code, /^password\./);
    const wrong = await post(`${PORTAL}/api/register`, { ...form, code: code === '000000' ? '111111' : '000000' });
    assert.equal(((await wrong.json()) as { error: { code: string } }).error.code, 'portal.code_invalid');
    const ok = await post(`${PORTAL}/api/register`, { ...form, code });
    assert.equal(ok.status, 200);
    const cookie = ok.headers.get('set-cookie') ?? '';
    assert.match(cookie, /^ESANTE_PORTAL=[A-Za-z0-9_-]{43}; Path=\/service\/extension\/esante\/portal; HttpOnly; SameSite=Strict; Max-Age=1800/);
    const session = cookie.split(';')[0]!;
    secrets.push(session.split('=')[1]!);
    assert.equal((await store.accounts.get(OUTSIDE))?.identityLevel, 0);
    // The code is single-use.
    assert.equal((await post(`${PORTAL}/api/register`, { ...form, code })).status, 400);

    const released = (await (await post(`${PORTAL}/api/release`, { messageId: reg.messageId }, { Cookie: session })).json()) as { dataKey: string; sender: { levelBanner: boolean } };
    assert.equal(released.sender.levelBanner, true);
    assert.deepEqual((await openContainer(container, async () => dataKeyFromBase64(released.dataKey))).mime, MIME);
    const status = await callAs(env.url, marie, 'GetSecureMessageStatus', { messageId: reg.messageId });
    assert.ok(status.recipients.find((r) => r.address === OUTSIDE)?.openedAt);

    // Login with the password gives a new session; a wrong one does not say whether the account exists.
    const login = await post(`${PORTAL}/api/login`, { email: OUTSIDE, password });
    assert.equal(login.status, 200);
    const bad = await post(`${PORTAL}/api/login`, { email: OUTSIDE, password: 'wrong-Password-1' });
    const none = await post(`${PORTAL}/api/login`, { email: 'nobody@example.org', password: 'wrong-Password-1' });
    assert.equal(bad.status, 401);
    assert.deepEqual(await bad.json(), await none.json());

    // A message the portal user is not listed on: refused.
    const other = await sendSecure([LUC], [], 'Pas pour vous');
    const refused = await post(`${PORTAL}/api/release`, { messageId: other.reg.messageId }, { Cookie: session });
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'message.not_recipient');
  });

  test('portal: forged, foreign and expired session tokens are refused', async () => {
    const { reg } = await sendSecure([OUTSIDE], [], 'Session test');
    const forged = await post(`${PORTAL}/api/release`, { messageId: reg.messageId }, { Cookie: 'ESANTE_PORTAL=' + 'A'.repeat(43) });
    assert.equal(forged.status, 401);
    assert.equal(((await forged.json()) as { error: { code: string } }).error.code, 'portal.session_required');
    // A Zimbra cookie is no portal session.
    assert.equal((await post(`${PORTAL}/api/release`, { messageId: reg.messageId }, { Cookie: `ZM_AUTH_TOKEN=${marie.authToken}` })).status, 401);
    const login = await post(`${PORTAL}/api/login`, { email: OUTSIDE, password: secrets.find((s) => s.startsWith('Tr3s'))! });
    const session = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    assert.equal((await post(`${PORTAL}/api/release`, { messageId: reg.messageId }, { Cookie: session })).status, 200);
    await advance(31 * 60_000);
    assert.equal((await post(`${PORTAL}/api/release`, { messageId: reg.messageId }, { Cookie: session })).status, 401);
  });

  test('portal codes: five tries at most, expire, cannot be asked for again within a minute; logout ends the session', async () => {
    const address = 'limited@example.org';
    assert.equal((await post(`${PORTAL}/api/register/code`, { email: address })).status, 202);
    const [mail] = await smtp.waitFor(address, 1);
    const code = /\b(\d{6})\b/.exec(mail!.text)![1]!;
    const wrongCode = code === '123456' ? '654321' : '123456';
    const password = 'Anoth3r-Str0ng_Pass!';
    const form = { email: address, fullName: 'Limited Person', password, confirmation: password };
    for (let i = 0; i < 5; i++) assert.equal((await post(`${PORTAL}/api/register`, { ...form, code: wrongCode })).status, 400);
    const afterLimit = await post(`${PORTAL}/api/register`, { ...form, code });
    assert.equal(((await afterLimit.json()) as { error: { code: string } }).error.code, 'portal.code_invalid');
    assert.equal(await store.accounts.get(address), null);

    // A new code after a minute; it expires after ESANTE_PORTAL_CODE_MINUTES (15).
    await advance(61_000);
    assert.equal((await post(`${PORTAL}/api/register/code`, { email: address })).status, 202);
    const second = /\b(\d{6})\b/.exec((await smtp.waitFor(address, 2))[1]!.text)![1]!;
    await advance(16 * 60_000);
    assert.equal((await post(`${PORTAL}/api/register`, { ...form, code: second })).status, 400);
    assert.equal((await post(`${PORTAL}/api/register/code`, { email: address })).status, 202);
    const third = /\b(\d{6})\b/.exec((await smtp.waitFor(address, 3))[2]!.text)![1]!;
    const ok = await post(`${PORTAL}/api/register`, { ...form, code: third });
    assert.equal(ok.status, 200);
    const session = (ok.headers.get('set-cookie') ?? '').split(';')[0]!;
    secrets.push(second, third, session.split('=')[1]!);
    assert.equal((await fetch(`${env.url}${PORTAL}/api/session`, { headers: { Cookie: session } })).status, 200);
    assert.equal((await post(`${PORTAL}/api/logout`, {}, { Cookie: session })).status, 200);
    assert.equal((await fetch(`${env.url}${PORTAL}/api/session`, { headers: { Cookie: session } })).status, 401);

    // An address that already has an account gets a "log in" mail, and the page cannot tell.
    await advance(61_000);
    assert.equal((await post(`${PORTAL}/api/register/code`, { email: address })).status, 202);
    const existing = (await smtp.waitFor(address, 4))[3]!;
    assert.ok(!/\b\d{6}\b/.test(existing.text));
    assert.match(existing.text, /compte existe déjà/);
  });

  test('master key rotation re-wraps every message and unlock code, resumably; everything still opens', async () => {
    const keyFile = join(storeDir, 'data', 'master-keys.json');
    const oldRing = await readKeyringFile(keyFile);
    const before = await store.messages.listWrapped(null, 1000);
    assert.ok(before.length >= 5);
    const keys = new Map(before.map((m) => [m.id, unwrapDataKey(oldRing, m.id, m.wrappedKey).toString('base64')]));
    const codesBefore = await store.accounts.listSealedUnlockCodes(null, 1000);
    assert.ok(codesBefore.length >= 2, 'the senders have unlock codes');
    const openCode = (ring: typeof oldRing, c: (typeof codesBefore)[number]) =>
      openSecretText(ring, UNLOCK_CODE_PURPOSE, ownerOf(c.email), Buffer.from(c.sealed).toString('ascii'));
    const codes = new Map(codesBefore.map((c) => [c.emailKey, openCode(oldRing, c)]));
    const lines: string[] = [];
    const rotEnv = { ESANTE_STORE: 'sqlite', ESANTE_SQLITE_PATH: join(storeDir, 'esante.sqlite'), ESANTE_DATA_DIR: join(storeDir, 'data') };
    assert.equal(await runRotationCommand('add-key', rotEnv, (l) => lines.push(l)), 0);
    const newRing = await readKeyringFile(keyFile);
    assert.notEqual(newRing.current.id, oldRing.current.id);
    assert.equal(await runRotationCommand('rewrap', rotEnv, (l) => lines.push(l)), 0);
    assert.equal(await runRotationCommand('rewrap', rotEnv, (l) => lines.push(l)), 0); // resumed: nothing left
    assert.match(lines.filter((l) => l.startsWith('messages:')).at(-1)!, /re-wrapped 0 of/);
    assert.match(lines.filter((l) => l.startsWith('unlock codes:')).at(-1)!, /re-wrapped 0 of/);
    const codesAfter = await store.accounts.listSealedUnlockCodes(null, 1000);
    assert.equal(codesAfter.length, codesBefore.length);
    for (const c of codesAfter) {
      assert.equal(wrappedKeyId(Buffer.from(c.sealed).toString('ascii')), newRing.current.id);
      assert.equal(openCode(newRing, c), codes.get(c.emailKey));
    }
    const after = await store.messages.listWrapped(null, 1000);
    for (const m of after) {
      assert.equal(wrappedKeyId(m.wrappedKey), newRing.current.id);
      assert.equal(wrappedKeyId(m.subjectSealed), newRing.current.id);
      assert.equal(unwrapDataKey(newRing, m.id, m.wrappedKey).toString('base64'), keys.get(m.id));
    }
    // A portal code mailed just before the rotation (still under the old key) keeps that key until it expires.
    await store.portal.putCode('pending@example.org', sealSecret(oldRing, 'portal-code', 'pending@example.org', '123456'), Date.now(), Date.now() + 60_000);
    assert.equal(await runRotationCommand('retire', rotEnv, (l) => lines.push(l)), 0);
    assert.ok((await readKeyringFile(keyFile)).ids.includes(oldRing.current.id), 'a live code still needs the old key');
    await store.portal.deleteCode('pending@example.org');
    assert.equal(await runRotationCommand('retire', rotEnv, (l) => lines.push(l)), 0);
    assert.deepEqual((await readKeyringFile(keyFile)).ids, [newRing.current.id]);
    assert.ok(!lines.join('\n').match(/[A-Za-z0-9+/]{43}=/), 'no key material printed');
  });

  test('no data key, password, code or session token in the logs', () => {
    assert.ok(secrets.length >= 8);
    const logs = env.lines.join('\n');
    for (const s of secrets) assert.ok(!logs.includes(s), 'a secret leaked into the logs');
    assert.match(logs, /test clock and scheduler routes are exposed/);
  });
});

/**
 * The security review of 29 Nov 2026 (.tmp/security-review.md), findings #2–#6, #8 and #10: each test
 * reproduces a finding against the real service and fails without its fix. Clients are told apart by
 * X-Forwarded-For (the test connects from 127.0.0.1, a trusted proxy by default, as nginx would).
 */
describe('portal hardening: lockout, enumeration, rate limits, sessions, audit', () => {
  let env: TestEnv;
  let store: Store;
  let smtp: MailCatcher;
  let luc: LoginResult;
  const OWNER = 'owner@example.org';
  const OWNER_PW = 'Owner-Str0ng_Pass!26';
  const LOCKED = 'locked.owner@example.org';
  const LUC_PW = 'Luc-Str0ng_Pass!2026';
  const LUC_PW2 = 'Luc-Neues_Pass!2027';
  const secrets = [OWNER_PW, LUC_PW, LUC_PW2];

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${env.url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Esante-Portal': '1', ...headers }, body: JSON.stringify(body) });
  const from = (ip: string) => ({ 'X-Forwarded-For': ip });
  const login = (email: string, password: string, ip: string) => post(`${PORTAL}/api/login`, { email, password }, from(ip));
  const askCode = (email: string, ip: string) => post(`${PORTAL}/api/register/code`, { email }, from(ip));
  const errorCode = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;
  const advance = (ms: number) => post(`${SERVICE_BASE_PATH}/test/clock`, { advanceMs: ms });
  const sessionOf = (res: Response) => (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  const sessionStatus = async (cookie: string) => (await fetch(`${env.url}${PORTAL}/api/session`, { headers: { Cookie: cookie } })).status;
  const codeIn = (text: string) => /\b(\d{6})\b/.exec(text)![1]!;

  let t: MessagesEnv | undefined;
  before(async () => {
    t = await startMessagesEnv(
      'esante-portal-',
      async (s) => {
        for (const email of [OWNER, LOCKED]) {
          await s.accounts.create({ email, fullName: 'Outside Owner', identityLevel: 0, passwordHash: await hashPassword(OWNER_PW, 14) });
        }
      },
      { ESANTE_TEST_CLOCK: '1', ESANTE_ACCOUNT_SCRYPT_LOG2N: '14' },
    );
    ({ env, store, smtp } = t);
    luc = await loginAs(env.sandboxUrl, LUC, SEED_PASSWORD);
  });
  after(() => t?.close());

  test('#8: a password change and a lock in the webmail end the portal sessions; a locked account cannot use one', async () => {
    await callAs(env.url, luc, 'CreateEncryptionAccount', { fullName: 'Luc Hoffmann', password: LUC_PW, confirmation: LUC_PW });
    const first = sessionOf(await login(LUC, LUC_PW, '192.0.2.20'));
    assert.equal(await sessionStatus(first), 200);
    await callAs(env.url, luc, 'ChangeEncryptionPassword', { password: LUC_PW2, confirmation: LUC_PW2 });
    assert.equal(await sessionStatus(first), 401, 'the password changed: the old session is over');

    const second = sessionOf(await login(LUC, LUC_PW2, '192.0.2.20'));
    assert.equal(await sessionStatus(second), 200);
    for (let i = 0; i < 5; i++) {
      await assert.rejects(callAs(env.url, luc, 'UnlockEncryptionAccount', { unlockCode: 'ZZZZ-ZZZZ-ZZZZ' }), (e: unknown) => e instanceof ServiceFault && e.code === 'account.unlock_code_invalid');
    }
    assert.equal(await sessionStatus(second), 401, 'locked: the session is over');
    assert.equal((await login(LUC, LUC_PW2, '192.0.2.21')).status, 401, 'locked: no new session either');
    // The way out is in the webmail, where the owner has the unlock code.
    const { unlockCode } = await callAs(env.url, luc, 'RevealUnlockCode', {});
    secrets.push(unlockCode);
    await callAs(env.url, luc, 'UnlockEncryptionAccount', { unlockCode });
    const third = sessionOf(await login(LUC, LUC_PW2, '192.0.2.22'));
    assert.equal(await sessionStatus(third), 200);
    secrets.push(first.split('=')[1]!, second.split('=')[1]!, third.split('=')[1]!);

    // A lock that reached the store some other way (another instance, a race): the session is refused and deleted.
    await store.accounts.lockUntil(LUC, new Date(Date.now() + 10 * DAY));
    const released = await post(`${PORTAL}/api/release`, { messageId: 'AAAAAAAAAAAAAAAAAAAAAAAA' }, { Cookie: third });
    assert.equal(released.status, 401);
    assert.equal(await errorCode(released), 'portal.session_required');
    await store.accounts.resetFailedAttempts(LUC);
    assert.equal(await sessionStatus(third), 401, 'the refused session was deleted, not just refused once');
  });

  test('#2: failed log-ins slow that client down (back-off from the 4th), never lock the account; the owner still gets in', async () => {
    const ip = '198.51.100.7';
    for (let i = 0; i < 4; i++) {
      const r = await login(OWNER, `Wrong-Guess-${i}!x`, ip);
      assert.equal(r.status, 401);
      assert.equal(await errorCode(r), 'portal.login_failed');
    }
    const slowed = await login(OWNER, OWNER_PW, ip);
    assert.equal(slowed.status, 429);
    assert.equal(slowed.headers.get('retry-after'), '2');
    assert.equal(await errorCode(slowed), 'portal.rate_limited');
    const account = (await store.accounts.get(OWNER))!;
    assert.equal(account.failedAttempts, 0, 'anonymous failures do not count towards the account lock');
    assert.equal(account.lockedUntil, null);
    // Another client (the real owner) is not held up by the guesser's back-off.
    assert.equal((await login(OWNER, OWNER_PW, '198.51.100.8')).status, 200);
    // The back-off is temporary: after it, the guesser's client may try again.
    await advance(2_001);
    assert.equal((await login(OWNER, OWNER_PW, ip)).status, 200);
  });

  test('#3: no account, wrong password and locked give the same answers, statuses and time class', async () => {
    await store.accounts.lockUntil(LOCKED, new Date(Date.now() + 10 * DAY));
    const answers = async (email: string, password: string, ip: string) => {
      const r = await login(email, password, ip);
      return { status: r.status, body: await r.json() };
    };
    const none = await answers('nobody.here@example.org', 'Wrong-Guess-1!x', '198.51.100.20');
    assert.equal(none.status, 401);
    assert.deepEqual(await answers(OWNER, 'Wrong-Guess-1!x', '198.51.100.21'), none);
    assert.deepEqual(await answers(LOCKED, 'Wrong-Guess-1!x', '198.51.100.22'), none);
    assert.deepEqual(await answers(LOCKED, OWNER_PW, '198.51.100.23'), none, 'locked: the right password gets the same answer');
    // Time class: a locked account pays the same hash as an unknown address (was 17 ms vs 1.2 s).
    const timed = async (email: string, ip: string) => {
      const t0 = performance.now();
      await login(email, 'Wrong-Guess-2!x', ip);
      return performance.now() - t0;
    };
    const lockedTimes: number[] = [];
    const noneTimes: number[] = [];
    for (let i = 0; i < 3; i++) {
      lockedTimes.push(await timed(LOCKED, `198.51.100.${30 + i}`));
      noneTimes.push(await timed(`nobody${i}@example.org`, `198.51.100.${40 + i}`));
    }
    assert.ok(Math.min(...lockedTimes) >= 0.4 * Math.min(...noneTimes), `locked ${lockedTimes.map(Math.round)} ms vs none ${noneTimes.map(Math.round)} ms`);
    const denied = await store.audit.list({ action: 'portal.login', subject: LOCKED, limit: 20 });
    assert.ok(denied.length >= 5 && denied.every((e) => e.outcome === 'denied' && e.detail?.['reason'] === 'locked'), 'the real reason is in the audit');
  });

  test('#3/#4: code requests: one a minute and five a day per address, account or not; "account exists" mails too', async () => {
    for (const address of [OWNER, 'fresh.person@example.org']) {
      assert.equal((await askCode(address, '203.0.113.1')).status, 202);
      const again = await askCode(address, '203.0.113.2');
      assert.equal(again.status, 429, address);
      assert.equal(await errorCode(again), 'portal.code_too_soon');
      assert.ok(Number(again.headers.get('retry-after')) > 0 && Number(again.headers.get('retry-after')) <= 60);
    }
    assert.equal(smtp.to(OWNER).length, 1, 'one "account exists" mail, not one per request');
    for (let i = 0; i < 4; i++) {
      await advance(61_000);
      assert.equal((await askCode(OWNER, '203.0.113.1')).status, 202);
    }
    await advance(61_000);
    const capped = await askCode(OWNER, '203.0.113.3');
    assert.equal(capped.status, 429);
    assert.equal(await errorCode(capped), 'portal.rate_limited');
    assert.ok(Number(capped.headers.get('retry-after')) > 3600);
    assert.equal(smtp.to(OWNER).length, 5);
    await advance(DAY);
    assert.equal((await askCode(OWNER, '203.0.113.3')).status, 202);
  });

  test('#4: at most 20 code requests an hour per client; another client is not affected', async () => {
    for (let i = 0; i < 20; i++) assert.equal((await askCode(`client${i}@example.org`, '203.0.113.50')).status, 202);
    const refused = await askCode('client20@example.org', '203.0.113.50');
    assert.equal(refused.status, 429);
    assert.equal(smtp.to('client20@example.org').length, 0, 'a refusal mails nothing');
    assert.equal((await askCode('client20@example.org', '203.0.113.51')).status, 202);
  });

  test('#6: ten code tries per address a day, whatever the code; the code is deleted after its fifth try', async () => {
    const address = 'victim@example.org';
    const password = 'Victim-Str0ng_Pass!';
    const form = { email: address, fullName: 'Victim Person', password, confirmation: password };
    const register = (code: string) => post(`${PORTAL}/api/register`, { ...form, code }, from('203.0.113.60'));
    let mails = 0;
    const newCode = async () => {
      await advance(61_000);
      assert.equal((await askCode(address, '203.0.113.60')).status, 202);
      return codeIn((await smtp.waitFor(address, ++mails))[mails - 1]!.text);
    };
    for (let round = 0; round < 2; round++) {
      const code = await newCode();
      const wrong = code === '000000' ? '111111' : '000000';
      for (let i = 0; i < 5; i++) assert.equal(await errorCode(await register(wrong)), 'portal.code_invalid');
      assert.equal(await store.portal.getCode(address), null, 'no try left: the code is gone');
    }
    const third = await newCode();
    const refused = await register(third);
    assert.equal(refused.status, 429, 'a fresh code does not buy new tries');
    assert.equal(await errorCode(refused), 'portal.rate_limited');
    assert.equal(await store.accounts.get(address), null);
    await advance(DAY);
    const ok = await register(await newCode());
    assert.equal(ok.status, 200);
    secrets.push(third, sessionOf(ok).split('=')[1]!);
  });

  test('#5: short passwords are refused before hashing; at most 60 log-ins per client in 10 minutes', async () => {
    const ip = '192.0.2.9';
    const short = await login(OWNER, 'short', ip);
    assert.equal(short.status, 401);
    assert.equal(await errorCode(short), 'portal.login_failed');
    const [row] = await store.audit.list({ action: 'portal.login', subject: OWNER, limit: 1 });
    assert.equal(row?.detail?.['reason'], 'short_password');
    for (let i = 1; i < 60; i++) assert.equal((await login(`someone${i}@example.org`, 'short', ip)).status, 401);
    const refused = await login(OWNER, OWNER_PW, ip);
    assert.equal(refused.status, 429);
    assert.ok(Number(refused.headers.get('retry-after')) > 0);
    assert.equal((await login(OWNER, OWNER_PW, '192.0.2.10')).status, 200);
  });

  test('#10: every portal outcome is audited, with the address in its key form and the client IP', async () => {
    const mixed = await login('Owner@Example.ORG', OWNER_PW, '192.0.2.77');
    assert.equal(mixed.status, 200);
    assert.equal((await post(`${PORTAL}/api/logout`, {}, { Cookie: sessionOf(mixed), ...from('192.0.2.77') })).status, 200);
    const trail = await store.audit.list({ actor: OWNER, limit: 200 });
    const [loggedIn] = trail.filter((e) => e.action === 'portal.login' && e.outcome === 'allowed');
    assert.equal(loggedIn?.detail?.['ip'], '192.0.2.77');
    assert.equal(trail.find((e) => e.action === 'portal.logout')?.detail?.['ip'], '192.0.2.77');
    const reasons = new Set(trail.filter((e) => e.action === 'portal.login' && e.outcome === 'denied').map((e) => e.detail?.['reason']));
    for (const r of ['wrong_password', 'backoff', 'short_password']) assert.ok(reasons.has(r), r);
    assert.ok((await store.audit.list({ action: 'portal.register', actor: 'victim@example.org', limit: 50 })).some((e) => e.outcome === 'allowed'));
    assert.ok((await store.audit.list({ action: 'portal.login', actor: 'nobody.here@example.org', limit: 5 })).some((e) => e.detail?.['reason'] === 'no_account'));
    // A run of refusals by one limit is audited once, not once per request.
    const limited = await store.audit.list({ action: 'portal.rate_limited', limit: 50 });
    assert.equal(limited.filter((e) => e.detail?.['limit'] === 'code.client').length, 1);
    assert.ok(limited.every((e) => e.actor === e.actor.toLowerCase()));
  });

  test('no password, code or session token in the logs', () => {
    const logs = env.lines.join('\n');
    for (const s of secrets) assert.ok(!logs.includes(s), 'a secret leaked into the logs');
  });
});

describe('portal: global caps (all clients together, shared by instances)', () => {
  let env: TestEnv;
  let smtp: MailCatcher;
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${env.url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Esante-Portal': '1', ...headers }, body: JSON.stringify(body) });

  before(async () => {
    smtp = await startMailCatcher();
    const featureEnv = {
      ESANTE_SMTP_URL: smtp.url,
      ESANTE_SCHEDULER_INTERVAL_MS: '0',
      ESANTE_ACCOUNT_SCRYPT_LOG2N: '14',
      ESANTE_PORTAL_LOGINS_PER_MINUTE: '3',
      ESANTE_PORTAL_CODES_PER_HOUR: '2',
      ESANTE_TRUSTED_PROXIES: 'none',
    };
    env = await startTestEnv(featureEnv, { env: featureEnv });
  });
  after(async () => {
    await env?.close();
    await smtp?.stop();
  });

  test('past the global caps every client gets 429 with Retry-After, whatever X-Forwarded-For says', async () => {
    for (const [i, ip] of ['203.0.113.1', '203.0.113.2'].entries()) {
      const r = await post(`${PORTAL}/api/register/code`, { email: `global${i}@example.org` }, { 'X-Forwarded-For': ip });
      assert.equal(r.status, 202, await r.text());
    }
    const codes = await post(`${PORTAL}/api/register/code`, { email: 'global2@example.org' }, { 'X-Forwarded-For': '203.0.113.3' });
    assert.equal(codes.status, 429);
    assert.ok(Number(codes.headers.get('retry-after')) > 0);
    assert.equal(smtp.to('global2@example.org').length, 0);
    for (let i = 0; i < 3; i++) {
      assert.equal((await post(`${PORTAL}/api/login`, { email: `g${i}@example.org`, password: 'Wrong-Guess-1!x' }, { 'X-Forwarded-For': `203.0.113.${10 + i}` })).status, 401);
    }
    const logins = await post(`${PORTAL}/api/login`, { email: 'g3@example.org', password: 'Wrong-Guess-1!x' });
    assert.equal(logins.status, 429);
    const retry = Number(logins.headers.get('retry-after'));
    assert.ok(retry > 0 && retry <= 60);
    assert.match(((await logins.json()) as { error: { message: string } }).error.message, /Trop de tentatives/);
  });
});
