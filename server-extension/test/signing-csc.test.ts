/**
 * The CSC remote-signing adapter against the local CSC API v2 stand-in (sandbox/csc/): the message
 * is hashed locally, only the signed-attributes digest travels, and the result verifies in OpenSSL.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startCscStandIn, type CscStandIn } from '../../sandbox/csc/server.ts';
import { CscClient, CscError, cscSource } from '../src/signing/csc.ts';
import { SigningError } from '../src/signing/errors.ts';
import { OID } from '../src/signing/oids.ts';
import { createSmimeSigner } from '../src/signing/signer.ts';
import { trustAnchorsFromPem, verifyMessage } from '../src/signing/verify.ts';
import { HELENE, MARIE, makeFixture, opensslVerify, sampleMessage, type Fixture } from './signing-helpers.ts';

let fx: Fixture;
let csc: CscStandIn;
const CLIENT = { username: 'esante-service', password: 'csc-test-password' };

before(async () => {
  fx = await makeFixture([MARIE, HELENE]);
  csc = await startCscStandIn({ pki: fx.pki, clients: [CLIENT] });
});
after(async () => {
  await csc.close();
  fx.cleanup();
});

const options = (over: Partial<Parameters<typeof cscSource>[0]> = {}) => ({
  baseUrl: csc.url,
  auth: { kind: 'basic' as const, username: CLIENT.username, password: () => CLIENT.password },
  authData: async (mail: string) => [{ id: 'PIN', value: fx.pki.pin(mail)! }],
  ...over,
});

describe('CSC remote signing', () => {
  test('signs through the stand-in; openssl and our verifier accept the result; only a digest travelled', async () => {
    const signer = createSmimeSigner(cscSource(options()));
    assert.equal(signer.kind, 'csc');
    const before = csc.stats.signed;
    const out = await signer.sign(sampleMessage(), { mail: MARIE.mail });
    assert.equal(csc.stats.signed, before + 1);
    assert.deepEqual(csc.stats.lastSignHashKeys, ['SAD', 'credentialID', 'hashAlgorithmOID', 'hashes', 'operationMode', 'signAlgo']);
    const v = opensslVerify(out, fx.pki.rootCertPath);
    assert.ok(v.ok, v.stderr);
    const report = verifyMessage(out, trustAnchorsFromPem(fx.pki.rootCertPem));
    assert.equal(report.valid, true, JSON.stringify(report));
    assert.equal(report.signer?.mail, MARIE.mail);
    // A second message reuses the cached chain and still gets its own SAD.
    const out2 = await signer.sign(sampleMessage(`Marie <${MARIE.mail}>`, 'second\r\n'), { mail: MARIE.mail });
    assert.ok(opensslVerify(out2, fx.pki.rootCertPath).ok);
  });

  test('info and credential discovery follow the CSC v2 shapes', async () => {
    const client = new CscClient(options());
    const info = await client.info();
    assert.equal(info.specs, '2.0.0.2');
    assert.ok(info.methods?.includes('signatures/signHash'));
    const list = await client.listCredentials(HELENE.mail);
    assert.equal(list.credentialIDs.length, 1);
    const ci = await client.credentialInfo(list.credentialIDs[0]!);
    assert.equal(ci.key?.status, 'enabled');
    assert.equal(ci.cert?.certificates?.length, 2, 'chain: signer and intermediate (the root is the trust anchor)');
  });

  test('a SAD covers only the hashes it was issued for', async () => {
    const client = new CscClient(options());
    const [id] = (await client.listCredentials(MARIE.mail)).credentialIDs;
    const h1 = Buffer.alloc(32, 1);
    const { SAD } = await client.authorize(id!, [h1], [{ id: 'PIN', value: fx.pki.pin(MARIE.mail)! }]);
    await assert.rejects(client.signHash(id!, SAD, [Buffer.alloc(32, 2)], OID.rsaEncryption), (e: CscError) => e.status === 400 && e.error === 'invalid_request');
    const [sig] = await client.signHash(id!, SAD, [h1], OID.rsaEncryption);
    assert.equal(sig!.length, 256);
    await assert.rejects(client.signHash(id!, SAD, [h1], OID.rsaEncryption), /Invalid SAD/, 'a one-signature SAD is used up');
  });

  test('wrong PIN, wrong service password and an unreachable service become sign.unavailable', async () => {
    const badPin = createSmimeSigner(cscSource(options({ authData: async () => [{ id: 'PIN', value: 'WRONG' }] })));
    await assert.rejects(badPin.sign(sampleMessage(), { mail: MARIE.mail }), (e: SigningError) => e.code === 'sign.unavailable' && /invalid_pin/.test(e.message) && !e.message.includes('WRONG'));
    const badLogin = createSmimeSigner(cscSource(options({ auth: { kind: 'basic', username: CLIENT.username, password: () => 'nope' } })));
    await assert.rejects(badLogin.sign(sampleMessage(), { mail: MARIE.mail }), (e: SigningError) => e.code === 'sign.unavailable');
    const down = createSmimeSigner(cscSource(options({ baseUrl: 'http://127.0.0.1:9/csc/v2', timeoutMs: 2000 })));
    await assert.rejects(down.sign(sampleMessage(), { mail: MARIE.mail }), (e: SigningError) => e.code === 'sign.unavailable');
    // An account without a credential at the signing service.
    const none = createSmimeSigner(cscSource(options()));
    await assert.rejects(none.sign(sampleMessage('x@esante.lu'), { mail: 'x@esante.lu' }), (e: SigningError) => e.code === 'sign.no_certificate');
  });

  test('an OAuth2 bearer token obtained elsewhere works as well', async () => {
    const login = await fetch(`${csc.url}/auth/login`, { method: 'POST', headers: { authorization: `Basic ${Buffer.from(`${CLIENT.username}:${CLIENT.password}`).toString('base64')}` }, body: '{}' });
    const { access_token } = (await login.json()) as { access_token: string };
    const signer = createSmimeSigner(cscSource(options({ auth: { kind: 'bearer', token: () => access_token } })));
    const out = await signer.sign(sampleMessage(`Hélène <${HELENE.mail}>`), { mail: HELENE.mail });
    assert.ok(opensslVerify(out, fx.pki.rootCertPath).ok);
  });

  test('the stand-in refuses calls without a valid bearer token', async () => {
    const res = await fetch(`${csc.url}/credentials/list`, { method: 'POST', headers: { authorization: 'Bearer forged' }, body: '{}' });
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { error: string }).error, 'invalid_token');
  });
});
