/**
 * Revocation checking of signatures through CRLs (crl.ts + verify.ts), with real keys, real CRLs
 * (checked by `openssl crl -verify`), a real local HTTP server for distribution points, and the
 * embedded test PKI's CRLs and revoked test card.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signatureReasonText } from '../../../shared/signing/reasons.ts';
import { createSigningFromConfig, loadSigningConfig } from './config.ts';
import { CrlFetcher, createCrlChecker, decodeCrl, issueCrl, parseCrl, type CrlRevocation } from './crl.ts';
import { context, seq, tlv } from './der.ts';
import { localizeReport } from './feature.ts';
import { OID } from './oids.ts';
import { revokedSampleMessage } from '../../../scripts/send-revoked-signature.ts';
import { signMime, type SigningCredential } from './signer.ts';
import { rsaSignDigest } from './soft-token.ts';
import { createCa, ensureTestPki, issueSigningCertificate, type KeyedCertificate, type PkiUser, type TestPki } from './test-pki.ts';
import { trustAnchorsFromPem, verifyMessage, verifyMessageOnline, type RevocationOptions, type TrustAnchors } from './verify.ts';
import { certificatesFromPem, serialHex, toPem } from './x509.ts';

const MARIE: PkiUser = { givenName: 'Marie', sn: 'Schmit', mail: 'marie.schmit@esante.lu' };
const LUC: PkiUser = { givenName: 'Luc', sn: 'Hoffmann', mail: 'luc.hoffmann@esante.lu' };
const HOUR = 3600_000;
const DAY = 24 * HOUR;

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'esante-crl-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function message(from = MARIE.mail): Buffer {
  return Buffer.from(
    `From: Marie Schmit <${from}>\r\nTo: ${LUC.mail}\r\nSubject: Compte rendu\r\nDate: Sun, 29 Nov 2026 06:00:00 +0100\r\n` +
      'MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nBonjour,\r\nle compte rendu suit.\r\n',
  );
}

const der = (pem: string): Buffer => certificatesFromPem(pem)[0]!.der;
const serialOf = (pem: string): string => serialHex(certificatesFromPem(pem)[0]!);

/** Signs as `leaf` (chain: leaf + intermediates) with the claimed signing time `at`. */
function sign(leaf: KeyedCertificate, chain: string[], at: Date, from = MARIE.mail): Promise<Buffer> {
  const key = createPrivateKey(leaf.keyPem);
  const credential: SigningCredential = { certificates: [der(leaf.certPem), ...chain.map(der)], keyAlgorithm: 'rsa', signDigest: async (d) => rsaSignDigest(key, d) };
  return signMime(message(from), credential, { mail: from, now: at });
}

/** A fresh directory holding these CRLs, and a checker reading it (no network). */
function localChecker(crls: Buffer[], unknown: 'accept' | 'reject' = 'accept'): RevocationOptions {
  const d = mkdtempSync(join(dir, 'crls-'));
  crls.forEach((c, i) => writeFileSync(join(d, `${i}.crl`), c));
  return { checker: createCrlChecker({ dirs: [d] }), unknown };
}

function writePem(name: string, pem: string): string {
  const f = join(dir, name);
  writeFileSync(f, pem);
  return f;
}

/** RFC 5280 §4.2.1.13: one DistributionPoint with a fullName URI. */
function cdpExtension(url: string): { id: string; critical: boolean; value: Buffer } {
  return { id: OID.crlDistributionPoints, critical: false, value: seq(seq(context(0, context(0, tlv(0x86, Buffer.from(url, 'latin1')))))) };
}

describe('CRLs and a two-level CA (root → signing CA → signer)', () => {
  let root: KeyedCertificate;
  let inter: KeyedCertificate;
  let marie: KeyedCertificate;
  let other: KeyedCertificate;
  let anchors: TrustAnchors;
  const now = new Date();
  const valid = { thisUpdate: new Date(now.getTime() - HOUR), nextUpdate: new Date(now.getTime() + DAY) };
  let rootCrl: Buffer;
  const interCrl = (revoked: CrlRevocation[], o: Partial<Parameters<typeof issueCrl>[2]> = {}): Buffer => issueCrl(inter, revoked, { ...valid, crlNumber: 2, ...o });

  before(async () => {
    root = await createCa('CRL Test Root', { notBefore: new Date(now.getTime() - 30 * DAY) });
    inter = await createCa('CRL Test Signing CA', { issuer: root, pathLen: 0, notBefore: new Date(now.getTime() - 30 * DAY) });
    marie = await issueSigningCertificate(inter, MARIE, { notBefore: new Date(now.getTime() - 10 * DAY) });
    other = await createCa('Another CA');
    anchors = trustAnchorsFromPem(root.certPem);
    rootCrl = issueCrl(root, [], { ...valid, crlNumber: 1 });
  });

  test('openssl crl -verify accepts the CRLs issueCrl makes, and reads the same entries we do', () => {
    const crl = interCrl([{ serial: serialOf(marie.certPem), revocationDate: new Date(now.getTime() - HOUR), reason: 'keyCompromise', invalidityDate: new Date(now.getTime() - 2 * HOUR) }]);
    const file = join(dir, 'inter.crl');
    writeFileSync(file, crl);
    const r = spawnSync('openssl', ['crl', '-inform', 'DER', '-in', file, '-CAfile', writePem('inter.pem', inter.certPem), '-noout', '-text', '-verify']);
    assert.equal(r.status, 0, r.stderr.toString());
    assert.match(r.stderr.toString() + r.stdout.toString(), /verify OK/);
    assert.match(r.stdout.toString(), new RegExp(`Serial Number: ${serialOf(marie.certPem)}`));
    assert.match(r.stdout.toString(), /Key Compromise/);
    assert.match(r.stdout.toString(), /Invalidity Date/);
    const parsed = parseCrl(crl);
    assert.equal(parsed.entries.get(serialOf(marie.certPem))?.reason, 'keyCompromise');
    assert.equal(parsed.crlNumber, '02');
    // PEM is read as well as DER.
    assert.equal(decodeCrl(Buffer.from(toPem(crl, 'X509 CRL'))).entries.size, 1);
    assert.throws(() => decodeCrl(Buffer.from('not a CRL')), /neither a DER nor a PEM CRL/);
    assert.throws(() => parseCrl(crl.subarray(0, crl.length - 10)));
  });

  test('not on the CRLs: valid, revocation checked and good', async () => {
    const signed = await sign(marie, [inter.certPem], now);
    const r = verifyMessage(signed, anchors, { now, revocation: localChecker([rootCrl, interCrl([])]) });
    assert.equal(r.valid, true, JSON.stringify(r));
    assert.equal(r.revocationStatus, 'good');
    assert.equal(r.revocationChecked, true);
  });

  test('revoked before signing: invalid, signature.revoked with the date and the reason', async () => {
    const revokedAt = new Date(Math.floor((now.getTime() - HOUR) / 1000) * 1000);
    const signed = await sign(marie, [inter.certPem], now);
    const r = verifyMessage(signed, anchors, { now, revocation: localChecker([rootCrl, interCrl([{ serial: serialOf(marie.certPem), revocationDate: revokedAt, reason: 'keyCompromise' }])]) });
    assert.equal(r.valid, false);
    assert.equal(r.reason, 'signature.revoked');
    assert.equal(r.revocationStatus, 'revoked');
    assert.equal(r.revocationChecked, true);
    assert.equal(r.revokedAt, revokedAt.toISOString());
    assert.equal(r.revocationReason, 'keyCompromise');
    assert.match(r.revokedSubject!, /^CN=Marie Schmit,/);
    assert.deepEqual(r.reasonArgs, [MARIE.mail, revokedAt.toISOString()]);
    // The service shows the date in the reader's language (Luxembourg time).
    const fr = localizeReport(r, 'fr');
    const text = signatureReasonText('signature.revoked', 'fr', ...fr.reasonArgs);
    assert.match(text, /^Le certificat du signataire .* a été révoqué le \d{2}\/\d{2}\/\d{4} à \d{2}:\d{2}, avant la date de signature/);
    assert.match(signatureReasonText('signature.revoked', 'de', ...localizeReport(r, 'de').reasonArgs), /am \d{2}\.\d{2}\.\d{4} um \d{2}:\d{2} widerrufen/);
  });

  test('revoked after signing: still valid, and the report carries the revocation date', async () => {
    const signedAt = new Date(now.getTime() - 3 * HOUR);
    const revokedAt = new Date(Math.floor((now.getTime() - HOUR) / 1000) * 1000);
    const signed = await sign(marie, [inter.certPem], signedAt);
    const r = verifyMessage(signed, anchors, { now, revocation: localChecker([rootCrl, interCrl([{ serial: serialOf(marie.certPem), revocationDate: revokedAt, reason: 'superseded' }])]) });
    assert.equal(r.valid, true, JSON.stringify(r));
    assert.equal(r.revocationStatus, 'revoked_after_signing');
    assert.equal(r.revocationChecked, true);
    assert.equal(r.revokedAt, revokedAt.toISOString());
    assert.equal(r.revocationReason, 'superseded');
    // …unless the CA says the key was compromised before the signing time (invalidityDate).
    const compromised = interCrl([{ serial: serialOf(marie.certPem), revocationDate: revokedAt, reason: 'keyCompromise', invalidityDate: new Date(signedAt.getTime() - HOUR) }]);
    const r2 = verifyMessage(signed, anchors, { now, revocation: localChecker([rootCrl, compromised]) });
    assert.equal(r2.reason, 'signature.revoked');
  });

  test('a revoked intermediate CA revokes every signature under it', async () => {
    const signed = await sign(marie, [inter.certPem], now);
    const revokedRoot = issueCrl(root, [{ serial: serialOf(inter.certPem), revocationDate: new Date(now.getTime() - DAY), reason: 'cACompromise' }], { ...valid, crlNumber: 3 });
    const r = verifyMessage(signed, anchors, { now, revocation: localChecker([revokedRoot, interCrl([])]) });
    assert.equal(r.reason, 'signature.revoked');
    assert.match(r.revokedSubject!, /CRL Test Signing CA/);
  });

  test('a CRL with a bad signature, expired, not yet valid, for another issuer or with an unknown critical extension is ignored: status unknown, never good', async () => {
    const signed = await sign(marie, [inter.certPem], now);
    const good = interCrl([]);
    const badSig = Buffer.from(good);
    badSig[badSig.length - 1]! ^= 0x01;
    const expired = interCrl([], { thisUpdate: new Date(now.getTime() - 10 * DAY), nextUpdate: new Date(now.getTime() - DAY) });
    const future = interCrl([], { thisUpdate: new Date(now.getTime() + DAY), nextUpdate: new Date(now.getTime() + 2 * DAY) });
    const otherIssuer = issueCrl(other, [], { ...valid, crlNumber: 1 });
    const critical = interCrl([], { extraCrlExtensions: [{ id: OID.deltaCrlIndicator, critical: true, value: tlv(0x02, Buffer.from([1])) }] });
    // Signed by the root (a valid signature, but the wrong CRL for the signing CA's certificates).
    const wrongSigner = issueCrl({ certPem: inter.certPem, keyPem: root.keyPem }, [], { ...valid, crlNumber: 9 });
    for (const [name, crl] of Object.entries({ badSig, expired, future, otherIssuer, critical, wrongSigner })) {
      const r = verifyMessage(signed, anchors, { now, revocation: localChecker([rootCrl, crl]) });
      assert.equal(r.revocationStatus, 'unknown', name);
      assert.equal(r.revocationChecked, false, name);
      assert.equal(r.valid, true, `${name}: unknown is accepted by default`);
      assert.match(r.detail ?? '', /revocation not checked/, name);
      const strict = verifyMessage(signed, anchors, { now, revocation: localChecker([rootCrl, crl], 'reject') });
      assert.equal(strict.valid, false, name);
      assert.equal(strict.reason, 'signature.revocation_unknown', name);
    }
    // A bad-signature CRL that lists the certificate does not count as "revoked" either: unknown.
    const forgedRevoked = interCrl([{ serial: serialOf(marie.certPem), revocationDate: new Date(now.getTime() - HOUR) }]);
    forgedRevoked[forgedRevoked.length - 1]! ^= 0x01;
    assert.equal(verifyMessage(signed, anchors, { now, revocation: localChecker([rootCrl, forgedRevoked]) }).revocationStatus, 'unknown');
    // The newest valid CRL wins over an older one.
    const older = interCrl([{ serial: serialOf(marie.certPem), revocationDate: new Date(now.getTime() - HOUR), reason: 'certificateHold' }], { thisUpdate: new Date(now.getTime() - 2 * HOUR) });
    const released = interCrl([], { thisUpdate: new Date(now.getTime() - HOUR / 2), crlNumber: 5 });
    assert.equal(verifyMessage(signed, anchors, { now, revocation: localChecker([rootCrl, older, released]) }).revocationStatus, 'good');
  });

  test('without a checker, or for an untrusted chain, revocation is "not_checked"', async () => {
    const signed = await sign(marie, [inter.certPem], now);
    const r = verifyMessage(signed, anchors, { now });
    assert.equal(r.revocationStatus, 'not_checked');
    assert.equal(r.revocationChecked, false);
    const untrusted = verifyMessage(signed, trustAnchorsFromPem(other.certPem), { now, revocation: localChecker([rootCrl, interCrl([])]) });
    assert.equal(untrusted.reason, 'signature.untrusted');
    assert.equal(untrusted.revocationStatus, 'not_checked');
  });
});

describe('CRL distribution points over HTTP', () => {
  let server: Server;
  let base: string;
  let ca: KeyedCertificate;
  let anchors: TrustAnchors;
  const now = new Date();
  let crlBody: Buffer;
  const hits: Record<string, number> = {};

  before(async () => {
    server = createServer((req, res) => {
      const path = req.url ?? '';
      hits[path] = (hits[path] ?? 0) + 1;
      if (path === '/ca.crl') {
        res.writeHead(200, { 'content-type': 'application/pkix-crl' }).end(crlBody);
      } else if (path === '/ca.pem.crl') {
        res.writeHead(200, { 'content-type': 'application/x-pem-file' }).end(toPem(crlBody, 'X509 CRL'));
      } else if (path === '/slow.crl') {
        // Never answers: the client's timeout must end it.
        req.on('close', () => res.destroy());
      } else if (path === '/big.crl') {
        // No Content-Length (chunked): the cap must apply while reading.
        res.writeHead(200);
        const chunk = Buffer.alloc(4096, 0x30);
        let sent = 0;
        const push = (): void => {
          if (sent++ < 64 && !res.destroyed) res.write(chunk, push);
          else res.end();
        };
        push();
      } else if (path === '/big-declared.crl') {
        res.writeHead(200, { 'content-length': String(1 << 20) });
        res.end(Buffer.alloc(1 << 20));
      } else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    ca = await createCa('CDP Test CA', { notBefore: new Date(now.getTime() - 30 * DAY) });
    anchors = trustAnchorsFromPem(ca.certPem);
    crlBody = issueCrl(ca, [], { thisUpdate: new Date(now.getTime() - HOUR), nextUpdate: new Date(now.getTime() + DAY), crlNumber: 1 });
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  async function signerWithCdp(path: string): Promise<KeyedCertificate> {
    return issueSigningCertificate(ca, MARIE, { notBefore: new Date(now.getTime() - DAY), extraExtensions: [cdpExtension(`${base}${path}`)] });
  }

  test('fetches the CRL of the distribution point, then uses the cache until nextUpdate', async () => {
    const leaf = await signerWithCdp('/ca.crl');
    const signed = await sign(leaf, [], now);
    let clock = now;
    const fetcher = new CrlFetcher({ now: () => clock });
    const revocation: RevocationOptions = { checker: createCrlChecker({ fetcher }), unknown: 'accept' };
    // Without the network (synchronous verify) nothing is at hand yet.
    assert.equal(verifyMessage(signed, anchors, { now, revocation }).revocationStatus, 'unknown');
    const r = await verifyMessageOnline(signed, anchors, { now, revocation });
    assert.equal(r.revocationStatus, 'good', JSON.stringify(r));
    assert.equal(hits['/ca.crl'], 1);
    // Again, an hour later: still before nextUpdate, no new request.
    clock = new Date(now.getTime() + HOUR);
    assert.equal((await verifyMessageOnline(signed, anchors, { now: clock, revocation })).revocationStatus, 'good');
    assert.equal(verifyMessage(signed, anchors, { now: clock, revocation }).revocationStatus, 'good', 'the cached CRL serves the offline check too');
    assert.equal(hits['/ca.crl'], 1);
    assert.equal(fetcher.requests, 1);
    // After nextUpdate the CRL is fetched again (here the server still has the old one: unknown, and no retry storm).
    clock = new Date(now.getTime() + 2 * DAY);
    const late = await verifyMessageOnline(signed, anchors, { now: clock, revocation });
    assert.equal(hits['/ca.crl'], 2);
    assert.equal(late.revocationStatus, 'unknown');
    await verifyMessageOnline(signed, anchors, { now: clock, revocation });
    assert.equal(hits['/ca.crl'], 2, 'a CRL that was just found outdated is not fetched again at once');
  });

  test('a revoked certificate is found through its distribution point (PEM served)', async () => {
    const leaf = await signerWithCdp('/ca.pem.crl');
    const signed = await sign(leaf, [], now);
    crlBody = issueCrl(ca, [{ serial: serialOf(leaf.certPem), revocationDate: new Date(now.getTime() - HOUR), reason: 'keyCompromise' }], { thisUpdate: new Date(now.getTime() - HOUR), nextUpdate: new Date(now.getTime() + DAY), crlNumber: 2 });
    const r = await verifyMessageOnline(signed, anchors, { now, revocation: { checker: createCrlChecker({ fetcher: new CrlFetcher() }), unknown: 'accept' } });
    assert.equal(r.reason, 'signature.revoked');
    assert.equal(r.revocationReason, 'keyCompromise');
  });

  test('a distribution point that does not answer in time, or sends too much, leaves the status unknown', async () => {
    for (const path of ['/slow.crl', '/big.crl', '/big-declared.crl', '/missing.crl']) {
      const leaf = await signerWithCdp(path);
      const signed = await sign(leaf, [], now);
      const fetcher = new CrlFetcher({ timeoutMs: 300, maxBytes: 64 * 1024 });
      const started = Date.now();
      const r = await verifyMessageOnline(signed, anchors, { now, revocation: { checker: createCrlChecker({ fetcher }), unknown: 'reject' } });
      assert.ok(Date.now() - started < 3000, `${path}: took ${Date.now() - started} ms`);
      assert.equal(r.revocationStatus, 'unknown', path);
      assert.equal(r.reason, 'signature.revocation_unknown', path);
    }
    assert.ok((hits['/big.crl'] ?? 0) >= 1 && (hits['/slow.crl'] ?? 0) >= 1);
  });

  test('a certificate not chaining to a trust anchor makes no request', async () => {
    const stranger = await createCa('Stranger CA');
    const leaf = await issueSigningCertificate(stranger, MARIE, { extraExtensions: [cdpExtension(`${base}/stranger.crl`)] });
    const signed = await sign(leaf, [], now);
    const r = await verifyMessageOnline(signed, anchors, { now, revocation: { checker: createCrlChecker({ fetcher: new CrlFetcher() }), unknown: 'accept' } });
    assert.equal(r.reason, 'signature.untrusted');
    assert.equal(hits['/stranger.crl'], undefined);
  });
});

describe('the embedded test PKI', () => {
  let pki: TestPki;
  let dataDir: string;
  before(async () => {
    dataDir = join(dir, 'pki-data');
    mkdirSync(dataDir);
    pki = await ensureTestPki(dataDir, [MARIE, LUC]);
  });

  test('issues CRLs for both test CAs that openssl verifies; only the revoked test card is listed', () => {
    const pkiDir = join(dataDir, 'signing', 'pki');
    for (const [crl, caFile] of [['root.crl', 'root.pem'], ['intermediate.crl', 'intermediate.pem']] as const) {
      const r = spawnSync('openssl', ['crl', '-inform', 'DER', '-in', join(pki.crlDir, crl), '-CAfile', join(pkiDir, caFile), '-noout', '-verify']);
      assert.equal(r.status, 0, `${crl}: ${r.stderr.toString()}`);
    }
    const inter = decodeCrl(readFileSync(join(pki.crlDir, 'intermediate.crl')));
    const card = pki.revokedCard()!;
    assert.equal(card.mail, MARIE.mail);
    assert.deepEqual([...inter.entries.keys()], [serialOf(card.certPem)]);
    assert.equal(inter.entries.get(serialOf(card.certPem))?.reason, 'keyCompromise');
    for (const u of [MARIE, LUC]) assert.ok(!inter.entries.has(serialOf(pki.userCertPem(u.mail)!)), `${u.mail} stays valid`);
    assert.equal(decodeCrl(readFileSync(join(pki.crlDir, 'root.crl'))).entries.size, 0);
  });

  test('through the service built from the environment: the seeded signer is good, the revoked card is revoked', async () => {
    const { service } = await createSigningFromConfig(loadSigningConfig({}, dataDir), { users: [MARIE, LUC] });
    const good = await service.sign({ name: MARIE.mail, authMethod: 'card' }, message());
    const ok = await service.verifyOnline(good);
    assert.equal(ok.valid, true, JSON.stringify(ok));
    assert.equal(ok.revocationStatus, 'good');
    const card = pki.revokedCard()!;
    // What `npm run sandbox:send-revoked-signature` delivers.
    const bad = await revokedSampleMessage(card, LUC.mail);
    const r = await service.verifyOnline(bad);
    assert.equal(r.reason, 'signature.revoked');
    assert.equal(r.signer?.mail, MARIE.mail, 'same person, old card');
    assert.equal(r.revokedAt, card.revokedAt.toISOString());
    // Revocation checking off: the report says so and keeps the old behaviour.
    const off = (await createSigningFromConfig(loadSigningConfig({ ESANTE_SIGNING_REVOCATION: 'off' }, dataDir), { users: [MARIE, LUC] })).service;
    const rOff = await off.verifyOnline(bad);
    assert.equal(rOff.valid, true);
    assert.equal(rOff.revocationStatus, 'not_checked');
    // An empty CRL directory and no distribution point: unknown; refused when configured so.
    const empty = mkdtempSync(join(dir, 'empty-crl-'));
    const strict = (await createSigningFromConfig(loadSigningConfig({ ESANTE_SIGNING_CRL_DIR: empty, ESANTE_SIGNING_REVOCATION_UNKNOWN: 'reject' }, dataDir), { users: [MARIE, LUC] })).service;
    const rStrict = await strict.verifyOnline(good);
    assert.equal(rStrict.revocationStatus, 'unknown');
    assert.equal(rStrict.reason, 'signature.revocation_unknown');
  });

  test('CRLs are re-issued once half their validity has passed, and a restart keeps the revoked card', async () => {
    assert.equal(pki.refreshCrls(), false, 'fresh CRLs are kept');
    const before = readFileSync(join(pki.crlDir, 'intermediate.crl'));
    assert.equal(pki.refreshCrls({ now: new Date(Date.now() + 4 * DAY) }), true);
    const after = decodeCrl(readFileSync(join(pki.crlDir, 'intermediate.crl')));
    assert.ok(after.nextUpdate!.getTime() > decodeCrl(before).nextUpdate!.getTime());
    assert.ok(BigInt(`0x${after.crlNumber}`) > BigInt(`0x${decodeCrl(before).crlNumber}`), 'CRL numbers increase');
    const card = pki.revokedCard()!;
    const again = await ensureTestPki(dataDir, [MARIE, LUC]);
    assert.equal(again.revokedCard()!.certPem, card.certPem);
    assert.deepEqual([...decodeCrl(readFileSync(join(again.crlDir, 'intermediate.crl'))).entries.keys()], [serialOf(card.certPem)]);
  });
});

test('configuration: revocation variables are read and checked', () => {
  const c = loadSigningConfig({}, '/data');
  assert.deepEqual(c.revocation, { mode: 'crl', fetch: true, ocsp: true, timeoutMs: 5000, maxBytes: 10 * 1024 * 1024, unknown: 'accept' });
  assert.equal(loadSigningConfig({ ESANTE_SIGNING_OCSP: 'off' }, '/data').revocation.ocsp, false);
  assert.throws(() => loadSigningConfig({ ESANTE_SIGNING_OCSP: 'maybe' }, '/data'), /ESANTE_SIGNING_OCSP/);
  const d = loadSigningConfig({ ESANTE_SIGNING_CRL_DIR: 'crl', ESANTE_SIGNING_CRL_FETCH: 'off', ESANTE_SIGNING_REVOCATION_UNKNOWN: 'reject', ESANTE_SIGNING_CRL_TIMEOUT_MS: '2000' }, '/data', '/etc/esante');
  assert.equal(d.revocation.crlDir, '/etc/esante/crl');
  assert.equal(d.revocation.fetch, false);
  assert.equal(d.revocation.unknown, 'reject');
  assert.equal(d.revocation.timeoutMs, 2000);
  assert.throws(
    () => loadSigningConfig({ ESANTE_SIGNING_REVOCATION: 'ocsp', ESANTE_SIGNING_CRL_FETCH: 'yes', ESANTE_SIGNING_REVOCATION_UNKNOWN: 'ignore', ESANTE_SIGNING_CRL_MAX_BYTES: '12' }, '/data'),
    (e: Error) => ['ESANTE_SIGNING_REVOCATION=', 'ESANTE_SIGNING_CRL_FETCH', 'ESANTE_SIGNING_REVOCATION_UNKNOWN', 'ESANTE_SIGNING_CRL_MAX_BYTES'].every((n) => e.message.includes(n)),
  );
});
