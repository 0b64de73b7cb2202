/**
 * Integration: the signing operations through SOAP, with the real composition root and the sandbox
 * as Zimbra (the session and its login method, card or fallback, come from the sandbox's login).
 * A signed message is also sent through the sandbox byte for byte (upload + SendMsgRequest {m:{aid}})
 * and verified again from the recipient's raw copy, as the security zimlet does.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorText } from '../../shared/errors.ts';
import { CSRF_HEADER } from '../../shared/paths.ts';
import { ServiceFault } from '../../shared/soap/client.ts';
import { soapAs } from '../../sandbox/server/testing.ts';
import { SEED_PASSWORD, callAs, loginAs, startTestEnv, type LoginResult, type TestEnv } from './support/service.ts';

const MARIE = 'marie.schmit@esante.lu';
const LUC = 'luc.hoffmann@esante.lu';

function message(from: string, body = 'Bonjour,\r\nle compte rendu de Mme X suit.\r\n'): Buffer {
  return Buffer.from(
    `From: ${from}\r\nTo: ${LUC}\r\nSubject: Compte rendu\r\nDate: Sun, 29 Nov 2026 06:00:00 +0100\r\n` +
      `Message-ID: <soap-${Math.random().toString(36).slice(2)}@esante.lu>\r\nMIME-Version: 1.0\r\n` +
      `Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n${body}`,
    'utf8',
  );
}
const b64 = (b: Buffer): string => b.toString('base64');

describe('signing operations over SOAP, sessions from the sandbox', () => {
  let env: TestEnv;
  let card: LoginResult;
  let fallback: LoginResult;

  before(async () => {
    const dir = await import('node:fs/promises').then((fs) => fs.mkdtemp(join((process.env['TMPDIR'] ?? '/tmp'), 'esante-sign-users-')));
    const usersFile = join(dir, 'users.json');
    // Two users keep the test PKI quick to make (one RSA key each).
    writeFileSync(usersFile, JSON.stringify({ users: [{ givenName: 'Marie', sn: 'Schmit', mail: MARIE }, { givenName: 'Luc', sn: 'Hoffmann', mail: LUC }] }));
    // Features read their own variables from `overrides.env` (loadConfig only sees the core ones).
    const signingEnv = { ESANTE_SIGNING_TEST_USERS: usersFile, ESANTE_SIGNING_MAX_MESSAGE_BYTES: '65536' };
    env = await startTestEnv(signingEnv, { env: { ...process.env, ...signingEnv } });
    card = await loginAs(env.sandboxUrl, MARIE, SEED_PASSWORD, 'card');
    fallback = await loginAs(env.sandboxUrl, LUC, SEED_PASSWORD, 'fallback');
  });
  after(async () => {
    await env?.close();
  });

  test('GetSigningStatus: a card session can sign and sees its certificate and the test root', async () => {
    const s = await callAs(env.url, card, 'GetSigningStatus', {});
    assert.equal(s.authMethod, 'card');
    assert.equal(s.canSign, true);
    assert.equal(s.reason, undefined);
    assert.equal(s.signerKind, 'soft-token');
    assert.match(s.certificate!.subject, /CN=Marie Schmit/);
    assert.match(s.certificate!.issuer, /TEST Signing CA/);
    assert.match(s.certificate!.serialNumber, /^[0-9A-F]+$/);
    assert.ok(s.certificate!.daysToExpiry > 700 && s.certificate!.daysToExpiry <= 731, String(s.certificate!.daysToExpiry));
    assert.deepEqual(s.trustAnchors.length, 1);
    assert.match(s.trustAnchors[0]!, /TEST Root CA/);
  });

  test('GetSigningStatus: a fallback session cannot sign, and says why', async () => {
    const s = await callAs(env.url, fallback, 'GetSigningStatus', {});
    assert.equal(s.authMethod, 'fallback');
    assert.equal(s.canSign, false);
    assert.equal(s.reason, 'sign.card_required');
    assert.match(s.certificate!.subject, /CN=Luc Hoffmann/, 'the certificate is still shown');
  });

  test('SignMessage in a fallback session: Fault sign.card_required with the guide’s text', async () => {
    await assert.rejects(
      callAs(env.url, fallback, 'SignMessage', { mime: b64(message(LUC)) }),
      (e: unknown) =>
        e instanceof ServiceFault &&
        e.code === 'sign.card_required' &&
        e.message === 'Vous ne pouvez pas signer de message, car vous n’êtes pas authentifié par carte (mode de secours).',
    );
    assert.equal(errorText('sign.card_required', 'fr'), 'Vous ne pouvez pas signer de message, car vous n’êtes pas authentifié par carte (mode de secours).');
  });

  test('a card session signs; the result verifies in the service and in openssl cms -verify with the test root', async () => {
    const { mime } = await callAs(env.url, card, 'SignMessage', { mime: b64(message(`Marie Schmit <${MARIE}>`)) });
    const signed = Buffer.from(mime, 'base64');
    assert.match(signed.toString('latin1'), /Content-Type: multipart\/signed;[^\r]*protocol="application\/pkcs7-signature"/i);
    // Verifying needs no card: anyone who received the message may check it.
    const { report } = await callAs(env.url, fallback, 'VerifySignature', { mime });
    assert.equal(report.valid, true, JSON.stringify(report));
    assert.equal(report.signer?.mail, MARIE);
    assert.equal(report.signer?.name, 'Marie Schmit');
    assert.equal(report.contentChanged, false);
    assert.equal(report.trusted, true);
    assert.equal(report.chain.length, 3);
    // The service checks the test PKI's CRLs (signing/pki/crl/): the signer's card is not revoked.
    assert.equal(report.revocationChecked, true);
    assert.equal(report.revocationStatus, 'good');
    assert.ok(report.signingTime && Math.abs(Date.parse(report.signingTime) - Date.now()) < 60_000);
    const r = spawnSync('openssl', ['cms', '-verify', '-CAfile', join(env.config.dataDir, 'signing', 'pki', 'root.pem'), '-purpose', 'smimesign'], { input: signed });
    assert.equal(r.status, 0, r.stderr.toString());
    assert.match(r.stdout.toString(), /le compte rendu de Mme X suit/);
  });

  test('VerifySignature: a message changed after signing is reported tampered, an unsigned one "none"; neither is a Fault', async () => {
    const { mime } = await callAs(env.url, card, 'SignMessage', { mime: b64(message(MARIE)) });
    const tampered = Buffer.from(Buffer.from(mime, 'base64').toString('latin1').replace('Mme X', 'Mme Y'), 'latin1');
    const t = (await callAs(env.url, card, 'VerifySignature', { mime: b64(tampered) })).report;
    assert.equal(t.valid, false);
    assert.equal(t.reason, 'signature.tampered');
    assert.equal(t.contentChanged, true);
    const n = (await callAs(env.url, card, 'VerifySignature', { mime: b64(message(MARIE)) })).report;
    assert.equal(n.valid, false);
    assert.equal(n.reason, 'signature.none');
    // The signature part cut short (a truncated download, a broken relay).
    const truncated = Buffer.from(mime, 'base64').toString('latin1').replace(/(filename="smime\.p7s"\r\n(?:[^\r\n]+\r\n)*\r\n)([A-Za-z0-9+/=\r\n]+?)(\r\n--)/, (_m, head: string, body: string, tail: string) => head + body.slice(0, 200) + tail);
    const garbage = (await callAs(env.url, card, 'VerifySignature', { mime: b64(Buffer.from(truncated, 'latin1')) })).report;
    assert.equal(garbage.valid, false);
    assert.equal(garbage.reason, 'signature.malformed');
  });

  test('signing as another address is refused (the certificate is the caller’s)', async () => {
    await assert.rejects(callAs(env.url, card, 'SignMessage', { mime: b64(message(LUC)) }), (e: unknown) => e instanceof ServiceFault && e.code === 'sign.sender_mismatch');
  });

  test('bad input gets a translated Fault: not base64, empty, over the size limit', async () => {
    await assert.rejects(
      callAs(env.url, card, 'SignMessage', { mime: 'not base64 at all!' }, { lang: 'en' }),
      (e: unknown) => e instanceof ServiceFault && e.code === 'request.invalid' && /base64/.test(e.message),
    );
    await assert.rejects(callAs(env.url, card, 'VerifySignature', { mime: '' }), (e: unknown) => e instanceof ServiceFault && (e.code === 'request.invalid'));
    const big = b64(message(MARIE, 'x'.repeat(70_000)));
    await assert.rejects(
      callAs(env.url, card, 'SignMessage', { mime: big }),
      (e: unknown) => e instanceof ServiceFault && e.code === 'request.too_large' && e.message === errorText('request.too_large', 'fr', 65536),
    );
  });

  test('a signed message sent through Zimbra as it is (upload + SendMsg {m:{aid}}) still verifies from the recipient’s raw copy', async () => {
    const subject = `Signé ${Date.now()}`;
    const plain = Buffer.from(message(MARIE).toString('utf8').replace('Subject: Compte rendu', `Subject: ${subject}`), 'utf8');
    const { mime } = await callAs(env.url, card, 'SignMessage', { mime: b64(plain) });
    const up = await fetch(new URL('/service/upload?fmt=raw,extended', env.sandboxUrl), {
      method: 'POST',
      headers: { Cookie: card.cookie, [CSRF_HEADER]: card.csrfToken, 'Content-Type': 'message/rfc822', 'Content-Disposition': 'attachment; filename="signed.eml"' },
      body: Buffer.from(mime, 'base64'),
    });
    const aid = /"aid"\s*:\s*"([^"]+)"/.exec(await up.text())?.[1];
    assert.ok(aid, 'upload answered an attachment id');
    await soapAs(env.sandboxUrl, { ...card }, 'SendMsgRequest', { m: { aid } });
    const lucCard = await loginAs(env.sandboxUrl, LUC, SEED_PASSWORD, 'card');
    let id: string | undefined;
    for (let i = 0; i < 50 && !id; i++) {
      const found = await soapAs<{ m?: Array<{ id: string; su: string }> }>(env.sandboxUrl, lucCard, 'SearchRequest', { query: 'in:inbox', types: 'message', limit: 50 });
      id = found.m?.find((m) => m.su === subject)?.id;
      if (!id) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(id, 'delivered to Luc');
    const raw = Buffer.from(await (await fetch(new URL(`/service/content/get?id=${id}`, env.sandboxUrl), { headers: { Cookie: lucCard.cookie } })).arrayBuffer());
    const { report } = await callAs(env.url, lucCard, 'VerifySignature', { mime: b64(raw) });
    assert.equal(report.valid, true, JSON.stringify({ reason: report.reason, detail: report.detail }));
    assert.equal(report.from, MARIE);
    assert.equal(report.senderMatches, true);
  });

  test('the soft token uses the service’s one master keyring: no separate signing key file, no PIN in clear', () => {
    const data = env.config.dataDir;
    assert.equal(existsSync(join(data, 'signing', 'master.key')), false);
    assert.ok(existsSync(join(data, 'master-keys.json')));
    const vault = JSON.parse(readFileSync(join(data, 'signing', 'pins.json'), 'utf8')) as { format: number; pins: Record<string, string> };
    assert.equal(vault.format, 2);
    assert.match(vault.pins[MARIE]!, /^ek1\.mk-[0-9a-f]{16}\./);
  });

  test('no PIN, key or message content reaches the logs', () => {
    const all = env.lines.join('\n');
    assert.doesNotMatch(all, /Mme X|BEGIN (ENCRYPTED )?PRIVATE KEY|"pin"/i);
    assert.match(all, /message signed/);
  });
});

describe('signing that cannot start', () => {
  test('the service still runs; the signing operations answer Fault sign.unavailable, translated', async () => {
    // A trust-anchor file that does not exist: found only when the signing service is built.
    const signingEnv = { ESANTE_SIGNING_TRUST_ANCHORS: '/nonexistent/anchors.pem', ESANTE_SIGNING_TEST_USERS: '/nonexistent/users.json' };
    await assert.rejects(startTestEnv(signingEnv, { env: { ...process.env, ...signingEnv } }), /ENOENT|users\.json/, 'a missing users file stops the start');
    const usersOnly = { ESANTE_SIGNING_TRUST_ANCHORS: '/nonexistent/anchors.pem' };
    const env = await startTestEnv(usersOnly, { env: { ...process.env, ...usersOnly } });
    try {
      const marie = await loginAs(env.sandboxUrl, MARIE, SEED_PASSWORD, 'card');
      assert.equal((await callAs(env.url, marie, 'GetServiceInfo', {})).account.name, MARIE);
      await assert.rejects(
        callAs(env.url, marie, 'GetSigningStatus', {}),
        (e: unknown) => e instanceof ServiceFault && e.code === 'sign.unavailable' && e.message === errorText('sign.unavailable', 'fr'),
      );
      assert.match(env.lines.join('\n'), /signing could not start/);
    } finally {
      await env.close();
    }
  });
});
