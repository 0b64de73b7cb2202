/**
 * Issue 12, acceptance 1: the sender keeps control after sending — revoke, a moved read deadline,
 * an access end date, the sender's history and CSV export — through the real composition root, the
 * sandbox as Zimbra, the portal's HTTP API and a real SMTP server catching the notifications.
 * The PostgreSQL part (two instances on one database) is in messages-control-postgres.test.ts.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { containerDigest, dataKeyFromBase64, openContainer, sealContainer } from '../../shared/container/container.ts';
import { formatDateTime } from '../../shared/i18n/dates.ts';
import { SERVICE_BASE_PATH } from '../../shared/paths.ts';
import { ServiceFault } from '../../shared/soap/client.ts';
import type { Store } from '../src/store/index.ts';
import { startMessagesEnv, type MailCatcher, type MessagesEnv } from './messages-support.ts';
import { SEED_PASSWORD, callAs, loginAs, type LoginResult, type TestEnv } from './support/service.ts';

const MARIE = 'marie.schmit@esante.lu';
const LUC = 'luc.hoffmann@esante.lu';
const OUTSIDE = 'anne.relative@example.org';
const PORTAL = `${SERVICE_BASE_PATH}/portal`;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MIME = new TextEncoder().encode('From: marie.schmit@esante.lu\r\nSubject: CR\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nRésultats.\r\n');

const fault = (code: string, message?: RegExp) => (e: unknown) => {
  assert.ok(e instanceof ServiceFault, String(e));
  assert.equal(e.code, code);
  if (message) assert.match(e.message, message);
  return true;
};

describe('issue 12: revoke, update, history (service, SQLite)', () => {
  let env: TestEnv;
  let store: Store;
  let smtp: MailCatcher;
  let marie: LoginResult;
  let luc: LoginResult;
  let portalCookie: string;

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${env.url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Esante-Portal': '1', ...headers }, body: JSON.stringify(body) });
  const runScheduler = async () => (await (await post(`${SERVICE_BASE_PATH}/test/scheduler/run`, {})).json()) as { sent: number; deadlinesCreated: number };
  const now = async () => Date.parse(((await (await post(`${SERVICE_BASE_PATH}/test/clock`, { advanceMs: 0 })).json()) as { now: string }).now);
  const advance = (ms: number) => post(`${SERVICE_BASE_PATH}/test/clock`, { advanceMs: ms });
  const portalRelease = (messageId: string, lang = 'fr') => post(`${PORTAL}/api/release?lang=${lang}`, { messageId }, { Cookie: portalCookie });

  async function sendSecure(to: string[], cc: string[], subject: string) {
    const reg = await callAs(env.url, marie, 'RegisterSecureMessage', { to, cc, subject });
    const container = await sealContainer({ messageId: reg.messageId, keyService: reg.keyService, sender: MARIE, mime: MIME, key: dataKeyFromBase64(reg.dataKey) });
    await callAs(env.url, marie, 'ConfirmSecureMessageSent', { messageId: reg.messageId, containerDigest: await containerDigest(container), size: container.length });
    return { id: reg.messageId, container, dataKey: reg.dataKey };
  }
  const history = (id: string) => callAs(env.url, marie, 'GetSecureMessageHistory', { messageId: id });

  let t: MessagesEnv | undefined;
  before(async () => {
    t = await startMessagesEnv(
      'esante-ctl-',
      async (s) => {
        await s.accounts.create({ email: MARIE, fullName: 'Marie Schmit', identityLevel: 3, passwordHash: '$scrypt$test', options: { notifyRead: true, notifyDeadline: true } });
        // The outside recipient's portal account and session, made in the store: registration itself is
        // messages.test.ts's subject; here only the key release behind the session matters.
        await s.accounts.create({ email: OUTSIDE, fullName: 'Anne Relative', identityLevel: 0, passwordHash: '$scrypt$test' });
        const token = randomBytes(32).toString('base64url');
        await s.portal.createSession(createHash('sha256').update(token).digest('base64url'), OUTSIDE, Date.now(), Date.now() + 365 * DAY);
        portalCookie = `ESANTE_PORTAL=${token}`;
      },
      { ESANTE_TEST_CLOCK: '1', ESANTE_MESSAGE_MAX_DAYS: '90' },
    );
    ({ env, store, smtp } = t);
    [marie, luc] = await Promise.all([loginAs(env.sandboxUrl, MARIE, SEED_PASSWORD), loginAs(env.sandboxUrl, LUC, SEED_PASSWORD)]);
  });
  after(() => t?.close());

  test('revoke for one of two recipients: the other still opens; the revoked one is refused in the webmail and in the portal, dated in their language', async () => {
    // Revoked in the webmail: Luc; the outside recipient still opens in the portal.
    const a = await sendSecure([LUC], [OUTSIDE], 'Pour deux');
    const revoked = await callAs(env.url, marie, 'RevokeSecureMessage', { messageId: a.id, recipient: 'Luc.Hoffmann@esante.lu' });
    assert.deepEqual(revoked.revoked, [LUC]);
    const when = formatDateTime(revoked.revokedAt, 'fr', 'long');
    await assert.rejects(
      callAs(env.url, luc, 'ReleaseMessageKey', { messageId: a.id }),
      fault('message.revoked', new RegExp(`^Ce message a été retiré par son expéditeur le ${when}\\.`)),
    );
    assert.match(when, /^\d{1,2} [a-zéû]+ \d{4} à \d{2}:\d{2}$/);
    const ok = await portalRelease(a.id);
    assert.equal(ok.status, 200);
    const key = ((await ok.json()) as { dataKey: string }).dataKey;
    assert.deepEqual((await openContainer(a.container, async () => dataKeyFromBase64(key))).mime, MIME);

    // Revoked in the portal: the outside recipient, told in German with a German date; Luc still opens.
    const b = await sendSecure([LUC], [OUTSIDE], 'Pour deux, bis');
    const r2 = await callAs(env.url, marie, 'RevokeSecureMessage', { messageId: b.id, recipient: OUTSIDE });
    const refused = await portalRelease(b.id, 'de');
    assert.equal(refused.status, 403);
    const body = (await refused.json()) as { error: { code: string; message: string }; dataKey?: string };
    assert.equal(body.error.code, 'message.revoked');
    assert.equal(body.dataKey, undefined);
    assert.equal(body.error.message, `Diese Nachricht wurde am ${formatDateTime(r2.revokedAt, 'de', 'long')} von ihrem Absender zurückgezogen. Sie kann nicht mehr geöffnet werden.`);
    assert.equal((await callAs(env.url, luc, 'ReleaseMessageKey', { messageId: b.id })).dataKey, b.dataKey);
    // The sender keeps their own copy.
    assert.equal((await callAs(env.url, marie, 'ReleaseMessageKey', { messageId: b.id })).dataKey, b.dataKey);

    // Audited: the revoke, and each refused release with its channel.
    const trail = await store.audit.list({ subject: b.id, limit: 20 });
    assert.ok(trail.some((e) => e.action === 'message.revoke' && e.outcome === 'allowed' && e.actor === MARIE && e.detail?.['scope'] === 'one'));
    assert.ok(trail.some((e) => e.action === 'key.release' && e.outcome === 'denied' && e.detail?.['reason'] === 'revoked' && e.detail?.['channel'] === 'portal'));
    const h = await history(b.id);
    assert.deepEqual(h.recipients.map((r) => [r.address, r.state, r.openedVia ?? null, Boolean(r.revokedAt)]), [[LUC, 'opened', 'webmail', false], [OUTSIDE, 'revoked', null, true]]);
    assert.equal((await history(a.id)).recipients.find((r) => r.address === OUTSIDE)?.openedVia, 'portal');

    // Having opened before does not keep the key: revoked after opening, refused from then on.
    await callAs(env.url, marie, 'RevokeSecureMessage', { messageId: a.id, recipient: OUTSIDE });
    assert.equal(((await (await portalRelease(a.id)).json()) as { error: { code: string } }).error.code, 'message.revoked');
  });

  test('revoked before the first opening: no read notification, ever', async () => {
    await runScheduler();
    const m = await sendSecure([LUC], [], 'Retiré avant lecture');
    await callAs(env.url, marie, 'RevokeSecureMessage', { messageId: m.id });
    await assert.rejects(callAs(env.url, luc, 'ReleaseMessageKey', { messageId: m.id }), fault('message.revoked'));
    await runScheduler();
    await advance(10 * DAY); // past the read deadline too: a withdrawn recipient gets no deadline notice either
    await runScheduler();
    const jobs = await store.notifications.forMessage(m.id);
    assert.ok(!jobs.some((j) => j.kind === 'read' || j.kind === 'deadline'), JSON.stringify(jobs));
    assert.equal((await store.messages.get(m.id))?.recipients[0]?.firstOpenedAt, null);
    assert.equal(smtp.to(MARIE).filter((x) => x.subject.includes('Retiré avant lecture') && /lu par|Délai/.test(x.subject)).length, 0);
  });

  test('an extended deadline moves the deadline notification; one already sent is not sent again', async () => {
    await runScheduler();
    const m = await sendSecure([LUC], [OUTSIDE], 'Délai prolongé');
    const t0 = await now();
    const later = new Date(t0 + 10 * DAY).toISOString();
    const upd = await callAs(env.url, marie, 'UpdateSecureMessage', { messageId: m.id, recipient: LUC, readDeadline: later });
    assert.deepEqual(upd.recipients.map((r) => [r.address, r.readDeadline]), [[LUC, later]]);
    const notices = () => smtp.to(MARIE).filter((x) => x.subject.includes('Délai de lecture dépassé') && x.subject.includes('Délai prolongé'));

    await advance(6 * DAY); // past the original 5 days: only the outside recipient's notice
    await runScheduler();
    assert.deepEqual(notices().map((x) => x.text.includes(OUTSIDE)), [true]);
    assert.equal((await history(m.id)).recipients.find((r) => r.address === LUC)?.state, 'delivered');

    // Moving the outside recipient's deadline after their notice went: it is not sent again.
    await callAs(env.url, marie, 'UpdateSecureMessage', { messageId: m.id, recipient: OUTSIDE, readDeadline: new Date(t0 + 8 * DAY).toISOString() });
    await advance(5 * DAY); // day 11: past Luc's new deadline and the outside recipient's new one
    await runScheduler();
    await runScheduler();
    const all = notices();
    assert.equal(all.length, 2, all.map((x) => x.subject).join(' | '));
    const lucNotice = all.find((x) => x.text.includes(LUC))!;
    // The notice names Luc's own deadline (notifications.ts writes dates in the 'long' style).
    assert.ok(lucNotice.text.includes(`(${formatDateTime(later, 'fr', 'long')})`), lucNotice.text);
    const h = await history(m.id);
    assert.deepEqual(h.recipients.map((r) => [r.address, r.state, r.deadlinePassed]), [[LUC, 'deadline_passed', true], [OUTSIDE, 'deadline_passed', true]]);
    assert.deepEqual(h.notifications.filter((n) => n.kind === 'deadline').map((n) => [n.recipient, n.state]), [[OUTSIDE, 'sent'], [LUC, 'sent']]);
  });

  test('an access end date that has passed refuses the key (webmail and portal); the read deadline stays distinct', async () => {
    const m = await sendSecure([LUC], [OUTSIDE], 'Accès limité');
    const t0 = await now();
    await callAs(env.url, marie, 'UpdateSecureMessage', { messageId: m.id, recipient: OUTSIDE, accessUntil: new Date(t0 + HOUR).toISOString() });
    assert.equal((await portalRelease(m.id)).status, 200, 'before the end: opens');
    await advance(2 * HOUR);
    const refused = await portalRelease(m.id, 'en');
    assert.equal(refused.status, 403);
    const err = ((await refused.json()) as { error: { code: string; message: string } }).error;
    assert.equal(err.code, 'message.access_ended');
    assert.ok(err.message.includes(formatDateTime(new Date(t0 + HOUR), 'en', 'long')), err.message);
    assert.equal((await callAs(env.url, luc, 'ReleaseMessageKey', { messageId: m.id })).dataKey, m.dataKey, 'Luc has no access end');
    // For everyone: Luc is refused too, in the webmail; the sender still opens their copy.
    const t1 = await now();
    await callAs(env.url, marie, 'UpdateSecureMessage', { messageId: m.id, accessUntil: new Date(t1 + HOUR).toISOString() });
    await advance(2 * HOUR);
    await assert.rejects(callAs(env.url, luc, 'ReleaseMessageKey', { messageId: m.id }), fault('message.access_ended', /^L’accès à ce message a pris fin le /));
    assert.equal((await callAs(env.url, marie, 'ReleaseMessageKey', { messageId: m.id })).dataKey, m.dataKey);
    const h = await history(m.id);
    assert.deepEqual(h.recipients.map((r) => r.state), ['access_ended', 'access_ended']);
    // Lifting the end (for all) gives access back.
    await callAs(env.url, marie, 'UpdateSecureMessage', { messageId: m.id, clearAccessUntil: true });
    assert.equal((await callAs(env.url, luc, 'ReleaseMessageKey', { messageId: m.id })).dataKey, m.dataKey);
  });

  test('a default access period (Options tab) gives each new message its access end; none by default; the sender may still lift it', async () => {
    const none = await callAs(env.url, marie, 'RegisterSecureMessage', { to: [LUC], cc: [], subject: 'Sans fin' });
    assert.equal(none.accessUntil, undefined, 'no access end by default');
    const options = (await callAs(env.url, marie, 'GetEncryptionAccount', {})).account!.options;
    await callAs(env.url, marie, 'SetEncryptionOptions', { options: { ...options, accessDays: 7 } });
    try {
      const t0 = await now();
      const m = await sendSecure([LUC], [], 'Accès sept jours');
      const t1 = await now();
      const end = Date.parse((await history(m.id)).recipients[0]?.accessUntil ?? '');
      assert.ok(end >= t0 + 7 * DAY && end <= t1 + 7 * DAY, `access end ${new Date(end).toISOString()} is 7 days after registration`);
      assert.equal((await callAs(env.url, luc, 'ReleaseMessageKey', { messageId: m.id })).dataKey, m.dataKey, 'within the period: opens');
      await advance(7 * DAY + HOUR);
      await assert.rejects(callAs(env.url, luc, 'ReleaseMessageKey', { messageId: m.id }), fault('message.access_ended'));
      // A message registered before the option was set has no end.
      assert.equal((await history(none.messageId)).recipients[0]?.accessUntil, undefined);
      await callAs(env.url, marie, 'UpdateSecureMessage', { messageId: m.id, clearAccessUntil: true });
      assert.equal((await callAs(env.url, luc, 'ReleaseMessageKey', { messageId: m.id })).dataKey, m.dataKey);
    } finally {
      await callAs(env.url, marie, 'SetEncryptionOptions', { options: { ...options, accessDays: 0 } });
    }
  });

  test('bad input: each refused with a translated error, audited, nothing changed', async () => {
    const m = await sendSecure([LUC], [OUTSIDE], 'Entrées invalides');
    const t0 = await now();
    const before = await store.messages.get(m.id);
    const cases: Array<[string, Promise<unknown>, string, RegExp, string]> = [
      ['someone else’s message', callAs(env.url, luc, 'RevokeSecureMessage', { messageId: m.id }), 'message.not_sender', /^Seul l’émetteur/, 'not_sender'],
      ['someone else’s message (update)', callAs(env.url, luc, 'UpdateSecureMessage', { messageId: m.id, readDeadline: new Date(t0 + DAY).toISOString() }), 'message.not_sender', /^Seul/, 'not_sender'],
      ['unknown recipient', callAs(env.url, marie, 'RevokeSecureMessage', { messageId: m.id, recipient: 'nobody@esante.lu' }), 'message.unknown_recipient', /^nobody@esante\.lu ne figure pas parmi les destinataires/, 'unknown_recipient'],
      ['date in the past', callAs(env.url, marie, 'UpdateSecureMessage', { messageId: m.id, readDeadline: new Date(t0 - HOUR).toISOString() }), 'message.date_past', /^La date choisie \(.+\) est déjà passée/, 'date_past'],
      ['beyond the maximum', callAs(env.url, marie, 'UpdateSecureMessage', { messageId: m.id, accessUntil: new Date(t0 + 91 * DAY).toISOString() }), 'message.date_too_far', /dépasse le maximum autorisé/, 'date_too_far'],
      ['nothing to change', callAs(env.url, marie, 'UpdateSecureMessage', { messageId: m.id }), 'message.nothing_to_change', /^Indiquez/, 'nothing_to_change'],
    ];
    for (const [what, call, code, text, reason] of cases) {
      await assert.rejects(call, fault(code, text), what);
      const trail = await store.audit.list({ subject: m.id, limit: 50 });
      assert.ok(trail.some((e) => e.outcome === 'denied' && e.detail?.['reason'] === reason), `${what} audited`);
    }
    // Unknown message: refused and audited under the id asked for.
    const unknown = 'A'.repeat(24);
    await assert.rejects(callAs(env.url, marie, 'RevokeSecureMessage', { messageId: unknown }), fault('message.not_found', /^Ce message sécurisé est inconnu/));
    assert.ok((await store.audit.list({ subject: unknown, action: 'message.revoke', limit: 5 })).some((e) => e.outcome === 'denied'));
    assert.deepEqual(await store.messages.get(m.id), before, 'nothing changed');

    // A second revoke: refused, audited, the first revoke's time kept.
    const first = await callAs(env.url, marie, 'RevokeSecureMessage', { messageId: m.id, recipient: LUC });
    await assert.rejects(callAs(env.url, marie, 'RevokeSecureMessage', { messageId: m.id, recipient: LUC }), fault('message.already_revoked', /^Ce message a déjà été retiré pour luc\.hoffmann@esante\.lu/));
    await callAs(env.url, marie, 'RevokeSecureMessage', { messageId: m.id });
    await assert.rejects(callAs(env.url, marie, 'RevokeSecureMessage', { messageId: m.id }), fault('message.already_revoked'));
    await assert.rejects(callAs(env.url, marie, 'UpdateSecureMessage', { messageId: m.id, recipient: LUC, readDeadline: new Date(t0 + DAY).toISOString() }), fault('message.already_revoked'));
    const h = await history(m.id);
    assert.equal(h.recipients.find((r) => r.address === LUC)?.revokedAt, first.revokedAt);
    const denied = (await store.audit.list({ subject: m.id, action: 'message.revoke', limit: 50 })).filter((e) => e.outcome === 'denied' && e.detail?.['reason'] === 'already_revoked');
    assert.equal(denied.length, 2);
  });

  test('history: per recipient and notifications; CSV export of the caller’s own messages only, formula-safe', async () => {
    const m = await sendSecure([LUC], [OUTSIDE], '=HYPERLINK("http://x","clic"), suivi');
    await callAs(env.url, luc, 'ReleaseMessageKey', { messageId: m.id });
    await runScheduler();
    const h = await history(m.id);
    assert.equal(h.subject, '=HYPERLINK("http://x","clic"), suivi');
    assert.deepEqual(h.recipients.map((r) => [r.address, r.kind, r.state, r.delivered, r.openedVia ?? null]), [[LUC, 'to', 'opened', true, 'webmail'], [OUTSIDE, 'cc', 'delivered', true, null]]);
    assert.deepEqual(h.notifications.map((n) => [n.kind, n.recipient ?? null, n.state]), [['read', LUC, 'sent']]);
    await assert.rejects(callAs(env.url, luc, 'GetSecureMessageHistory', { messageId: m.id }), fault('message.not_sender'));

    const exp = await callAs(env.url, marie, 'ExportSecureMessageHistory', {});
    assert.match(exp.fileName, /^messages-securises-\d{4}-\d{2}-\d{2}\.csv$/);
    assert.equal(exp.mimeType, 'text/csv; charset=utf-8');
    assert.ok(exp.csv.startsWith('\uFEFFMessage,Objet,Créé le,Envoyé le,Destinataire,Type,État,Ouvert le,Ouvert via,'));
    const lines = exp.csv.slice(1).split('\r\n').filter(Boolean);
    assert.equal(lines.length - 1, exp.rows);
    const mine = lines.filter((l) => l.startsWith(`${m.id},`));
    assert.equal(mine.length, 2);
    assert.ok(mine[0]!.startsWith(`${m.id},"'=HYPERLINK(""http://x"",""clic""), suivi",`), mine[0]);
    assert.match(mine[0]!, new RegExp(`,${LUC.replace(/\./g, '\\.')},À,ouvert,[^,]+,messagerie,`));
    assert.ok(mine[0]!.split(',').at(-2)!.match(/^\d{4}-\d{2}-\d{2}T/), 'read notification sent at');
    assert.ok((await store.audit.list({ action: 'message.export', actor: MARIE, limit: 5 })).some((e) => e.outcome === 'allowed'));
    // Luc's export holds none of Marie's messages.
    const lucs = await callAs(env.url, luc, 'ExportSecureMessageHistory', {});
    assert.equal(lucs.rows, 0);
    assert.ok(!lucs.csv.includes(m.id));
  });
});
