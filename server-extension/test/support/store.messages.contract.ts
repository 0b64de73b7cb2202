/**
 * What every Store adapter must do for encrypted messages, the notification outbox and the portal
 * (migration 0002). Run on SQLite and PostgreSQL by server-extension/test/messages-store.test.ts.
 * `open` returns a store on a new, empty database each call.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { StoreInputError } from '../../src/store/errors.ts';
import type { NewSecureMessage, Store } from '../../src/store/types.ts';

const SEALED = 'ek1.mk-0123456789abcdef.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
const SEALED2 = 'ek1.mk-fedcba9876543210.BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB';
const DIGEST = 'A'.repeat(43);
const T0 = Date.parse('2026-11-29T08:00:00.000Z');
const DAY = 86_400_000;

export function newMessage(id: string, overrides: Partial<NewSecureMessage> = {}): NewSecureMessage {
  return {
    id,
    senderEmail: 'Marie.Schmit@esante.lu',
    senderName: 'Marie Schmit',
    senderLevel: 3,
    senderLang: 'fr',
    subjectSealed: SEALED,
    wrappedKey: SEALED,
    createdAtMs: T0,
    readDeadlineMs: T0 + 5 * DAY,
    notifyTransmission: true,
    notifyRead: true,
    notifyDeadline: true,
    recipients: [
      { address: 'luc.hoffmann@esante.lu', kind: 'to' },
      { address: 'Outside@Example.org', kind: 'cc' },
    ],
    ...overrides,
  };
}

export function describeMessagesStoreContract(name: string, open: () => Promise<Store>): void {
  describe(`Messages store contract: ${name}`, () => {
    async function withStore(fn: (s: Store) => Promise<void>): Promise<void> {
      const store = await open();
      try {
        await store.migrate();
        await fn(store);
      } finally {
        await store.close();
      }
    }

    test('a message keeps its recipients in order, matched without regard to case', () =>
      withStore(async (s) => {
        await s.messages.create(newMessage('message-0001'));
        const m = await s.messages.get('message-0001');
        assert.ok(m);
        assert.equal(m.senderKey, 'marie.schmit@esante.lu');
        assert.equal(m.senderEmail, 'Marie.Schmit@esante.lu');
        assert.deepEqual(m.recipients.map((r) => [r.address, r.addressKey, r.kind, r.firstOpenedAt]), [
          ['luc.hoffmann@esante.lu', 'luc.hoffmann@esante.lu', 'to', null],
          ['Outside@Example.org', 'outside@example.org', 'cc', null],
        ]);
        assert.equal(m.readDeadline, new Date(T0 + 5 * DAY).toISOString());
        assert.equal(m.notifyTransmission, true);
        assert.equal(m.sentAt, null);
        assert.equal(await s.messages.get('no-such-message'), null);
      }));

    test('bad input is refused before anything is written', () =>
      withStore(async (s) => {
        await assert.rejects(s.messages.create(newMessage('bad id!')), StoreInputError);
        await assert.rejects(s.messages.create(newMessage('message-0002', { wrappedKey: 'plain-key' })), StoreInputError);
        await assert.rejects(s.messages.create(newMessage('message-0003', { recipients: [] })), StoreInputError);
        await assert.rejects(
          s.messages.create(newMessage('message-0004', { recipients: [{ address: 'a@b.lu', kind: 'to' }, { address: 'A@B.lu', kind: 'cc' }] })),
          StoreInputError,
        );
        assert.equal(await s.messages.get('message-0004'), null);
      }));

    test('confirmSent sets digest and time once; the first open of each recipient is recorded once', () =>
      withStore(async (s) => {
        await s.messages.create(newMessage('message-0010'));
        const first = await s.messages.confirmSent('message-0010', DIGEST, 1234, T0 + 1000);
        assert.equal(first.kind, 'Confirmed');
        const again = await s.messages.confirmSent('message-0010', 'B'.repeat(43), 99, T0 + 2000);
        assert.equal(again.kind, 'AlreadyConfirmed');
        assert.equal(again.kind === 'AlreadyConfirmed' && again.message.containerDigest, DIGEST);
        assert.equal((await s.messages.confirmSent('message-9999', DIGEST, 1, T0)).kind, 'NotFound');

        const opens = await Promise.all([1, 2, 3].map((i) => s.messages.recordFirstOpen('message-0010', 'LUC.hoffmann@esante.lu', T0 + i)));
        assert.equal(opens.filter(Boolean).length, 1);
        assert.equal(await s.messages.recordFirstOpen('message-0010', 'stranger@esante.lu', T0), false);
        const m = await s.messages.get('message-0010');
        assert.ok(m?.recipients[0]?.firstOpenedAt);
        assert.equal(m?.recipients[1]?.firstOpenedAt, null);
      }));

    test('listBySender pages newest first with recipient and open counts', () =>
      withStore(async (s) => {
        for (let i = 0; i < 3; i++) await s.messages.create(newMessage(`message-010${i}`, { createdAtMs: T0 + i }));
        await s.messages.create(newMessage('message-0200', { senderEmail: 'other@esante.lu' }));
        await s.messages.recordFirstOpen('message-0102', 'outside@example.org', T0);
        const page = await s.messages.listBySender('MARIE.schmit@esante.lu', 0, 2);
        assert.equal(page.total, 3);
        assert.deepEqual(page.messages.map((m) => [m.id, m.recipients, m.opened]), [['message-0102', 2, 1], ['message-0101', 2, 0]]);
        assert.deepEqual((await s.messages.listBySender('marie.schmit@esante.lu', 2, 2)).messages.map((m) => m.id), ['message-0100']);
      }));

    test('replaceWrapped is a compare-and-set', () =>
      withStore(async (s) => {
        await s.messages.create(newMessage('message-0300'));
        const [row] = await s.messages.listWrapped(null, 10);
        assert.ok(row);
        assert.equal(await s.messages.replaceWrapped(row, { wrappedKey: SEALED2, subjectSealed: SEALED2 }), true);
        assert.equal(await s.messages.replaceWrapped(row, { wrappedKey: SEALED, subjectSealed: SEALED }), false);
        assert.equal((await s.messages.get('message-0300'))?.wrappedKey, SEALED2);
        assert.deepEqual(await s.messages.listWrapped('message-0300', 10), []);
      }));

    test('jobs: enqueue is idempotent; deadline scan creates one job per unopened recipient, once', () =>
      withStore(async (s) => {
        await s.messages.create(newMessage('message-0400'));
        await s.messages.create(newMessage('message-0401', { notifyDeadline: false }));
        await s.messages.create(newMessage('message-0402')); // never confirmed: no deadline job
        await s.messages.confirmSent('message-0400', DIGEST, 1, T0);
        await s.messages.confirmSent('message-0401', DIGEST, 1, T0);
        const job = { jobKey: 'transmission:message-0400', kind: 'transmission' as const, messageId: 'message-0400', recipientKey: null, dueAtMs: T0, nowMs: T0 };
        assert.equal(await s.notifications.enqueue(job), true);
        assert.equal(await s.notifications.enqueue(job), false);
        assert.equal(await s.notifications.enqueueDueDeadlines(T0 + DAY), 0); // not yet
        await s.messages.recordFirstOpen('message-0400', 'luc.hoffmann@esante.lu', T0 + DAY);
        const counts = await Promise.all([s.notifications.enqueueDueDeadlines(T0 + 6 * DAY), s.notifications.enqueueDueDeadlines(T0 + 6 * DAY)]);
        assert.equal(counts[0]! + counts[1]!, 1);
        const jobs = await s.notifications.forMessage('message-0400');
        assert.deepEqual(jobs.map((j) => [j.kind, j.recipientKey, j.state]), [['transmission', null, 'pending'], ['deadline', 'outside@example.org', 'pending']]);
        assert.deepEqual(await s.notifications.forMessage('message-0401'), []);
      }));

    test('claims: one worker per job, lease respected, sent jobs never claimed again, failures retried then given up', () =>
      withStore(async (s) => {
        await s.messages.create(newMessage('message-0500'));
        for (let i = 0; i < 5; i++) {
          await s.notifications.enqueue({ jobKey: `read:message-0500:r${i}@x.lu`, kind: 'read', messageId: 'message-0500', recipientKey: `r${i}@x.lu`, dueAtMs: T0, nowMs: T0 });
        }
        await s.notifications.enqueue({ jobKey: 'later', kind: 'read', messageId: 'message-0500', recipientKey: null, dueAtMs: T0 + DAY, nowMs: T0 });
        const [a, b] = await Promise.all([s.notifications.claim('A', T0, 60_000, 3), s.notifications.claim('B', T0, 60_000, 3)]);
        const ids = [...a!, ...b!].map((j) => j.id);
        assert.equal(ids.length, 5);
        assert.equal(new Set(ids).size, 5);
        assert.deepEqual(await s.notifications.claim('C', T0 + 1000, 60_000, 10), []); // leased, and 'later' not due
        const job = a![0]!;
        assert.equal(await s.notifications.markSent(job.id, 'B', T0), false); // not B's
        assert.equal(await s.notifications.markSent(job.id, 'A', T0 + 10), true);
        // After the lease: the others come back (to C), the sent one never does.
        const reclaimed = await s.notifications.claim('C', T0 + 61_000, 60_000, 10);
        assert.equal(reclaimed.length, 4);
        assert.ok(!reclaimed.some((j) => j.id === job.id));
        assert.ok(reclaimed.every((j) => j.attempts === 2));
        assert.equal(await s.notifications.markSent(reclaimed[0]!.id, 'A', T0), false); // A's claim was lost
        const failing = reclaimed[1]!;
        assert.equal(await s.notifications.markFailed(failing.id, 'C', 'SMTP 451', T0 + 200_000, false), true);
        assert.ok(!(await s.notifications.claim('D', T0 + 150_000, 60_000, 10)).some((j) => j.id === failing.id));
        const retried = await s.notifications.claim('D', T0 + 200_000, 60_000, 10);
        assert.ok(retried.some((j) => j.id === failing.id));
        assert.equal(await s.notifications.markFailed(failing.id, 'D', 'SMTP 550', T0 + 300_000, true), true);
        const states = await s.notifications.forMessage('message-0500');
        assert.equal(states.find((j) => j.id === failing.id)?.state, 'failed');
        assert.equal(states.find((j) => j.id === job.id)?.state, 'sent');
      }));

    test('portal: codes replace each other, attempts count atomically, sessions expire', () =>
      withStore(async (s) => {
        await s.portal.putCode('Out@Example.org', SEALED, T0, T0 + 900_000);
        assert.equal(await s.portal.recordCodeAttempt('out@example.org'), 1);
        const counts = await Promise.all([1, 2, 3].map(() => s.portal.recordCodeAttempt('out@example.org')));
        assert.deepEqual(counts.sort(), [2, 3, 4]);
        await s.portal.putCode('out@example.org', SEALED2, T0 + 1, T0 + 900_001);
        const code = await s.portal.getCode('OUT@example.org');
        assert.equal(code?.attempts, 0);
        assert.equal(code?.codeSealed, SEALED2);
        await s.portal.putCode('late@example.org', SEALED, T0, T0 + 10);
        assert.deepEqual(await s.portal.liveSealedCodes(T0 + 5), [SEALED, SEALED2], 'live codes, in address order');
        assert.deepEqual(await s.portal.liveSealedCodes(T0 + 10), [SEALED2], 'an expired code is not live');
        await s.portal.deleteCode('late@example.org');
        await s.portal.deleteCode('out@example.org');
        assert.equal(await s.portal.getCode('out@example.org'), null);
        assert.equal(await s.portal.recordCodeAttempt('out@example.org'), 0);

        const hash = 'h'.repeat(43);
        await s.portal.createSession(hash, 'Out@Example.org', T0, T0 + 1000);
        assert.equal(await s.portal.getSession(hash, T0 + 999), 'out@example.org');
        assert.equal(await s.portal.getSession(hash, T0 + 1000), null);
        assert.equal(await s.portal.getSession('x'.repeat(43), T0), null);
        assert.equal(await s.portal.deleteExpired(T0 + 1000), 1);
        await assert.rejects(s.portal.createSession('short', 'a@b.lu', T0, T0 + 1), StoreInputError);
      }));

    test('portal: a lock or a password change can end every session of one address, and only those', () =>
      withStore(async (s) => {
        await s.portal.createSession('a'.repeat(43), 'Out@Example.org', T0, T0 + 1000);
        await s.portal.createSession('b'.repeat(43), 'out@example.org', T0, T0 + 1000);
        await s.portal.createSession('c'.repeat(43), 'other@example.org', T0, T0 + 1000);
        assert.equal(await s.portal.deleteSessionsOf('OUT@example.org'), 2);
        assert.equal(await s.portal.getSession('a'.repeat(43), T0), null);
        assert.equal(await s.portal.getSession('b'.repeat(43), T0), null);
        assert.equal(await s.portal.getSession('c'.repeat(43), T0), 'other@example.org');
        assert.equal(await s.portal.deleteSessionsOf('out@example.org'), 0);
      }));

    test('portal rate limits: concurrent hits all count, a window restarts after it ends, back-off only grows', () =>
      withStore(async (s) => {
        const key = 'login-fail:abc_DEF-123';
        const W = 60_000;
        assert.equal(await s.portal.peekLimit(key, T0, W), null);
        const first = await s.portal.hitLimit(key, T0, W);
        assert.deepEqual(first, { hits: 1, windowStartMs: T0, blockedUntilMs: null });
        // Several instances hitting at once: no count is lost.
        const counts = await Promise.all([1, 2, 3, 4].map((i) => s.portal.hitLimit(key, T0 + i, W)));
        assert.deepEqual(counts.map((c) => c.hits).sort(), [2, 3, 4, 5]);
        assert.ok(counts.every((c) => c.windowStartMs === T0), 'the window keeps its start');
        await s.portal.blockLimit(key, T0 + 30_000);
        await s.portal.blockLimit(key, T0 + 10_000); // an earlier back-off does not shorten the current one
        assert.deepEqual(await s.portal.peekLimit(key, T0 + 100, W), { hits: 5, windowStartMs: T0, blockedUntilMs: T0 + 30_000 });
        // The window ends: the next hit starts a new window with no back-off.
        assert.equal(await s.portal.peekLimit(key, T0 + W, W), null);
        assert.deepEqual(await s.portal.hitLimit(key, T0 + W, W), { hits: 1, windowStartMs: T0 + W, blockedUntilMs: null });
        // A back-off longer than the window keeps the row alive (peek sees it) until it ends.
        await s.portal.blockLimit(key, T0 + 3 * W);
        assert.equal((await s.portal.peekLimit(key, T0 + 2 * W + 1, W))?.blockedUntilMs, T0 + 3 * W);
        await s.portal.hitLimit('other:x', T0, W);
        await s.portal.clearLimit('other:x');
        assert.equal(await s.portal.peekLimit('other:x', T0, W), null);
        // Housekeeping drops counters whose window and back-off are over, and nothing else.
        await s.portal.hitLimit('short:y', T0, 1000);
        assert.equal(await s.portal.deleteExpired(T0 + 2 * W), 1);
        assert.equal(await s.portal.deleteExpired(T0 + 3 * W), 1);
        await assert.rejects(s.portal.hitLimit('bad key with spaces', T0, W), StoreInputError);
        await assert.rejects(s.portal.hitLimit(key, T0, 0), StoreInputError);
      }));
  });
}
