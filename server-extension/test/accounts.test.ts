/**
 * Integration of encryption accounts (issue 4, acceptance 3): the real composition root over the
 * sandbox (Zimbra stand-in), real HTTP and SOAP, the browser client, a SQLite store on disk.
 * - a user can neither read nor change another user's account (no request names an account, and a
 *   request that tries is refused and changes nothing);
 * - two simultaneous creations make one account;
 * - the lockout (through the accounts module the portal uses) and the unlock code work;
 * - bad passwords are refused with their codes;
 * - no password or unlock code appears in any log line of the whole run.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SOAP_NAMESPACE } from '../../shared/paths.ts';
import { ServiceFault } from '../../shared/soap/client.ts';
import { AccountsService } from '../src/accounts/index.ts';
import { createLogger } from '../src/log.ts';
import { loadMasterKeyring } from '../src/keys/index.ts';
import { openStore, type Store } from '../src/store/index.ts';
import { SEED_PASSWORD, callAs, envelope, loginAs, postSoap, startTestEnv, type LoginResult, type TestEnv } from './support/service.ts';

const MARIE_PW = 'Moselle-Riesling-2026!';
const LUC_PW = 'Pharmacie#Differdange-77';
const HELENE_PW = 'Sage-Femme_Kirchberg-31';
const NEW_PW = 'Nouveau-Mot2Passe-Solide!';
const WRONG_PW = 'Tout-Faux-Mot-De-Passe-5!';
const BAD_PASSWORDS = ['Ab1!xyz', 'password123', 'abcdefghijk'];
const ALL_PASSWORDS = [MARIE_PW, LUC_PW, HELENE_PW, NEW_PW, WRONG_PW, SEED_PASSWORD, ...BAD_PASSWORDS];

const faultCode = (p: Promise<unknown>): Promise<string | undefined> =>
  p.then(
    () => undefined,
    (e: unknown) => (e instanceof ServiceFault ? e.code : `unexpected ${String(e)}`),
  );

describe('encryption accounts over the sandbox', () => {
  let env: TestEnv;
  let marie: LoginResult;
  let luc: LoginResult;
  let helene: LoginResult;
  const revealed: string[] = [];

  before(async () => {
    // Features read their own variables from `env` (the core config ignores them). A longer Zimbra
    // timeout: scrypt hashes and a busy shared machine must not turn a slow GetInfo into a failure.
    const accountEnv = { ESANTE_ZIMBRA_TIMEOUT_MS: '10000', ESANTE_ACCOUNT_SCRYPT_LOG2N: '14', ESANTE_ACCOUNT_MAX_ATTEMPTS: '3', ESANTE_ACCOUNT_LOCK_MINUTES: '30', ESANTE_ACCOUNT_IMAP_HOST: 'imap.test.esante.lu', ESANTE_ACCOUNT_SMTP_PORT: '587', ESANTE_ACCOUNT_SMTP_SECURITY: 'STARTTLS' };
    env = await startTestEnv(
      accountEnv,
      // Marie and Hélène are listed professionals; Luc is not (his mailbox gets level 0).
      { env: accountEnv, professionals: { findByMail: async (mail) => (/^(marie\.schmit|helene\.thill)@/i.test(mail) ? { id: 'x', displayName: mail } : null) } },
    );
    [marie, luc, helene] = await Promise.all([
      loginAs(env.sandboxUrl, 'marie.schmit@esante.lu', SEED_PASSWORD, 'card'),
      loginAs(env.sandboxUrl, 'luc.hoffmann@esante.lu', SEED_PASSWORD, 'fallback'),
      loginAs(env.sandboxUrl, 'helene.thill@esante.lu', SEED_PASSWORD, 'card'),
    ]);
  });

  after(async () => {
    // Whole run: no secret in any log line (service, sandbox proxying, feature logs).
    const all = env.lines.join('\n');
    for (const secret of [...ALL_PASSWORDS, ...revealed]) {
      assert.ok(!all.includes(secret), 'a password or unlock code was logged');
      assert.ok(!all.includes(secret.replace(/-/g, '')), 'an unlock code was logged');
    }
    assert.ok(env.lines.some((l) => l.includes('encryption account created')), 'the logs were captured');
    await env?.close();
  });

  test('before creation: state none, the caller’s own address, and the configured servers', async () => {
    const info = await callAs(env.url, marie, 'GetEncryptionAccount', {});
    assert.equal(info.state, 'none');
    assert.equal(info.account, undefined);
    assert.equal(info.email, 'marie.schmit@esante.lu');
    assert.equal(info.regifyUser, 'marie.schmit.esante.lu');
    assert.equal(info.suggestedFullName, 'Marie Schmit');
    assert.equal(info.dontAskAgain, false);
    assert.deepEqual(info.servers, {
      imapHost: 'imap.test.esante.lu', imapPort: 993, imapSecurity: 'TLS',
      smtpHost: 'regify-integration.esante.lu', smtpPort: 587, smtpSecurity: 'STARTTLS',
      encryptionServer: 'regify-integration.esante.lu', portalUrl: `${env.sandboxUrl}/service/extension/esante/portal/`,
    });
  });

  test('short, weak, breached and mismatched passwords are refused with their codes, creating nothing', async () => {
    const create = (password: string, confirmation = password) => faultCode(callAs(env.url, marie, 'CreateEncryptionAccount', { fullName: 'Marie Schmit', password, confirmation }));
    assert.equal(await create('Ab1!xyz'), 'password.too_short');
    assert.equal(await create('password123'), 'password.breached');
    assert.equal(await create('abcdefghijk'), 'password.too_weak');
    assert.equal(await create(MARIE_PW, MARIE_PW + '?'), 'password.mismatch');
    assert.equal(await create('A1!'.repeat(50)), 'password.too_long');
    // The Fault text is in the caller's Zimbra language (Sophie's is German).
    const sophie = await loginAs(env.sandboxUrl, 'sophie.muller@esante.lu', SEED_PASSWORD, 'card');
    const de = await callAs(env.url, sophie, 'CreateEncryptionAccount', { fullName: 'Sophie Muller', password: 'kurz', confirmation: 'kurz' }).catch((e: ServiceFault) => e);
    assert.equal((de as ServiceFault).message, 'Das Passwort muss mindestens 8 Zeichen lang sein.');
    assert.equal((await callAs(env.url, marie, 'GetEncryptionAccount', {})).state, 'none');
  });

  test('two simultaneous creations make one account; the listed professional gets the configured level', async () => {
    const results = await Promise.allSettled([
      callAs(env.url, marie, 'CreateEncryptionAccount', { fullName: 'Marie Schmit', password: MARIE_PW, confirmation: MARIE_PW }),
      callAs(env.url, marie, 'CreateEncryptionAccount', { fullName: 'Marie Schmit (2)', password: MARIE_PW, confirmation: MARIE_PW }),
    ]);
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.equal(ok.length, 1);
    assert.equal(refused.length, 1);
    assert.equal((refused[0]!.reason as ServiceFault).code, 'account.already_exists');
    const info = await callAs(env.url, marie, 'GetEncryptionAccount', {});
    assert.equal(info.state, 'active');
    assert.equal(info.account?.identityLevel, 3);
    assert.equal(info.account?.transactions, 0);
    assert.deepEqual(info.account?.options, { readDeadlineDays: 5, notifyTransmission: false, notifyRead: true, notifyDeadline: true, accessDays: 0 });
    // The response never carries a secret.
    assert.ok(!JSON.stringify(info).includes('scrypt'));
  });

  test('an unlisted user gets level 0; each sees only their own account', async () => {
    await callAs(env.url, luc, 'CreateEncryptionAccount', { fullName: 'Luc Hoffmann', password: LUC_PW, confirmation: LUC_PW });
    const lucInfo = await callAs(env.url, luc, 'GetEncryptionAccount', {});
    assert.equal(lucInfo.account?.identityLevel, 0);
    assert.equal(lucInfo.account?.email, 'luc.hoffmann@esante.lu');
    // Marie's own account: whichever of the two simultaneous creations above won, not Luc's.
    assert.match((await callAs(env.url, marie, 'GetEncryptionAccount', {})).account?.fullName ?? '', /^Marie Schmit( \(2\))?$/);
    // Hélène has no account: she sees "none", not someone else's.
    assert.equal((await callAs(env.url, helene, 'GetEncryptionAccount', {})).state, 'none');
  });

  test('a request naming another account is refused and changes nothing', async () => {
    const before = await callAs(env.url, marie, 'GetEncryptionAccount', {});
    const attempts = [
      `<GetEncryptionAccountRequest xmlns="${SOAP_NAMESPACE}"><email>marie.schmit@esante.lu</email></GetEncryptionAccountRequest>`,
      `<SetEncryptionOptionsRequest xmlns="${SOAP_NAMESPACE}"><email>marie.schmit@esante.lu</email><options><readDeadlineDays>99</readDeadlineDays><notifyTransmission>true</notifyTransmission><notifyRead>false</notifyRead><notifyDeadline>false</notifyDeadline></options></SetEncryptionOptionsRequest>`,
      `<ChangeEncryptionPasswordRequest xmlns="${SOAP_NAMESPACE}"><account>marie.schmit@esante.lu</account><password>${NEW_PW}</password><confirmation>${NEW_PW}</confirmation></ChangeEncryptionPasswordRequest>`,
      `<RevealUnlockCodeRequest xmlns="${SOAP_NAMESPACE}"><email>marie.schmit@esante.lu</email></RevealUnlockCodeRequest>`,
      `<UnlockEncryptionAccountRequest xmlns="${SOAP_NAMESPACE}"><email>marie.schmit@esante.lu</email><unlockCode>X</unlockCode></UnlockEncryptionAccountRequest>`,
    ];
    for (const body of attempts) {
      const r = await postSoap(env.url, envelope(body), { login: luc });
      assert.equal(r.faultCode, 'request.invalid', body);
      assert.ok(!r.body.includes('Marie'), 'nothing of Marie’s account is answered');
    }
    // Luc's own calls act on Luc's account only.
    await callAs(env.url, luc, 'SetEncryptionOptions', { options: { readDeadlineDays: 9, notifyTransmission: true, notifyRead: false, notifyDeadline: false } });
    assert.deepEqual(await callAs(env.url, marie, 'GetEncryptionAccount', {}), before);
    // Luc's unlock code is his; revealing it does not give Marie's.
    const lucCode = (await callAs(env.url, luc, 'RevealUnlockCode', {})).unlockCode;
    const marieCode = (await callAs(env.url, marie, 'RevealUnlockCode', {})).unlockCode;
    revealed.push(lucCode, marieCode);
    assert.notEqual(lucCode, marieCode);
    // Without a session nothing is answered.
    assert.equal(await faultCode(callAs(env.url, undefined, 'GetEncryptionAccount', {})), 'auth.required');
  });

  test('options: saved within 1–365 days, refused outside without change', async () => {
    const saved = await callAs(env.url, marie, 'SetEncryptionOptions', { options: { readDeadlineDays: 14, notifyTransmission: true, notifyRead: true, notifyDeadline: false } });
    assert.equal(saved.account.options.readDeadlineDays, 14);
    assert.equal(await faultCode(callAs(env.url, marie, 'SetEncryptionOptions', { options: { readDeadlineDays: 400, notifyTransmission: false, notifyRead: false, notifyDeadline: false } })), 'account.read_deadline_invalid');
    assert.deepEqual((await callAs(env.url, marie, 'GetEncryptionAccount', {})).account?.options, { readDeadlineDays: 14, notifyTransmission: true, notifyRead: true, notifyDeadline: false, accessDays: 0 });
  });

  test('default access period: none by default, 0 or from the read deadline to 365 days, kept when a request leaves it out', async () => {
    const base = { readDeadlineDays: 14, notifyTransmission: true, notifyRead: true, notifyDeadline: false };
    const options = async () => (await callAs(env.url, marie, 'GetEncryptionAccount', {})).account?.options;
    assert.equal((await callAs(env.url, marie, 'SetEncryptionOptions', { options: { ...base, accessDays: 30 } })).account.options.accessDays, 30);
    // Shorter than the read deadline, negative, over a year: refused with the deadline in words, nothing changed.
    for (const accessDays of [13, -1, 366]) {
      const fault = await callAs(env.url, marie, 'SetEncryptionOptions', { options: { ...base, accessDays } }).then(() => undefined, (e: ServiceFault) => e);
      assert.equal(fault?.code, 'account.access_days_invalid', String(accessDays));
      assert.match(fault?.message ?? '', /entre le délai de lecture \(14\) et 365/);
    }
    assert.equal((await options())?.accessDays, 30);
    // A client that does not know the option keeps it; a longer read deadline than the kept period is refused.
    assert.equal((await callAs(env.url, marie, 'SetEncryptionOptions', { options: { ...base, readDeadlineDays: 20 } })).account.options.accessDays, 30);
    assert.equal(await faultCode(callAs(env.url, marie, 'SetEncryptionOptions', { options: { ...base, readDeadlineDays: 40 } })), 'account.access_days_invalid');
    assert.equal((await options())?.readDeadlineDays, 20);
    // Back to none.
    assert.equal((await callAs(env.url, marie, 'SetEncryptionOptions', { options: { ...base, accessDays: 0 } })).account.options.accessDays, 0);
  });

  test('"don’t ask again" is stored without an account and kept', async () => {
    assert.deepEqual(await callAs(env.url, helene, 'SetWizardOptOut', { dontAskAgain: true }), { dontAskAgain: true });
    const info = await callAs(env.url, helene, 'GetEncryptionAccount', {});
    assert.equal(info.dontAskAgain, true);
    assert.equal(info.state, 'none');
    // She can still create the account later (from the panel).
    await callAs(env.url, helene, 'CreateEncryptionAccount', { fullName: 'Hélène Thill', password: HELENE_PW, confirmation: HELENE_PW });
    assert.equal((await callAs(env.url, helene, 'GetEncryptionAccount', {})).state, 'active');
  });

  test('wrong passwords lock the account; the unlock code lifts the lock; a wrong code does not', async () => {
    // The accounts module over the same database and master keys, checking passwords for a proved
    // owner (counted); the anonymous portal never counts (messages.test.ts).
    let store: Store | undefined;
    try {
      store = await openStore({ kind: 'sqlite', path: (env.config.store as { path: string }).path });
      const keyring = (await loadMasterKeyring({ env: {}, defaultFile: join(env.config.dataDir, 'master-keys.json') })).keyring;
      const owner = new AccountsService({
        store: () => store!,
        keyring: () => keyring,
        clock: { now: () => new Date() },
        log: createLogger({ level: 'silent' }),
        settings: { maxAttempts: 3, lockMinutes: 30, scryptLog2n: 14 },
      });
      assert.equal((await owner.verifyPassword('Luc.Hoffmann@esante.lu', LUC_PW, { countFailures: true })).kind, 'Ok');
      assert.deepEqual(await owner.verifyPassword('luc.hoffmann@esante.lu', WRONG_PW, { countFailures: true }), { kind: 'WrongPassword', attemptsLeft: 2 });
      await owner.verifyPassword('luc.hoffmann@esante.lu', WRONG_PW, { countFailures: true });
      assert.equal((await owner.verifyPassword('luc.hoffmann@esante.lu', WRONG_PW, { countFailures: true })).kind, 'Locked');
      assert.equal((await owner.verifyPassword('luc.hoffmann@esante.lu', LUC_PW, { countFailures: true })).kind, 'Locked', 'locked: even the right password is refused');

      const locked = await callAs(env.url, luc, 'GetEncryptionAccount', {});
      assert.equal(locked.state, 'locked');
      assert.ok(locked.account?.lockedUntil);

      assert.equal(await faultCode(callAs(env.url, luc, 'UnlockEncryptionAccount', { unlockCode: 'ZZZZ-ZZZZ-ZZZZ' })), 'account.unlock_code_invalid');
      // Marie's code does not unlock Luc's account.
      const marieCode = (await callAs(env.url, marie, 'RevealUnlockCode', {})).unlockCode;
      assert.equal(await faultCode(callAs(env.url, luc, 'UnlockEncryptionAccount', { unlockCode: marieCode })), 'account.unlock_code_invalid');
      assert.equal((await callAs(env.url, luc, 'GetEncryptionAccount', {})).state, 'locked');

      const code = (await callAs(env.url, luc, 'RevealUnlockCode', {})).unlockCode;
      revealed.push(code);
      const unlocked = await callAs(env.url, luc, 'UnlockEncryptionAccount', { unlockCode: code.toLowerCase() });
      assert.equal(unlocked.account.lockedUntil, undefined);
      assert.equal((await callAs(env.url, luc, 'GetEncryptionAccount', {})).state, 'active');
      assert.equal((await owner.verifyPassword('luc.hoffmann@esante.lu', LUC_PW, { countFailures: true })).kind, 'Ok');

      // Every reveal and the unlock are in the audit trail.
      const trail = await store.audit.list({ subject: 'luc.hoffmann@esante.lu', limit: 50 });
      const actions = trail.map((e) => e.action);
      assert.ok(actions.includes('account.unlock_code.reveal'));
      assert.ok(actions.includes('account.unlock'));
      assert.ok(actions.includes('account.unlock.wrong_code'));
      assert.ok(!JSON.stringify(trail).includes(code));
    } finally {
      await store?.close();
    }
  });

  test('changing the password: policy enforced, then the new one is the one that verifies', async () => {
    assert.equal(await faultCode(callAs(env.url, marie, 'ChangeEncryptionPassword', { password: NEW_PW, confirmation: 'autre' })), 'password.mismatch');
    const changed = await callAs(env.url, marie, 'ChangeEncryptionPassword', { password: NEW_PW, confirmation: NEW_PW });
    assert.equal(changed.account.email, 'marie.schmit@esante.lu');
    // A user without an account gets account.not_found.
    const ana = await loginAs(env.sandboxUrl, 'ana.da-silva@esante.lu', SEED_PASSWORD, 'card');
    assert.equal(await faultCode(callAs(env.url, ana, 'ChangeEncryptionPassword', { password: NEW_PW, confirmation: NEW_PW })), 'account.not_found');
    assert.equal(await faultCode(callAs(env.url, ana, 'RevealUnlockCode', {})), 'account.not_found');
  });
});
