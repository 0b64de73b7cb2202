/**
 * The Directory contract (server-extension/src/directory/port.ts), run on both adapters over the same
 * data: the embedded index loaded from the generator's NDJSON, and LdapDirectory against a real slapd
 * loaded with the generator's LDIF. Expected results come from a brute-force oracle over the records.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fold, nameKeys } from '../../shared/directory/normalize.ts';
import type { IdentifierType, SearchCriteria } from '../../shared/directory/operations.ts';
import { EmbeddedDirectory } from '../src/directory/embedded.ts';
import { DirectoryError } from '../src/directory/errors.ts';
import { generateDirectory, writeDirectoryFiles } from '../src/directory/generate.ts';
import { LdapDirectory } from '../src/directory/ldap.ts';
import type { DirectoryRecord } from '../src/directory/model.ts';
import type { Directory } from '../src/directory/port.ts';
import { type SlapdHandle, startSlapd } from './support/slapd.ts';

// ---- data: generated entries plus fixtures with known values -------------------------------------------

const ids = (prefix: string): DirectoryRecord['identifiers'] =>
  (['ehealth', 'rpreg', 'rnrpp', 'luxtrust'] as const).map((type) => ({ type, value: `${prefix}-${type.toUpperCase()}-0001`, status: 'active' }));

const PUBLIC: DirectoryRecord = {
  id: 'pro-fixture-public',
  sn: 'Van der Berg-Weiß',
  givenName: 'Zoë',
  title: 'Dr',
  profession: 'medecin-specialiste',
  specialty: 'cardiologie-angiologie',
  sector: 'hospitalier',
  mail: 'zoe.van-der-berg-weiss@esante.lu',
  practices: [
    { establishment: 'Centre Hospitalier Emile Mayrisch', street: '1, rue Émile Mayrisch', postalCode: '4240', city: 'Esch-sur-Alzette' },
    { street: '12, rue de la Gare', postalCode: '1616', city: 'Luxembourg' },
  ],
  communities: ['ammd', 'esante'],
  identifiers: ids('FXPUB'),
  // Opaque bytes standing for a DER certificate: the directory stores and returns them untouched.
  certificate: Buffer.from([0x30, 0x82, 0x01, 0x0a, 0x00, 0xff, 0x80, 0x7f]).toString('base64'),
  preferredLanguage: 'fr',
  confidentiality: 'public',
};
const RESTRICTED: DirectoryRecord = {
  id: 'pro-fixture-restricted',
  sn: 'Wëllenbrück-Dupré',
  givenName: 'Anaïs',
  profession: 'infirmier',
  sector: 'soins-domicile',
  mail: 'anais.wellenbruck-dupre@esante.lu',
  practices: [{ street: '3, Grand-Rue', postalCode: '9530', city: 'Wiltz' }],
  communities: ['anil'],
  identifiers: ids('FXRES'),
  certificate: Buffer.from('restricted-cert-bytes\u0000\u00ff').toString('base64'),
  preferredLanguage: 'de',
  confidentiality: 'restricted',
};
const HIDDEN: DirectoryRecord = {
  id: 'pro-fixture-hidden',
  sn: 'Haensel-Verbuergen',
  givenName: 'Léon',
  profession: 'psychotherapeute',
  sector: 'extrahospitalier',
  mail: 'leon.haensel-verbuergen@esante.lu',
  practices: [{ street: '5, rue du Fort', postalCode: '1616', city: 'Luxembourg' }],
  communities: [],
  identifiers: ids('FXHID'),
  confidentiality: 'hidden',
};
/** A hidden twin sharing the public fixture's surname: it must not be counted. */
const HIDDEN_TWIN: DirectoryRecord = { ...PUBLIC, id: 'pro-fixture-hidden-twin', givenName: 'Yannick', mail: 'yannick.van-der-berg-weiss@esante.lu', identifiers: ids('FXTWN'), confidentiality: 'hidden' };

/** German umlauts written with the letters and spelled out (ae/oe/ue): each must find the other. */
const UMLAUT: DirectoryRecord = {
  id: 'pro-fixture-umlaut', sn: 'Müller-Schäfer', givenName: 'Jörg', profession: 'medecin-generaliste', sector: 'extrahospitalier',
  mail: 'joerg.mueller-schaefer@esante.lu', practices: [{ street: '2, Grousswee', postalCode: '3401', city: 'Düdelingen' }],
  communities: [], identifiers: ids('FXUML'), confidentiality: 'public',
};
const SPELLED: DirectoryRecord = {
  ...UMLAUT, id: 'pro-fixture-spelled', sn: 'Mueller-Schaefer', givenName: 'Joerg', mail: 'joerg.mueller-schaefer2@esante.lu',
  practices: [{ street: '4, Grousswee', postalCode: '3401', city: 'Duedelingen' }], identifiers: ids('FXSPL'),
};

// The sandbox's seeded users come first (the fixtures below name some of them: ana.da-silva, helene.thill, marie.schmit).
const SANDBOX_USERS = fileURLToPath(new URL('../../sandbox/seed/users.json', import.meta.url));
const RECORDS: DirectoryRecord[] = [...generateDirectory({ count: 600, seed: 'contract', usersFile: SANDBOX_USERS }), PUBLIC, RESTRICTED, HIDDEN, HIDDEN_TWIN, UMLAUT, SPELLED];
const workDir = mkdtempSync(join(tmpdir(), 'esante-dir-contract-'));
const files = writeDirectoryFiles(RECORDS, workDir, { seed: 'contract' });
after(() => rmSync(workDir, { recursive: true, force: true }));

// ---- oracle -------------------------------------------------------------------------------------------

const RESTRICTED_OK = new Set(['name', 'firstName', 'profession', 'specialty']);
const startsAny = (keys: string[], p: string) => keys.some((k) => k.startsWith(p));

/** Ids a search must return, in order: a slow, obvious reading of the contract. */
function oracle(c: SearchCriteria): string[] {
  const used = Object.keys(c).filter((k) => (c as Record<string, unknown>)[k] !== undefined && k !== 'identifierType');
  const restrictedOk = used.every((k) => RESTRICTED_OK.has(k));
  return RECORDS.filter((r) => {
    if (r.confidentiality === 'hidden') return false;
    if (r.confidentiality === 'restricted' && !restrictedOk) return false;
    if (c.name && !startsAny(nameKeys(r.sn), fold(c.name))) return false;
    if (c.firstName && !startsAny(nameKeys(r.givenName), fold(c.firstName))) return false;
    if (c.profession && r.profession !== c.profession) return false;
    if (c.specialty && r.specialty !== c.specialty) return false;
    if (c.sector && r.sector !== c.sector) return false;
    if (c.community && !r.communities.includes(c.community)) return false;
    if (c.postalCode && !r.practices.some((p) => p.postalCode === c.postalCode)) return false;
    if (c.city && !r.practices.some((p) => startsAny(nameKeys(p.city), fold(c.city!)))) return false;
    if (c.identifier) {
      const v = c.identifier.replace(/[\s-]/g, '').toLowerCase();
      if (!r.identifiers.some((i) => (!c.identifierType || i.type === c.identifierType) && i.value.replace(/-/g, '').toLowerCase() === v)) return false;
    }
    return true;
  })
    .sort((a, b) => {
      const ka = [fold(a.sn), fold(a.givenName), a.id];
      const kb = [fold(b.sn), fold(b.givenName), b.id];
      for (let i = 0; i < 3; i++) if (ka[i] !== kb[i]) return ka[i]! < kb[i]! ? -1 : 1;
      return 0;
    })
    .map((r) => r.id);
}

async function allIds(dir: Directory, c: SearchCriteria): Promise<{ total: number; ids: string[] }> {
  const out: string[] = [];
  let total = -1;
  for (let offset = 0; ; offset += 100) {
    const res = await dir.search(c, { offset, limit: 100 });
    total = res.total;
    out.push(...res.items.map((i) => i.id));
    if (res.items.length < 100) break;
  }
  return { total, ids: out };
}

async function rejectsWith(p: Promise<unknown>, code: string, args?: string[]): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof DirectoryError, `expected DirectoryError, got ${String(err)}`);
    assert.equal(err.code, code);
    if (args) assert.deepEqual(err.args, args);
    return true;
  });
}

// ---- the contract ---------------------------------------------------------------------------------------

function contract(name: string, open: () => Promise<{ dir: Directory; close: () => Promise<void> }>): void {
  describe(`Directory contract: ${name}`, () => {
    let dir: Directory;
    let close: () => Promise<void>;
    before(async () => {
      ({ dir, close } = await open());
    });
    after(async () => {
      await close?.();
    });

    test('name prefix ignores case, accents, ß and separators', async () => {
      for (const n of ['VAN DER BERG-WEISS', 'van der berg weiß', 'Van Der Berg-Weiss', 'vanderbergw', 'berg-weiß', 'weiss']) {
        const res = await dir.search({ name: n, firstName: 'zoe' });
        assert.deepEqual(res.items.map((i) => i.id), [PUBLIC.id], n);
        assert.equal(res.total, 1, n);
      }
      assert.equal((await dir.search({ name: 'an der berg' })).total, 0, 'prefixes only at word starts, never infixes');
      const accented = await dir.search({ name: 'WËLLENBRÜCK' });
      assert.deepEqual(accented.items.map((i) => i.id), [RESTRICTED.id]);
      assert.deepEqual((await dir.search({ name: 'wellenbruck-dupre' })).items.map((i) => i.id), [RESTRICTED.id]);
    });

    test('German umlauts and their ae/oe/ue spellings find each other (names, first names, cities)', async () => {
      // Generated entries may share the name (a generated Müller): both fixtures must be there, and the whole answer is the oracle's.
      const check = async (c: SearchCriteria) => {
        const res = await allIds(dir, c);
        for (const id of [UMLAUT.id, SPELLED.id]) assert.ok(res.ids.includes(id), `${JSON.stringify(c)} finds ${id}`);
        assert.deepEqual(res.ids, oracle(c), `${JSON.stringify(c)}: oracle`);
      };
      for (const name of ['Mueller-Schaefer', 'Müller-Schäfer', 'MUELLER', 'müller', 'Mue', 'schaefer', 'Schäf', 'Muller-Schafer']) {
        await check({ name, profession: 'medecin-generaliste' });
      }
      for (const firstName of ['Jörg', 'Joerg', 'jorg']) await check({ name: 'mueller-sch', firstName });
      for (const city of ['Düdelingen', 'Duedel', 'dudelingen']) await check({ name: 'müller', city });
      // Spelled-out umlauts do not make the e optional elsewhere, and metacharacters stay literal.
      for (const name of ['Moeller-Schaefer', 'Mueller-Schaeferx', 'Mue*', 'M*ller', 'Mü(', 'Mue\\']) {
        assert.deepEqual((await allIds(dir, { name, profession: 'medecin-generaliste' })).ids, [], name);
      }
    });

    test('name search equals the oracle, accented or not', async () => {
      for (const n of ['Lefèvre', 'LEFEVRE', 'schm', 'd’a', "D'AURELIO", 'da s', 'gonçalves', 'Mü']) {
        const got = await allIds(dir, { name: n });
        const want = oracle({ name: n });
        assert.deepEqual(got.ids, want, n);
        assert.equal(got.total, want.length, n);
      }
    });

    test('each identifier type finds its public owner, without case, spaces or dashes', async () => {
      for (const idf of PUBLIC.identifiers) {
        for (const value of [idf.value, idf.value.toLowerCase(), idf.value.replace(/-/g, ' ')]) {
          const typed = await dir.search({ identifier: value, identifierType: idf.type });
          assert.deepEqual(typed, (await dir.search({ identifier: value })), 'typed and untyped agree');
          assert.equal(typed.total, 1, `${idf.type} ${value}`);
          assert.equal(typed.items[0]!.id, PUBLIC.id);
        }
        const other: IdentifierType = idf.type === 'ehealth' ? 'rpreg' : 'ehealth';
        assert.equal((await dir.search({ identifier: idf.value, identifierType: other })).total, 0, 'wrong type finds nothing');
      }
      const gen = RECORDS.find((r) => r.confidentiality === 'public' && r.id.startsWith('pro-') && !r.id.includes('fixture'))!;
      const res = await dir.search({ identifier: gen.identifiers[2]!.value, identifierType: 'rnrpp' });
      assert.deepEqual(res.items.map((i) => i.id), [gen.id]);
    });

    test('profession + city (with a name prefix) equals the oracle', async () => {
      const c: SearchCriteria = { name: 's', profession: 'infirmier', city: 'luxembourg' };
      const got = await allIds(dir, c);
      assert.ok(got.total > 0, 'fixture data should contain such nurses');
      assert.deepEqual(got.ids, oracle(c));
      const c2: SearchCriteria = { name: 'van der', profession: 'medecin-specialiste', city: 'ESCH' };
      assert.deepEqual((await allIds(dir, c2)).ids, [PUBLIC.id]);
      const c3: SearchCriteria = { name: 'van der', postalCode: 'L-1616', sector: 'hospitalier', community: 'ammd', specialty: 'cardiologie-angiologie' };
      assert.deepEqual((await allIds(dir, c3)).ids, [PUBLIC.id], 'second practice place matches too');
    });

    test('paging: total, stable order (sn, givenName, id), no gaps or repeats', async () => {
      const want = oracle({ name: 'm' });
      assert.ok(want.length > 25);
      const seen: string[] = [];
      for (let offset = 0; offset < want.length + 7; offset += 7) {
        const page = await dir.search({ name: 'm' }, { offset, limit: 7 });
        assert.equal(page.total, want.length);
        seen.push(...page.items.map((i) => i.id));
      }
      assert.deepEqual(seen, want);
      assert.deepEqual(await dir.search({ name: 'm' }, { offset: 3, limit: 5 }), await dir.search({ name: 'm' }, { offset: 3, limit: 5 }));
      const beyond = await dir.search({ name: 'm' }, { offset: want.length + 10, limit: 5 });
      assert.deepEqual(beyond, { total: want.length, items: [] });
      const def = await dir.search({ name: 'm' });
      assert.equal(def.items.length, Math.min(20, want.length), 'default page size 20');
    });

    test('hidden entries are never returned, counted or confirmed', async () => {
      const nothing = await dir.search({ identifier: 'NO-SUCH-ID-42' });
      assert.deepEqual(nothing, { total: 0, items: [] });
      for (const idf of HIDDEN.identifiers) {
        assert.deepEqual(await dir.search({ identifier: idf.value, identifierType: idf.type }), nothing, idf.type);
        assert.deepEqual(await dir.search({ identifier: idf.value }), nothing, idf.type);
      }
      assert.deepEqual(await dir.search({ name: 'Haensel' }), nothing);
      assert.deepEqual(await dir.search({ name: 'Haensel-Verbuergen', firstName: 'Léon', postalCode: '1616' }), nothing);
      const twin = await dir.search({ name: 'van der berg weiss' });
      assert.deepEqual(twin.items.map((i) => i.id), [PUBLIC.id], 'the hidden twin is not listed');
      assert.equal(twin.total, 1, 'the hidden twin is not counted');
      assert.equal(await dir.get(HIDDEN.id), null);
      assert.equal(await dir.get(HIDDEN_TWIN.id), null);
      assert.equal(await dir.get('pro-does-not-exist'), null, 'same answer as a hidden id');
      const everyone = await allIds(dir, { name: 'h' });
      assert.ok(!everyone.ids.includes(HIDDEN.id));
      assert.deepEqual(everyone.ids, oracle({ name: 'h' }));
    });

    test('restricted entries show and match only what their level allows', async () => {
      const res = await dir.search({ name: 'Wëllenbrück', firstName: 'anais', profession: 'infirmier' });
      assert.equal(res.total, 1);
      const row = res.items[0]!;
      assert.equal(row.confidentiality, 'restricted');
      assert.equal(row.mail, RESTRICTED.mail);
      assert.equal(row.city, undefined);
      assert.equal(row.establishment, undefined);
      const card = await dir.get(RESTRICTED.id);
      assert.ok(card);
      assert.equal(card.mail, RESTRICTED.mail);
      assert.equal(card.profession, 'infirmier');
      assert.equal(card.certificate, RESTRICTED.certificate, 'a sender needs it to encrypt');
      for (const masked of ['practices', 'identifiers', 'communities', 'sector'] as const) assert.equal(card[masked], undefined, masked);
      // Criteria on masked fields must not confirm them.
      assert.equal((await dir.search({ name: 'Wëllenbrück', postalCode: '9530' })).total, 0);
      assert.equal((await dir.search({ name: 'Wëllenbrück', city: 'Wiltz' })).total, 0);
      assert.equal((await dir.search({ name: 'Wëllenbrück', community: 'anil' })).total, 0);
      assert.equal((await dir.search({ name: 'Wëllenbrück', sector: 'soins-domicile' })).total, 0);
      for (const idf of RESTRICTED.identifiers) assert.equal((await dir.search({ identifier: idf.value })).total, 0, idf.type);
    });

    test('public card carries every field', async () => {
      const card = await dir.get(PUBLIC.id);
      assert.ok(card);
      assert.equal(card.displayName, 'Zoë Van der Berg-Weiß');
      assert.equal(card.title, 'Dr');
      assert.equal(card.sector, 'hospitalier');
      assert.deepEqual(card.practices, PUBLIC.practices);
      assert.deepEqual([...card.communities!].sort(), ['ammd', 'esante']);
      assert.deepEqual(card.identifiers, PUBLIC.identifiers);
      assert.equal(card.certificate, PUBLIC.certificate, 'binary certificate round-trips');
      assert.equal(card.city, 'Esch-sur-Alzette');
      assert.equal(card.establishment, 'Centre Hospitalier Emile Mayrisch');
    });

    test('sandbox users are in the directory, public, with their mail', async () => {
      const res = await dir.search({ name: 'da silva', firstName: 'ana' });
      assert.ok(res.items.some((i) => i.mail === 'ana.da-silva@esante.lu' && i.confidentiality === 'public'));
      const helene = await dir.search({ name: 'THILL', firstName: 'helene', profession: 'sage-femme' });
      assert.deepEqual(helene.items.map((i) => i.mail), ['helene.thill@esante.lu']);
    });

    test('LDAP metacharacters are searched literally and never widen a search', async () => {
      assert.ok((await dir.search({ name: 'v' })).total > 0);
      for (const n of ['*', 'v*', '*v', '(', ')', 'v)(uid=*', '\\', '\\2a', 'van*berg', '*)(|(esanteConfidentiality=hidden']) {
        assert.deepEqual(await dir.search({ name: n }), { total: 0, items: [] }, n);
        assert.deepEqual(await dir.search({ identifier: n }), { total: 0, items: [] }, `identifier ${n}`);
        assert.deepEqual(await dir.search({ name: 'van der', firstName: n }), { total: 0, items: [] }, `firstName ${n}`);
        assert.deepEqual(await dir.search({ name: 'van der', city: n }), { total: 0, items: [] }, `city ${n}`);
      }
      await rejectsWith(dir.search({ name: 'van\u0000' }), 'request.invalid', ['name']);
      await rejectsWith(dir.search({ name: 'van', establishment: 'x\u0000*' }), 'request.invalid', ['establishment']);
      await rejectsWith(dir.get('*'), 'request.invalid', ['id']);
      await rejectsWith(dir.get('pro-x)(uid=*'), 'request.invalid', ['id']);
    });

    test('over-long values, unknown codes and bad pages are refused', async () => {
      await rejectsWith(dir.search({ name: 'a'.repeat(65) }), 'request.invalid', ['name']);
      await rejectsWith(dir.search({ identifier: 'X'.repeat(65) }), 'request.invalid', ['identifier']);
      await rejectsWith(dir.search({ name: 'van', profession: 'astronaute' }), 'request.invalid', ['profession']);
      await rejectsWith(dir.search({ name: 'van', specialty: 'Cardiologie-Angiologie' }), 'request.invalid', ['specialty']);
      await rejectsWith(dir.search({ name: 'van', sector: '*' }), 'request.invalid', ['sector']);
      await rejectsWith(dir.search({ name: 'van', community: 'x' }), 'request.invalid', ['community']);
      await rejectsWith(dir.search({ identifier: 'x', identifierType: 'passport' as IdentifierType }), 'request.invalid', ['identifierType']);
      await rejectsWith(dir.search({ name: 'van', postalCode: '12345' }), 'request.invalid', ['postalCode']);
      await rejectsWith(dir.search({ name: 'van', unknown: 'x' } as SearchCriteria), 'request.invalid', ['unknown']);
      await rejectsWith(dir.search({ name: 'van' }, { limit: 0 }), 'request.invalid', ['limit']);
      await rejectsWith(dir.search({ name: 'van' }, { limit: 101 }), 'request.invalid', ['limit']);
      await rejectsWith(dir.search({ name: 'van' }, { offset: -1 }), 'request.invalid', ['offset']);
      await rejectsWith(dir.search({ name: 42 } as unknown as SearchCriteria), 'request.invalid', ['name']);
    });

    test('name OR identifier is required', async () => {
      await rejectsWith(dir.search({}), 'search.criteria_required', []);
      await rejectsWith(dir.search({ firstName: 'Marie', profession: 'infirmier', city: 'Luxembourg' }), 'search.criteria_required');
      await rejectsWith(dir.search({ name: '   ' }), 'search.criteria_required');
      await rejectsWith(dir.search({ name: " -' " }), 'search.criteria_required');
      await rejectsWith(dir.search({ identifierType: 'ehealth' }), 'search.criteria_required');
    });

    test('concurrent searches give the same answers as sequential ones', async () => {
      const queries: SearchCriteria[] = ['a', 'b', 'd', 'f', 'g', 'h', 'k', 'm', 'p', 'r', 's', 'sch', 'w', 'we'].map((name) => ({ name }));
      const sequential = [];
      for (const q of queries) sequential.push(await dir.search(q, { limit: 5 }));
      const parallel = await Promise.all(queries.map((q) => dir.search(q, { limit: 5 })));
      assert.deepEqual(parallel, sequential);
    });

    test('findByMail (internal: the caller about itself) knows every level, hidden included', async () => {
      assert.deepEqual(await dir.findByMail(PUBLIC.mail), { id: PUBLIC.id, displayName: 'Zoë Van der Berg-Weiß' });
      assert.deepEqual(await dir.findByMail(RESTRICTED.mail.toUpperCase()), { id: RESTRICTED.id, displayName: 'Anaïs Wëllenbrück-Dupré' });
      assert.deepEqual(await dir.findByMail(HIDDEN.mail), { id: HIDDEN.id, displayName: 'Léon Haensel-Verbuergen' });
      assert.deepEqual(await dir.findByMail('marie.schmit@esante.lu'), { id: RECORDS[0]!.id, displayName: 'Marie Schmit' });
      assert.equal(await dir.findByMail('nobody.here@esante.lu'), null);
      assert.equal(await dir.findByMail('*@esante.lu'), null, 'no wildcard');
      await rejectsWith(dir.findByMail('not a mail'), 'request.invalid', ['mail']);
      await rejectsWith(dir.findByMail('a\u0000@b'), 'request.invalid', ['mail']);
    });

    test('references list the codes the data uses', async () => {
      const refs = await dir.references();
      const professions = new Set(refs.professions.map((p) => p.code));
      const communities = new Set(refs.communities.map((p) => p.code));
      for (const r of RECORDS) {
        assert.ok(professions.has(r.profession), r.profession);
        for (const c of r.communities) assert.ok(communities.has(c), c);
      }
      assert.deepEqual(refs.identifierTypes.map((t) => t.code), ['ehealth', 'rpreg', 'rnrpp', 'luxtrust']);
      for (const list of [refs.professions, refs.specialties, refs.sectors, refs.communities]) {
        for (const item of list) assert.ok(item.fr && item.de && item.en, item.code);
      }
    });
  });
}

contract('embedded', async () => {
  const dir = EmbeddedDirectory.fromSeedFile(files.ndjson);
  return { dir, close: () => dir.close() };
});

let slapd: SlapdHandle | undefined;
contract('ldap (slapd)', async () => {
  slapd = await startSlapd({ ldifFile: files.ldif });
  const dir = new LdapDirectory({ url: slapd.url, bindDN: slapd.bindDN, password: slapd.password, baseDN: slapd.baseDN, poolSize: 2 });
  return {
    dir,
    close: async () => {
      await dir.close();
      await slapd?.stop();
    },
  };
});

describe('LdapDirectory when the directory is down or slow', () => {
  let silent: Server;
  const sockets = new Set<Socket>();
  let silentPort = 0;
  before(async () => {
    // Accepts TCP connections and never answers: a hung directory.
    silent = createServer((s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    silentPort = (silent.address() as { port: number }).port;
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => silent.close(() => r()));
  });

  test('a server that never answers gives directory.unavailable within the timeout', async () => {
    const dir = new LdapDirectory({ url: `ldap://127.0.0.1:${silentPort}`, bindDN: 'cn=x', password: 'x', baseDN: 'dc=HPD,dc=esante,dc=lu', timeoutMs: 300 });
    for (const call of [() => dir.search({ name: 'schmit' }), () => dir.get('pro-abc')]) {
      const started = Date.now();
      await rejectsWith(call(), 'directory.unavailable');
      const took = Date.now() - started;
      assert.ok(took >= 250 && took < 1500, `took ${took} ms`);
    }
    await dir.close();
  });

  test('poolStats (for /metrics): the pool size, connections bound, calls in flight; a failed call frees its slot', async () => {
    const dir = new LdapDirectory({ url: `ldap://127.0.0.1:${silentPort}`, bindDN: 'cn=x', password: 'x', baseDN: 'dc=HPD,dc=esante,dc=lu', timeoutMs: 300, poolSize: 3 });
    assert.deepEqual(dir.poolStats(), { size: 3, bound: 0, in_use: 0 });
    const call = dir.search({ name: 'schmit' });
    assert.deepEqual(dir.poolStats(), { size: 3, bound: 1, in_use: 1 });
    await rejectsWith(call, 'directory.unavailable');
    assert.deepEqual(dir.poolStats(), { size: 3, bound: 0, in_use: 0 });
    await dir.close();
  });

  test('a refused connection gives directory.unavailable quickly', async () => {
    const port = await new Promise<number>((r) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => r(p));
      });
    });
    const dir = new LdapDirectory({ url: `ldap://127.0.0.1:${port}`, bindDN: 'cn=x', password: 'x', baseDN: 'dc=HPD,dc=esante,dc=lu', timeoutMs: 2000 });
    const started = Date.now();
    await rejectsWith(dir.search({ name: 'schmit' }), 'directory.unavailable');
    assert.ok(Date.now() - started < 1500);
    await dir.close();
  });

  test('the pool recovers once a cut connection is back', async () => {
    const ldap = await startSlapd({ ldifFile: files.ldif });
    // A TCP relay in front of slapd that the test can cut.
    const relaySockets = new Set<Socket>();
    const relay = createServer((client) => {
      const upstream = connect({ host: '127.0.0.1', port: Number(new URL(ldap.url).port) });
      for (const s of [client, upstream]) {
        relaySockets.add(s);
        s.on('close', () => relaySockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((r) => relay.listen(0, '127.0.0.1', () => r()));
    const relayPort = (relay.address() as { port: number }).port;
    const dir = new LdapDirectory({ url: `ldap://127.0.0.1:${relayPort}`, bindDN: ldap.bindDN, password: ldap.password, baseDN: ldap.baseDN, poolSize: 1, timeoutMs: 1000 });
    try {
      const before = await dir.search({ name: 'thill', firstName: 'helene' });
      assert.equal(before.total, 1);
      for (const s of relaySockets) s.destroy();
      let after: unknown;
      for (let attempt = 0; attempt < 2 && after === undefined; attempt++) {
        try {
          after = await dir.search({ name: 'thill', firstName: 'helene' });
        } catch (err) {
          assert.ok(err instanceof DirectoryError && err.code === 'directory.unavailable', String(err));
        }
      }
      assert.deepEqual(after, before);
    } finally {
      await dir.close();
      for (const s of relaySockets) s.destroy();
      await new Promise<void>((r) => relay.close(() => r()));
      await ldap.stop();
    }
  });

  test('invalid criteria are refused before any connection is attempted', async () => {
    const dir = new LdapDirectory({ url: `ldap://127.0.0.1:${silentPort}`, bindDN: 'cn=x', password: 'x', baseDN: 'dc=HPD,dc=esante,dc=lu', timeoutMs: 5000 });
    const started = Date.now();
    await rejectsWith(dir.search({ firstName: 'x' }), 'search.criteria_required');
    assert.ok(Date.now() - started < 200);
    await dir.close();
  });
});
