/**
 * The behaviour every Store adapter must have, written once and run against each adapter
 * (server-extension/test/store.sqlite.test.ts, store.postgres.test.ts). A new adapter is done
 * when this suite passes on it.
 *
 * `open` must return a new store on a new, empty (unmigrated) database at each call.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { StoreInputError } from '../../src/store/errors.ts';
import { LATEST_VERSION } from '../../src/store/migrations/index.ts';
import { DEFAULT_ACCOUNT_OPTIONS, isLocked, type NewEncryptionAccount, type SealedUnlockCode, type Store } from '../../src/store/types.ts';
import { REDACTED } from '../../src/store/validate.ts';

const HASH = '$scrypt$ln=15,r=8,p=1$c2FsdA$aGFzaA';

function newAccount(email: string, overrides: Partial<NewEncryptionAccount> = {}): NewEncryptionAccount {
  return { email, fullName: 'James Bond', identityLevel: 3, passwordHash: HASH, ...overrides };
}

/** All method names of an object, own and inherited (but not Object's). */
function methodNames(o: object): string[] {
  const names = new Set<string>();
  for (let p: object | null = o; p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    for (const k of Object.getOwnPropertyNames(p)) {
      if (k !== 'constructor' && typeof (o as Record<string, unknown>)[k] === 'function') names.add(k);
    }
  }
  return [...names].sort();
}

export function describeStoreContract(name: string, open: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    describe('migrations', () => {
      test('a new database is at version 0, migrate() brings it to the latest, and a re-run changes nothing', async () => {
        const store = await open();
        try {
          assert.equal(await store.schemaVersion(), 0);
          await store.migrate();
          assert.equal(await store.schemaVersion(), LATEST_VERSION);
          await store.audit.append({ at: new Date(), actor: 'system', action: 'store.test', subject: 'm', outcome: 'allowed' });
          await store.migrate(); // would fail on "table exists" if it re-applied anything
          assert.equal(await store.schemaVersion(), LATEST_VERSION);
          assert.equal((await store.audit.list({ limit: 10 })).length, 1, 'data survives a re-run');
        } finally {
          await store.close();
        }
      });

      test('two migrate() calls at once on one store both succeed', async () => {
        const store = await open();
        try {
          await Promise.all([store.migrate(), store.migrate()]);
          assert.equal(await store.schemaVersion(), LATEST_VERSION);
        } finally {
          await store.close();
        }
      });

      test('ping answers true while open and false after close; close twice is harmless', async () => {
        const store = await open();
        assert.equal(await store.ping(), true);
        await store.close();
        await store.close();
        assert.equal(await store.ping(), false);
        await assert.rejects(store.accounts.get('closed@esante.lu'), { name: 'StoreUnavailableError', code: 'service.unavailable' });
      });
    });

    describe('with a migrated store', () => {
      let store: Store;
      before(async () => {
        store = await open();
        await store.migrate();
      });
      after(async () => {
        await store.close();
      });

      describe('audit', () => {
        test('append returns the stored event; list gives newest first', async () => {
          const at = '2026-01-02T03:04:05.678Z';
          const first = await store.audit.append({ at, actor: 'ann@esante.lu', action: 'key.release', subject: 'order-1', outcome: 'allowed', detail: { recipients: 2, bcc: false, note: null } });
          const second = await store.audit.append({ at: new Date(at), actor: 'bob@esante.lu', action: 'key.release', subject: 'order-1', outcome: 'denied' });
          const third = await store.audit.append({ at, actor: 'ann@esante.lu', action: 'account.create', subject: 'order-2', outcome: 'error' });
          assert.deepEqual(first, { id: first.id, at, actor: 'ann@esante.lu', action: 'key.release', subject: 'order-1', outcome: 'allowed', detail: { recipients: 2, bcc: false, note: null } });
          assert.equal(second.detail, null);
          assert.ok(first.id < second.id && second.id < third.id, 'ids follow the order of appends');
          const listed = await store.audit.list({ subject: 'order-1', limit: 10 });
          assert.deepEqual(listed, [second, first]);
        });

        test('filters combine with AND; limit and beforeId page backwards', async () => {
          const subject = 'filter-subject';
          const appended = [];
          for (const [actor, action] of [['a@x.lu', 'x.read'], ['b@x.lu', 'x.read'], ['a@x.lu', 'x.write'], ['a@x.lu', 'x.read']] as const) {
            appended.push(await store.audit.append({ at: new Date(), actor, action, subject, outcome: 'allowed' }));
          }
          const ids = (events: { id: number }[]): number[] => events.map((e) => e.id);
          assert.deepEqual(ids(await store.audit.list({ subject, actor: 'a@x.lu', limit: 10 })), [appended[3]!.id, appended[2]!.id, appended[0]!.id]);
          assert.deepEqual(ids(await store.audit.list({ subject, action: 'x.read', limit: 10 })), [appended[3]!.id, appended[1]!.id, appended[0]!.id]);
          assert.deepEqual(ids(await store.audit.list({ subject, actor: 'a@x.lu', action: 'x.read', limit: 10 })), [appended[3]!.id, appended[0]!.id]);
          assert.deepEqual(ids(await store.audit.list({ action: 'x.write', limit: 10 })), [appended[2]!.id]);
          const page1 = await store.audit.list({ subject, limit: 2 });
          assert.deepEqual(ids(page1), [appended[3]!.id, appended[2]!.id]);
          const page2 = await store.audit.list({ subject, limit: 2, beforeId: page1[1]!.id });
          assert.deepEqual(ids(page2), [appended[1]!.id, appended[0]!.id]);
          assert.deepEqual(await store.audit.list({ subject: 'nobody-has-this', limit: 5 }), []);
        });

        test('secrets in detail are redacted before they are stored', async () => {
          const event = await store.audit.append({
            at: new Date(), actor: 'ann@esante.lu', action: 'account.password_change', subject: 'ann@esante.lu', outcome: 'allowed',
            detail: { password: 'Tr0ub4dor&3', unlockCode: '123456', unlock_code: '654321', dataKey: 'AAAA', ZM_AUTH_TOKEN: 'tok', pin: '0000', keyId: 'k-1', errorCode: 'auth.required' },
          });
          const expected = { password: REDACTED, unlockCode: REDACTED, unlock_code: REDACTED, dataKey: REDACTED, ZM_AUTH_TOKEN: REDACTED, pin: REDACTED, keyId: 'k-1', errorCode: 'auth.required' };
          assert.deepEqual(event.detail, expected);
          const [stored] = await store.audit.list({ subject: 'ann@esante.lu', action: 'account.password_change', limit: 1 });
          assert.deepEqual(stored?.detail, expected);
          assert.ok(!JSON.stringify(stored).includes('Tr0ub4dor'));
        });

        test('bad events are refused and nothing is written', async () => {
          const subject = 'bad-input-subject';
          const base = { at: new Date(), actor: 'ann@esante.lu', action: 'x.y', subject, outcome: 'allowed' as const };
          const bad: unknown[] = [
            { ...base, outcome: 'maybe' },
            { ...base, action: 'Not An Action' },
            { ...base, actor: '' },
            { ...base, subject: 'a\u0000b' },
            { ...base, at: 'yesterday-ish' },
            { ...base, detail: { nested: { a: 1 } } },
            { ...base, detail: ['x'] },
            { ...base, detail: { n: Number.NaN } },
          ];
          for (const event of bad) {
            await assert.rejects(store.audit.append(event as never), StoreInputError, JSON.stringify(event));
          }
          assert.deepEqual(await store.audit.list({ subject, limit: 10 }), []);
          await assert.rejects(store.audit.list({ limit: 0 }), StoreInputError);
          await assert.rejects(store.audit.list({ limit: 1001 }), StoreInputError);
        });

        test('the audit repository offers no way to change or remove an event', () => {
          assert.deepEqual(methodNames(store.audit), ['append', 'list']);
        });
      });

      describe('encryption accounts', () => {
        test('create then get round-trips every field, with default options', async () => {
          const sealed = new Uint8Array([0, 1, 2, 250, 255]);
          const result = await store.accounts.create(newAccount('create.get@esante.lu', { createdAt: '2014-09-24T10:00:51.000Z', unlockCodeSealed: sealed }));
          assert.equal(result.kind, 'Created');
          const got = await store.accounts.get('create.get@esante.lu');
          assert.ok(got);
          assert.deepEqual(got, result.kind === 'Created' ? result.account : null);
          assert.equal(got.email, 'create.get@esante.lu');
          assert.equal(got.fullName, 'James Bond');
          assert.equal(got.identityLevel, 3);
          assert.equal(got.passwordHash, HASH);
          assert.equal(got.createdAt, '2014-09-24T10:00:51.000Z');
          assert.deepEqual(got.options, DEFAULT_ACCOUNT_OPTIONS);
          assert.deepEqual(got.unlockCodeSealed, sealed);
          assert.equal(got.transactions, 0);
          assert.equal(got.failedAttempts, 0);
          assert.equal(got.lockedUntil, null);
          assert.match(got.updatedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
          assert.equal(await store.accounts.get('nobody@esante.lu'), null);
        });

        test('e-mail is case-insensitive and kept as first written', async () => {
          await store.accounts.create(newAccount('Dr.Mixed.Case@Esante.LU'));
          const got = await store.accounts.get('dr.mixed.case@esante.lu');
          assert.equal(got?.email, 'Dr.Mixed.Case@Esante.LU');
          assert.equal((await store.accounts.get('  DR.MIXED.CASE@ESANTE.LU '))?.email, 'Dr.Mixed.Case@Esante.LU');
          const again = await store.accounts.create(newAccount('dr.mixed.case@esante.lu', { passwordHash: '$other$hash' }));
          assert.deepEqual(again, { kind: 'AlreadyExists', email: 'dr.mixed.case@esante.lu' });
          assert.equal((await store.accounts.get('dr.mixed.case@esante.lu'))?.passwordHash, HASH, 'a second create never overwrites');
        });

        test('concurrent creates of one address: exactly one is Created, the others AlreadyExists', async () => {
          const spellings = ['race@esante.lu', 'RACE@esante.lu', 'Race@Esante.lu', 'race@ESANTE.LU', 'race@esante.lu', 'rAce@esante.lu'];
          const results = await Promise.all(spellings.map((email, i) => store.accounts.create(newAccount(email, { fullName: `Racer ${i}` }))));
          const created = results.filter((r) => r.kind === 'Created');
          assert.equal(created.length, 1);
          assert.equal(results.filter((r) => r.kind === 'AlreadyExists').length, spellings.length - 1);
          const winner = created[0]!.kind === 'Created' ? created[0]!.account : null;
          assert.deepEqual(await store.accounts.get('race@esante.lu'), winner);
        });

        test('concurrent counter increments are all counted', async () => {
          const email = 'counter@esante.lu';
          await store.accounts.create(newAccount(email));
          const n = 40;
          const results = await Promise.all(Array.from({ length: n }, () => store.accounts.incrementTransactions(email)));
          assert.equal((await store.accounts.get(email))?.transactions, n);
          // Each increment saw its own value: no two callers read the same count.
          assert.deepEqual(results.map((a) => a?.transactions).sort((a, b) => a! - b!), Array.from({ length: n }, (_, i) => i + 1));
          const attempts = await Promise.all(Array.from({ length: 15 }, () => store.accounts.recordFailedAttempt(email)));
          assert.deepEqual(attempts.map((a) => a?.failedAttempts).sort((a, b) => a! - b!), Array.from({ length: 15 }, (_, i) => i + 1));
          assert.equal((await store.accounts.get(email))?.failedAttempts, 15);
        });

        test('lockout: failed attempts, lock until, lift, reset', async () => {
          const email = 'lockout@esante.lu';
          await store.accounts.create(newAccount(email));
          assert.equal((await store.accounts.recordFailedAttempt(email))?.failedAttempts, 1);
          assert.equal((await store.accounts.recordFailedAttempt(email))?.failedAttempts, 2);
          const until = new Date(Date.now() + 15 * 60_000);
          const locked = await store.accounts.lockUntil(email, until);
          assert.equal(locked?.lockedUntil, until.toISOString());
          assert.equal(isLocked(locked!), true);
          assert.equal(isLocked(locked!, new Date(until.getTime() + 1)), false, 'a lock expires by itself');
          const lifted = await store.accounts.lockUntil(email, null);
          assert.equal(lifted?.lockedUntil, null);
          assert.equal(lifted?.failedAttempts, 2, 'lifting the lock keeps the count');
          await store.accounts.lockUntil(email, until.toISOString());
          const reset = await store.accounts.resetFailedAttempts(email);
          assert.equal(reset?.failedAttempts, 0);
          assert.equal(reset?.lockedUntil, null);
          await assert.rejects(store.accounts.lockUntil(email, 'not a date'), StoreInputError);
        });

        test('options: partial updates round-trip; bad options are refused and change nothing', async () => {
          const email = 'options@esante.lu';
          await store.accounts.create(newAccount(email, { options: { readDeadlineDays: 10, notifyTransmission: true } }));
          assert.deepEqual((await store.accounts.get(email))?.options, { readDeadlineDays: 10, notifyTransmission: true, notifyRead: true, notifyDeadline: true, accessDays: 0 });
          const updated = await store.accounts.updateOptions(email, { notifyRead: false, readDeadlineDays: 7 });
          assert.deepEqual(updated?.options, { readDeadlineDays: 7, notifyTransmission: true, notifyRead: false, notifyDeadline: true, accessDays: 0 });
          assert.deepEqual((await store.accounts.updateOptions(email, { notifyTransmission: false, notifyDeadline: false, accessDays: 30 }))?.options,
            { readDeadlineDays: 7, notifyTransmission: false, notifyRead: false, notifyDeadline: false, accessDays: 30 });
          for (const bad of [{ readDeadlineDays: 0 }, { readDeadlineDays: 2.5 }, { readDeadlineDays: 366 }, { notifyRead: 'yes' }, { colour: 'red' }, { accessDays: -1 }, { accessDays: 366 }, { accessDays: 1.5 }]) {
            await assert.rejects(store.accounts.updateOptions(email, bad as never), StoreInputError, JSON.stringify(bad));
          }
          assert.deepEqual((await store.accounts.get(email))?.options, { readDeadlineDays: 7, notifyTransmission: false, notifyRead: false, notifyDeadline: false, accessDays: 30 });
        });

        test('password hash and sealed unlock code can be replaced', async () => {
          const email = 'secrets@esante.lu';
          await store.accounts.create(newAccount(email));
          assert.equal((await store.accounts.setPasswordHash(email, '$argon2id$v=19$new'))?.passwordHash, '$argon2id$v=19$new');
          assert.equal((await store.accounts.get(email))?.passwordHash, '$argon2id$v=19$new');
          await assert.rejects(store.accounts.setPasswordHash(email, ''), StoreInputError);
          await assert.rejects(store.accounts.setPasswordHash(email, 'has space'), StoreInputError);
          const sealed = new Uint8Array(64).fill(7);
          assert.deepEqual((await store.accounts.setUnlockCodeSealed(email, sealed))?.unlockCodeSealed, sealed);
          assert.equal((await store.accounts.setUnlockCodeSealed(email, null))?.unlockCodeSealed, null);
        });

        test('sealed unlock codes are listed in pages and replaced only by compare-and-set', async () => {
          const emails = ['Rot.C@esante.lu', 'rot.a@esante.lu', 'rot.b@esante.lu'];
          for (const [i, email] of emails.entries()) {
            await store.accounts.create(newAccount(email, { unlockCodeSealed: new Uint8Array(40).fill(i + 1) }));
          }
          await store.accounts.create(newAccount('rot.none@esante.lu')); // no code: never listed
          const all = [];
          for (let after: string | null = 'rot.'; ; ) {
            const page: SealedUnlockCode[] = (await store.accounts.listSealedUnlockCodes(after, 2)).filter((c) => c.emailKey.startsWith('rot.'));
            if (page.length === 0) break;
            all.push(...page);
            after = page[page.length - 1]!.emailKey;
          }
          assert.deepEqual(all.map((c) => [c.emailKey, c.email, c.sealed[0]]), [['rot.a@esante.lu', 'rot.a@esante.lu', 2], ['rot.b@esante.lu', 'rot.b@esante.lu', 3], ['rot.c@esante.lu', 'Rot.C@esante.lu', 1]]);

          const before = all[0]!.sealed;
          const next = new Uint8Array(40).fill(9);
          assert.equal(await store.accounts.replaceUnlockCodeSealed('ROT.A@esante.lu', before, next), true);
          assert.deepEqual((await store.accounts.get('rot.a@esante.lu'))?.unlockCodeSealed, next);
          assert.equal(await store.accounts.replaceUnlockCodeSealed('rot.a@esante.lu', before, new Uint8Array(40).fill(5)), false, 'stale before: nothing written');
          assert.deepEqual((await store.accounts.get('rot.a@esante.lu'))?.unlockCodeSealed, next);
          assert.equal(await store.accounts.replaceUnlockCodeSealed('rot.none@esante.lu', before, next), false);
          assert.equal((await store.accounts.get('rot.none@esante.lu'))?.unlockCodeSealed, null);
          await assert.rejects(store.accounts.replaceUnlockCodeSealed('rot.b@esante.lu', all[1]!.sealed, new Uint8Array(0)), StoreInputError);
          await assert.rejects(store.accounts.listSealedUnlockCodes(null, 0), StoreInputError);
        });

        test('mutators on an unknown address return null and create nothing', async () => {
          const email = 'ghost@esante.lu';
          assert.equal(await store.accounts.updateOptions(email, { notifyRead: false }), null);
          assert.equal(await store.accounts.setPasswordHash(email, HASH), null);
          assert.equal(await store.accounts.setUnlockCodeSealed(email, new Uint8Array([1])), null);
          assert.equal(await store.accounts.incrementTransactions(email), null);
          assert.equal(await store.accounts.recordFailedAttempt(email), null);
          assert.equal(await store.accounts.resetFailedAttempts(email), null);
          assert.equal(await store.accounts.lockUntil(email, new Date()), null);
          assert.equal(await store.accounts.get(email), null);
        });

        test('bad accounts are refused and nothing is created', async () => {
          const bad: NewEncryptionAccount[] = [
            newAccount('not-an-address'),
            newAccount('bad.level@esante.lu', { identityLevel: 2 as never }),
            newAccount('no.name@esante.lu', { fullName: '   ' }),
            newAccount('bad.hash@esante.lu', { passwordHash: '' }),
            newAccount('bad.bytes@esante.lu', { unlockCodeSealed: new Uint8Array(0) }),
            newAccount('bad.options@esante.lu', { options: { readDeadlineDays: -1 } }),
          ];
          for (const account of bad) await assert.rejects(store.accounts.create(account), StoreInputError, account.email);
          for (const email of ['bad.level@esante.lu', 'no.name@esante.lu', 'bad.hash@esante.lu', 'bad.bytes@esante.lu', 'bad.options@esante.lu']) {
            assert.equal(await store.accounts.get(email), null, email);
          }
          await assert.rejects(store.accounts.get('x'), StoreInputError);
        });

        test('"don\'t ask again" exists without an account and survives its creation', async () => {
          const email = 'optout@esante.lu';
          assert.deepEqual(await store.accounts.getPreferences(email), { dontAskAgain: false, updatedAt: null });
          const set = await store.accounts.setDontAskAgain('OptOut@esante.lu', true);
          assert.equal(set.dontAskAgain, true);
          assert.match(set.updatedAt ?? '', /Z$/);
          assert.deepEqual(await store.accounts.getPreferences(email), set);
          assert.equal(await store.accounts.get(email), null, 'the preference does not create an account');
          assert.equal((await store.accounts.create(newAccount(email))).kind, 'Created');
          assert.equal((await store.accounts.getPreferences(email)).dontAskAgain, true);
          assert.equal((await store.accounts.setDontAskAgain(email, false)).dontAskAgain, false);
          assert.equal((await store.accounts.getPreferences(email)).dontAskAgain, false);
          await assert.rejects(store.accounts.setDontAskAgain(email, 'yes' as never), StoreInputError);
        });
      });
    });
  });
}
