/**
 * OCSP against a real responder (issue 15, acceptance 5): `openssl ocsp -index … -port …` started by
 * the test with a delegated responder certificate, for certificates whose AIA names it. Good,
 * revoked and unknown answers; a responder that is down (the CRL answers); forged answers (altered
 * signature, replayed with another nonce, signed by a responder another CA certified).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort } from '../../test/support/free-port.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createCrlChecker, issueCrl, type RevocationChecker } from './crl.ts';
import { oid, seq, tlv } from './der.ts';
import { OID } from './oids.ts';
import { OcspClient, certIdOf, createOcspChecker, ocspProblem, ocspRequest, parseOcspResponse } from './ocsp.ts';
import { createCa, issueSigningCertificate, type KeyedCertificate } from './test-pki.ts';
import { trustAnchorsFromPem, verifyMessageOnline } from './verify.ts';
import { certificatesFromPem, type ParsedCertificate } from './x509.ts';
import { spawnSync } from 'node:child_process';

const parse = (k: KeyedCertificate): ParsedCertificate => certificatesFromPem(k.certPem)[0]!;
const aia = (url: string) => ({ id: OID.authorityInfoAccess, critical: false, value: seq(seq(oid(OID.ocsp), tlv(0x86, Buffer.from(url, 'latin1')))) });
const ekuOcsp = { id: OID.extKeyUsage, critical: false, value: seq(oid(OID.ocspSigning)) };
/** openssl's index serial: BN_bn2hex of the serial, upper case without leading zero octets. */
const indexSerial = (c: ParsedCertificate) => {
  let b = c.serial;
  while (b.length > 1 && b[0] === 0) b = b.subarray(1);
  return b.toString('hex').toUpperCase();
};
const indexTime = (d: Date) => d.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';


/** Starts `openssl ocsp` as a responder and resolves once it accepts connections (its "ACCEPT" line). */
function startResponder(dir: string, port: number, signer: string, signerKey: string, ca: string): Promise<ChildProcess> {
  const child = spawn('openssl', ['ocsp', '-index', join(dir, 'index.txt'), '-port', String(port), '-rsigner', signer, '-rkey', signerKey, '-CA', ca, '-nmin', '60'], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (d: Buffer) => {
      seen += d.toString();
      if (/ACCEPT/.test(seen)) resolve(child);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`openssl ocsp exited (${code}): ${seen}`)));
  });
}

describe('OCSP (RFC 6960) against openssl ocsp', () => {
  const dir = mkdtempSync(join(tmpdir(), 'esante-ocsp-'));
  let port: number;
  let roguePort: number;
  let downPort: number;
  let responder: ChildProcess;
  let rogue: ChildProcess;
  let ca: KeyedCertificate;
  let caCert: ParsedCertificate;
  let good: ParsedCertificate;
  let goodKeyed: KeyedCertificate;
  let downKeyed: KeyedCertificate;
  let revoked: ParsedCertificate;
  let unknown: ParsedCertificate;
  let down: ParsedCertificate;
  let forgedCerts: ParsedCertificate[];
  let forger: Server;
  let forgerMode: 'flip' | 'replay' = 'flip';
  let captured: Buffer;
  const revokedAt = new Date(Date.now() - 3_600_000);
  const user = (n: string) => ({ givenName: n, sn: 'Test', mail: `${n.toLowerCase()}@esante.lu` });

  before(async () => {
    [port, roguePort, downPort] = await Promise.all([freePort(), freePort(), freePort()]);
    ca = await createCa('OCSP TEST CA');
    caCert = parse(ca);
    const url = `http://127.0.0.1:${port}/`;
    const responderCert = await issueSigningCertificate(ca, user('Responder'), { extKeyUsage: [], keyUsage: { digitalSignature: true }, extraExtensions: [ekuOcsp] });
    goodKeyed = await issueSigningCertificate(ca, user('Good'), { extraExtensions: [aia(url)] });
    good = parse(goodKeyed);
    revoked = parse(await issueSigningCertificate(ca, user('Revoked'), { extraExtensions: [aia(url)] }));
    unknown = parse(await issueSigningCertificate(ca, user('Unknown'), { extraExtensions: [aia(url)] }));
    downKeyed = await issueSigningCertificate(ca, user('Down'), { extraExtensions: [aia(`http://127.0.0.1:${downPort}/`)] });
    down = parse(downKeyed);
    // Another CA certifies a "responder" for our CA's certificates: a forgery the CA never authorised.
    const otherCa = await createCa('ROGUE CA');
    const rogueResponder = await issueSigningCertificate(otherCa, user('Rogue'), { extKeyUsage: [], keyUsage: { digitalSignature: true }, extraExtensions: [ekuOcsp] });
    forgedCerts = await Promise.all(
      ['Flip', 'Replay', 'RogueSigned'].map(async (n, i) => parse(await issueSigningCertificate(ca, user(n), { extraExtensions: [aia(i < 2 ? 'http://127.0.0.1:0/' : `http://127.0.0.1:${roguePort}/`)] }))),
    );
    const expiry = indexTime(new Date(Date.now() + 365 * 86_400_000));
    const line = (c: ParsedCertificate, status = 'V', rev = '') => `${status}\t${expiry}\t${rev}\t${indexSerial(c)}\tunknown\t/CN=${c.serial.toString('hex')}\n`;
    writeFileSync(
      join(dir, 'index.txt'),
      line(good) + line(revoked, 'R', `${indexTime(revokedAt)},keyCompromise`) + line(down) + forgedCerts.map((c) => line(c)).join(''),
    );
    for (const [name, pem] of [['ca.pem', ca.certPem], ['resp.pem', responderCert.certPem], ['resp.key', responderCert.keyPem], ['rogue.pem', rogueResponder.certPem], ['rogue.key', rogueResponder.keyPem]] as const) writeFileSync(join(dir, name), pem);
    // The CRL that answers when the responder cannot: it lists the "down" certificate as revoked.
    writeFileSync(join(dir, 'ca.crl'), issueCrl(ca, [{ serial: down.serial.toString('hex'), revocationDate: revokedAt, reason: 'superseded' }], { thisUpdate: new Date(Date.now() - 60_000), nextUpdate: new Date(Date.now() + 86_400_000), crlNumber: 1 }));
    responder = await startResponder(dir, port, join(dir, 'resp.pem'), join(dir, 'resp.key'), join(dir, 'ca.pem'));
    rogue = await startResponder(dir, roguePort, join(dir, 'rogue.pem'), join(dir, 'rogue.key'), join(dir, 'ca.pem'));
    // A genuine answer for the "Flip"/"Replay" certificates, fetched once, then served altered or replayed.
    const id = certIdOf(forgedCerts[0]!, caCert);
    const flipReq = ocspRequest(id, Buffer.alloc(32, 7));
    captured = Buffer.from(await (await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', headers: { 'content-type': 'application/ocsp-request' }, body: new Uint8Array(flipReq) })).arrayBuffer());
    const replayId = certIdOf(forgedCerts[1]!, caCert);
    const replayed = Buffer.from(await (await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', headers: { 'content-type': 'application/ocsp-request' }, body: new Uint8Array(ocspRequest(replayId, Buffer.alloc(32, 9))) })).arrayBuffer());
    forger = createHttpServer((req, res) => {
      req.resume();
      req.on('end', () => {
        let body = forgerMode === 'replay' ? replayed : Buffer.from(captured);
        if (forgerMode === 'flip') {
          body = Buffer.from(captured);
          const at = body.indexOf(parseOcspResponse(captured).signature) + 10;
          body[at] = body[at]! ^ 0x01; // one bit of the response's signature
        }
        res.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(body);
      });
    });
    await new Promise<void>((r) => forger.listen(0, '127.0.0.1', r));
  });
  after(async () => {
    responder?.kill();
    rogue?.kill();
    await new Promise((r) => (forger ? forger.close(r) : r(undefined)));
    rmSync(dir, { recursive: true, force: true });
  });

  const checker = (client: OcspClient): RevocationChecker => createOcspChecker(client, createCrlChecker({ dirs: [dir] }));

  test('good: answered by OCSP (nonce echoed, signed by the delegated responder), cached until nextUpdate', async () => {
    const client = new OcspClient();
    const c = checker(client);
    await c.prepare([[good, caCert]], new Date());
    const res = c.statusOf(good, caCert, new Date());
    assert.equal(res.status, 'good');
    assert.equal(res.via, 'ocsp');
    assert.equal(res.source, `http://127.0.0.1:${port}/`);
    assert.equal(client.requests, 1);
    await c.prepare([[good, caCert]], new Date());
    assert.equal(client.requests, 1, 'cached: no second request before nextUpdate');
    // openssl -nmin 60: the answer is not used past its nextUpdate.
    assert.equal(c.statusOf(good, caCert, new Date(Date.now() + 61 * 60_000)).via, 'crl');
  });

  test('revoked: the date and reason from the responder', async () => {
    const c = checker(new OcspClient());
    await c.prepare([[revoked, caCert]], new Date());
    const res = c.statusOf(revoked, caCert, new Date());
    assert.equal(res.status, 'revoked');
    assert.equal(res.via, 'ocsp');
    assert.equal(res.reason, 'keyCompromise');
    assert.equal(res.revokedAt?.toISOString(), new Date(Math.floor(revokedAt.getTime() / 1000) * 1000).toISOString());
  });

  test('unknown: the responder does not know it; the CRL decides (here: good, not listed), and the report keeps why', async () => {
    const c = checker(new OcspClient());
    await c.prepare([[unknown, caCert]], new Date());
    const res = c.statusOf(unknown, caCert, new Date());
    assert.equal(res.via, 'crl');
    assert.equal(res.status, 'good');
    assert.ok(res.problems.some((p) => /does not know this certificate/.test(p)), res.problems.join('; '));
  });

  test('responder down: bounded, falls back to the CRL (which says revoked), not asked again at once', async () => {
    const client = new OcspClient({ timeoutMs: 1_000 });
    const c = checker(client);
    const t0 = performance.now();
    await c.prepare([[down, caCert]], new Date());
    assert.ok(performance.now() - t0 < 1_500);
    const res = c.statusOf(down, caCert, new Date());
    assert.equal(res.status, 'revoked');
    assert.equal(res.via, 'crl');
    assert.equal(res.reason, 'superseded');
    assert.ok(res.problems.some((p) => p.startsWith(`OCSP http://127.0.0.1:${downPort}/`)));
    await c.prepare([[down, caCert]], new Date());
    assert.equal(client.requests, 1, 'a down responder is not asked again within retryAfterMs');
  });

  test('a responder that never answers is given up after the time bound; the CRL answers', async () => {
    const hanging = createHttpServer(() => undefined); // reads the request, never answers
    await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', r));
    try {
      const { port: hangPort } = hanging.address() as AddressInfo;
      const slow = { ...down, ocsp: [`http://127.0.0.1:${hangPort}/`] };
      const c = checker(new OcspClient({ timeoutMs: 300 }));
      const t0 = performance.now();
      await c.prepare([[slow, caCert]], new Date());
      const ms = performance.now() - t0;
      assert.ok(ms >= 250 && ms < 2_000, `${Math.round(ms)} ms`);
      const res = c.statusOf(slow, caCert, new Date());
      assert.equal(res.via, 'crl');
      assert.equal(res.status, 'revoked');
    } finally {
      hanging.closeAllConnections();
      await new Promise((r) => hanging.close(r));
    }
  });

  test('forged answers are not believed: altered signature, replayed nonce, a responder another CA certified', async () => {
    const { port: forgerPort } = forger.address() as AddressInfo;
    const via = (c: ParsedCertificate) => ({ ...c, ocsp: [`http://127.0.0.1:${forgerPort}/`] });
    // The genuine captured answer itself is good, for its own nonce.
    const parsed = parseOcspResponse(captured);
    assert.equal(ocspProblem(parsed, certIdOf(forgedCerts[0]!, caCert), caCert, Buffer.alloc(32, 7), new Date()), undefined);
    assert.match(ocspProblem(parsed, certIdOf(forgedCerts[0]!, caCert), caCert, Buffer.alloc(32, 8), new Date()) ?? '', /nonce/);

    forgerMode = 'flip';
    let c = checker(new OcspClient());
    const flipped = via(forgedCerts[0]!);
    await c.prepare([[flipped, caCert]], new Date());
    let res = c.statusOf(flipped, caCert, new Date());
    assert.equal(res.via, 'crl');
    assert.ok(res.problems.some((p) => /bad signature on the OCSP response/.test(p)), res.problems.join('; '));

    forgerMode = 'replay';
    c = checker(new OcspClient());
    const replay = via(forgedCerts[1]!);
    await c.prepare([[replay, caCert]], new Date());
    res = c.statusOf(replay, caCert, new Date());
    assert.equal(res.via, 'crl');
    assert.ok(res.problems.some((p) => /nonce is not ours/.test(p)), res.problems.join('; '));

    c = checker(new OcspClient());
    await c.prepare([[forgedCerts[2]!, caCert]], new Date());
    res = c.statusOf(forgedCerts[2]!, caCert, new Date());
    assert.equal(res.via, 'crl');
    assert.ok(res.problems.some((p) => /is not certified by/.test(p)), res.problems.join('; '));
  });

  test('the verification report says which answered: OCSP for a good signer, the CRL when the responder is down', async () => {
    const signed = (k: KeyedCertificate, mail: string) => {
      writeFileSync(join(dir, 'signer.pem'), k.certPem);
      writeFileSync(join(dir, 'signer.key'), k.keyPem);
      writeFileSync(join(dir, 'in.txt'), 'Content-Type: text/plain; charset=utf-8\n\nSigné.\n');
      const r = spawnSync('openssl', ['cms', '-sign', '-in', join(dir, 'in.txt'), '-signer', join(dir, 'signer.pem'), '-inkey', join(dir, 'signer.key'), '-md', 'sha256', '-from', mail, '-to', 'luc@esante.lu', '-subject', 'ocsp']);
      assert.equal(r.status, 0, r.stderr.toString());
      return r.stdout;
    };
    const anchors = trustAnchorsFromPem(ca.certPem);
    const revocation = { checker: checker(new OcspClient({ timeoutMs: 1_000 })), unknown: 'accept' as const };
    const ok = await verifyMessageOnline(signed(goodKeyed, 'good@esante.lu'), anchors, { revocation });
    assert.equal(ok.valid, true, ok.reason);
    assert.equal(ok.revocationStatus, 'good');
    assert.deepEqual(ok.revocationSources, ['ocsp']);
    const viaCrl = await verifyMessageOnline(signed(downKeyed, 'down@esante.lu'), anchors, { revocation });
    assert.deepEqual(viaCrl.revocationSources, ['crl']);
    assert.equal(viaCrl.revocationStatus, 'revoked');
  });
});
