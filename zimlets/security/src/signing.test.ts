import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { CONTAINER_MEDIA_TYPE as FROM_FORMAT } from '../../../shared/container/format.ts';
import { base64ToBytes, bytesToBase64 } from '../../common/base64.ts';
import { CONTAINER_MEDIA_TYPE, isMultipartSigned, sampleMessage, shouldCheckSignature, signAndSend, type SignAndSendSteps } from './signing.ts';

const enc = (s: string) => new TextEncoder().encode(s);

describe('security zimlet signing logic', () => {
  test('base64 round trip of large binary content (chunked, no stack overflow)', () => {
    const bytes = new Uint8Array(300_000).map((_, i) => (i * 7) & 0xff);
    const b64 = bytesToBase64(bytes);
    assert.equal(b64, Buffer.from(bytes).toString('base64'));
    assert.deepEqual(base64ToBytes(b64), bytes);
  });

  test('isMultipartSigned reads the top-level Content-Type only, folded or not', () => {
    assert.equal(isMultipartSigned(enc('From: a@b.lu\r\nContent-Type: multipart/signed;\r\n protocol="application/pkcs7-signature"; boundary=x\r\n\r\n--x\r\n')), true);
    assert.equal(isMultipartSigned(enc('From: a@b.lu\nCONTENT-TYPE:Multipart/Signed; boundary=x\n\nbody')), true);
    assert.equal(isMultipartSigned(enc('From: a@b.lu\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: multipart/signed\r\n')), false);
    assert.equal(isMultipartSigned(enc('From: a@b.lu\r\nSubject: Content-Type: multipart/signed\r\n\r\n')), false);
    assert.equal(isMultipartSigned(enc('')), false);
  });

  test('shouldCheckSignature: a signature part yes, an encrypted container no, unknown structure yes', () => {
    assert.equal(CONTAINER_MEDIA_TYPE, FROM_FORMAT);
    assert.equal(shouldCheckSignature({ attachments: [{ contentType: 'application/pkcs7-signature', fileName: 'smime.p7s' }] }), true);
    assert.equal(shouldCheckSignature({ attachments: [{ ct: 'application/octet-stream', filename: 'SMIME.P7S' }] }), true);
    assert.equal(shouldCheckSignature({ attachments: [{ contentType: 'application/pdf', fileName: 'cr.pdf' }] }), false);
    assert.equal(shouldCheckSignature({ attachments: [] }), false);
    assert.equal(shouldCheckSignature({ attachments: [{ contentType: CONTAINER_MEDIA_TYPE }, { contentType: 'application/pkcs7-signature' }] }), false);
    assert.equal(shouldCheckSignature({}), true);
  });

  test('sampleMessage is CRLF 7-bit from and to the user', () => {
    const m = sampleMessage('marie.schmit@esante.lu', 'Test de sécurité', 'Message d’essai', new Date('2026-11-29T06:00:00Z'));
    assert.match(m, /^From: <marie\.schmit@esante\.lu>\r\nTo: <marie\.schmit@esante\.lu>\r\nSubject: Test de securite\r\nDate: Sun, 29 Nov 2026 06:00:00 \+0000\r\n/);
    assert.equal(/[^\x00-\x7f]/.test(m), false);
    assert.equal(/[^\r]\n/.test(m), false);
  });

  function fakeSteps(overrides: Partial<SignAndSendSteps> = {}) {
    const calls: string[] = [];
    const steps: SignAndSendSteps = {
      saveDraft: async () => (calls.push('save'), 'd1'),
      rawMessage: async (id) => (calls.push(`raw:${id}`), enc('From: a@b.lu\r\n\r\nhi')),
      sign: async (b64) => (calls.push(`sign:${Buffer.from(b64, 'base64').toString()}`), Buffer.from('SIGNED').toString('base64')),
      upload: async (mime) => (calls.push(`upload:${new TextDecoder().decode(mime)}`), 'aid1'),
      sendUploaded: async (aid) => void calls.push(`send:${aid}`),
      deleteDraft: async (id) => void calls.push(`delete:${id}`),
      close: () => void calls.push('close'),
      ...overrides,
    };
    return { steps, calls };
  }

  test('signAndSend: draft → raw → sign → upload the signed bytes → send as is → delete draft → close', async () => {
    const { steps, calls } = fakeSteps();
    assert.deepEqual(await signAndSend(steps), { draftDeleted: true });
    assert.deepEqual(calls, ['save', 'raw:d1', 'sign:From: a@b.lu\r\n\r\nhi', 'upload:SIGNED', 'send:aid1', 'delete:d1', 'close']);
  });

  test('signAndSend: a refused signature sends nothing and leaves the compose view open', async () => {
    const refused = Object.assign(new Error('Vous ne pouvez pas signer'), { code: 'sign.card_required' });
    const { steps, calls } = fakeSteps({ sign: async () => Promise.reject(refused) });
    await assert.rejects(signAndSend(steps), (e) => e === refused);
    assert.deepEqual(calls, ['save', 'raw:d1']);
  });

  test('signAndSend: once sent, a draft that cannot be deleted does not fail the send', async () => {
    const { steps, calls } = fakeSteps({ deleteDraft: async () => Promise.reject(new Error('gone')) });
    assert.deepEqual(await signAndSend(steps), { draftDeleted: false });
    assert.equal(calls.at(-1), 'close');
  });
});
