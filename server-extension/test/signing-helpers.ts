/** Shared fixtures of the signing tests: a temp test PKI, OpenSSL runners, sample messages. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPkcs12 } from '../src/signing/soft-token.ts';
import { ensureTestPki, type PkiUser, type TestPki } from '../src/signing/test-pki.ts';
import { toPem } from '../src/signing/x509.ts';

export const MARIE: PkiUser = { givenName: 'Marie', sn: 'Schmit', mail: 'marie.schmit@esante.lu' };
export const HELENE: PkiUser = { givenName: 'Hélène', sn: 'Thill', mail: 'helene.thill@esante.lu' };
export const LUC: PkiUser = { givenName: 'Luc', sn: 'Hoffmann', mail: 'luc.hoffmann@esante.lu' };

export interface Fixture {
  dir: string;
  pki: TestPki;
  /** Writes a file in the temp dir and returns its path. */
  file(name: string, data: string | Buffer): string;
  /** PEM key + cert files of a PKI user (for `openssl cms -sign`). */
  userFiles(mail: string): { key: string; cert: string };
  cleanup(): void;
}

export async function makeFixture(users: PkiUser[] = [MARIE, HELENE]): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'esante-signing-'));
  const pki = await ensureTestPki(join(dir, 'data'), users);
  const file = (name: string, data: string | Buffer): string => {
    const p = join(dir, name);
    writeFileSync(p, data, { mode: 0o600 });
    return p;
  };
  return {
    dir,
    pki,
    file,
    userFiles(mail) {
      const o = openPkcs12(pki.p12(mail)!, pki.pin(mail)!);
      return {
        key: file(`${mail}.key.pem`, o.key.export({ type: 'pkcs8', format: 'pem' }) as string),
        cert: file(`${mail}.cert.pem`, o.certificates.map((c) => toPem(c)).join('')),
      };
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export function openssl(args: string[], input?: Buffer): { status: number; stdout: Buffer; stderr: string } {
  const r = spawnSync('openssl', args, { input, maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr.toString() };
}

/** `openssl cms -verify` of a whole S/MIME message against one CA file; returns the content on success. */
export function opensslVerify(message: Buffer, caFile: string): { ok: boolean; content: Buffer; stderr: string } {
  const r = openssl(['cms', '-verify', '-CAfile', caFile, '-purpose', 'smimesign'], message);
  return { ok: r.status === 0, content: r.stdout, stderr: r.stderr };
}

export function sampleMessage(from = `Marie Schmit <${MARIE.mail}>`, body = 'Bonjour,\r\nle compte rendu suit.\r\n'): Buffer {
  return Buffer.from(
    `From: ${from}\r\nTo: Luc Hoffmann <luc.hoffmann@esante.lu>\r\nSubject: =?utf-8?q?Compte_rendu?=\r\n` +
      'Date: Sun, 29 Nov 2026 06:00:00 +0100\r\nMessage-ID: <test-1@esante.lu>\r\nMIME-Version: 1.0\r\n' +
      `Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n${body}`,
    'utf8',
  );
}
