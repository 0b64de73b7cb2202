import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { CmsError, buildDetachedSignedData, parseSignedData } from './cms.ts';
import { context, integer, octetString, oid, seq, setOf, time, tlv } from './der.ts';
import { OID } from './oids.ts';
import { rsaSignDigest } from './soft-token.ts';
import { createCa, issueSigningCertificate } from './test-pki.ts';

const der = (pem: string): Buffer => Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');

function signedData(certs: Buffer[], signerInfos: Buffer[]): Buffer {
  return seq(oid(OID.signedData), context(0, seq(integer(1), setOf(seq(oid(OID.sha256))), seq(oid(OID.data)), tlv(0xa0, ...certs), setOf(...signerInfos))));
}

describe('cms', () => {
  test('round trip: what we build parses back with its attributes', async () => {
    const ca = await createCa('CMS Test CA');
    const user = await issueSigningCertificate(ca, { givenName: 'A', sn: 'B', mail: 'a.b@esante.lu' });
    const privateKey = createPrivateKey(user.keyPem);
    const digest = createHash('sha256').update('content').digest();
    const when = new Date(Date.UTC(2026, 10, 29, 6, 0, 0));
    const built = await buildDetachedSignedData({ contentDigest: digest, certificates: [der(user.certPem)], signingTime: when, keyAlgorithm: 'rsa', signDigest: async (d) => rsaSignDigest(privateKey, d) });
    const sd = parseSignedData(built);
    assert.equal(sd.content, undefined, 'detached');
    assert.equal(sd.certificates.length, 1);
    const si = sd.signerInfos[0]!;
    assert.deepEqual(si.messageDigest, digest);
    assert.equal(si.signingTime?.getTime(), when.getTime());
    assert.equal(si.contentType, OID.data);
    assert.equal(si.signedAttrsDer?.[0], 0x31, 'signature input re-tagged as SET OF');

    // A signature made with another key is refused at build time (remote signer mix-ups).
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    await assert.rejects(
      buildDetachedSignedData({ contentDigest: digest, certificates: [der(user.certPem)], signingTime: when, keyAlgorithm: 'rsa', signDigest: async (d) => rsaSignDigest(other, d) }),
      /does not match/,
    );
  });

  test('hostile structures: too many certificates, duplicated signed attributes', () => {
    const fakeCert = seq(integer(1));
    assert.throws(() => parseSignedData(signedData(Array(33).fill(fakeCert), [])), (e: CmsError) => e.kind === 'unsupported');
    const md = seq(oid(OID.messageDigest), setOf(octetString(Buffer.alloc(32))));
    const attrs = Buffer.concat([Buffer.from([0xa0]), setOf(seq(oid(OID.contentType), setOf(oid(OID.data))), md, seq(oid(OID.signingTime), setOf(time(new Date()))), md).subarray(1)]);
    const si = seq(integer(1), seq(seq(), integer(1)), seq(oid(OID.sha256)), attrs, seq(oid(OID.rsaEncryption)), octetString(Buffer.alloc(8)));
    assert.throws(() => parseSignedData(signedData([], [si])), (e: CmsError) => e.kind === 'malformed' && /twice/.test(e.message));
    assert.throws(() => parseSignedData(Buffer.from('not der')), (e: CmsError) => e.kind === 'malformed');
    assert.throws(() => parseSignedData(seq(oid(OID.envelopedData), context(0, seq()))), (e: CmsError) => e.kind === 'unsupported');
  });
});
