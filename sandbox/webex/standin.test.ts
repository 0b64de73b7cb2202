/**
 * The Webex stand-in answers with the documented shapes of the Webex Meetings REST API
 * (developer.webex.com "Meetings"): meeting objects, `{items}`, 204 on delete, and errors as
 * `{message, errors:[{description}], trackingId}` with 400, 401, 404, 429 + Retry-After.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWebexStandIn } from './standin.ts';
import { startSandbox } from '../server/index.ts';

const TOKEN = 'stand-in-token';
let w: Awaited<ReturnType<typeof startWebexStandIn>>;
before(async () => {
  w = await startWebexStandIn({ token: TOKEN });
});
after(() => w.stop());

const call = (method: string, path: string, body?: unknown, token = TOKEN) =>
  fetch(`${w.apiUrl}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });

function assertWebexError(body: unknown): void {
  const b = body as { message?: unknown; errors?: Array<{ description?: unknown }>; trackingId?: unknown };
  assert.equal(typeof b.message, 'string');
  assert.ok(Array.isArray(b.errors) && typeof b.errors[0]?.description === 'string');
  assert.equal(typeof b.trackingId, 'string');
}

const meeting = { title: 'RCP', start: '2030-01-15T08:00:00+01:00', end: '2030-01-15T09:00:00+01:00', invitees: [{ email: 'a@x.lu', displayName: 'A' }], password: 'abcd1234', hostEmail: 'marie.schmit@esante.lu' };

test('create, get, list (per host, time window), delete', async () => {
  const res = await call('POST', '/meetings', meeting);
  assert.equal(res.status, 200);
  const m = (await res.json()) as Record<string, unknown>;
  for (const k of ['id', 'meetingNumber', 'title', 'start', 'end', 'webLink', 'sipAddress', 'hostEmail']) assert.equal(typeof m[k], 'string', k);
  assert.equal(m['meetingType'], 'scheduledMeeting');
  assert.equal(m['password'], undefined);
  assert.equal(m['hasPassword'], true);
  assert.ok(String(m['webLink']).startsWith(`${w.siteUrl}/j.php?MTID=`));
  const page = await fetch(String(m['webLink']));
  assert.equal(page.status, 200);
  assert.match(await page.text(), /RCP/);

  const q = (host: string, extra = '') => call('GET', `/meetings?meetingType=scheduledMeeting&hostEmail=${encodeURIComponent(host)}${extra}`);
  const list = (await (await q('marie.schmit@esante.lu')).json()) as { items: Array<{ id: string }> };
  assert.deepEqual(list.items.map((i) => i.id), [m['id']]);
  assert.deepEqual(((await (await q('other@esante.lu')).json()) as { items: unknown[] }).items, []);
  assert.deepEqual(((await (await q('marie.schmit@esante.lu', '&from=2030-02-01T00:00:00Z')).json()) as { items: unknown[] }).items, []);

  const other = await call('DELETE', `/meetings/${m['id']}?hostEmail=other@esante.lu`);
  assert.equal(other.status, 404);
  assertWebexError(await other.json());
  assert.equal((await call('GET', `/meetings/${m['id']}?hostEmail=marie.schmit@esante.lu`)).status, 200);
  const del = await call('DELETE', `/meetings/${m['id']}?hostEmail=marie.schmit@esante.lu`);
  assert.equal(del.status, 204);
  assert.equal((await call('DELETE', `/meetings/${m['id']}?hostEmail=marie.schmit@esante.lu`)).status, 404);
});

test('400 for bad meetings, 401 for a bad token, 429 with Retry-After', async () => {
  for (const bad of [{ ...meeting, title: 'x'.repeat(129) }, { ...meeting, end: meeting.start }, { ...meeting, start: 'tomorrow' }, { ...meeting, invitees: [{ email: 'nope' }] }]) {
    const res = await call('POST', '/meetings', bad);
    assert.equal(res.status, 400);
    assertWebexError(await res.json());
  }
  const unauth = await call('GET', '/meetings?hostEmail=a@x.lu', undefined, 'wrong');
  assert.equal(unauth.status, 401);
  assertWebexError(await unauth.json());
  assert.equal((await fetch(`${w.apiUrl}/meetings?hostEmail=a@x.lu`)).status, 401);

  w.standIn.setRateLimit({ max: 1, windowMs: 10_000 });
  try {
    assert.equal((await call('GET', '/meetings?hostEmail=a@x.lu')).status, 200);
    const limited = await call('GET', '/meetings?hostEmail=a@x.lu');
    assert.equal(limited.status, 429);
    assert.match(limited.headers.get('retry-after') ?? '', /^(9|10)$/);
    assertWebexError(await limited.json());
  } finally {
    w.standIn.setRateLimit({ max: 300, windowMs: 60_000 });
  }
});

test('the sandbox mounts the stand-in and writes its token for the service', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'webex-sb-'));
  const sb = await startSandbox({ port: 0, smtpPort: 0, dataDir: dir, zimletsDir: join(dir, 'zimlets') });
  try {
    const token = (await readFile(join(dir, 'webex.token'), 'utf8')).trim();
    assert.match(token, /^[0-9a-f]{64}$/);
    const res = await fetch(`${sb.url}/sandbox/webex/v1/meetings`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(meeting),
    });
    assert.equal(res.status, 200);
    const m = (await res.json()) as { webLink: string };
    assert.ok(m.webLink.startsWith(`${sb.url}/sandbox/webex/meet/`));
    assert.equal((await fetch(`${sb.url}/sandbox/webex/v1/meetings?hostEmail=a@x.lu`)).status, 401);
  } finally {
    await sb.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
