import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DOMParser } from '@xmldom/xmldom';
import { strToU8 } from 'fflate';
import { buildMailContext, type MailContextDeps, type MailMessage } from './mail-context.ts';
import type { ParseXml } from './xdm.ts';
import { sampleXdmZip } from './xdm.sample.ts';

const parseXml: ParseXml = (text) => new DOMParser().parseFromString(text, 'text/xml') as unknown as ReturnType<ParseXml>;
const MATRICULE = '1893120105732';
const msg = (over: Partial<MailMessage> = {}): MailMessage => ({ id: '42', subject: 'Résultats', bodyText: `Patient ${MATRICULE}`, parts: [], ...over });
const deps = (parts: Record<string, Uint8Array> = {}, over: Partial<MailContextDeps> = {}): MailContextDeps => ({
  readPart: async (_id, part) => parts[part]!,
  parseXml,
  limits: { maxFileBytes: 1 << 20, maxTotalBytes: 1 << 22 },
  decrypted: () => undefined,
  ...over,
});

test('attachments and the message text are offered; the patient named in the body is proposed; the Regify container is not offered', async () => {
  const ctx = await buildMailContext(
    msg({ parts: [{ part: '2', fileName: 'a.pdf', mimeType: 'application/pdf', size: 10 }, { part: '3', fileName: 'message.esmsg', mimeType: 'application/vnd.esante.secure-message', size: 99 }] }),
    deps(),
  );
  assert.deepEqual(ctx.documents.map((d) => [d.key, d.source, d.fileName]), [['part:2', 'attachment', 'a.pdf'], ['body', 'body', 'message.txt']]);
  assert.deepEqual(ctx.namedMatricules, [MATRICULE]);
  assert.equal(new TextDecoder().decode(await ctx.documents[1]!.load()), `Patient ${MATRICULE}`);
});

test('a decrypted Regify message offers the inner attachments and text instead of the cover mail', async () => {
  const ctx = await buildMailContext(
    msg({ bodyText: 'cover text', parts: [{ part: '2', fileName: 'message.esmsg', mimeType: 'application/vnd.esante.secure-message', size: 9 }] }),
    deps({}, { decrypted: (id) => (id === '42' ? { messageId: '42', subject: 'Secret', date: '', text: `Pour ${MATRICULE}`, attachments: [{ fileName: 'scan.jpg', mimeType: 'image/jpeg', bytes: new Uint8Array(3) }] } : undefined) }),
  );
  assert.equal(ctx.decrypted, true);
  assert.deepEqual(ctx.documents.map((d) => [d.source, d.fileName, d.size]), [['decrypted', 'scan.jpg', 3], ['body', 'message.txt', `Pour ${MATRICULE}`.length]]);
  assert.deepEqual(ctx.namedMatricules, [MATRICULE]);
});

test('an XDM zip is replaced by its documents and its patient is proposed first', async () => {
  const other = '1985031412382';
  const zip = sampleXdmZip({
    matricule: MATRICULE, familyName: 'SCHMIT', givenName: 'Anne', birthDate: '18931201',
    documents: [{ uri: 'DOC0001.PDF', mimeType: 'application/pdf', bytes: strToU8('%PDF'), title: 'Lettre', classCode: 'x', typeCode: 'y', confidentialityCode: 'N', formatCode: 'f', serviceStartTime: '20261130', languageCode: 'fr-LU' }],
  });
  const ctx = await buildMailContext(msg({ bodyText: `voir aussi ${other}`, parts: [{ part: '2', fileName: 'xdm.zip', mimeType: 'application/zip', size: zip.length }] }), deps({ '2': zip }));
  assert.deepEqual(ctx.documents.map((d) => [d.source, d.fileName]), [['xdm', 'DOC0001.PDF'], ['body', 'message.txt']]);
  assert.equal(ctx.documents[0]!.xdm?.title, 'Lettre');
  assert.equal(ctx.xdmPatient?.familyName, 'SCHMIT');
  assert.equal(ctx.namedMatricules[0], MATRICULE);
});
