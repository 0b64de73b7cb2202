import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { Writable } from 'node:stream';
import { MasterKey, MasterKeyring } from '../keys/index.ts';
import { createLogger } from '../log.ts';
import { openStore, type Store } from '../store/index.ts';
import { AccountsService, generateUnlockCode, normaliseUnlockCode, regifyUserOf } from './service.ts';

const STRONG = 'Vert-Moselle-2026!';
/** A caller Zimbra proved to be the owner: failures count towards the lock. */
const COUNTED = { countFailures: true };
/** The anonymous portal: failures never touch the account's lockout state. */
const ANONYMOUS = { countFailures: false };
const lines: string[] = [];
const log = createLogger({
  level: 'debug',
  destination: new Writable({ write: (c: Buffer, _e, cb) => (lines.push(c.toString()), cb()) }),
});

describe('AccountsService', () => {
  let store: Store;
  let now = new Date('2026-11-29T08:00:00Z');
  const keyring = new MasterKeyring(MasterKey.generate());
  const svc = () =>
    new AccountsService({
      store: () => store,
      keyring: () => keyring,
      clock: { now: () => now },
      log,
      settings: { maxAttempts: 3, lockMinutes: 10, scryptLog2n: 14 },
    });

  before(async () => {
    store = await openStore({ kind: 'sqlite', path: ':memory:' });
    await store.migrate();
  });
  after(() => store.close());
  beforeEach(() => {
    now = new Date('2026-11-29T08:00:00Z');
  });

  test('creates an account with a sealed unlock code and a hash, never the clear values', async () => {
    const account = await svc().createAccount({ email: 'Anne.Kieffer@esante.lu', fullName: '  Anne Kieffer ', password: STRONG, confirmation: STRONG, identityLevel: 3 });
    assert.equal(account.fullName, 'Anne Kieffer');
    assert.equal(account.identityLevel, 3);
    assert.ok(account.passwordHash.startsWith('scrypt$'));
    const code = await svc().revealUnlockCode('anne.kieffer@esante.lu');
    assert.match(code, /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    const sealed = Buffer.from(account.unlockCodeSealed!).toString('ascii');
    assert.ok(sealed.startsWith('ek1.') && !sealed.includes(code.replace(/-/g, '')));
    const audit = await store.audit.list({ subject: 'anne.kieffer@esante.lu', limit: 10 });
    assert.deepEqual(audit.map((e) => e.action).sort(), ['account.create', 'account.unlock_code.reveal']);
  });

  test('refuses short, weak, breached and mismatched passwords and a missing name, creating nothing', async () => {
    const s = svc();
    const base = { email: 'refused@esante.lu', fullName: 'Refus Test', identityLevel: 0 as const };
    const codeOf = (p: Promise<unknown>) => p.then(() => 'created', (e: { code?: string }) => e.code);
    assert.equal(await codeOf(s.createAccount({ ...base, password: 'Ab1!xyz', confirmation: 'Ab1!xyz' })), 'password.too_short');
    assert.equal(await codeOf(s.createAccount({ ...base, password: 'password1', confirmation: 'password1' })), 'password.breached');
    assert.equal(await codeOf(s.createAccount({ ...base, password: 'abcdefghij', confirmation: 'abcdefghij' })), 'password.too_weak');
    assert.equal(await codeOf(s.createAccount({ ...base, password: 'x'.repeat(129), confirmation: 'x'.repeat(129) })), 'password.too_long');
    assert.equal(await codeOf(s.createAccount({ ...base, password: STRONG, confirmation: STRONG + 'x' })), 'password.mismatch');
    assert.equal(await codeOf(s.createAccount({ ...base, fullName: '  ', password: STRONG, confirmation: STRONG })), 'account.full_name_required');
    assert.equal(await store.accounts.get('refused@esante.lu'), null);
  });

  test('wrong passwords lock after maxAttempts; locked means refused even with the right password; the lock expires', async () => {
    const s = svc();
    await s.createAccount({ email: 'lock@esante.lu', fullName: 'Lock Test', password: STRONG, identityLevel: 0 });
    assert.deepEqual(await s.verifyPassword('lock@esante.lu', 'Wrong-Pass-1!', COUNTED), { kind: 'WrongPassword', attemptsLeft: 2 });
    assert.deepEqual(await s.verifyPassword('lock@esante.lu', 'Wrong-Pass-2!', COUNTED), { kind: 'WrongPassword', attemptsLeft: 1 });
    const locked = await s.verifyPassword('lock@esante.lu', 'Wrong-Pass-3!', COUNTED);
    assert.equal(locked.kind, 'Locked');
    assert.equal((locked as { until: string }).until, '2026-11-29T08:10:00.000Z');
    assert.equal((await s.verifyPassword('lock@esante.lu', STRONG, COUNTED)).kind, 'Locked');
    now = new Date('2026-11-29T08:10:01Z');
    const ok = await s.verifyPassword('lock@esante.lu', STRONG, COUNTED);
    assert.equal(ok.kind, 'Ok');
    assert.equal((ok as { account: { failedAttempts: number; lockedUntil: unknown } }).account.failedAttempts, 0);
    assert.equal((await store.accounts.get('lock@esante.lu'))!.lockedUntil, null);
  });

  test('the unlock code lifts a lock; a wrong code is refused and counted', async () => {
    const s = svc();
    await s.createAccount({ email: 'unlock@esante.lu', fullName: 'Unlock Test', password: STRONG, identityLevel: 0 });
    for (let i = 0; i < 3; i++) await s.verifyPassword('unlock@esante.lu', 'Nope-Nope-9!', COUNTED);
    assert.equal((await s.verifyPassword('unlock@esante.lu', STRONG, COUNTED)).kind, 'Locked');
    await assert.rejects(s.unlock('unlock@esante.lu', 'AAAA-AAAA-AAAA'), { code: 'account.unlock_code_invalid' });
    assert.equal((await store.accounts.get('unlock@esante.lu'))!.failedAttempts, 4);
    const code = await s.revealUnlockCode('unlock@esante.lu');
    // Typed by hand: lower case, no dashes, spaces.
    const account = await s.unlock('unlock@esante.lu', ` ${code.replace(/-/g, '').toLowerCase()} `);
    assert.equal(account.lockedUntil, null);
    assert.equal((await s.verifyPassword('unlock@esante.lu', STRONG, COUNTED)).kind, 'Ok');
  });

  test('anonymous checks (portal) never lock, never reset, and report a lock set elsewhere (review #2)', async () => {
    const s = svc();
    await s.createAccount({ email: 'anon@esante.lu', fullName: 'Anon Test', password: STRONG, identityLevel: 0 });
    for (let i = 0; i < 6; i++) assert.deepEqual(await s.verifyPassword('anon@esante.lu', `Wrong-Pass-${i}!`, ANONYMOUS), { kind: 'WrongPassword' });
    const untouched = (await store.accounts.get('anon@esante.lu'))!;
    assert.equal(untouched.failedAttempts, 0);
    assert.equal(untouched.lockedUntil, null);
    assert.equal((await s.verifyPassword('anon@esante.lu', STRONG, ANONYMOUS)).kind, 'Ok');
    // A lock set by the owner's own failures (zimlet) is honoured, and an anonymous success does not lift it.
    for (let i = 0; i < 3; i++) await s.verifyPassword('anon@esante.lu', 'Nope-Nope-9!', COUNTED);
    assert.equal((await s.verifyPassword('anon@esante.lu', STRONG, ANONYMOUS)).kind, 'Locked');
    assert.ok(s.isLocked((await store.accounts.get('anon@esante.lu'))!));
  });

  test('an expired lock counts for nothing: one wrong secret after it does not lock again (review #2)', async () => {
    const s = svc();
    await s.createAccount({ email: 'expiry@esante.lu', fullName: 'Expiry Test', password: STRONG, identityLevel: 0 });
    for (let i = 0; i < 3; i++) await s.verifyPassword('expiry@esante.lu', 'Nope-Nope-9!', COUNTED);
    now = new Date('2026-11-29T08:10:01Z');
    assert.deepEqual(await s.verifyPassword('expiry@esante.lu', 'Nope-Nope-9!', COUNTED), { kind: 'WrongPassword', attemptsLeft: 2 });
    // Same for a wrong unlock code after the expiry.
    await assert.rejects(s.unlock('expiry@esante.lu', 'AAAA-AAAA-AAAA'), { code: 'account.unlock_code_invalid' });
    const account = (await store.accounts.get('expiry@esante.lu'))!;
    assert.equal(account.failedAttempts, 2);
    assert.equal(s.isLocked(account), false);
  });

  test('a lock and a password change end the address’s portal sessions, and only its own (review #8)', async () => {
    const s = svc();
    await s.createAccount({ email: 'sessions@esante.lu', fullName: 'Sessions Test', password: STRONG, identityLevel: 0 });
    const t = now.getTime();
    await store.portal.createSession('s'.repeat(43), 'Sessions@esante.lu', t, t + 1_800_000);
    await store.portal.createSession('o'.repeat(43), 'other@esante.lu', t, t + 1_800_000);
    for (let i = 0; i < 2; i++) await s.verifyPassword('sessions@esante.lu', 'Nope-Nope-9!', COUNTED);
    assert.equal(await store.portal.getSession('s'.repeat(43), t), 'sessions@esante.lu', 'not locked yet: the session stays');
    await s.verifyPassword('sessions@esante.lu', 'Nope-Nope-9!', COUNTED);
    assert.equal(await store.portal.getSession('s'.repeat(43), t), null, 'locked: the session is gone');
    assert.equal(await store.portal.getSession('o'.repeat(43), t), 'other@esante.lu');
    const code = await s.revealUnlockCode('sessions@esante.lu');
    await s.unlock('sessions@esante.lu', code);
    await store.portal.createSession('t'.repeat(43), 'sessions@esante.lu', t, t + 1_800_000);
    await s.changePassword('sessions@esante.lu', 'Neues-Passwort-88?', 'Neues-Passwort-88?');
    assert.equal(await store.portal.getSession('t'.repeat(43), t), null, 'password changed: the session is gone');
    assert.equal(await store.portal.getSession('o'.repeat(43), t), 'other@esante.lu');
  });

  test('an unknown address is NoAccount (after the same work as a real check)', async () => {
    assert.deepEqual(await svc().verifyPassword('nobody@esante.lu', STRONG, COUNTED), { kind: 'NoAccount' });
    assert.deepEqual(await svc().verifyPassword('nobody@esante.lu', STRONG, ANONYMOUS), { kind: 'NoAccount' });
  });

  test('options are checked (1–365 days) and saved; a bad value changes nothing', async () => {
    const s = svc();
    await s.createAccount({ email: 'opts@esante.lu', fullName: 'Options Test', password: STRONG, identityLevel: 0 });
    const saved = await s.setOptions('opts@esante.lu', { readDeadlineDays: 12, notifyTransmission: true, notifyRead: false, notifyDeadline: false });
    assert.deepEqual(saved.options, { readDeadlineDays: 12, notifyTransmission: true, notifyRead: false, notifyDeadline: false, accessDays: 0 });
    for (const days of [0, 366, 2.5]) {
      await assert.rejects(s.setOptions('opts@esante.lu', { readDeadlineDays: days, notifyTransmission: false, notifyRead: true, notifyDeadline: true }), { code: 'account.read_deadline_invalid' });
    }
    assert.equal((await store.accounts.get('opts@esante.lu'))!.options.readDeadlineDays, 12);
  });

  test('changing the password replaces the hash; the old one no longer verifies', async () => {
    const s = svc();
    await s.createAccount({ email: 'change@esante.lu', fullName: 'Change Test', password: STRONG, identityLevel: 0 });
    await assert.rejects(s.changePassword('change@esante.lu', 'short', 'short'), { code: 'password.too_short' });
    await s.changePassword('change@esante.lu', 'Neues-Passwort-88?', 'Neues-Passwort-88?');
    assert.equal((await s.verifyPassword('change@esante.lu', STRONG, COUNTED)).kind, 'WrongPassword');
    assert.equal((await s.verifyPassword('change@esante.lu', 'Neues-Passwort-88?', COUNTED)).kind, 'Ok');
    await assert.rejects(s.changePassword('none@esante.lu', STRONG, STRONG), { code: 'account.not_found' });
  });

  test('no password or unlock code reached the logs', async () => {
    const all = lines.join('\n');
    for (const secret of [STRONG, 'Neues-Passwort-88?', 'Wrong-Pass-1!']) assert.ok(!all.includes(secret), 'a password was logged');
    assert.ok(lines.length > 0, 'the lockout was logged');
  });
});

test('unlock codes: 12 symbols of Crockford base32, random, and normalised as typed', () => {
  const codes = new Set(Array.from({ length: 200 }, generateUnlockCode));
  assert.equal(codes.size, 200);
  for (const c of codes) assert.match(c, /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
  assert.equal(normaliseUnlockCode('ab1o-il9z x'), 'AB10119ZX');
});

test('the Regify user is the address with "@" written "." (guide p.5)', () => {
  assert.equal(regifyUserOf('Agent.Sqli@esante.lu'), 'agent.sqli.esante.lu');
});
