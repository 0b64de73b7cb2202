/**
 * The DSP feature through the real service (SOAP, callers proved by the sandbox's Zimbra) against the
 * DSP stand-ins over HTTP (sandbox/dsp/): PDQ search, upload + ITI-41 filing with MTOM and a signed
 * XUA assertion, at-most-once filing, ITI-18 listing and settling, every refusal and fault, ATNA.
 * The stand-in validates every ITI-41 body with xmllint against IHEXDSB.xsd before accepting it;
 * these tests also validate ITI-18 queries and RegistryResponses against ebRS 3.0 themselves.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AuditRepositoryStandIn } from '../../sandbox/dsp/audit.ts';
import { SANDBOX_PATIENTS, UNKNOWN_VALID_MATRICULE } from '../../sandbox/dsp/patients.ts';
import { pemCertificates, startDspStandIn, xmllint, XDS_SCHEMA } from '../../sandbox/dsp/standin.ts';
import { DSP_FILE_PATH, DSP_UPLOAD_PATH } from '../../shared/dsp/operations.ts';
import { findDocumentsXml } from '../src/dsp/xds.ts';
import { callAs, loginAs, SEED_PASSWORD, startTestEnv, type TestEnv } from './support/service.ts';

const MARIE = 'marie.schmit@esante.lu';
const SCHEMAS = join(XDS_SCHEMA, '..', '..');
const claire = SANDBOX_PATIENTS[0]!;
const marc = SANDBOX_PATIENTS[1]!;

let env: TestEnv;
let dsp: Awaited<ReturnType<typeof startDspStandIn>>;
let audit: AuditRepositoryStandIn;
let marie: Awaited<ReturnType<typeof loginAs>>;
let shift = 0;

const fault = (code: string) => (e: unknown) => {
  assert.equal((e as { code?: string }).code, code, (e as Error).message);
  return true;
};

/** A small "PDF" with distinct bytes per call (the hash is what makes a document). */
function pdf(tag: string, size = 2048): Buffer {
  const head = Buffer.from(`%PDF-1.7\n% ${tag}\n`);
  return Buffer.concat([head, Buffer.alloc(size - head.length, tag.charCodeAt(0))]);
}

async function upload(bytes: Buffer, type = 'application/pdf'): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${env.sandboxUrl}${DSP_UPLOAD_PATH}`, { method: 'POST', headers: { Cookie: marie.cookie, 'X-Zimbra-Csrf-Token': marie.csrfToken, 'Content-Type': type }, body: new Blob([new Uint8Array(bytes)]) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const metadata = { title: 'Résultat HbA1c', classCode: '11502-2', typeCode: '11502-2', confidentialityCode: 'N', languageCode: 'fr-LU', serviceStartTime: '2026-12-01' };

async function file(matricule: string, bytes: Buffer, type = 'application/pdf', name = 'resultat.pdf') {
  const up = await upload(bytes, type);
  assert.equal(up.status, 200, JSON.stringify(up.json));
  return callAs(env.sandboxUrl, marie, 'FileDocument', { matricule, uploadId: String(up.json['uploadId']), fileName: name, mimeType: type, metadata });
}

const sha1 = (b: Buffer) => createHash('sha1').update(b).digest('hex');

/** PrepareFiling for `bytes` (announced hash and size overridable). */
function prepare(matricule: string, bytes: Buffer, over: { sha1?: string; size?: number; mimeType?: string } = {}) {
  return callAs(env.sandboxUrl, marie, 'PrepareFiling', { matricule, sha1: over.sha1 ?? sha1(bytes), size: over.size ?? bytes.length, fileName: 'resultat.pdf', mimeType: over.mimeType ?? 'application/pdf', metadata });
}

/** POSTs a body to the streamed route (a Buffer: with Content-Length; a stream: chunked, no length). */
async function stream(filingId: string, body: Buffer | ReadableStream<Uint8Array>, type = 'application/pdf'): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${env.sandboxUrl}${DSP_FILE_PATH}/${filingId}`, {
    method: 'POST',
    headers: { Cookie: marie.cookie, 'X-Zimbra-Csrf-Token': marie.csrfToken, 'Content-Type': type },
    body: Buffer.isBuffer(body) ? new Blob([new Uint8Array(body)]) : body,
    ...(Buffer.isBuffer(body) ? {} : { duplex: 'half' }),
  } as RequestInit);
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** The zimlet's streamed flow: PrepareFiling, then the bytes (unless already filed). */
async function fileStreamed(matricule: string, bytes: Buffer): Promise<Record<string, unknown>> {
  const p = await prepare(matricule, bytes);
  if (p.outcome !== 'send') return p as unknown as Record<string, unknown>;
  const r = await stream(p.filingId!, bytes);
  if (r.status !== 200) throw Object.assign(new Error(String(r.json['message'])), { code: r.json['code'], status: r.status });
  return r.json;
}

/** A body in chunks, with no Content-Length (chunked), as a ReadableStream. */
function chunked(...parts: Buffer[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    pull(c) {
      const next = parts.shift();
      if (next) c.enqueue(new Uint8Array(next));
      else c.close();
    },
  });
}

before(async () => {
  audit = new AuditRepositoryStandIn();
  const auditPort = await audit.listen();
  let certFile = '';
  dsp = await startDspStandIn({ trustedCerts: () => pemCertificates(readFileSync(certFile, 'utf8')), stallMs: 4000, now: () => new Date(Date.now() + shift) });
  env = await startTestEnv({}, { env: {
    ESANTE_DSP_REPOSITORY_URL: `${dsp.url}/repository`,
    ESANTE_DSP_REGISTRY_URL: `${dsp.url}/registry`,
    ESANTE_DSP_PDQ_URL: `${dsp.url}/pdq`,
    // Generous for a loaded CI machine (one small PDF's filing took over 800 ms at load 11); the stand-in's stall stays twice past it.
    ESANTE_DSP_TIMEOUT_MS: '2000',
    ESANTE_DSP_AUDIT_URL: `udp://127.0.0.1:${auditPort}`,
  } });
  certFile = join(env.config.dataDir, 'dsp', 'xua-cert.pem');
  marie = await loginAs(env.sandboxUrl, MARIE, SEED_PASSWORD);
});
after(async () => {
  await env?.close();
  await dsp?.stop();
  await audit?.close();
});

describe('patient search (PDQV3 ITI-47)', () => {
  test('by matricule, 13 or old 11 digits', async () => {
    const r = await callAs(env.sandboxUrl, marie, 'FindPatients', { matricule: claire.matricule });
    assert.deepEqual(r.patients.map((p) => [p.matricule, p.familyName, p.birthDate]), [[claire.matricule, 'Weber', '1985-03-14']]);
    const old = await callAs(env.sandboxUrl, marie, 'FindPatients', { matricule: '19800520129' });
    assert.equal(old.patients[0]?.familyName, 'Schmit');
    assert.equal(old.patients[0]?.matricule.length, 13);
  });
  test('by name and birth date: namesakes are all offered; none → empty', async () => {
    const r = await callAs(env.sandboxUrl, marie, 'FindPatients', { familyName: 'thill', birthDate: '1968-04-17' });
    assert.deepEqual(r.patients.map((p) => p.city).sort(), ['Diekirch', 'Wiltz']);
    assert.deepEqual((await callAs(env.sandboxUrl, marie, 'FindPatients', { matricule: UNKNOWN_VALID_MATRICULE })).patients, []);
  });
  test('wrong check digits and missing criteria are refused before any query', async () => {
    await assert.rejects(callAs(env.sandboxUrl, marie, 'FindPatients', { matricule: '1985031412383' }), fault('dsp.matricule_invalid'));
    await assert.rejects(callAs(env.sandboxUrl, marie, 'FindPatients', { familyName: 'Weber' }), fault('dsp.search_criteria'));
  });
});

describe('filing (ITI-41) and listing (ITI-18)', () => {
  test('a PDF and a JPEG are filed once each; filing again answers "already filed"', async () => {
    const before = dsp.standIn.entries.length;
    const a = await file(claire.matricule, pdf('a'));
    assert.equal(a.outcome, 'filed');
    assert.match(a.uniqueId ?? '', /^2\.25\.\d+$/);
    const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(4000, 7)]);
    const b = await file(claire.matricule, jpeg, 'image/jpeg', 'plaie.jpg');
    assert.equal(b.outcome, 'filed');
    assert.equal(dsp.standIn.entries.length, before + 2);
    const stored = dsp.standIn.entries.find((e) => e.uniqueId === a.uniqueId)!;
    assert.equal(stored.hash, createHash('sha1').update(pdf('a')).digest('hex'));
    assert.equal(stored.size, 2048);
    // The repository stores the document itself, byte for byte (not only its metadata).
    assert.deepEqual(dsp.standIn.document(a.uniqueId!), pdf('a'));
    assert.deepEqual(dsp.standIn.document(b.uniqueId!), jpeg);
    const again = await file(claire.matricule, pdf('a'));
    assert.equal(again.outcome, 'alreadyFiled');
    assert.equal(again.uniqueId, a.uniqueId);
    assert.equal(again.filedBy, MARIE);
    assert.equal(dsp.standIn.entries.length, before + 2, 'nothing sent twice');
    const list = await callAs(env.sandboxUrl, marie, 'ListPatientDocuments', { matricule: claire.matricule });
    const listed = list.documents.find((d) => d.uniqueId === a.uniqueId)!;
    assert.equal(listed.title, 'Résultat HbA1c');
    assert.equal(listed.author, 'Marie Schmit');
    assert.equal(listed.typeCode, '11502-2');
    assert.equal(listed.hash, stored.hash);
  });

  test('every filing is audited with the hash, and sent to the ATNA repository as an ITI-41 Export', async () => {
    const got = new Promise((r) => audit.once('message', r));
    const r = await file(marc.matricule, pdf('m'));
    const msg = (await got) as { eventId: string; eventTypeCode: string; outcome: string; xml: string };
    assert.deepEqual([msg.eventId, msg.eventTypeCode, msg.outcome], ['110106', 'ITI-41', '0']);
    assert.ok(msg.xml.includes(marc.matricule));
    const hash = createHash('sha1').update(pdf('m')).digest('hex');
    assert.equal(r.hash, hash);
    assert.ok(!env.lines.join('\n').includes(pdf('m').toString('base64').slice(0, 40)), 'bytes never logged');
  });

  test('bad input changes nothing: size, type, metadata, unknown upload', async () => {
    const n = dsp.standIn.entries.length;
    const big = await upload(Buffer.alloc(20_000_001, 1));
    assert.deepEqual([big.status, big.json['code']], [413, 'dsp.too_large']);
    const exe = await upload(Buffer.from('MZ'), 'application/x-msdownload');
    assert.deepEqual([exe.status, exe.json['code']], [415, 'dsp.type_not_allowed']);
    const up = await upload(pdf('x'));
    await assert.rejects(
      callAs(env.sandboxUrl, marie, 'FileDocument', { matricule: claire.matricule, uploadId: String(up.json['uploadId']), fileName: 'x.pdf', mimeType: 'application/pdf', metadata: { ...metadata, typeCode: 'nope' } }),
      fault('dsp.metadata_invalid'),
    );
    await assert.rejects(
      callAs(env.sandboxUrl, marie, 'FileDocument', { matricule: claire.matricule, uploadId: 'forged', fileName: 'x.pdf', mimeType: 'application/pdf', metadata }),
      fault('dsp.upload_unknown'),
    );
    await assert.rejects(
      callAs(env.sandboxUrl, marie, 'FileDocument', { matricule: '1985031412383', content: 'QUJD', fileName: 'x.pdf', mimeType: 'application/pdf', metadata }),
      fault('dsp.matricule_invalid'),
    );
    assert.equal(dsp.standIn.entries.length, n);
  });

  test('registry refusals come back in words: unknown patient', async () => {
    const r = await file(UNKNOWN_VALID_MATRICULE, pdf('u'));
    assert.equal(r.outcome, 'refused');
    assert.equal(r.code, 'dsp.unknown_patient');
    assert.match(r.reason ?? '', /inconnu du Dossier de Soins Partagé/);
  });

  test('a patient the national register knows but whose DSP is closed: PDQ finds them, the registry refuses in words', async () => {
    const closed = SANDBOX_PATIENTS.find((p) => p.noDsp)!;
    const found = await callAs(env.sandboxUrl, marie, 'FindPatients', { matricule: closed.matricule });
    assert.equal(found.patients[0]?.familyName, closed.familyName);
    const n = dsp.standIn.entries.length;
    const r = await file(closed.matricule, pdf('closed'));
    assert.deepEqual([r.outcome, r.code], ['refused', 'dsp.unknown_patient']);
    assert.match(r.reason ?? '', /dossier n’est pas ouvert/);
    assert.equal(dsp.standIn.entries.length, n);
  });

  test('SOAP fault, busy registry, malformed and non-XDS answers: clear errors, nothing filed', async () => {
    for (const [f, code] of [['soap-fault', 'dsp.unavailable'], ['registry-busy', 'dsp.unavailable'], ['malformed', 'dsp.bad_answer'], ['not-xds', 'dsp.bad_answer']] as const) {
      const n = dsp.standIn.entries.length;
      dsp.standIn.setNextFault(f);
      await assert.rejects(file(marc.matricule, pdf(`f-${f}`)), fault(code), f);
      assert.equal(dsp.standIn.entries.length, n, f);
    }
  });

  test('a lost answer is settled with ITI-18: filed exactly once', async () => {
    dsp.standIn.setNextFault('lost-answer');
    const n = dsp.standIn.entries.length;
    const r = await file(marc.matricule, pdf('lost'));
    assert.equal(r.outcome, 'filed');
    assert.equal(dsp.standIn.entries.length, n + 1);
  });

  test('an answer slower than the deadline is settled with ITI-18 before answering: filed, once', async () => {
    dsp.standIn.setNextFault('slow-answer');
    const n = dsp.standIn.entries.length;
    const r = await file(marc.matricule, pdf('slow-but-filed'));
    assert.equal(r.outcome, 'filed');
    assert.equal(dsp.standIn.entries.length, n + 1);
    const again = await file(marc.matricule, pdf('slow-but-filed'));
    assert.equal(again.outcome, 'alreadyFiled');
    assert.equal(dsp.standIn.entries.length, n + 1);
  });

  test('a timeout with nothing registered is reported; the retry reuses the same unique id', async () => {
    dsp.standIn.setNextFault('timeout');
    const n = dsp.standIn.entries.length;
    await assert.rejects(file(marc.matricule, pdf('slow')), fault('dsp.unavailable'));
    assert.equal(dsp.standIn.entries.length, n);
    const firstId = /2\.25\.\d+/.exec(dsp.standIn.received.at(-1)!)?.[0];
    const r = await file(marc.matricule, pdf('slow'));
    assert.equal(r.outcome, 'filed');
    assert.equal(r.uniqueId, firstId);
  });

  test('an expired assertion is refused by the DSP and shown as access denied', async () => {
    shift = 2 * 3600_000;
    try {
      await assert.rejects(callAs(env.sandboxUrl, marie, 'ListPatientDocuments', { matricule: claire.matricule }), fault('dsp.access_denied'));
      const r = await file(claire.matricule, pdf('expired'));
      assert.equal(r.code, 'dsp.access_denied');
    } finally {
      shift = 0;
    }
  });
});

describe('streamed filing (PrepareFiling, then the bytes straight on to the DSP)', () => {
  test('filed byte for byte in one pass; again: "already filed" from PrepareFiling, no byte sent', async () => {
    const before = dsp.standIn.entries.length;
    const doc = pdf('stream-a', 300_000);
    const r = await fileStreamed(claire.matricule, doc);
    assert.equal(r['outcome'], 'filed');
    assert.equal(r['hash'], sha1(doc));
    assert.equal(r['size'], doc.length);
    assert.equal(dsp.standIn.entries.length, before + 1);
    assert.deepEqual(dsp.standIn.document(String(r['uniqueId'])), doc);
    const received = dsp.standIn.received.length;
    const again = await prepare(claire.matricule, doc);
    assert.deepEqual([again.outcome, again.uniqueId, again.filedBy, again.filingId], ['alreadyFiled', r['uniqueId'], MARIE, undefined]);
    assert.equal(dsp.standIn.received.length, received, 'nothing sent');
  });

  test('bytes with another hash: the DSP request is aborted before its end, nothing recorded; the claim is released', async () => {
    // Larger than what the service queues for the DSP's socket before waiting (2 MiB): the request
    // has reached the stand-in before the mismatch is known at the end.
    const announced = pdf('stream-h', 3_000_000);
    const other = pdf('stream-H', 3_000_000);
    const [entries, received, incomplete] = [dsp.standIn.entries.length, dsp.standIn.received.length, dsp.standIn.incomplete];
    const p = await prepare(marc.matricule, announced);
    assert.equal(p.outcome, 'send');
    const r = await stream(p.filingId!, other);
    assert.deepEqual([r.status, r.json['code']], [400, 'dsp.upload_mismatch']);
    assert.match(String(r.json['message']), /ne correspond pas/);
    // The stand-in got the request's beginning and every document byte, but never a complete request.
    await dsp.standIn.whenIncomplete(incomplete + 1);
    assert.equal(dsp.standIn.received.length, received, 'no complete ITI-41 request reached the DSP');
    assert.equal(dsp.standIn.entries.length, entries);
    // One use: the filing id is gone.
    assert.equal((await stream(p.filingId!, announced)).json['code'], 'dsp.upload_unknown');
    // Released: the right bytes are filed at the next attempt.
    assert.equal((await fileStreamed(marc.matricule, announced))['outcome'], 'filed');
    assert.equal(dsp.standIn.entries.length, entries + 1);
  });

  test('more bytes than announced (chunked, no length): aborted at once; a wrong length or type: refused before sending', async () => {
    const doc = pdf('stream-s', 100_000);
    const [entries, received] = [dsp.standIn.entries.length, dsp.standIn.received.length];
    const p = await prepare(marc.matricule, doc);
    const r = await stream(p.filingId!, chunked(doc, Buffer.alloc(70_000, 1)));
    assert.deepEqual([r.status, r.json['code']], [400, 'dsp.upload_mismatch']);
    const p2 = await prepare(marc.matricule, doc);
    assert.equal((await stream(p2.filingId!, doc.subarray(0, 99_000))).json['code'], 'dsp.upload_mismatch');
    const p3 = await prepare(marc.matricule, doc);
    assert.equal((await stream(p3.filingId!, doc, 'image/jpeg')).json['code'], 'dsp.upload_mismatch');
    assert.deepEqual([dsp.standIn.entries.length, dsp.standIn.received.length], [entries, received]);
  });

  test('over the size limit, empty, a bad hash or another user’s filing id: refused, nothing claimed or sent', async () => {
    const received = dsp.standIn.received.length;
    await assert.rejects(prepare(marc.matricule, pdf('big'), { size: 20_000_001 }), fault('dsp.too_large'));
    await assert.rejects(prepare(marc.matricule, Buffer.alloc(0)), fault('dsp.empty_document'));
    await assert.rejects(prepare(marc.matricule, pdf('h'), { sha1: 'not-a-hash' }), fault('dsp.metadata_invalid'));
    await assert.rejects(prepare(marc.matricule, pdf('t'), { mimeType: 'application/x-msdownload' }), fault('dsp.type_not_allowed'));
    const doc = pdf('stream-other-user');
    const p = await prepare(marc.matricule, doc);
    const jc = await loginAs(env.sandboxUrl, 'jean-claude.weber@esante.lu', SEED_PASSWORD);
    const res = await fetch(`${env.sandboxUrl}${DSP_FILE_PATH}/${p.filingId}`, { method: 'POST', headers: { Cookie: jc.cookie, 'X-Zimbra-Csrf-Token': jc.csrfToken, 'Content-Type': 'application/pdf' }, body: new Blob([new Uint8Array(doc)]) });
    assert.deepEqual([res.status, ((await res.json()) as { code: string }).code], [404, 'dsp.upload_unknown']);
    const noCsrf = await fetch(`${env.sandboxUrl}${DSP_FILE_PATH}/${p.filingId}`, { method: 'POST', headers: { Cookie: marie.cookie, 'Content-Type': 'application/pdf' }, body: new Blob([new Uint8Array(doc)]) });
    assert.equal(noCsrf.status, 401);
    // Held by the prepared filing: a second attempt at the same time is "in progress".
    await assert.rejects(prepare(marc.matricule, doc), fault('dsp.in_progress'));
    assert.equal((await stream(p.filingId!, doc)).json['outcome'], 'filed');
    assert.equal(dsp.standIn.received.length, received + 1);
  });

  test('a lost answer is settled with ITI-18: filed once; the retry answers "already filed" without sending', async () => {
    dsp.standIn.setNextFault('lost-answer');
    const doc = pdf('stream-lost', 150_000);
    const n = dsp.standIn.entries.length;
    const r = await fileStreamed(marc.matricule, doc);
    assert.equal(r['outcome'], 'filed');
    assert.equal(dsp.standIn.entries.length, n + 1);
    const received = dsp.standIn.received.length;
    const again = await prepare(marc.matricule, doc);
    assert.deepEqual([again.outcome, again.uniqueId], ['alreadyFiled', r['uniqueId']]);
    assert.deepEqual([dsp.standIn.entries.length, dsp.standIn.received.length], [n + 1, received]);
  });

  test('a timeout with nothing registered: reported; the streamed retry reuses the same unique id', async () => {
    dsp.standIn.setNextFault('timeout');
    const doc = pdf('stream-slow', 50_000);
    const n = dsp.standIn.entries.length;
    await assert.rejects(fileStreamed(marc.matricule, doc), fault('dsp.unavailable'));
    assert.equal(dsp.standIn.entries.length, n);
    const firstId = /2\.25\.\d+/.exec(dsp.standIn.received.at(-1)!)?.[0];
    const r = await fileStreamed(marc.matricule, doc);
    assert.deepEqual([r['outcome'], r['uniqueId']], ['filed', firstId]);
  });
});

describe('published schemas', () => {
  test('every ITI-41 body received validates with IHEXDSB.xsd', async () => {
    assert.ok(dsp.standIn.received.length >= 5);
    for (const body of dsp.standIn.received) assert.deepEqual(await xmllint(body, XDS_SCHEMA), []);
  });
  test('the ITI-18 query validates with ebRS30/query.xsd', async () => {
    assert.deepEqual(await xmllint(findDocumentsXml(`${claire.matricule}^^^&2.999.352.1.1&ISO`), join(SCHEMAS, 'ebRS30', 'query.xsd')), []);
  });
});
