/**
 * The WebEx feature through the real service (SOAP, Zimbra-proved callers from the sandbox) against
 * the Webex stand-in over HTTP (sandbox/webex/standin.ts): create → list → delete, every refusal,
 * Webex failures mapped to our codes without leaking the token, and each caller limited to their own
 * meetings (hostEmail comes from the session, never from the request).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SOAP_NAMESPACE } from '../../shared/paths.ts';
import { toLuxembourgLocal } from '../../shared/webex/rules.ts';
import { startWebexStandIn } from '../../sandbox/webex/standin.ts';
import { callAs, envelope, loginAs, postSoap, SEED_PASSWORD, startTestEnv, type TestEnv } from './support/service.ts';

const TOKEN = 'webex-admin-token-0123456789abcdef';
const MARIE = 'marie.schmit@esante.lu';
const JC = 'jean-claude.weber@esante.lu';

let env: TestEnv;
let webex: Awaited<ReturnType<typeof startWebexStandIn>>;
let tokenDir: string;
let tokenFile: string;
let marie: Awaited<ReturnType<typeof loginAs>>;
let jc: Awaited<ReturnType<typeof loginAs>>;

/** Luxembourg wall-clock `YYYY-MM-DDTHH:MM` `days` from now at `hhmm`. */
function localIn(days: number, hhmm = '10:00'): string {
  return `${toLuxembourgLocal(new Date(Date.now() + days * 86_400_000)).slice(0, 10)}T${hhmm}`;
}

const fault = (code: string, args?: RegExp) => (e: unknown) => {
  const err = e as { code?: string; message?: string };
  assert.equal(err.code, code, err.message);
  if (args) assert.match(err.message ?? '', args);
  return true;
};

before(async () => {
  webex = await startWebexStandIn({ token: TOKEN });
  tokenDir = await mkdtemp(join(tmpdir(), 'webex-token-'));
  tokenFile = join(tokenDir, 'token');
  await writeFile(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
  env = await startTestEnv({}, {
    env: { ESANTE_WEBEX_API_URL: webex.apiUrl, ESANTE_WEBEX_TOKEN_FILE: tokenFile, ESANTE_WEBEX_SITE_URL: webex.siteUrl, ESANTE_WEBEX_TIMEOUT_MS: '3000' },
  });
  marie = await loginAs(env.sandboxUrl, MARIE, SEED_PASSWORD);
  jc = await loginAs(env.sandboxUrl, JC, SEED_PASSWORD);
});
after(async () => {
  await env?.close();
  await webex?.stop();
  await rm(tokenDir, { recursive: true, force: true });
});

describe('WebEx conferences', () => {
  test('schedule → list → cancel, in Luxembourg time, hosted by the caller', async () => {
    // The offset (+01:00 winter, +02:00 summer) is checked across DST in shared/webex/rules.test.ts.
    const local = localIn(5, '14:30');
    const r = await callAs(env.sandboxUrl, marie, 'ScheduleConference', {
      title: '  Concertation pluridisciplinaire  ',
      start: local,
      durationMinutes: 45,
      invitees: [{ email: 'helene.thill@esante.lu', displayName: 'Hélène Thill' }, { email: 'HELENE.THILL@esante.lu' }, { email: 'dr.x@example.org' }],
      password: 'Secret-42',
    });
    const c = r.conference;
    assert.equal(c.title, 'Concertation pluridisciplinaire');
    assert.match(c.start, new RegExp(`^${local}:00\\+0[12]:00$`));
    assert.equal(Date.parse(c.end) - Date.parse(c.start), 45 * 60_000);
    assert.equal(toLuxembourgLocal(new Date(c.start)), local);
    assert.match(c.meetingNumber, /^\d{9,11}$/);
    assert.ok(c.webLink.startsWith(webex.siteUrl));
    assert.equal(c.hasPassword, true);
    assert.ok(!JSON.stringify(r).includes('Secret-42'), 'the password is never sent back');
    // What Webex received: hostEmail from the session, ISO 8601 with offset, invitees deduplicated.
    const stored = webex.standIn.meetings.get(c.id)!;
    assert.equal(stored.hostEmail, MARIE);
    assert.equal(stored.start, c.start);
    assert.deepEqual(stored.invitees.map((i) => i.email), ['helene.thill@esante.lu', 'dr.x@example.org']);
    assert.equal(webex.standIn.requests.at(-1)?.auth, `Bearer ${TOKEN}`);

    const sooner = await callAs(env.sandboxUrl, marie, 'ScheduleConference', { title: 'Plus tôt', start: localIn(4, '08:00'), durationMinutes: 60, invitees: [] });
    assert.equal(sooner.conference.hasPassword, false);

    const list = await callAs(env.sandboxUrl, marie, 'ListConferences', {});
    const ids = list.conferences.map((x) => x.id);
    assert.deepEqual(ids.filter((id) => id === c.id || id === sooner.conference.id), [sooner.conference.id, c.id], 'soonest first');
    const query = webex.standIn.requests.at(-1)!.query;
    assert.equal(query.get('meetingType'), 'scheduledMeeting');
    assert.equal(query.get('hostEmail'), MARIE);

    assert.deepEqual(await callAs(env.sandboxUrl, marie, 'CancelConference', { id: c.id }), { id: c.id });
    assert.equal(webex.standIn.meetings.has(c.id), false);
    const again = await callAs(env.sandboxUrl, marie, 'ListConferences', {});
    assert.ok(!again.conferences.some((x) => x.id === c.id));
    await assert.rejects(callAs(env.sandboxUrl, marie, 'CancelConference', { id: c.id }), fault('webex.not_found'));
  });

  test('a caller only lists and cancels their own meetings, whatever the request says', async () => {
    const mine = await callAs(env.sandboxUrl, marie, 'ScheduleConference', { title: 'Privé', start: localIn(3), durationMinutes: 30, invitees: [] });
    const jcList = await callAs(env.sandboxUrl, jc, 'ListConferences', {});
    assert.ok(!jcList.conferences.some((x) => x.id === mine.conference.id));
    await assert.rejects(callAs(env.sandboxUrl, jc, 'CancelConference', { id: mine.conference.id }), fault('webex.not_found'));
    assert.ok(webex.standIn.meetings.has(mine.conference.id), 'still there');
    // A hostEmail smuggled into the request is not part of the operation: refused or ignored, never used.
    const smuggled = await postSoap(
      env.sandboxUrl,
      envelope(`<ListConferencesRequest xmlns="${SOAP_NAMESPACE}"><hostEmail>${MARIE}</hostEmail></ListConferencesRequest>`),
      { login: jc },
    );
    assert.ok(!smuggled.body.includes(mine.conference.id));
    assert.notEqual(webex.standIn.requests.at(-1)?.query.get('hostEmail'), MARIE);
  });

  test('bad input is refused with its code and reaches no Webex call', async () => {
    const before = webex.standIn.requests.length;
    const ok = { title: 'Réunion', start: localIn(2), durationMinutes: 30, invitees: [] as Array<{ email: string }> };
    const cases: Array<[Partial<typeof ok>, string, RegExp?]> = [
      [{ title: '   ' }, 'webex.title_required'],
      [{ title: 'x'.repeat(129) }, 'webex.title_too_long', /128/],
      [{ start: 'demain 10h' }, 'webex.invalid_start'],
      [{ start: `${localIn(2).slice(0, 4)}-02-30T10:00` }, 'webex.invalid_start'],
      [{ start: localIn(-1) }, 'webex.start_in_past'],
      [{ durationMinutes: 0 }, 'webex.end_before_start'],
      [{ durationMinutes: -30 }, 'webex.end_before_start'],
      [{ durationMinutes: 24 * 60 + 1 }, 'webex.too_long'],
      [{ invitees: [{ email: 'pas une adresse' }] }, 'webex.invalid_invitee', /pas une adresse/],
      [{ invitees: Array.from({ length: 101 }, (_, i) => ({ email: `p${i}@example.org` })) }, 'webex.too_many_invitees', /100/],
    ];
    for (const [change, code, args] of cases) {
      await assert.rejects(callAs(env.sandboxUrl, marie, 'ScheduleConference', { ...ok, ...change }), fault(code, args), code);
    }
    // Exactly 24 h is allowed.
    const day = await callAs(env.sandboxUrl, marie, 'ScheduleConference', { ...ok, durationMinutes: 24 * 60 });
    assert.equal(webex.standIn.requests.length, before + 1, 'only the valid one reached Webex');
    await callAs(env.sandboxUrl, marie, 'CancelConference', { id: day.conference.id });
  });

  test('join: a meeting number or a link on the configured site, nothing else', async () => {
    const num = await callAs(env.sandboxUrl, marie, 'ResolveConferenceJoin', { input: ' 2734 567 890 ' });
    assert.equal(num.joinUrl, `${webex.siteUrl}/m.php?AT=JM&MK=2734567890`);
    const link = `${webex.siteUrl}/j.php?MTID=m0123`;
    assert.equal((await callAs(env.sandboxUrl, marie, 'ResolveConferenceJoin', { input: link })).joinUrl, link);
    for (const input of ['12345678', '123456789012', 'https://evil.example/meet/j.php', 'javascript:alert(1)', `${new URL(webex.siteUrl).origin}/other/x`, '']) {
      await assert.rejects(callAs(env.sandboxUrl, marie, 'ResolveConferenceJoin', { input }), fault('webex.invalid_join'), input);
    }
  });

  test('Webex failures: bad token → unavailable (token never leaked), 429 → retry time, down → unavailable', async () => {
    const ok = { title: 'Réunion', start: localIn(2), durationMinutes: 30, invitees: [] };
    await writeFile(tokenFile, 'wrong-token\n');
    try {
      await assert.rejects(callAs(env.sandboxUrl, marie, 'ListConferences', {}), fault('webex.unavailable'));
      await assert.rejects(callAs(env.sandboxUrl, marie, 'ScheduleConference', ok), fault('webex.unavailable'));
    } finally {
      await writeFile(tokenFile, `${TOKEN}\n`);
    }
    webex.standIn.setRateLimit({ max: 1, windowMs: 30_000 });
    try {
      await callAs(env.sandboxUrl, marie, 'ListConferences', {});
      await assert.rejects(callAs(env.sandboxUrl, marie, 'ListConferences', {}), fault('webex.rate_limited', /\b(29|30) /));
    } finally {
      webex.standIn.setRateLimit({ max: 300, windowMs: 60_000 });
    }
    await rm(tokenFile);
    try {
      await assert.rejects(callAs(env.sandboxUrl, marie, 'ListConferences', {}), fault('webex.unavailable'));
    } finally {
      await writeFile(tokenFile, `${TOKEN}\n`);
    }
    for (const line of env.lines) {
      assert.ok(!line.includes(TOKEN) && !line.includes('wrong-token'), `token in log: ${line}`);
    }
    assert.ok(env.lines.some((l) => /Webex refused a call/.test(l) && /"status":401/.test(l)));
  });

  test('Webex down (nothing listening) → unavailable', async () => {
    const down = await startTestEnv({}, { env: { ESANTE_WEBEX_API_URL: 'http://127.0.0.1:9/v1', ESANTE_WEBEX_TOKEN_FILE: tokenFile, ESANTE_WEBEX_TIMEOUT_MS: '1000' } });
    try {
      const login = await loginAs(down.sandboxUrl, MARIE, SEED_PASSWORD);
      await assert.rejects(callAs(down.sandboxUrl, login, 'ListConferences', {}), fault('webex.unavailable'));
    } finally {
      await down.close();
    }
  });
});
