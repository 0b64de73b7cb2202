/**
 * The SAML checks and the mailbox rules of the first login, with the real verifier, a real SQLite
 * store, and fakes for the directory and Zimbra's admin API (so "nothing changed" is observable).
 * Responses are made by the sandbox's stand-in portal (sandbox/idp/saml-idp.ts).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import type { Professional } from '../../../shared/directory/operations.ts';
import { SSO_ACS_PATH, SSO_METADATA_PATH, SANDBOX_IDP_ENTITY_ID } from '../../../shared/provisioning/saml-profile.ts';
import { computePreauth } from '../../../sandbox/server/preauth.ts';
import { buildResponse, createIdpKey, encodeResponse, type IdpKey, type ResponseOptions } from '../../../sandbox/idp/saml-idp.ts';
import type { Directory } from '../directory/port.ts';
import { createLogger } from '../log.ts';
import { openStore, type Store } from '../store/index.ts';
import { ZimbraFaultError, type ZimbraAccount } from '../zimbra/client.ts';
import type { MailboxAdmin } from './admin.ts';
import type { ProvisioningConfig } from './config.ts';
import { FirstLogin } from './first-login.ts';

const ORIGIN = 'https://mail.esante.lu';
const ACS = `${ORIGIN}${SSO_ACS_PATH}`;
const SP = `${ORIGIN}${SSO_METADATA_PATH}`;
const PREAUTH_KEY = 'a'.repeat(64);
const T0 = new Date('2026-03-02T09:00:00Z');

function pro(id: string, givenName: string, sn: string, mail: string, extra: Partial<Professional> = {}): Professional {
  return { id, givenName, sn, displayName: `${givenName} ${sn}`, mail, profession: 'medecin-generaliste', confidentiality: 'public', ...extra };
}

/** The directory's caller view: hidden entries answer null from get(), like unknown ones. */
class FakeDirectory implements Directory {
  constructor(private readonly entries: Professional[], private readonly hidden: Professional[] = []) {}
  async search(): Promise<never> {
    throw new Error('not used');
  }
  async get(id: string): Promise<Professional | null> {
    return this.entries.find((e) => e.id === id) ?? null;
  }
  async references(): Promise<never> {
    throw new Error('not used');
  }
  async findByMail(mail: string) {
    const e = [...this.entries, ...this.hidden].find((x) => x.mail.toLowerCase() === mail.toLowerCase());
    return e ? { id: e.id, displayName: e.displayName } : null;
  }
  async close(): Promise<void> {}
}

/** Zimbra's admin API: accounts by name, every change recorded. */
class FakeAdmin implements MailboxAdmin {
  accounts = new Map<string, ZimbraAccount>();
  changes: string[] = [];
  /** Makes the next createAccount lose a race: the account appears, Zimbra answers ACCOUNT_EXISTS. */
  loseNextRace = false;
  async getAccount(name: string) {
    return this.accounts.get(name) ?? null;
  }
  async createAccount(name: string, attrs: Record<string, string>) {
    if (this.loseNextRace) {
      this.loseNextRace = false;
      this.accounts.set(name, { id: `id-${name}`, name, attrs: { ...attrs } });
      throw new ZimbraFaultError('account.ACCOUNT_EXISTS', `email address already exists: ${name}`);
    }
    if (this.accounts.has(name)) throw new ZimbraFaultError('account.ACCOUNT_EXISTS', `email address already exists: ${name}`);
    const a = { id: `id-${name}`, name, attrs: { ...attrs } };
    this.accounts.set(name, a);
    this.changes.push(`create ${name}`);
    return a;
  }
  async modifyAccount(id: string, attrs: Record<string, string>) {
    const a = [...this.accounts.values()].find((x) => x.id === id)!;
    Object.assign(a.attrs, attrs);
    this.changes.push(`modify ${a.name} ${JSON.stringify(attrs)}`);
    return a;
  }
}

const silent = createLogger({ level: 'silent', destination: new Writable({ write: (_c, _e, cb) => cb() }) });

let key: IdpKey;
let otherKey: IdpKey;
before(async () => {
  [key, otherKey] = await Promise.all([createIdpKey(), createIdpKey('Somebody else')]);
});

interface Harness {
  login: FirstLogin;
  admin: FakeAdmin;
  store: Store;
  clock: { now: () => Date; at: Date };
}

async function harness(directory: Directory, config: Partial<ProvisioningConfig> = {}): Promise<Harness> {
  const store = await openStore({ kind: 'sqlite', path: ':memory:' });
  await store.migrate();
  const admin = new FakeAdmin();
  const clock = { at: T0, now: () => clock.at };
  const files: Record<string, string> = { '/idp.pem': key.certificate, '/preauth.key': `${PREAUTH_KEY}\n` };
  const login = new FirstLogin({
    config: {
      idpEntityId: SANDBOX_IDP_ENTITY_ID,
      idpCertFile: '/idp.pem',
      spEntityId: SP,
      acsUrl: ACS,
      clockSkewMs: 60_000,
      cardContexts: ['urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI'],
      portalUrl: `${ORIGIN}/portal`,
      mailDomain: 'esante.lu',
      preauthKeyFile: '/preauth.key',
      zimbraPublicUrl: ORIGIN,
      ...config,
    },
    directory,
    store: () => store,
    admin,
    clock,
    log: silent,
    readText: async (p) => {
      if (files[p] === undefined) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      return files[p]!;
    },
  });
  return { login, admin, store, clock };
}

const MARIE = pro('pro-marie', 'Marie', 'Schmit', 'marie.schmit@esante.lu', { preferredLanguage: 'de' });

function response(o: Partial<ResponseOptions> = {}): string {
  return buildResponse({
    key,
    acsUrl: ACS,
    audience: SP,
    professionalId: MARIE.id,
    givenName: MARIE.givenName,
    surname: MARIE.sn,
    now: T0,
    ...o,
  });
}

async function refusedWith(h: Harness, samlResponse: string, code: string, professionalId = MARIE.id): Promise<void> {
  await assert.rejects(h.login.login(samlResponse), (e: { code?: string }) => {
    assert.equal(e.code, code);
    return true;
  });
  assert.deepEqual(h.admin.changes, [], 'no Zimbra change');
  assert.equal(h.admin.accounts.size, 0, 'no account created');
  assert.equal(await h.store.sso.mailboxOf(professionalId), null, 'no mailbox chosen');
}

describe('SAML checks: each refusal has its own code and changes nothing', () => {
  let h: Harness;
  before(async () => {
    h = await harness(new FakeDirectory([MARIE]));
  });
  after(() => h.store.close());

  test('a valid assertion signed on the Assertion, and one signed on the Response, are accepted', async () => {
    const h1 = await harness(new FakeDirectory([MARIE]));
    const r = await h1.login.login(encodeResponse(response()));
    assert.equal(r.mail, 'marie.schmit@esante.lu');
    assert.equal(r.authMethod, 'card');
    const h2 = await harness(new FakeDirectory([MARIE]));
    const r2 = await h2.login.login(encodeResponse(response({ sign: 'response', authContext: 'fallback' })));
    assert.equal(r2.authMethod, 'fallback');
    await Promise.all([h1.store.close(), h2.store.close()]);
  });

  test('tampered attribute → sso.bad_signature', async () => {
    const xml = response().replace('>Schmit<', '>Weber<');
    assert.notEqual(xml, response());
    await refusedWith(h, encodeResponse(xml), 'sso.bad_signature');
  });

  test('tampered professional id (NameID and attribute) → sso.bad_signature', async () => {
    const xml = response().replaceAll(MARIE.id, 'pro-other');
    await refusedWith(h, encodeResponse(xml), 'sso.bad_signature');
  });

  test('wrapped assertion (an unsigned assertion beside or around the signed one) → sso.wrapped', async () => {
    const signed = response();
    const signedAssertion = /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(signed)![0];
    const evil = buildResponse({ key, acsUrl: ACS, audience: SP, professionalId: 'pro-evil', sign: 'none', now: T0 });
    const evilAssertion = /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(evil)![0];
    // XSW1-style: the evil assertion first, the signed one after it.
    await refusedWith(h, encodeResponse(signed.replace(signedAssertion, evilAssertion + signedAssertion)), 'sso.wrapped', 'pro-evil');
    // XSW3-style: the signed assertion hidden inside the evil one, same ID.
    const id = /ID="([^"]+)"/.exec(signedAssertion)![1]!;
    const evilSameId = evilAssertion.replace(/ID="[^"]+"/, `ID="${id}"`).replace('</saml:Assertion>', `<saml:Advice>${signedAssertion}</saml:Advice></saml:Assertion>`);
    await refusedWith(h, encodeResponse(signed.replace(signedAssertion, evilSameId)), 'sso.wrapped', 'pro-evil');
  });

  test('the signature moved onto another assertion → refused', async () => {
    const signed = response();
    const signature = /<ds:Signature[\s\S]*<\/ds:Signature>/.exec(signed)![0];
    const id = /<saml:Assertion[^>]*ID="([^"]+)"/.exec(signed)![1]!;
    const evil = buildResponse({ key, acsUrl: ACS, audience: SP, professionalId: 'pro-evil', sign: 'none', now: T0, assertionId: id });
    const moved = evil.replace(/(<saml:Assertion[^>]*><saml:Issuer>[^<]*<\/saml:Issuer>)/, `$1${signature}`);
    await refusedWith(h, encodeResponse(moved), 'sso.bad_signature', 'pro-evil');
  });

  test('signed with SHA-1 → sso.bad_signature (only RSA-SHA256/512 are accepted)', async () => {
    await refusedWith(h, encodeResponse(response({ sha1: true })), 'sso.bad_signature');
  });

  test('signed with another key (wrong certificate) → sso.bad_signature', async () => {
    await refusedWith(h, encodeResponse(response({ key: otherKey })), 'sso.bad_signature');
  });

  test('unsigned → sso.unsigned', async () => {
    await refusedWith(h, encodeResponse(response({ sign: 'none' })), 'sso.unsigned');
  });

  test('expired, and not yet valid (beyond the skew) → sso.expired / sso.not_yet_valid', async () => {
    h.clock.at = new Date(T0.getTime() + 300_000 + 61_000);
    await refusedWith(h, encodeResponse(response()), 'sso.expired');
    h.clock.at = new Date(T0.getTime() - 5_000 - 61_000);
    await refusedWith(h, encodeResponse(response()), 'sso.not_yet_valid');
    h.clock.at = T0;
  });

  test('wrong audience, issuer, destination or recipient → their own codes', async () => {
    await refusedWith(h, encodeResponse(response({ audience: 'https://other.example/sp' })), 'sso.wrong_audience');
    await refusedWith(h, encodeResponse(response({ issuer: 'urn:somebody:else' })), 'sso.wrong_issuer');
    await refusedWith(h, encodeResponse(response({ destination: 'https://evil.example/acs' })), 'sso.wrong_destination');
    await refusedWith(h, encodeResponse(response({ recipient: 'https://evil.example/acs' })), 'sso.wrong_destination');
  });

  test('a DTD, broken XML, not base64, or a refusal status from the portal → refused', async () => {
    const dtd = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>${response()}`;
    await refusedWith(h, encodeResponse(dtd), 'sso.malformed');
    await refusedWith(h, encodeResponse('<samlp:Response'), 'sso.malformed');
    await refusedWith(h, 'not base64 at all!', 'sso.malformed');
    await refusedWith(h, encodeResponse(response({ statusCode: 'urn:oasis:names:tc:SAML:2.0:status:Responder' })), 'sso.denied_by_portal');
  });

  test('replayed → sso.replayed, and the account is created once', async () => {
    const h1 = await harness(new FakeDirectory([MARIE]));
    const once = encodeResponse(response());
    await h1.login.login(once);
    const changes = [...h1.admin.changes];
    await assert.rejects(h1.login.login(once), { code: 'sso.replayed' });
    assert.deepEqual(h1.admin.changes, changes);
    assert.equal(changes.filter((c) => c.startsWith('create')).length, 1);
    // Refusals of an assertion the portal signed are audited; anonymous garbage is not.
    await assert.rejects(h1.login.login('bm90IGEgcmVzcG9uc2U='), { code: 'sso.malformed' });
    const audit = await h1.store.audit.list({ action: 'sso.login', limit: 10 }); // the first login was 'sso.mailbox_created'
    assert.deepEqual(
      audit.map((e) => [e.outcome, e.actor, e.detail?.['reason'] ?? null]),
      [['denied', MARIE.id, 'sso.replayed']],
    );
    await h1.store.close();
  });

  test('unknown or hidden professional → sso.not_in_directory; other names → sso.identity_mismatch', async () => {
    const hiddenOne = pro('pro-hidden', 'Paul', 'Kremer', 'paul.kremer@esante.lu', { confidentiality: 'public' });
    const h1 = await harness(new FakeDirectory([MARIE], [hiddenOne]));
    await refusedWith(h1, encodeResponse(response({ professionalId: 'pro-hidden', givenName: 'Paul', surname: 'Kremer' })), 'sso.not_in_directory', 'pro-hidden');
    await refusedWith(h1, encodeResponse(response({ professionalId: 'pro-nobody' })), 'sso.not_in_directory', 'pro-nobody');
    await refusedWith(h1, encodeResponse(response({ surname: 'Weber' })), 'sso.identity_mismatch');
    // Case and accents are not a mismatch.
    const ok = await h1.login.login(encodeResponse(response({ givenName: 'MARIE', surname: 'schmít' })));
    assert.equal(ok.mail, 'marie.schmit@esante.lu');
    await h1.store.close();
  });

  test('without the portal certificate or the preauth key → sso.unavailable', async () => {
    const h1 = await harness(new FakeDirectory([MARIE]), { idpCertFile: '/missing.pem' });
    await refusedWith(h1, encodeResponse(response()), 'sso.unavailable');
    const h2 = await harness(new FakeDirectory([MARIE]), { preauthKeyFile: '/missing.key' });
    await refusedWith(h2, encodeResponse(response()), 'sso.unavailable');
    await Promise.all([h1.store.close(), h2.store.close()]);
  });
});

describe('the mailbox: address rules, creation, login method, preauth', () => {
  test('creates the account once with names and locale, records the method, redirects through preauth', async () => {
    const h = await harness(new FakeDirectory([MARIE]));
    const r = await h.login.login(encodeResponse(response({ preferredLanguage: 'en-GB' })));
    assert.equal(r.created, true);
    const account = h.admin.accounts.get('marie.schmit@esante.lu')!;
    assert.deepEqual(
      { ...account.attrs },
      { givenName: 'Marie', sn: 'Schmit', displayName: 'Marie Schmit', zimbraPrefLocale: 'en', esanteAuthMethod: 'card' },
    );
    const url = new URL(r.redirect);
    assert.equal(`${url.origin}${url.pathname}`, `${ORIGIN}/service/preauth`);
    const p = url.searchParams;
    assert.equal(p.get('account'), 'marie.schmit@esante.lu');
    assert.equal(p.get('by'), 'name');
    assert.equal(p.get('expires'), '0');
    assert.equal(p.get('timestamp'), String(T0.getTime()));
    // The sandbox's check (the same HMAC as Zimbra's PreAuthKey.computePreAuth).
    assert.equal(p.get('preauth'), computePreauth(PREAUTH_KEY, 'marie.schmit@esante.lu', 'name', '0', String(T0.getTime())));

    // Second login, fallback: no creation, method updated, locale from the directory when the assertion has none.
    const again = await h.login.login(encodeResponse(response({ authContext: 'fallback' })));
    assert.equal(again.created, false);
    assert.equal(account.attrs['esanteAuthMethod'], 'fallback');
    assert.equal(h.admin.changes.filter((c) => c.startsWith('create')).length, 1);
    await h.store.close();
  });

  test('the directory entry’s own mail wins, even a numbered namesake address', async () => {
    const second = pro('pro-marie-2', 'Marie', 'Schmit', 'marie.schmit.2@esante.lu');
    const h = await harness(new FakeDirectory([MARIE, second]));
    const r = await h.login.login(encodeResponse(response({ professionalId: second.id })));
    assert.equal(r.mail, 'marie.schmit.2@esante.lu');
    assert.equal(h.admin.accounts.has('marie.schmit@esante.lu'), false);
    await h.store.close();
  });

  test('without a usable directory mail: prenom.nom@, skipping addresses that are someone else’s', async () => {
    const noMail = pro('pro-jc', 'Jean-Claude', "D'Ambrosio", '');
    const outside = pro('pro-ana', 'Ana', 'Da Silva', 'ana@hopital.example');
    const listed = pro('pro-jc-listed', 'Jean-Claude', "D'Ambrosio", 'jean-claude.dambrosio@esante.lu');
    const h = await harness(new FakeDirectory([noMail, outside, listed]));
    // jean-claude.dambrosio@ is the listed namesake's; an unknown Zimbra account holds .2: ours is .3.
    h.admin.accounts.set('jean-claude.dambrosio.2@esante.lu', { id: 'legacy', name: 'jean-claude.dambrosio.2@esante.lu', attrs: {} });
    const r = await h.login.login(encodeResponse(response({ professionalId: noMail.id, givenName: noMail.givenName, surname: noMail.sn })));
    assert.equal(r.mail, 'jean-claude.dambrosio.3@esante.lu');
    // The choice is remembered: the next login opens the same mailbox.
    const again = await h.login.login(encodeResponse(response({ professionalId: noMail.id, givenName: noMail.givenName, surname: noMail.sn })));
    assert.equal(again.mail, 'jean-claude.dambrosio.3@esante.lu');
    // A mail outside our domain is not a mailbox: the derived address is used.
    const ana = await h.login.login(encodeResponse(response({ professionalId: outside.id, givenName: 'Ana', surname: 'Da Silva' })));
    assert.equal(ana.mail, 'ana.da-silva@esante.lu');
    await h.store.close();
  });

  test('namesakes without directory mail get prenom.nom@ and prenom.nom.2@, never each other’s', async () => {
    const a = pro('pro-a', 'Luc', 'Hoffmann', '');
    const b = pro('pro-b', 'Luc', 'Hoffmann', '');
    const h = await harness(new FakeDirectory([a, b]));
    const [ra, rb] = await Promise.all([
      h.login.login(encodeResponse(response({ professionalId: a.id, givenName: 'Luc', surname: 'Hoffmann' }))),
      h.login.login(encodeResponse(response({ professionalId: b.id, givenName: 'Luc', surname: 'Hoffmann' }))),
    ]);
    assert.deepEqual([ra.mail, rb.mail].sort(), ['luc.hoffmann.2@esante.lu', 'luc.hoffmann@esante.lu']);
    const again = await h.login.login(encodeResponse(response({ professionalId: b.id, givenName: 'Luc', surname: 'Hoffmann' })));
    assert.equal(again.mail, rb.mail);
    await h.store.close();
  });

  test('a directory mail already given to another entry is not handed over: sso.address_unavailable', async () => {
    const h = await harness(new FakeDirectory([MARIE]));
    await h.store.sso.bindMailbox('pro-somebody-else', 'marie.schmit@esante.lu');
    await refusedWith(h, encodeResponse(response()), 'sso.address_unavailable');
    await h.store.close();
  });

  test('"account already exists" from a concurrent first login counts as success', async () => {
    const h = await harness(new FakeDirectory([MARIE]));
    h.admin.loseNextRace = true;
    const r = await h.login.login(encodeResponse(response()));
    assert.equal(r.created, false);
    assert.equal(h.admin.accounts.get('marie.schmit@esante.lu')!.attrs['esanteAuthMethod'], 'card');
    await h.store.close();
  });

  test('RelayState becomes redirectURL only when it is a same-origin path', async () => {
    const h = await harness(new FakeDirectory([MARIE]));
    const ok = await h.login.login(encodeResponse(response()), '/?app=mail');
    assert.equal(new URL(ok.redirect).searchParams.get('redirectURL'), '/?app=mail');
    const evil = await h.login.login(encodeResponse(response()), '//evil.example/');
    assert.equal(new URL(evil.redirect).searchParams.get('redirectURL'), null);
    await h.store.close();
  });
});
