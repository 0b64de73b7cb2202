/**
 * The directory's SOAP operations end to end: the real service (composition root) behind the sandbox,
 * called like the zimlet calls it (shared/soap/client.ts, cookie + CSRF). The directory is an embedded
 * index over generated entries plus fixtures with known values; what the adapters match is proved by
 * the contract suite (directory.contract.test.ts), so here each request must give exactly what the
 * port gives, the rules of the wire must hold (Faults, codes, statuses, translations) and nothing
 * hidden may leak.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { errorText } from '../../shared/errors.ts';
import type { IdentifierType, SearchCriteria } from '../../shared/directory/operations.ts';
import { SOAP_NAMESPACE } from '../../shared/paths.ts';
import { ServiceFault } from '../../shared/soap/client.ts';
import type { RequestOf } from '../../shared/soap/operations.ts';
import { EmbeddedDirectory } from '../src/directory/embedded.ts';
import { DirectoryError } from '../src/directory/errors.ts';
import { generateDirectory } from '../src/directory/generate.ts';
import { LdapDirectory } from '../src/directory/ldap.ts';
import type { DirectoryRecord } from '../src/directory/model.ts';
import type { Directory } from '../src/directory/port.ts';
import { EsanteError } from '../src/errors.ts';
import { SEED_PASSWORD, callAs, envelope, loginAs, postSoap, startTestEnv, type LoginResult, type TestEnv } from './support/service.ts';

const ids = (prefix: string): DirectoryRecord['identifiers'] =>
  (['ehealth', 'rpreg', 'rnrpp', 'luxtrust'] as const).map((type) => ({ type, value: `${prefix}-${type.toUpperCase()}-0001`, status: 'active' }));

const PUBLIC: DirectoryRecord = {
  id: 'pro-soap-public',
  sn: 'Kieffer-Dellé',
  givenName: 'Renée',
  title: 'Dr',
  profession: 'medecin-specialiste',
  specialty: 'cardiologie-angiologie',
  sector: 'hospitalier',
  mail: 'renee.kieffer-delle@esante.lu',
  practices: [{ establishment: 'Centre Hospitalier Emile Mayrisch', street: '1, rue Émile Mayrisch', postalCode: '4240', city: 'Esch-sur-Alzette' }],
  communities: ['ammd'],
  identifiers: ids('SOAPPUB'),
  confidentiality: 'public',
};
/** A public entry whose surname holds LDAP metacharacters: they are data, searched literally. */
const STARRY: DirectoryRecord = { ...PUBLIC, id: 'pro-soap-starry', sn: 'Kieffer*(x)\\', givenName: 'Astrid', mail: 'astrid.kieffer-x@esante.lu', identifiers: ids('SOAPSTR') };
const RESTRICTED: DirectoryRecord = { ...PUBLIC, id: 'pro-soap-restricted', givenName: 'Romain', mail: 'romain.kieffer-delle@esante.lu', identifiers: ids('SOAPRES'), confidentiality: 'restricted' };
const HIDDEN: DirectoryRecord = { ...PUBLIC, id: 'pro-soap-hidden', givenName: 'Hugo', mail: 'hugo.kieffer-delle@esante.lu', identifiers: ids('SOAPHID'), confidentiality: 'hidden' };

const RECORDS = [...generateDirectory({ count: 400, seed: 'soap' }), PUBLIC, STARRY, RESTRICTED, HIDDEN];

/** Counts references() calls, to prove ListDirectoryReferences is cached. */
class CountingDirectory extends EmbeddedDirectory {
  referenceCalls = 0;
  override async references() {
    this.referenceCalls++;
    return super.references();
  }
}

type Search = RequestOf<'SearchProfessionals'>;

describe('directory over SOAP (embedded directory)', () => {
  let env: TestEnv;
  let login: LoginResult;
  /** The service answers in the language of the caller's Zimbra account: one seeded user per language. */
  const logins: Partial<Record<'fr' | 'de' | 'en', LoginResult>> = {};
  let directory: CountingDirectory;
  const search = (req: Search, lang: 'fr' | 'de' | 'en' = 'fr') => callAs(env.sandboxUrl, logins[lang], 'SearchProfessionals', req, { lang });
  /** Rejects with the ServiceFault of `code`; answers it. */
  async function fault(p: Promise<unknown>, code: string): Promise<ServiceFault> {
    try {
      await p;
    } catch (e) {
      assert.ok(e instanceof ServiceFault, String(e));
      assert.equal(e.code, code, e.message);
      return e;
    }
    assert.fail(`expected Fault ${code}`);
  }

  before(async () => {
    directory = new CountingDirectory(RECORDS);
    env = await startTestEnv({}, { directory });
    login = await loginAs(env.sandboxUrl, 'marie.schmit@esante.lu', SEED_PASSWORD);
    logins.fr = login;
    logins.de = await loginAs(env.sandboxUrl, 'sophie.muller@esante.lu', SEED_PASSWORD);
    logins.en = await loginAs(env.sandboxUrl, 'ana.da-silva@esante.lu', SEED_PASSWORD);
  });
  after(async () => {
    await env?.close();
    await directory?.close();
  });

  test('each criterion of the form gives exactly what the directory gives, and narrows the search', async () => {
    const cases: Array<[string, Search, Search]> = [
      ['name', { name: 'kieffer-del' }, { name: 'kieffer-dex' }],
      ['firstName', { name: 'Kieffer', firstName: 'rené' }, { name: 'Kieffer', firstName: 'romy' }],
      ['profession', { name: 'kieffer', profession: 'medecin-specialiste' }, { name: 'kieffer', profession: 'infirmier' }],
      ['specialty', { name: 'kieffer', specialty: 'cardiologie-angiologie' }, { name: 'kieffer', specialty: 'dermato-venerologie' }],
      ['postalCode', { name: 'kieffer', postalCode: 'L-4240' }, { name: 'kieffer', postalCode: '1210' }],
      ['city', { name: 'kieffer', city: 'esch-sur-alz' }, { name: 'kieffer', city: 'ettelbruck' }],
      ['establishment', { name: 'kieffer', establishment: 'emile mayrisch' }, { name: 'kieffer', establishment: 'hopitaux robert' }],
      ['sector', { name: 'kieffer', sector: 'hospitalier' }, { name: 'kieffer', sector: 'laboratoire' }],
      ['community', { name: 'kieffer', community: 'ammd' }, { name: 'kieffer', community: 'esante' }],
    ];
    const refs = await directory.references();
    for (const [what, hit, miss] of cases) {
      for (const [k, v] of Object.entries(miss)) if (k === 'specialty' || k === 'sector' || k === 'community' || k === 'profession') {
        const list = k === 'specialty' ? refs.specialties : k === 'sector' ? refs.sectors : k === 'community' ? refs.communities : refs.professions;
        assert.ok(list.some((x) => x.code === v), `fixture code ${v} exists`);
      }
      const got = await search({ ...hit, limit: 100 });
      const expected = await directory.search(hit as SearchCriteria, { limit: 100 });
      assert.deepEqual(got.items.map((i) => i.id), expected.items.map((i) => i.id), what);
      assert.equal(got.total, expected.total, what);
      assert.ok(got.items.some((i) => i.id === PUBLIC.id), `${what}: the fixture is found`);
      const none = await search({ ...miss, limit: 100 });
      assert.ok(!none.items.some((i) => i.id === PUBLIC.id), `${what}: a different value excludes the fixture`);
    }
  });

  test('each identifier type finds its professional, without case, spaces or dashes; another type does not', async () => {
    for (const idf of PUBLIC.identifiers) {
      const typed = await search({ identifier: idf.value.toLowerCase().replace(/-/g, ' '), identifierType: idf.type });
      assert.deepEqual(typed.items.map((i) => i.id), [PUBLIC.id], idf.type);
      assert.equal(typed.total, 1);
      const other: IdentifierType = idf.type === 'ehealth' ? 'rpreg' : 'ehealth';
      assert.equal((await search({ identifier: idf.value, identifierType: other })).total, 0, `${idf.type} as ${other}`);
      assert.deepEqual((await search({ identifier: idf.value })).items.map((i) => i.id), [PUBLIC.id], `${idf.type} untyped`);
    }
  });

  test('name OR identifier is required: Fault search.criteria_required, Client, 400, translated', async () => {
    for (const req of [{}, { firstName: 'Renée', city: 'Esch', profession: 'medecin-specialiste' }, { name: '   ', identifier: ' - ' }] as Search[]) {
      const f = await fault(search(req, 'de'), 'search.criteria_required');
      assert.equal(f.message, errorText('search.criteria_required', 'de'));
    }
    const raw = await postSoap(env.sandboxUrl, envelope(`<SearchProfessionalsRequest xmlns="${SOAP_NAMESPACE}"><firstName>x</firstName></SearchProfessionalsRequest>`), { login });
    assert.equal(raw.status, 400);
    assert.equal(raw.faultCode, 'search.criteria_required');
    assert.match(raw.body, /<faultcode>soap:Client<\/faultcode>/);
  });

  test('LDAP metacharacters are searched literally and never widen a search', async () => {
    const starry = await search({ name: 'Kieffer*(x)\\' });
    assert.deepEqual(starry.items.map((i) => i.id), [STARRY.id]);
    for (const name of ['*', 'K*', 'Kieffer*', '(', ')', '\\', '*)(sn=*', 'kieffer)(|(sn=*']) {
      const got = await search({ name, limit: 100 });
      const expected = await directory.search({ name }, { limit: 100 });
      assert.deepEqual(got.items.map((i) => i.id), expected.items.map((i) => i.id), name);
      assert.ok(got.total <= 1, `${name} matched ${got.total}`);
    }
    for (const identifier of ['*', 'SOAPPUB*', '*EHEALTH*']) assert.equal((await search({ identifier })).total, 0, identifier);
  });

  test('NUL, control characters and over-long values are refused with the field named in the caller’s language', async () => {
    const nul = await fault(search({ name: 'Kieffer\u0000' }, 'fr'), 'request.invalid');
    assert.equal(nul.message, errorText('request.invalid', 'fr', 'Nom'));
    await fault(search({ name: 'Kieffer', city: 'Esch\u0007' }, 'en'), 'request.invalid');
    const long = await postSoap(
      env.sandboxUrl,
      envelope(`<SearchProfessionalsRequest xmlns="${SOAP_NAMESPACE}"><name>${'a'.repeat(65)}</name></SearchProfessionalsRequest>`),
      { login },
    );
    assert.equal(long.status, 400);
    assert.equal(long.faultCode, 'request.invalid');
  });

  test('unknown select values and identifier types are refused, in fr, de and en', async () => {
    const cases: Array<[Search, Record<'fr' | 'de' | 'en', string>]> = [
      [{ name: 'kieffer', profession: 'astronaute' }, { fr: 'Profession', de: 'Beruf', en: 'Profession' }],
      [{ name: 'kieffer', specialty: 'magie' }, { fr: 'Spécialité', de: 'Fachrichtung', en: 'Specialty' }],
      [{ name: 'kieffer', sector: 'spatial' }, { fr: 'Secteur d’Activité', de: 'Tätigkeitsbereich', en: 'Sector of activity' }],
      [{ name: 'kieffer', community: 'club' }, { fr: 'Communauté', de: 'Gemeinschaft', en: 'Community' }],
      [{ identifier: 'x', identifierType: 'passport' }, { fr: 'Type d’identifiant', de: 'Art der Kennung', en: 'Identifier type' }],
      [{ name: 'kieffer', postalCode: '12345' }, { fr: 'Code Postal', de: 'Postleitzahl', en: 'Postcode' }],
    ];
    for (const [req, label] of cases) {
      for (const lang of ['fr', 'de', 'en'] as const) {
        const f = await fault(search(req, lang), 'request.invalid');
        assert.equal(f.message, errorText('request.invalid', lang, label[lang]));
      }
    }
  });

  test('hidden professionals are never returned, counted or confirmed', async () => {
    // The hidden entry shares the surname: counted nowhere.
    const byName = await search({ name: 'kieffer-delle', limit: 100 });
    assert.ok(!byName.items.some((i) => i.id === HIDDEN.id));
    assert.equal(byName.total, byName.items.length);
    // Its identifiers answer exactly like identifiers that do not exist.
    for (const idf of HIDDEN.identifiers) {
      assert.deepEqual(await search({ identifier: idf.value, identifierType: idf.type }), { total: 0, items: [] });
    }
    // Its card answers exactly like an unknown id: same code, status and text.
    const hidden = await postSoap(env.sandboxUrl, envelope(`<GetProfessionalRequest xmlns="${SOAP_NAMESPACE}"><id>${HIDDEN.id}</id></GetProfessionalRequest>`), { login });
    const unknown = await postSoap(env.sandboxUrl, envelope(`<GetProfessionalRequest xmlns="${SOAP_NAMESPACE}"><id>pro-does-not-exist</id></GetProfessionalRequest>`), { login });
    assert.equal(hidden.faultCode, 'directory.not_found');
    assert.equal(hidden.status, 404);
    assert.deepEqual([hidden.status, hidden.faultCode, hidden.faultString], [unknown.status, unknown.faultCode, unknown.faultString]);
    assert.doesNotMatch(hidden.body, /hugo|SOAPHID/i);
  });

  test('GetProfessional answers the identity card; a restricted card shows only what its level allows', async () => {
    const { professional } = await callAs(env.sandboxUrl, login, 'GetProfessional', { id: PUBLIC.id });
    assert.deepEqual(professional, await directory.get(PUBLIC.id));
    assert.match(professional.displayName, /Renée Kieffer-Dellé/);
    assert.deepEqual(professional.identifiers?.map((i) => [i.type, i.value]), PUBLIC.identifiers.map((i) => [i.type, i.value]));
    assert.deepEqual(professional.practices?.map((p) => [p.postalCode, p.city, p.establishment]), [['4240', 'Esch-sur-Alzette', 'Centre Hospitalier Emile Mayrisch']]);
    assert.deepEqual(professional.communities, ['ammd']);
    assert.equal(professional.sector, 'hospitalier');
    const restricted = (await callAs(env.sandboxUrl, login, 'GetProfessional', { id: RESTRICTED.id })).professional;
    assert.equal(restricted.confidentiality, 'restricted');
    assert.equal(restricted.mail, RESTRICTED.mail);
    for (const masked of ['practices', 'communities', 'identifiers', 'sector', 'city', 'establishment'] as const) {
      assert.ok(restricted[masked] === undefined || (Array.isArray(restricted[masked]) && restricted[masked].length === 0), masked);
    }
    // Restricted entries are not found by what they hide.
    assert.equal((await search({ identifier: RESTRICTED.identifiers[0]!.value })).total, 0);
    await fault(callAs(env.sandboxUrl, login, 'GetProfessional', { id: '../../etc' }), 'request.invalid');
  });

  test('results are paged with a total, in a stable order', async () => {
    const all = await search({ name: 'm', limit: 100 });
    assert.ok(all.total > 20, `total ${all.total}`);
    const pages: string[] = [];
    for (let offset = 0; offset < Math.min(all.total, 60); offset += 7) {
      const page = await search({ name: 'm', offset, limit: 7 });
      assert.equal(page.total, all.total);
      pages.push(...page.items.map((i) => i.id));
    }
    assert.deepEqual(pages, all.items.map((i) => i.id).slice(0, pages.length));
    assert.deepEqual((await search({ name: 'm', limit: 100 })).items.map((i) => i.id), all.items.map((i) => i.id));
    // Default page size 20; limits outside 1…100 refused.
    assert.equal((await search({ name: 'm' })).items.length, 20);
    for (const limit of [0, 101]) await fault(search({ name: 'm', limit }), 'request.invalid');
    await fault(search({ name: 'm', offset: -1 }), 'request.invalid');
  });

  test('ListDirectoryReferences gives the lists with fr/de/en labels, loaded once', async () => {
    const before = directory.referenceCalls;
    const a = await callAs(env.sandboxUrl, login, 'ListDirectoryReferences', {});
    const b = await callAs(env.sandboxUrl, login, 'ListDirectoryReferences', {}, { lang: 'de' });
    assert.deepEqual(a, b);
    const expected = await directory.references();
    assert.deepEqual(a.professions.map((p) => p.code), expected.professions.map((p) => p.code));
    assert.deepEqual(a.identifierTypes.map((t) => t.code), ['ehealth', 'rpreg', 'rnrpp', 'luxtrust']);
    for (const list of [a.professions, a.specialties, a.sectors, a.communities]) {
      assert.ok(list.length > 0);
      for (const item of list) assert.ok(item.fr && item.de && item.en, item.code);
    }
    assert.ok(a.specialties.every((s) => s.professions.length > 0));
    // Two calls, one load (the test's own references() call above adds one).
    assert.equal(directory.referenceCalls - before, 2, 'one load for two calls, plus the test’s own');
    await callAs(env.sandboxUrl, login, 'ListDirectoryReferences', {});
    assert.equal(directory.referenceCalls - before, 2, 'cached');
  });

  test('without a Zimbra session the directory is not reachable', async () => {
    const res = await postSoap(env.sandboxUrl, envelope(`<SearchProfessionalsRequest xmlns="${SOAP_NAMESPACE}"><name>kieffer</name></SearchProfessionalsRequest>`));
    assert.equal(res.faultCode, 'auth.required');
  });
});

test('directory error codes map to the right Fault side and status', () => {
  const cases: Array<[string, 'Client' | 'Server', number]> = [
    ['search.criteria_required', 'Client', 400],
    ['request.invalid', 'Client', 400],
    ['directory.not_found', 'Client', 404],
    ['directory.unavailable', 'Server', 503],
  ];
  for (const [code, side, status] of cases) {
    const e = new DirectoryError(code as DirectoryError['code']);
    assert.ok(e instanceof EsanteError, `${code}: a member of the one hierarchy`);
    assert.deepEqual([e.code, e.side, e.httpStatus], [code, side, status]);
  }
});

describe('directory down', () => {
  let silent: Server;
  const sockets = new Set<Socket>();
  let env: TestEnv;
  let dir: Directory;
  before(async () => {
    // Accepts TCP connections and never answers: a hung LDAP server.
    silent = createServer((s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const port = (silent.address() as { port: number }).port;
    dir = new LdapDirectory({ url: `ldap://127.0.0.1:${port}`, bindDN: 'cn=x', password: 'x', baseDN: 'dc=HPD,dc=esante,dc=lu', timeoutMs: 400 });
    env = await startTestEnv({}, { directory: dir });
  });
  after(async () => {
    await env?.close();
    await dir?.close();
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => silent.close(() => r()));
  });

  test('a directory that does not answer gives Fault directory.unavailable (Server, 503) within the timeout', async () => {
    const login = await loginAs(env.sandboxUrl, 'marie.schmit@esante.lu', SEED_PASSWORD);
    for (const body of [
      `<SearchProfessionalsRequest xmlns="${SOAP_NAMESPACE}"><name>schmit</name></SearchProfessionalsRequest>`,
      `<GetProfessionalRequest xmlns="${SOAP_NAMESPACE}"><id>pro-abc</id></GetProfessionalRequest>`,
    ]) {
      const started = Date.now();
      const res = await postSoap(env.sandboxUrl, envelope(body), { login });
      const took = Date.now() - started;
      assert.equal(res.faultCode, 'directory.unavailable');
      assert.equal(res.status, 503);
      assert.match(res.body, /<faultcode>soap:Server<\/faultcode>/);
      assert.equal(res.faultString, errorText('directory.unavailable', 'fr').replace(/’/g, '’'));
      assert.ok(took < 2000, `took ${took} ms`);
    }
  });
});
