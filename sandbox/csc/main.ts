/**
 * Runs the CSC stand-in on its own: `node --import tsx sandbox/csc/main.ts`.
 * Env: ESANTE_DATA_DIR (test PKI, default .data), CSC_PORT (default 8090), CSC_CLIENT_USER (default
 * esante-service) and CSC_CLIENT_PASSWORD_FILE (a file holding the client password; when absent a
 * random one is written to <data>/signing/csc-client-password, mode 0600, for the service to read).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ensureTestPki } from '../../server-extension/src/signing/test-pki.ts';
import seed from '../seed/users.json' with { type: 'json' };
import { startCscStandIn } from './server.ts';

const dataDir = resolve(process.env['ESANTE_DATA_DIR'] ?? '.data');
const pki = await ensureTestPki(dataDir, seed.users);
let passwordFile = process.env['CSC_CLIENT_PASSWORD_FILE'];
if (!passwordFile) {
  passwordFile = join(dataDir, 'signing', 'csc-client-password');
  if (!existsSync(passwordFile)) writeFileSync(passwordFile, randomBytes(18).toString('base64url'), { mode: 0o600, flag: 'wx' });
}
const csc = await startCscStandIn({
  pki,
  clients: [{ username: process.env['CSC_CLIENT_USER'] ?? 'esante-service', password: readFileSync(passwordFile, 'utf8').trim() }],
  port: Number(process.env['CSC_PORT'] ?? 8090),
});
console.log(`CSC stand-in listening at ${csc.url} (client password in ${passwordFile})`);
const stop = (): void => void csc.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
