/**
 * The assistant's streamed filing (service.ts fileBytes) against a fake same-origin service: the SHA-1
 * and size announced to PrepareFiling are the bytes' own (WebCrypto), the bytes then go in ONE POST to
 * DSP_FILE_PATH/{filingId}; "already filed" sends no byte; the route's refusal is a translated
 * ServiceFault; without WebCrypto (not a secure context) the two-step upload + FileDocument is used.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, test } from 'node:test';
import { DOMParser } from '@xmldom/xmldom';
import { DSP_FILE_PATH, DSP_UPLOAD_PATH } from '../../../shared/dsp/operations.ts';
import { SOAP_NAMESPACE } from '../../../shared/paths.ts';
import type { MailHost, ServiceAnswer } from '../../../shared/host/mail-port.ts';
import { ServiceFault } from '../../../shared/soap/client.ts';
import { dspService, sha1Hex } from './service.ts';

const metadata = { title: 'CR', classCode: '18842-5', typeCode: '18842-5', confidentialityCode: 'N', languageCode: 'fr-LU' };
const req = { matricule: '1985031412384', fileName: 'cr.pdf', mimeType: 'application/pdf', metadata };
const bytes = new TextEncoder().encode('%PDF-1.7 streamed filing test');
const sha1 = createHash('sha1').update(bytes).digest('hex');

const envelope = (body: string) => `<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>${body}</soap:Body></soap:Envelope>`;

let soap: { op: string; body: string }[];
let answers: Record<string, string>;
const realFetch = globalThis.fetch;
const g = globalThis as { DOMParser?: unknown };
const realParser = g.DOMParser;
beforeEach(() => {
  soap = [];
  answers = {};
  g.DOMParser = DOMParser;
  globalThis.fetch = (async (_url: string, init: RequestInit) => {
    const op = /<(\w+)Request /.exec(String(init.body))![1]!;
    soap.push({ op, body: String(init.body) });
    return new Response(envelope(answers[op]!), { status: 200 });
  }) as typeof fetch;
});
afterEach(() => {
  globalThis.fetch = realFetch;
  g.DOMParser = realParser;
});

function host(answer: (path: string) => ServiceAnswer): { host: MailHost; posts: { path: string; size: number; type: string }[] } {
  const posts: { path: string; size: number; type: string }[] = [];
  const h = {
    lang: 'fr',
    csrfToken: () => 'csrf',
    postToService: async (path: string, b: Uint8Array, type: string) => {
      posts.push({ path, size: b.length, type });
      return answer(path);
    },
  } as unknown as MailHost;
  return { host: h, posts };
}

test('SHA-1 with WebCrypto, as Node computes it', async () => {
  assert.equal(await sha1Hex(bytes), sha1);
});

test('PrepareFiling with the bytes’ own hash and size, then one POST of the bytes to the filing route', async () => {
  answers['PrepareFiling'] = `<PrepareFilingResponse xmlns="${SOAP_NAMESPACE}"><outcome>send</outcome><filingId>abc_123</filingId><hash>${sha1}</hash><size>${bytes.length}</size></PrepareFilingResponse>`;
  const { host: h, posts } = host(() => ({ status: 200, ok: true, body: { outcome: 'filed', uniqueId: '2.25.1', hash: sha1, size: bytes.length } }));
  let sending = 0;
  const r = await dspService(h).fileBytes(bytes, req, () => sending++);
  assert.deepEqual([r.outcome, r.uniqueId], ['filed', '2.25.1']);
  assert.deepEqual(soap.map((s) => s.op), ['PrepareFiling']);
  assert.match(soap[0]!.body, new RegExp(`<sha1>${sha1}</sha1><size>${bytes.length}</size>`));
  assert.deepEqual(posts, [{ path: `${DSP_FILE_PATH}/abc_123`, size: bytes.length, type: 'application/pdf' }]);
  assert.equal(sending, 1);
});

test('already filed: answered by PrepareFiling, no byte sent', async () => {
  answers['PrepareFiling'] = `<PrepareFilingResponse xmlns="${SOAP_NAMESPACE}"><outcome>alreadyFiled</outcome><uniqueId>2.25.9</uniqueId><filedAt>2026-12-01T10:00:00Z</filedAt><filedBy>marie.schmit@esante.lu</filedBy><hash>${sha1}</hash><size>${bytes.length}</size></PrepareFilingResponse>`;
  const { host: h, posts } = host(() => assert.fail('no POST'));
  const r = await dspService(h).fileBytes(bytes, req);
  assert.deepEqual([r.outcome, r.uniqueId, r.filedBy], ['alreadyFiled', '2.25.9', 'marie.schmit@esante.lu']);
  assert.deepEqual(posts, []);
});

test('the route’s refusal is a ServiceFault with its code and translated text', async () => {
  answers['PrepareFiling'] = `<PrepareFilingResponse xmlns="${SOAP_NAMESPACE}"><outcome>send</outcome><filingId>x</filingId><hash>${sha1}</hash><size>${bytes.length}</size></PrepareFilingResponse>`;
  const { host: h } = host(() => ({ status: 400, ok: false, body: { code: 'dsp.upload_mismatch', message: 'Le document reçu ne correspond pas à celui annoncé' } }));
  await assert.rejects(dspService(h).fileBytes(bytes, req), (e) => e instanceof ServiceFault && e.code === 'dsp.upload_mismatch' && /ne correspond pas/.test(e.message));
});

test('without WebCrypto (not a secure context): the two-step upload, then FileDocument', async (t) => {
  const c = globalThis.crypto;
  Object.defineProperty(globalThis, 'crypto', { value: undefined, configurable: true });
  t.after(() => Object.defineProperty(globalThis, 'crypto', { value: c, configurable: true }));
  answers['FileDocument'] = `<FileDocumentResponse xmlns="${SOAP_NAMESPACE}"><outcome>filed</outcome><uniqueId>2.25.2</uniqueId><hash>${sha1}</hash><size>${bytes.length}</size></FileDocumentResponse>`;
  const { host: h, posts } = host(() => ({ status: 200, ok: true, body: { uploadId: 'u1', size: bytes.length, sha1 } }));
  const r = await dspService(h).fileBytes(bytes, req);
  assert.equal(r.outcome, 'filed');
  assert.deepEqual(posts.map((p) => p.path), [DSP_UPLOAD_PATH]);
  assert.deepEqual(soap.map((s) => s.op), ['FileDocument']);
  assert.match(soap[0]!.body, /<uploadId>u1<\/uploadId>/);
});
