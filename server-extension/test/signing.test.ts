/**
 * Integration tests of S/MIME signing and verification against the real OpenSSL CLI: what we sign
 * verifies in `openssl cms -verify`, what `openssl cms -sign` makes verifies in ours, and every broken
 * case gets its reason code.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createSmimeSigner, signMime } from '../src/signing/signer.ts';
import { rsaSignDigest, softTokenSource } from '../src/signing/soft-token.ts';
import { createCa, ensureTestPki, issueSigningCertificate, TEST_ROOT_NAME } from '../src/signing/test-pki.ts';
import { trustAnchorsFromPem, verifyMessage, type TrustAnchors } from '../src/signing/verify.ts';
import { parseCertificate } from '../src/signing/x509.ts';
import { createSigningService } from '../src/signing/signing-service.ts';
import { headerAuthMethod, zimbraAttrAuthMethod } from '../src/signing/auth-method.ts';
import { SigningError } from '../src/signing/errors.ts';
import { createSigningFromConfig, loadSigningConfig } from '../src/signing/config.ts';
import { HELENE, LUC, MARIE, makeFixture, openssl, opensslVerify, sampleMessage, type Fixture } from './signing-helpers.ts';

let fx: Fixture;
let anchors: TrustAnchors;
let rootFile: string;
/** A second, unrelated CA (valid since 5 years) for untrusted, expired and odd certificates. */
let otherCa: Awaited<ReturnType<typeof createCa>>;
const signer = () => createSmimeSigner(softTokenSource(fx.pki));

before(async () => {
  fx = await makeFixture();
  otherCa = await createCa('Other Test CA', { notBefore: new Date(Date.now() - 5 * 365 * 86_400_000) });
  anchors = trustAnchorsFromPem(fx.pki.rootCertPem);
  rootFile = fx.pki.rootCertPath;
});
after(() => fx.cleanup());

/** Replaces the base64 smime.p7s of a signed message by another DER. */
function withP7s(message: Buffer, mutate: (der: Buffer) => Buffer): Buffer {
  const text = message.toString('latin1');
  const m = /(filename="smime\.p7s"\r?\n(?:[^\r\n]+\r?\n)*\r?\n)([A-Za-z0-9+/=\r\n]+?)(\r?\n--)/.exec(text)!;
  const der = mutate(Buffer.from(m[2]!.replace(/\s/g, ''), 'base64'));
  const b64 = der.toString('base64').replace(/(.{76})/g, '$1\r\n');
  return Buffer.from(text.slice(0, m.index) + m[1] + b64 + m[3] + text.slice(m.index + m[0].length), 'latin1');
}

describe('test PKI', () => {
  test('root is named as a test CA, user certificates carry name, mail, key usages; PINs are not in clear', () => {
    const root = parseCertificate(Buffer.from(fx.pki.rootCertPem.replace(/-----[^-]+-----|\s/g, ''), 'base64'));
    assert.equal(root.subject.find((a) => a.oid === '2.5.4.3')?.value, TEST_ROOT_NAME);
    assert.match(TEST_ROOT_NAME, /TEST.*NOT FOR PRODUCTION/);
    const cert = parseCertificate(Buffer.from(fx.pki.userCertPem(HELENE.mail)!.replace(/-----[^-]+-----|\s/g, ''), 'base64'));
    assert.deepEqual(cert.mails, [HELENE.mail]);
    assert.equal(cert.subject.find((a) => a.oid === '2.5.4.3')?.value, 'Hélène Thill');
    assert.deepEqual(cert.keyUsage, ['digitalSignature', 'nonRepudiation']);
    assert.deepEqual(cert.extKeyUsage, ['1.3.6.1.5.5.7.3.4']);
    assert.equal(cert.isCa, false);
    // openssl agrees the certificate is fit for S/MIME signing under the test root.
    const certFile = fx.file('helene.pem', fx.pki.userCertPem(HELENE.mail)!);
    const inter = fx.file('inter.pem', fx.pki.intermediateCertPem);
    assert.equal(openssl(['verify', '-CAfile', rootFile, '-untrusted', inter, '-purpose', 'smimesign', certFile]).status, 0);

    // No PIN appears in any file of the data dir; key files are private.
    const pins = [MARIE.mail, HELENE.mail].map((m) => fx.pki.pin(m)!);
    assert.ok(pins.every((p) => p.length >= 16));
    const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]));
    for (const f of walk(fx.pki.dir)) {
      const content = readFileSync(f).toString('latin1');
      for (const pin of pins) assert.ok(!content.includes(pin), `PIN in clear in ${f}`);
      if (/\.p12$|key|pins\.json/.test(f)) assert.equal(statSync(f).mode & 0o077, 0, `${f} readable by others`);
    }
    // The PKCS#12 opens with its PIN in OpenSSL, and not without it.
    const pinFile = fx.file('pin.txt', pins[0]!);
    const p12 = fx.file('m.p12', fx.pki.p12(MARIE.mail)!);
    assert.equal(openssl(['pkcs12', '-in', p12, '-passin', `file:${pinFile}`, '-nokeys']).status, 0);
    assert.notEqual(openssl(['pkcs12', '-in', p12, '-passin', 'pass:000000', '-nokeys']).status, 0);
  });

  test('a second start keeps the certificates and adds a new seeded user', async () => {
    const before = fx.pki.userCertPem(MARIE.mail);
    const again = await ensureTestPki(join(fx.dir, 'data'), [MARIE, HELENE, LUC]);
    assert.equal(again.userCertPem(MARIE.mail), before);
    assert.equal(again.rootCertPem, fx.pki.rootCertPem);
    assert.ok(again.mails().includes(LUC.mail));
    assert.equal(again.pin(MARIE.mail), fx.pki.pin(MARIE.mail));
  });
});

describe('signing', () => {
  test('a signed message is RFC 8551 multipart/signed, outer headers outside, Content-* inside, and openssl verifies it', async () => {
    const out = await signer().sign(sampleMessage(), { mail: MARIE.mail });
    const text = out.toString('latin1');
    const [head, ...rest] = text.split('\r\n\r\n');
    assert.match(head!, /^From: Marie Schmit <marie\.schmit@esante\.lu>\r\n/);
    assert.match(head!, /\r\nSubject: =\?utf-8\?q\?Compte_rendu\?=\r\n/);
    assert.match(head!, /\r\nMessage-ID: <test-1@esante\.lu>\r\n/);
    assert.match(head!, /Content-Type: multipart\/signed; protocol="application\/pkcs7-signature";\r\n micalg=sha-256; boundary="/);
    assert.equal((head!.match(/^Content-Type:/gim) ?? []).length, 1, 'one Content-Type on the outer message');
    assert.ok(!/Content-Transfer-Encoding/i.test(head!), 'the body CTE moved into the signed part');
    assert.ok(!/(?<!\r)\n|\r(?!\n)/.test(text), 'CRLF everywhere');
    assert.match(rest.join('\r\n\r\n'), /--[^\r\n]+\r\nContent-Type: text\/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\nBonjour,/);
    const v = opensslVerify(out, rootFile);
    assert.ok(v.ok, v.stderr);
    assert.match(v.content.toString(), /Bonjour,\r?\nle compte rendu suit\./);
    const report = verifyMessage(out, anchors);
    assert.equal(report.valid, true, JSON.stringify(report));
    assert.equal(report.signer?.name, 'Marie Schmit');
    assert.equal(report.signer?.mail, MARIE.mail);
    assert.equal(report.digestAlgorithm, 'sha-256');
    assert.equal(report.contentChanged, false);
    assert.equal(report.chain.length, 3);
    assert.ok(Math.abs(Date.parse(report.signingTime!) - Date.now()) < 60_000);
  });

  test('8-bit bodies, LF line endings, multipart with attachment and no Content-Type all sign and verify in openssl', async () => {
    const s = signer();
    const eightBit = Buffer.from('From: marie.schmit@esante.lu\nTo: x@y.lu\nSubject: t\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\nÇa va, Hélène ? Ünïcödé — ok\n', 'utf8');
    const plain = Buffer.from('From: marie.schmit@esante.lu\r\nTo: x@y.lu\r\nSubject: no content type\r\n\r\nhello\r\n');
    const multipart = Buffer.from(
      'From: "Schmit, Marie" <Marie.Schmit@esante.lu>\nTo: x@y.lu\nSubject: pj\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b1"\n\n' +
        '--b1\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\nRésultats en pièce jointe.\n' +
        '--b1\nContent-Type: application/octet-stream; name="r.bin"\nContent-Transfer-Encoding: base64\n\nAAECAwQFBgc=\n--b1--\n',
      'utf8',
    );
    for (const msg of [eightBit, plain, multipart]) {
      const out = await s.sign(msg, { mail: MARIE.mail });
      assert.ok(!out.some((b) => b > 0x7f), 'signed message is 7-bit');
      const v = opensslVerify(out, rootFile);
      assert.ok(v.ok, v.stderr);
      assert.equal(verifyMessage(out, anchors).valid, true);
    }
    const content = opensslVerify(await s.sign(eightBit, { mail: MARIE.mail }), rootFile).content.toString();
    assert.match(content, /Content-Transfer-Encoding: base64/);
    assert.match(Buffer.from(content.split(/\r?\n\r?\n/)[1]!, 'base64').toString('utf8'), /Hélène/);
    assert.match(opensslVerify(await s.sign(plain, { mail: MARIE.mail }), rootFile).content.toString(), /^Content-Type: text\/plain; charset=us-ascii/);
  });

  test('refuses: another sender, no From, unknown account, expired own certificate', async () => {
    const s = signer();
    await assert.rejects(s.sign(sampleMessage(`Eve <eve@evil.example>`), { mail: MARIE.mail }), (e: SigningError) => e.code === 'sign.sender_mismatch' && e.args[0] === 'eve@evil.example');
    await assert.rejects(s.sign(Buffer.from('To: x@y\r\n\r\nhi\r\n'), { mail: MARIE.mail }), (e: SigningError) => e.code === 'sign.message_invalid');
    await assert.rejects(s.sign(sampleMessage(), { mail: 'nobody@esante.lu' }), (e: SigningError) => e.code === 'sign.no_certificate');
    const late = createSmimeSigner(softTokenSource(fx.pki), { now: () => new Date(Date.now() + 20 * 365 * 86_400_000) });
    await assert.rejects(late.sign(sampleMessage(), { mail: MARIE.mail }), (e: SigningError) => e.code === 'sign.certificate_invalid');
  });
});

describe('signing service: only card sessions sign', () => {
  const service = () => createSigningService({ signer: signer(), authMethods: zimbraAttrAuthMethod(), trustAnchors: anchors });

  test('fallback and unknown sessions get sign.card_required; card signs', async () => {
    for (const authMethod of ['fallback', undefined, '', 'smartcard', 'card,fallback']) {
      await assert.rejects(
        service().sign({ name: MARIE.mail, ...(authMethod !== undefined ? { authMethod } : {}) }, sampleMessage()),
        (e: SigningError) => e instanceof SigningError && e.code === 'sign.card_required' && e.httpStatus === 403,
      );
    }
    const out = await service().sign({ name: MARIE.mail, authMethod: 'card' }, sampleMessage());
    assert.ok(opensslVerify(out, rootFile).ok);
  });

  test('status tells why signing is not possible and describes the certificate', async () => {
    const fb = await service().status({ name: MARIE.mail, authMethod: 'fallback' });
    assert.equal(fb.canSign, false);
    assert.equal(fb.reason, 'sign.card_required');
    assert.equal(fb.authMethod, 'fallback');
    const card = await service().status({ name: MARIE.mail, authMethod: 'card' });
    assert.equal(card.canSign, true);
    assert.equal(card.signerKind, 'soft-token');
    assert.match(card.certificate!.subject, /^CN=Marie Schmit,/);
    assert.ok(card.certificate!.daysToExpiry > 700 && card.certificate!.daysToExpiry <= 731);
    assert.deepEqual(card.trustAnchors.map((s) => s.split(',')[0]), [`CN=${TEST_ROOT_NAME}`]);
    const none = await service().status({ name: 'nobody@esante.lu', authMethod: 'card' });
    assert.equal(none.reason, 'sign.no_certificate');
  });

  test('built from the environment: embedded defaults, header source', async () => {
    const dataDir = join(fx.dir, 'data');
    const { service, pki } = await createSigningFromConfig(loadSigningConfig({ ESANTE_AUTH_METHOD_SOURCE: 'header' }, dataDir), { users: [MARIE, HELENE] });
    assert.equal(pki?.rootCertPem, fx.pki.rootCertPem, 'the PKI made at first start is reused');
    const caller = { name: MARIE.mail, authMethod: 'card', headers: { 'x-esante-auth-method': 'fallback' } };
    await assert.rejects(service.sign(caller, sampleMessage()), (e: SigningError) => e.code === 'sign.card_required');
    const out = await service.sign({ ...caller, headers: { 'x-esante-auth-method': 'card' } }, sampleMessage());
    assert.equal(service.verify(out).valid, true);
  });

  test('header adapter: believes only a single card/fallback value, bound to the account when configured', async () => {
    const h = headerAuthMethod({ accountHeader: 'X-Esante-Sso-Account' });
    assert.equal(await h.getAuthMethod({ name: MARIE.mail, headers: { 'x-esante-auth-method': 'card', 'x-esante-sso-account': MARIE.mail } }), 'card');
    assert.equal(await h.getAuthMethod({ name: MARIE.mail, headers: { 'x-esante-auth-method': 'card', 'x-esante-sso-account': LUC.mail } }), 'unknown');
    assert.equal(await h.getAuthMethod({ name: MARIE.mail, headers: { 'x-esante-auth-method': 'card' } }), 'unknown');
    const plain = headerAuthMethod();
    assert.equal(await plain.getAuthMethod({ name: MARIE.mail, authMethod: 'card', headers: { 'x-esante-auth-method': 'fallback' } }), 'fallback');
    assert.equal(await plain.getAuthMethod({ name: MARIE.mail, headers: { 'x-esante-auth-method': ['card', 'card'] } }), 'unknown');
  });
});

describe('verification', () => {
  let signed: Buffer;
  before(async () => {
    signed = await signer().sign(sampleMessage(), { mail: MARIE.mail });
  });

  test('a message signed by openssl cms -sign verifies, with its signer and signing time', () => {
    const f = fx.userFiles(HELENE.mail);
    const input = fx.file('in.txt', 'Content-Type: text/plain; charset=utf-8\n\nSigné par OpenSSL.\n');
    const inter = fx.file('inter2.pem', fx.pki.intermediateCertPem);
    const args = ['cms', '-sign', '-in', input, '-signer', f.cert, '-inkey', f.key, '-md', 'sha256', '-from', `Hélène <${HELENE.mail}>`, '-to', MARIE.mail, '-subject', 'ossl'];
    // Without the intermediate in the signature, the chain cannot reach the root.
    const noChain = openssl(args);
    assert.equal(noChain.status, 0, noChain.stderr);
    assert.equal(verifyMessage(noChain.stdout, anchors).reason, 'signature.untrusted');
    const r = openssl([...args, '-certfile', inter]);
    assert.equal(r.status, 0, r.stderr);
    const report = verifyMessage(r.stdout, anchors);
    assert.equal(report.valid, true, JSON.stringify(report));
    assert.equal(report.signer?.name, 'Hélène Thill');
    assert.equal(report.senderMatches, true);
    assert.equal(report.trusted, true);
    assert.ok(report.signingTime);
    // Opaque signed data (-nodetach: application/pkcs7-mime; smime-type=signed-data) verifies too.
    const opaque = openssl([...args, '-certfile', inter, '-nodetach']);
    assert.match(opaque.stdout.toString(), /smime-type=signed-data/);
    const rOpaque = verifyMessage(opaque.stdout, anchors);
    assert.equal(rOpaque.valid, true, JSON.stringify(rOpaque));
    assert.equal(rOpaque.signer?.mail, HELENE.mail);
  });

  test('untrusted root', async () => {
    const report = verifyMessage(signed, trustAnchorsFromPem(otherCa.certPem));
    assert.equal(report.valid, false);
    assert.equal(report.reason, 'signature.untrusted');
    assert.equal(report.trusted, false);
    assert.equal(report.contentChanged, false, 'the content itself is intact');
    // The other way round: a certificate of another CA is untrusted under the test root.
    const stranger = await issueSigningCertificate(otherCa, MARIE);
    const out = await signMime(sampleMessage(), softCredential(stranger), { mail: MARIE.mail, now: new Date() });
    assert.equal(verifyMessage(out, anchors).reason, 'signature.untrusted');
    assert.equal(verifyMessage(out, trustAnchorsFromPem(otherCa.certPem)).valid, true);
  });

  test('expired certificate: valid at signing time but expired now, or already expired when signed', async () => {
    const ca = otherCa;
    const year = 365 * 86_400_000;
    const old = await issueSigningCertificate(ca, MARIE, { notBefore: new Date(Date.now() - 3 * year), notAfter: new Date(Date.now() - year) });
    const out = await signMime(sampleMessage(), softCredential(old), { mail: MARIE.mail, now: new Date(Date.now() - 2 * year) });
    const caAnchors = trustAnchorsFromPem(ca.certPem);
    const report = verifyMessage(out, caAnchors);
    assert.equal(report.reason, 'signature.expired');
    assert.equal(report.validAtSigningTime, true);
    assert.equal(report.validNow, false);
    assert.equal(report.trusted, true);
    // openssl refuses it as well (it checks validity now).
    assert.equal(opensslVerify(out, fx.file('exp-ca.pem', ca.certPem)).ok, false);
    // Signed by openssl with an expired certificate: same reason in our verifier.
    const keyFile = fx.file('old.key', old.keyPem);
    const certFile = fx.file('old.pem', old.certPem);
    const input = fx.file('in2.txt', 'Content-Type: text/plain\n\nold\n');
    const r = openssl(['cms', '-sign', '-in', input, '-signer', certFile, '-inkey', keyFile, '-md', 'sha256', '-from', MARIE.mail]);
    assert.equal(r.status, 0, r.stderr);
    const rep2 = verifyMessage(r.stdout, caAnchors);
    assert.equal(rep2.reason, 'signature.expired');
    assert.equal(rep2.validAtSigningTime, false);
  });

  test('tampered body', () => {
    const text = signed.toString('latin1').replace('le compte rendu suit.', 'le compte rendu suiT.');
    const report = verifyMessage(Buffer.from(text, 'latin1'), anchors);
    assert.equal(report.valid, false);
    assert.equal(report.reason, 'signature.tampered');
    assert.equal(report.contentChanged, true);
    assert.notEqual(report.signedDigest, report.computedDigest);
    assert.equal(report.signer?.mail, MARIE.mail, 'the report still says who signed');
    assert.equal(opensslVerify(Buffer.from(text, 'latin1'), rootFile).ok, false);
    // A header moved into the signed part is part of the content too.
    const hdr = signed.toString('latin1').replace('Content-Type: text/plain; charset=utf-8', 'Content-Type: text/html; charset=utf-8');
    assert.equal(verifyMessage(Buffer.from(hdr, 'latin1'), anchors).reason, 'signature.tampered');
  });

  test('tampered signature value', () => {
    const bad = withP7s(signed, (der) => {
      const copy = Buffer.from(der);
      copy[copy.length - 10] = copy[copy.length - 10]! ^ 0x01; // inside the RSA signature, the last field
      return copy;
    });
    const report = verifyMessage(bad, anchors);
    assert.equal(report.reason, 'signature.invalid');
    assert.equal(report.signatureValueOk, false);
    assert.equal(report.contentChanged, false);
    assert.equal(opensslVerify(bad, rootFile).ok, false);
  });

  test('truncated messages are malformed, never an exception, whatever the cut', () => {
    const half = signed.subarray(0, Math.floor(signed.length * 0.7));
    assert.equal(verifyMessage(half, anchors).reason, 'signature.malformed');
    const inFirstPart = signed.subarray(0, signed.indexOf('le compte rendu'));
    assert.equal(verifyMessage(inFirstPart, anchors).reason, 'signature.malformed');
    for (let i = 1; i < 40; i++) {
      const cut = signed.subarray(0, Math.floor((signed.length * i) / 40));
      const r = verifyMessage(cut, anchors);
      assert.equal(r.valid, false, `cut at ${i}/40`);
      assert.ok(r.reason && ['signature.malformed', 'signature.none', 'signature.tampered'].includes(r.reason), `cut at ${i}/40: ${r.reason}`);
    }
    // Garbage inside the p7s.
    const junk = withP7s(signed, (der) => Buffer.concat([der.subarray(0, 200), Buffer.alloc(50, 0xff)]));
    assert.equal(verifyMessage(junk, anchors).reason, 'signature.malformed');
  });

  test('unsigned, other signature formats, and garbage', () => {
    assert.equal(verifyMessage(sampleMessage(), anchors).reason, 'signature.none');
    assert.equal(verifyMessage(Buffer.alloc(0), anchors).reason, 'signature.none');
    assert.equal(verifyMessage(Buffer.from([0, 1, 2, 255, 13, 10, 13, 10]), anchors).valid, false);
    const pgp = Buffer.from('From: a@b\r\nContent-Type: multipart/signed; protocol="application/pgp-signature"; micalg=pgp-sha256; boundary=x\r\n\r\n--x\r\n\r\nhi\r\n--x\r\n\r\nsig\r\n--x--\r\n');
    assert.equal(verifyMessage(pgp, anchors).reason, 'signature.unsupported');
    const enc = Buffer.from('From: a@b\r\nContent-Type: application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m\r\n\r\nAAAA\r\n');
    assert.equal(verifyMessage(enc, anchors).reason, 'signature.unsupported');
  });

  test('sender not in the certificate, and a certificate not meant for mail signing', async () => {
    const spoofed = Buffer.from(signed.toString('latin1').replace('From: Marie Schmit <marie.schmit@esante.lu>', 'From: Dr Luc <luc.hoffmann@esante.lu>'), 'latin1');
    const r = verifyMessage(spoofed, anchors);
    assert.equal(r.reason, 'signature.sender_mismatch');
    assert.deepEqual(r.reasonArgs, [LUC.mail]);
    assert.equal(r.contentChanged, false, 'From is outside the signed part');

    const ca = otherCa;
    const tls = await issueSigningCertificate(ca, MARIE, { keyUsage: { keyEncipherment: true }, extKeyUsage: ['serverAuth'] });
    const out = await signMime(sampleMessage(), softCredential(tls), { mail: MARIE.mail, now: new Date() });
    const rep = verifyMessage(out, trustAnchorsFromPem(ca.certPem));
    assert.equal(rep.reason, 'signature.key_usage');
    assert.equal(rep.keyUsageOk, false);

    // An unknown critical extension must make the certificate unusable (RFC 5280 §4.2), as in OpenSSL.
    const odd = await issueSigningCertificate(ca, MARIE, { extraExtensions: [{ id: '1.3.6.1.4.1.99999.1', critical: true, value: Buffer.from([5, 0]) }] });
    const oddOut = await signMime(sampleMessage(), softCredential(odd), { mail: MARIE.mail, now: new Date() });
    const oddRep = verifyMessage(oddOut, trustAnchorsFromPem(ca.certPem));
    assert.equal(oddRep.reason, 'signature.untrusted');
    assert.match(oddRep.detail ?? '', /1\.3\.6\.1\.4\.1\.99999\.1/);
    assert.equal(opensslVerify(oddOut, fx.file('other-ca.pem', ca.certPem)).ok, false);
  });
});

/** A soft credential straight from a key + certificate in memory (certificates made by the tests). */
function softCredential(k: { certPem: string; keyPem: string }) {
  const key = createPrivateKey(k.keyPem);
  return {
    certificates: [Buffer.from(k.certPem.replace(/-----[^-]+-----|\s/g, ''), 'base64')],
    keyAlgorithm: 'rsa' as const,
    signDigest: async (d: Buffer) => rsaSignDigest(key, d),
  };
}
