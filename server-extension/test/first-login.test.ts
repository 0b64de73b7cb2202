/**
 * First login end to end on the wire: the real composition root against the sandbox (Zimbra
 * stand-in), the portal's SAML Response posted through the sandbox's proxy to …/sso/acs, the
 * mailbox created with admin SOAP, the browser sent through Zimbra preauth into the webmail.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SSO_ACS_PATH, SSO_METADATA_PATH } from '../../shared/provisioning/saml-profile.ts';
import { buildResponse, encodeResponse, ensureIdpKey, type IdpKey } from '../../sandbox/idp/saml-idp.ts';
import { startSandbox, type RunningSandbox } from '../../sandbox/server/index.ts';
import { soapAs } from '../../sandbox/server/testing.ts';
import { DEFAULT_COUNT, DEFAULT_SEED, generateDirectory } from '../src/directory/generate.ts';
import type { DirectoryRecord } from '../src/directory/model.ts';
import { loadConfig } from '../src/config.ts';
import { createService, type Service } from '../src/root.ts';
import { MAX_SAML_RESPONSE_CHARS } from '../src/provisioning/saml.ts';
import { freePort, memoryLogger, SANDBOX_SEED_USERS, SEED_PASSWORD } from './support/service.ts';

let dir: string;
let sandbox: RunningSandbox;
let service: Service;
let key: IdpKey;
let lines: string[];
let admin: { authToken: string; csrfToken: string; cookie: string };

const seedMails = new Set(['marie.schmit@esante.lu', 'jean-claude.weber@esante.lu', 'sophie.muller@esante.lu', 'luc.hoffmann@esante.lu', 'ana.da-silva@esante.lu', 'helene.thill@esante.lu']);
const directory: DirectoryRecord[] = generateDirectory({ count: DEFAULT_COUNT, seed: DEFAULT_SEED, usersFile: SANDBOX_SEED_USERS });
/** A listed, visible professional the sandbox has no mailbox for. */
const newcomer = directory.find((r) => r.confidentiality === 'public' && !seedMails.has(r.mail) && !/\.\d+@/.test(r.mail))!;
const hidden = directory.find((r) => r.confidentiality === 'hidden')!;
const restricted = directory.find((r) => r.confidentiality === 'restricted' && !/\.\d+@/.test(r.mail))!;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'esante-first-login-'));
  const port = await freePort();
  sandbox = await startSandbox({ port: 0, smtpPort: 0, dataDir: join(dir, 'sandbox'), zimletsDir: join(dir, 'zimlets'), serviceUrl: `http://127.0.0.1:${port}` });
  key = await ensureIdpKey(join(dir, 'sandbox'));
  await writeFile(join(dir, 'admin.password'), `${SEED_PASSWORD}\n`, { mode: 0o600 });
  const config = loadConfig(
    {
      ESANTE_PORT: String(port),
      ESANTE_DATA_DIR: join(dir, 'data'),
      ESANTE_ZIMBRA_URL: sandbox.url,
      ESANTE_PUBLIC_URL: sandbox.url,
      ESANTE_ZIMBRA_ADMIN_USER: 'admin@esante.lu',
      ESANTE_ZIMBRA_ADMIN_PASSWORD_FILE: join(dir, 'admin.password'),
      ESANTE_SHUTDOWN_TIMEOUT_MS: '2000',
    },
    dir,
  );
  const logger = memoryLogger();
  lines = logger.lines;
  service = await createService(config, {
    log: logger.log,
    env: {
      ESANTE_SSO_IDP_CERT_FILE: join(dir, 'sandbox', 'idp', 'idp-cert.pem'),
      ESANTE_PREAUTH_KEY_FILE: join(dir, 'sandbox', 'preauth.key'),
      ESANTE_DIRECTORY_SEED_USERS: SANDBOX_SEED_USERS,
    },
  });
  await service.start();
  const r = await fetch(`${sandbox.url}/service/admin/soap/AuthRequest`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ Body: { AuthRequest: { _jsns: 'urn:zimbraAdmin', name: 'admin@esante.lu', password: SEED_PASSWORD } } }),
  });
  const token = ((await r.json()) as { Body: { AuthResponse: { authToken: Array<{ _content: string }> } } }).Body.AuthResponse.authToken[0]!._content;
  admin = { authToken: token, csrfToken: '', cookie: '' };
});

after(async () => {
  await service?.stop();
  await sandbox?.stop();
  await rm(dir, { recursive: true, force: true });
});

function samlFor(r: Pick<DirectoryRecord, 'id' | 'givenName' | 'sn'>, method: 'card' | 'fallback' = 'card'): string {
  return encodeResponse(
    buildResponse({ key, acsUrl: `${sandbox.url}${SSO_ACS_PATH}`, audience: `${sandbox.url}${SSO_METADATA_PATH}`, professionalId: r.id, givenName: r.givenName, surname: r.sn, authContext: method }),
  );
}

/** What the browser does: posts the auto-submitted form to the ACS (through the sandbox, like nginx). */
function post(samlResponse: string, lang = 'fr'): Promise<Response> {
  return fetch(`${sandbox.url}${SSO_ACS_PATH}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Accept-Language': lang },
    body: new URLSearchParams({ SAMLResponse: samlResponse }).toString(),
    redirect: 'manual',
  });
}

async function adminAccount(name: string): Promise<{ id: string; a: Array<{ n: string; _content: string }> } | null> {
  const r = await fetch(`${sandbox.url}/service/admin/soap/GetAccountRequest`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      Header: { context: { _jsns: 'urn:zimbra', authToken: { _content: admin.authToken } } },
      Body: { GetAccountRequest: { _jsns: 'urn:zimbraAdmin', account: { by: 'name', _content: name } } },
    }),
  });
  const body = (await r.json()) as { Body: { GetAccountResponse?: { account: Array<{ id: string; a: Array<{ n: string; _content: string }> }> } } };
  return body.Body.GetAccountResponse?.account[0] ?? null;
}
const attr = (a: { a: Array<{ n: string; _content: string }> } | null, n: string): string | undefined => a?.a.find((x) => x.n === n)?._content;

describe('first login through the portal', () => {
  test('two concurrent first logins create ONE account; preauth lands in the webmail with the card method', async () => {
    assert.ok(newcomer, 'the default directory has a professional without a sandbox mailbox');
    assert.equal(await adminAccount(newcomer.mail), null);
    const [a, b] = await Promise.all([post(samlFor(newcomer)), post(samlFor(newcomer))]);
    assert.equal(a.status, 303);
    assert.equal(b.status, 303);
    const account = await adminAccount(newcomer.mail);
    assert.ok(account, 'account created');
    assert.equal(attr(account, 'givenName'), newcomer.givenName);
    assert.equal(attr(account, 'sn'), newcomer.sn);
    assert.equal(attr(account, 'esanteAuthMethod'), 'card');
    // No namesake address was made by the losing request.
    assert.equal(await adminAccount(newcomer.mail.replace('@', '.2@')), null);
    assert.equal(lines.filter((l) => l.includes('first-login SSO accepted') && l.includes('"created":true')).length, 1);

    // Follow the redirect like the browser: Zimbra preauth sets the session cookie and sends to the webmail.
    const location = new URL(a.headers.get('location')!);
    assert.equal(location.pathname, '/service/preauth');
    assert.equal(location.searchParams.get('account'), newcomer.mail);
    const pre = await fetch(location, { redirect: 'manual' });
    assert.equal(pre.status, 302);
    const cookie = /ZM_AUTH_TOKEN=[^;]+/.exec(pre.headers.get('set-cookie') ?? '')![0];
    const shell = await (await fetch(`${sandbox.url}/`, { headers: { Cookie: cookie } })).text();
    const csrfToken = /window\.csrfToken = "([^"]+)"/.exec(shell)![1]!;
    const info = await soapAs<{ name: string; attrs: { _attrs: Record<string, string> } }>(
      sandbox.url,
      { authToken: cookie.split('=')[1]!, csrfToken, cookie },
      'GetInfoRequest',
      {},
      'urn:zimbraAccount',
    );
    assert.equal(info.name, newcomer.mail);
    assert.equal(info.attrs._attrs['esanteAuthMethod'], 'card');
  });

  test('a second login does not create again and records the fallback method', async () => {
    const r = await post(samlFor(newcomer, 'fallback'));
    assert.equal(r.status, 303);
    assert.equal(attr(await adminAccount(newcomer.mail), 'esanteAuthMethod'), 'fallback');
    assert.equal(lines.filter((l) => l.includes('first-login SSO accepted') && l.includes('"created":true')).length, 1);
    assert.equal(lines.filter((l) => l.includes('first-login SSO accepted') && l.includes('"created":false')).length, 2);
  });

  test('a form larger than twice the largest response, or no form at all, is a malformed login (400), not a crash', async () => {
    const huge = await post('A'.repeat(2 * MAX_SAML_RESPONSE_CHARS + 1));
    assert.equal(huge.status, 400);
    assert.match(await huge.text(), /data-code="sso\.malformed"/);
    const json = await fetch(`${sandbox.url}${SSO_ACS_PATH}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"SAMLResponse":"x"}' });
    assert.equal(json.status, 400);
    assert.match(await json.text(), /data-code="sso\.malformed"/);
  });

  test('a replayed response and a hidden professional get a translated refusal page, and nothing is created', async () => {
    const once = samlFor(newcomer);
    assert.equal((await post(once)).status, 303);
    const replay = await post(once, 'de');
    assert.equal(replay.status, 400);
    const page = await replay.text();
    assert.match(page, /data-code="sso\.replayed"/);
    assert.match(page, /bereits verwendet/);
    assert.match(page, /<html lang="de">/);

    const refused = await post(samlFor(hidden), 'fr');
    assert.equal(refused.status, 403);
    assert.match(await refused.text(), /annuaire référentiel/);
    assert.equal(await adminAccount(hidden.mail), null);
  });

  test('a professional with restricted visibility in the directory gets a mailbox too', async () => {
    const r = await post(samlFor(restricted));
    assert.equal(r.status, 303);
    assert.equal(new URL(r.headers.get('location')!).searchParams.get('account'), restricted.mail);
    assert.ok(await adminAccount(restricted.mail));
  });

  test('the stand-in portal posts a working response, and the service publishes its metadata', async () => {
    const page = await fetch(`${sandbox.url}/idp/?q=${encodeURIComponent(newcomer.sn)}`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), new RegExp(`value="${newcomer.id}"`));
    const form = await fetch(`${sandbox.url}/idp/sso`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ professionalId: newcomer.id, method: 'card', lang: 'fr' }).toString(),
    });
    const samlResponse = /name="SAMLResponse" value="([^"]+)"/.exec(await form.text())![1]!;
    assert.equal((await post(samlResponse)).status, 303);

    const metadata = await (await fetch(`${sandbox.url}${SSO_METADATA_PATH}`)).text();
    assert.match(metadata, new RegExp(`Location="${sandbox.url}${SSO_ACS_PATH}"`));
    assert.equal((await fetch(`${sandbox.url}${SSO_ACS_PATH}`)).status, 405);
  });
});
