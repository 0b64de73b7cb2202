/**
 * Development tool: delivers to the sandbox a message signed with the embedded test PKI's REVOKED
 * test card (server-extension/src/signing/test-pki.ts `revokedCard`: an older card of the first seeded user, revoked
 * keyCompromise), so the reading banner can be seen for a revoked signature.
 *
 *   npm run sandbox:send-revoked-signature -- luc.hoffmann@esante.lu
 *   (= node --import tsx scripts/send-revoked-signature.ts <recipient>)
 *
 * Reads the same variables as the service started by scripts/start.mjs: ESANTE_DATA_DIR (default
 * .data/dev), the master keyring (ESANTE_MASTER_KEY*, else <data dir>/master-keys.json),
 * SANDBOX_SMTP_PORT (default 2525). Never for production: the soft token exists only in the sandbox.
 */
import { createPrivateKey } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import nodemailer from 'nodemailer';
import { loadMasterKeyring } from '../server-extension/src/keys/index.ts';
import { readTestUsers } from '../server-extension/src/signing/feature.ts';
import { signMime } from '../server-extension/src/signing/signer.ts';
import { rsaSignDigest } from '../server-extension/src/signing/soft-token.ts';
import { ensureTestPki, type RevokedCard } from '../server-extension/src/signing/test-pki.ts';
import { certificatesFromPem } from '../server-extension/src/signing/x509.ts';

/** The message, signed now with the revoked card (its signing time is after the revocation). */
export async function revokedSampleMessage(card: RevokedCard, to: string, now = new Date()): Promise<Buffer> {
  const key = createPrivateKey(card.keyPem);
  const mime = Buffer.from(
    `From: ${card.mail}\r\nTo: ${to}\r\nSubject: =?utf-8?q?Message_sign=C3=A9_avec_une_carte_r=C3=A9voqu=C3=A9e_(test)?=\r\n` +
      `Date: ${now.toUTCString().replace('GMT', '+0000')}\r\nMessage-ID: <revoked-${now.getTime()}@esante.lu>\r\nMIME-Version: 1.0\r\n` +
      'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n' +
      'Bonjour,\r\nce message de test est signé avec une carte LuxTrust de test révoquée (carte perdue) :\r\n' +
      'la bannière doit indiquer que la signature n’est pas valide.\r\n',
    'utf8',
  );
  const certificates = [card.certPem, ...card.chainPems].map((p) => certificatesFromPem(p)[0]!.der);
  return signMime(mime, { certificates, keyAlgorithm: 'rsa', signDigest: async (d) => rsaSignDigest(key, d) }, { mail: card.mail, now });
}

async function main(): Promise<void> {
  const to = process.argv[2];
  if (!to || !/^[^@\s]+@[^@\s]+$/.test(to)) {
    console.error('usage: send-revoked-signature.ts <recipient mail>');
    process.exit(2);
  }
  const dataDir = resolve(process.env['ESANTE_DATA_DIR'] ?? '.data/dev');
  const usersFile = process.env['ESANTE_SIGNING_TEST_USERS'] ?? fileURLToPath(new URL('../sandbox/seed/users.json', import.meta.url));
  if (!existsSync(join(dataDir, 'signing'))) throw new Error(`no test PKI in ${dataDir}: start the suite first (npm start)`);
  const { keyring } = await loadMasterKeyring({ env: process.env, defaultFile: join(dataDir, 'master-keys.json') });
  const pki = await ensureTestPki(dataDir, readTestUsers(usersFile), { keyring });
  const card = pki.revokedCard();
  if (!card) throw new Error('the test PKI has no revoked card (no seeded user?)');
  const raw = await revokedSampleMessage(card, to);
  const smtp = nodemailer.createTransport({ host: '127.0.0.1', port: Number(process.env['SANDBOX_SMTP_PORT'] ?? 2525), secure: false, ignoreTLS: true });
  await smtp.sendMail({ envelope: { from: card.mail, to: [to] }, raw });
  smtp.close();
  console.log(`sent to ${to}: signed by ${card.mail}'s revoked test card (revoked ${card.revokedAt.toISOString()})`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    console.error((e as Error).message);
    process.exit(1);
  });
}
