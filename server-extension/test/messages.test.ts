/**
 * Integration of the key service, notifications and portal: the real composition root, the sandbox
 * as Zimbra, a real SMTP server catching notifications, containers sealed and opened with the
 * shared WebCrypto code exactly as the zimlet and the portal page do.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ContainerError, containerDigest, dataKeyFromBase64, openContainer, sealContainer } from '../../shared/container/container.ts';
import { SERVICE_BASE_PATH } from '../../shared/paths.ts';
import { ServiceFault } from '../../shared/soap/client.ts';
import { UNLOCK_CODE_PURPOSE, ownerOf } from '../src/accounts/service.ts';
import { addNewMasterKeyToFile, openSecretText, readKeyringFile, sealSecret, unwrapDataKey, wrappedKeyId } from '../src/keys/index.ts';
import { runRotationCommand } from '../src/rotate-master-key.ts';
import { openStore, type Store } from '../src/store/index.ts';
import { startMailCatcher, type MailCatcher } from './messages-support.ts';
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

  before(async () => {
    smtp = await startMailCatcher();
    storeDir = await mkdtemp(join(tmpdir(), 'esante-msg-'));
    store = await openStore({ kind: 'sqlite', path: join(storeDir, 'esante.sqlite') });
    await store.migrate();
    await store.accounts.create({ email: MARIE, fullName: 'Marie Schmit', identityLevel: 3, passwordHash: '$scrypt$test', options: { notifyTransmission: true } });
    await store.accounts.create({ email: LUC, fullName: 'Luc Hoffmann', identityLevel: 0, passwordHash: '$scrypt$test' });
    const featureEnv = {
      ESANTE_SMTP_URL: smtp.url,
      ESANTE_TEST_CLOCK: '1',
      ESANTE_SCHEDULER_INTERVAL_MS: '0',
      ESANTE_ACCOUNT_SCRYPT_LOG2N: '14',
      ESANTE_DATA_DIR: join(storeDir, 'data'),
    };
    env = await startTestEnv(featureEnv, { store, env: featureEnv });
    [marie, luc, sophie] = await Promise.all([loginAs(env.sandboxUrl, MARIE, SEED_PASSWORD), loginAs(env.sandboxUrl, LUC, SEED_PASSWORD), loginAs(env.sandboxUrl, SOPHIE, SEED_PASSWORD)]);
  });
  after(async () => {
    if (process.env['DEBUG_LOGS']) for (const l of env?.lines ?? []) if (/"level":(40|50|60)/.test(l)) console.error(l);
    await env?.close();
    await store?.close();
    await smtp?.stop();
    await rm(storeDir, { recursive: true, force: true });
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
