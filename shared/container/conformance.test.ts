/**
 * A second implementation of docs/container-format.md, written from the document with node:crypto
 * and sharing no code with container.ts / format.ts. It proves the document is enough: what one
 * writes the other reads, both ways, and the document's test vector (§10) is reproduced byte for byte.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import { openContainer, sealContainer } from './container.ts';

const MAGIC = Buffer.from('8945534d53470d0a', 'hex'); // "\x89ESMSG\r\n"

function iv(nonce: Buffer, index: number): Buffer {
  const out = Buffer.alloc(12);
  nonce.copy(out, 0);
  out.writeUInt32BE(index, 8);
  return out;
}

function aad(preamble: Buffer, index: number, final: boolean): Buffer {
  const tail = Buffer.alloc(5);
  tail.writeUInt32BE(index, 0);
  tail[4] = final ? 1 : 0;
  return Buffer.concat([preamble, tail]);
}

function gcmEncrypt(key: Buffer, ivBytes: Buffer, ad: Buffer, plain: Buffer): Buffer {
  const c = createCipheriv('aes-256-gcm', key, ivBytes);
  c.setAAD(ad);
  return Buffer.concat([c.update(plain), c.final(), c.getAuthTag()]);
}

/** Writer per the document, with the nonce given (so the output is reproducible). */
function independentSeal(args: { key: Buffer; nonce: Buffer; messageId: string; keyService: string; sender: string; created: string; segmentSize: number; mime: Buffer }): Buffer {
  const keyCheck = gcmEncrypt(args.key, iv(args.nonce, 0xffffffff), Buffer.from('esante.secure-message key check v1'), Buffer.alloc(32)).subarray(0, 32);
  const json = Buffer.from(
    `{"messageId":${JSON.stringify(args.messageId)},"keyService":${JSON.stringify(args.keyService)},"sender":${JSON.stringify(args.sender)},` +
      `"created":"${args.created}","contentType":"message/rfc822","cipher":{"alg":"AES-256-GCM","segmentSize":${args.segmentSize},` +
      `"tagBytes":16,"nonce":"${args.nonce.toString('base64url')}","keyCheck":"${keyCheck.toString('base64url')}"}}`,
  );
  const fixed = Buffer.alloc(6);
  fixed.writeUInt16BE(1, 0);
  fixed.writeUInt32BE(json.length, 2);
  const preamble = Buffer.concat([MAGIC, fixed, json]);
  const n = Math.max(1, Math.ceil(args.mime.length / args.segmentSize));
  const parts: Buffer[] = [preamble];
  for (let i = 0; i < n; i++) {
    const plain = args.mime.subarray(i * args.segmentSize, (i + 1) * args.segmentSize);
    parts.push(gcmEncrypt(args.key, iv(args.nonce, i), aad(preamble, i, i === n - 1), plain));
  }
  return Buffer.concat(parts);
}

/** Reader per the document (happy path plus the checks that matter for the comparison). */
function independentOpen(file: Buffer, key: Buffer): { header: Record<string, unknown>; mime: Buffer } {
  assert.ok(file.subarray(0, 8).equals(MAGIC));
  assert.equal(file.readUInt16BE(8), 1);
  const headerLength = file.readUInt32BE(10);
  const preamble = file.subarray(0, 14 + headerLength);
  const header = JSON.parse(preamble.subarray(14).toString('utf8'));
  const S: number = header.cipher.segmentSize;
  const nonce = Buffer.from(header.cipher.nonce, 'base64url');
  const body = file.subarray(preamble.length);
  const n = Math.ceil(body.length / (S + 16));
  const out: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const seg = body.subarray(i * (S + 16), Math.min((i + 1) * (S + 16), body.length));
    const d = createDecipheriv('aes-256-gcm', key, iv(nonce, i));
    d.setAAD(aad(preamble, i, i === n - 1));
    d.setAuthTag(seg.subarray(seg.length - 16));
    out.push(d.update(seg.subarray(0, seg.length - 16)), d.final());
  }
  return { header, mime: Buffer.concat(out) };
}

// The test vector of docs/container-format.md §10.
const VECTOR = {
  key: Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex'),
  nonce: Buffer.from('a0a1a2a3a4a5a6a7', 'hex'),
  messageId: 'test-vector-1',
  keyService: 'https://messagerie.esante.lu/service/extension/esante/soap',
  sender: 'marie.muller@esante.lu',
  created: '2026-01-15T09:30:00.000Z',
  segmentSize: 1024,
  // 1500 bytes: two segments, the second partial.
  mime: Buffer.from('Subject: Test\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n'.padEnd(1500, 'x')),
};
const VECTOR_SHA256 = '13fd6aa6a3a5978c2f8ab4eb94c03a323b59d9ea519aac377eb0ea5ad8d1317b';

describe('conformance with docs/container-format.md', () => {
  test('our reader opens what the independent writer produces', async () => {
    const file = independentSeal({ ...VECTOR, mime: Buffer.from('x'.repeat(5000)) });
    const opened = await openContainer(file, async () => VECTOR.key);
    assert.equal(Buffer.from(opened.mime).toString(), 'x'.repeat(5000));
  });

  test('the independent reader opens what our writer produces', async () => {
    const mime = Buffer.from('Subject: hello\r\n\r\n' + 'é'.repeat(3000));
    const sealed = await sealContainer({ messageId: 'm-1', keyService: VECTOR.keyService, sender: VECTOR.sender, mime, key: VECTOR.key, segmentSize: 1024 });
    const opened = independentOpen(Buffer.from(sealed), VECTOR.key);
    assert.ok(opened.mime.equals(mime));
    assert.equal(opened.header['messageId'], 'm-1');
  });

  test('the test vector of the document', async () => {
    assert.equal(VECTOR.mime.length, 1500);
    const file = independentSeal(VECTOR);
    const digest = createHash('sha256').update(file).digest('hex');
    assert.equal(file.length, 1500 + 2 * 16 + 14 + file.readUInt32BE(10));
    assert.equal(digest, VECTOR_SHA256, file.subarray(0, 14 + file.readUInt32BE(10)).toString('latin1'));
    const opened = await openContainer(file, async () => VECTOR.key);
    assert.ok(Buffer.from(opened.mime).equals(VECTOR.mime));
  });
});
