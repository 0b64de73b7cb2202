/**
 * Signatures that carry only the signer's certificate (what many mail clients send): the path is
 * completed from the configured intermediates bundle (ESANTE_SIGNING_INTERMEDIATES) or from the
 * certificate's AIA caIssuers URL (aia.ts), served here by a real local HTTP server. Certificates are
 * made in the test (node-forge through test-pki.ts); revocation is off so only the path is checked.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IssuerFetcher } from './aia.ts';
import { createSigningFromConfig, loadSigningConfig } from './config.ts';
import { oid, seq, tlv } from './der.ts';
import { OID } from './oids.ts';
import { signMime, type SigningCredential } from './signer.ts';
import { rsaSignDigest } from './soft-token.ts';
import { createCa, issueSigningCertificate, type KeyedCertificate, type PkiUser } from './test-pki.ts';
import { trustAnchorsFromPem, verifyMessage, verifyMessageOnline } from './verify.ts';
import { certificatesFromPem } from './x509.ts';

const MARIE: PkiUser = { givenName: 'Marie', sn: 'Schmit', mail: 'marie.schmit@esante.lu' };

const message = Buffer.from(
  `From: Marie Schmit <${MARIE.mail}>\r\nTo: luc.hoffmann@esante.lu\r\nSubject: Compte rendu\r\n` +
    'MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nBonjour,\r\nle compte rendu suit.\r\n',
);
const der = (pem: string): Buffer => certificatesFromPem(pem)[0]!.der;

/** AuthorityInfoAccess with caIssuers URIs (RFC 5280 §4.2.2.1). */
function aiaExtension(...urls: string[]): { id: string; critical: boolean; value: Buffer } {
  return { id: OID.authorityInfoAccess, critical: false, value: seq(...urls.map((u) => seq(oid(OID.caIssuers), tlv(0x86, Buffer.from(u, 'latin1'))))) };
}

/** Signs with ONLY the leaf certificate in the message. */
function signAlone(leaf: KeyedCertificate): Promise<Buffer> {
  const k = createPrivateKey(leaf.keyPem);
  const credential: SigningCredential = { certificates: [der(leaf.certPem)], keyAlgorithm: 'rsa', signDigest: async (d) => rsaSignDigest(k, d) };
  return signMime(message, credential, { mail: MARIE.mail, now: new Date() });
}

describe('signature intermediates: configured bundle and AIA caIssuers', () => {
  let dir: string;
  let root: KeyedCertificate;
  let inter: KeyedCertificate;
  let rootFile: string;
  let server: Server;
  let base: string;
  const hits = new Map<string, number>();
  const routes = new Map<string, (req: IncomingMessage, res: ServerResponse) => void>();
  const slowSockets = new Set<ServerResponse>();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'esante-aia-'));
    root = await createCa('AIA Test Root');
    inter = await createCa('AIA Test Issuing CA', { issuer: root });
    rootFile = join(dir, 'root.pem');
    writeFileSync(rootFile, root.certPem);
    server = createServer((req, res) => {
      hits.set(req.url!, (hits.get(req.url!) ?? 0) + 1);
      const route = routes.get(req.url!);
      if (route) route(req, res);
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    routes.set('/inter.crt', (_req, res) => res.writeHead(200, { 'Content-Type': 'application/pkix-cert' }).end(der(inter.certPem)));
    routes.set('/inter.pem', (_req, res) => res.writeHead(200, { 'Content-Type': 'application/x-pem-file' }).end(inter.certPem));
    routes.set('/huge.crt', (_req, res) => res.writeHead(200).end(Buffer.concat([der(inter.certPem), Buffer.alloc(200 * 1024)])));
    routes.set('/slow.crt', (_req, res) => {
      slowSockets.add(res); // never answers
    });
  });
  after(async () => {
    for (const r of slowSockets) r.destroy();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  /** The signing service as the feature builds it: trust anchor = our root, revocation off. */
  async function service(env: Record<string, string>) {
    const dataDir = mkdtempSync(join(dir, 'data-'));
    const cfg = loadSigningConfig({ ESANTE_SIGNING_TRUST_ANCHORS: rootFile, ESANTE_SIGNING_REVOCATION: 'off', ...env }, dataDir);
    return (await createSigningFromConfig(cfg, { users: [] })).service;
  }

  test('without intermediates a signature carrying only its certificate is untrusted (the defect)', async () => {
    const leaf = await issueSigningCertificate(inter, MARIE);
    const r = verifyMessage(await signAlone(leaf), trustAnchorsFromPem(root.certPem));
    assert.equal(r.trusted, false);
    assert.equal(r.reason, 'signature.untrusted');
    assert.match(r.detail ?? '', /no issuer found/);
  });

  test('ESANTE_SIGNING_INTERMEDIATES completes the path to the trust anchor', async () => {
    const bundle = join(dir, 'intermediates.pem');
    writeFileSync(bundle, inter.certPem);
    const leaf = await issueSigningCertificate(inter, MARIE);
    const signed = await signAlone(leaf);
    const svc = await service({ ESANTE_SIGNING_INTERMEDIATES: bundle, ESANTE_SIGNING_AIA_FETCH: 'off' });
    for (const r of [svc.verify(signed), await svc.verifyOnline(signed)]) {
      assert.equal(r.valid, true, JSON.stringify(r));
      assert.equal(r.trusted, true);
      assert.deepEqual(r.chain.map((c) => c.subject.replace(/,.*/, '')), ['CN=Marie Schmit', 'CN=AIA Test Issuing CA', 'CN=AIA Test Root']);
    }
    // Without the bundle (and without AIA) the same message is untrusted.
    assert.equal((await service({ ESANTE_SIGNING_AIA_FETCH: 'off' })).verify(signed).trusted, false);
  });

  test('a bundle that holds no CA certificate is a clear configuration error', async () => {
    const empty = join(dir, 'empty.pem');
    writeFileSync(empty, 'nothing here\n');
    await assert.rejects(service({ ESANTE_SIGNING_INTERMEDIATES: empty }), /ESANTE_SIGNING_INTERMEDIATES: no certificate/);
    const leafOnly = join(dir, 'leaf.pem');
    writeFileSync(leafOnly, (await issueSigningCertificate(inter, MARIE)).certPem);
    await assert.rejects(service({ ESANTE_SIGNING_INTERMEDIATES: leafOnly }), /is not a CA certificate/);
    assert.throws(() => loadSigningConfig({ ESANTE_SIGNING_AIA_FETCH: 'maybe' }, dir), /ESANTE_SIGNING_AIA_FETCH="maybe" must be on or off/);
  });

  test('the issuer named by the AIA caIssuers URL is fetched once (DER or PEM), cached, and completes the path', async () => {
    for (const path of ['/inter.crt', '/inter.pem']) {
      const leaf = await issueSigningCertificate(inter, MARIE, { extraExtensions: [aiaExtension(`${base}${path}`)] });
      const signed = await signAlone(leaf);
      const svc = await service({});
      assert.equal(svc.verify(signed).trusted, false, 'offline verification never fetches');
      const before = hits.get(path) ?? 0;
      const online = await svc.verifyOnline(signed);
      assert.equal(online.valid, true, JSON.stringify(online));
      assert.equal(online.trustAnchor?.replace(/,.*/, ''), 'CN=AIA Test Root');
      assert.equal(online.chain.length, 3);
      assert.equal((await svc.verifyOnline(signed)).valid, true);
      assert.equal(svc.verify(signed).valid, true, 'offline verification uses what was fetched');
      assert.equal(hits.get(path), before + 1, `${path}: one request for three verifications`);
    }
  });

  test('a fetched issuer that does not lead to a configured trust anchor leaves the signature untrusted', async () => {
    const otherRoot = await createCa('Somebody Else Root');
    const otherInter = await createCa('Somebody Else CA', { issuer: otherRoot });
    routes.set('/other.crt', (_req, res) => res.end(der(otherInter.certPem)));
    const leaf = await issueSigningCertificate(otherInter, MARIE, { extraExtensions: [aiaExtension(`${base}/other.crt`)] });
    const r = await (await service({})).verifyOnline(await signAlone(leaf));
    assert.equal(hits.get('/other.crt'), 1);
    assert.equal(r.trusted, false);
    assert.equal(r.reason, 'signature.untrusted');
    // The fetched CA is used as a candidate only: the path stops at it (its root is nobody we trust).
    assert.equal(r.chain.length, 2);
    assert.match(r.detail ?? '', /no issuer found for CN=Somebody Else CA/);
  });

  test('AIA downloads are bounded in size and time', async () => {
    const svc = await service({ ESANTE_SIGNING_CRL_TIMEOUT_MS: '300' });
    const huge = await issueSigningCertificate(inter, MARIE, { extraExtensions: [aiaExtension(`${base}/huge.crt`)] });
    const rHuge = await svc.verifyOnline(await signAlone(huge));
    assert.equal(rHuge.trusted, false, 'a 200 KB answer is refused');
    const slow = await issueSigningCertificate(inter, MARIE, { extraExtensions: [aiaExtension(`${base}/slow.crt`)] });
    const started = Date.now();
    const rSlow = await svc.verifyOnline(await signAlone(slow));
    const took = Date.now() - started;
    assert.equal(rSlow.trusted, false);
    assert.ok(took >= 250 && took < 2_000, `gave up after ${took} ms`);
    // A failed URL is not retried at once.
    await svc.verifyOnline(await signAlone(slow));
    assert.equal(hits.get('/slow.crt'), 1);
  });

  test('no fetch for a signature its certificate’s key did not make', async () => {
    const leaf = await issueSigningCertificate(inter, MARIE, { extraExtensions: [aiaExtension(`${base}/never.crt`)] });
    // Flip the last byte of the CMS: for RSA without unsigned attributes, that is the signature value.
    const text = (await signAlone(leaf)).toString('latin1');
    const m = /Cryptographic Signature\r\n\r\n([A-Za-z0-9+/=\r\n]+?)--/.exec(text)!;
    const cms = Buffer.from(m[1]!.replace(/\s/g, ''), 'base64');
    cms[cms.length - 1] = cms[cms.length - 1]! ^ 0xff;
    const forged = Buffer.from(text.replace(m[1]!, `${cms.toString('base64').replace(/.{76}/g, '$&\r\n')}\r\n`), 'latin1');
    const r = await verifyMessageOnline(forged, trustAnchorsFromPem(root.certPem), { issuers: new IssuerFetcher() });
    assert.equal(r.reason, 'signature.invalid');
    assert.equal(r.signatureValueOk, false);
    assert.equal(hits.get('/never.crt'), undefined);
  });

  test('an http(s) AIA URL only: other schemes are never fetched', async () => {
    const leaf = await issueSigningCertificate(inter, MARIE, { extraExtensions: [aiaExtension('ldap://ldap.example/cn=CA?cACertificate', 'file:///etc/passwd', `${base}/inter.crt`)] });
    assert.deepEqual(certificatesFromPem(leaf.certPem)[0]!.caIssuers, [`${base}/inter.crt`]);
  });
});
