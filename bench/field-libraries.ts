/**
 * Field libraries against our hand-written parsers (issue 15), same material, same run:
 *
 * - MIME, browser side: shared/messages/mime.ts (parseMime + toDisplay) against postal-mime;
 * - CMS SignedData / CRL / OCSP, server side: server-extension/src/signing/{cms,crl,ocsp}.ts (on der.ts,
 *   signatures by node:crypto) against pkijs (+ asn1js, WebCrypto engine).
 *
 * Axes: parse(+verify) time (median of several runs), bundle size (esbuild --minify, gzip -9) and
 * installed size, exact signed bytes (RFC 1847 §2.1 / RFC 8551 §3.5 for the first part of
 * multipart/signed; RFC 5652 §5.4 for signedAttrs), and what each does with malformed input.
 *
 * Run: npm run bench:field-libraries (a comparison: it prints tables and a verdict, no target lines)
 * It installs nothing and the project does not depend on the candidates: install them outside the
 * repository and point LIBS_DIR at that node_modules, e.g.
 *   mkdir -p /tmp/libs && cd /tmp/libs && npm init -y && npm install postal-mime pkijs asn1js
 *   LIBS_DIR=/tmp/libs/node_modules npm run bench:field-libraries
 * Test PKI material (CA, signer, CMS, a CRL of BENCH_CRL_ENTRIES revoked serials, an OCSP response)
 * is made with the openssl CLI in a temporary directory. Env: BENCH_CRL_ENTRIES (10000), BENCH_FAST=1
 * (fewer rounds).
 */
import { spawnSync } from 'node:child_process';
import { constants, createHash, createPrivateKey, randomBytes, sign as cryptoSign, verify as cryptoVerify } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import fc from 'fast-check';
import { mutatedBytes } from '../fuzz/mutate.ts';
import { parseMime, toDisplay, type MimeEntity } from '../shared/messages/mime.ts';
import { findSignerCertificate, parseSignedData } from '../server-extension/src/signing/cms.ts';
import { parseCrl, signedBytesOk } from '../server-extension/src/signing/crl.ts';
import { children, context, integer, octetString, oid, readOne, seq, setOf, time, tlv } from '../server-extension/src/signing/der.ts';
import { certIdOf, ocspProblem, parseOcspResponse } from '../server-extension/src/signing/ocsp.ts';
import { OID } from '../server-extension/src/signing/oids.ts';
import { parseCertificate, serialBytesHex, serialHex } from '../server-extension/src/signing/x509.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const LIBS_DIR = process.env['LIBS_DIR'] ?? '';
const FAST = process.env['BENCH_FAST'] === '1';
const CRL_ENTRIES = Number(process.env['BENCH_CRL_ENTRIES'] ?? 10_000);

if (!LIBS_DIR || !existsSync(join(LIBS_DIR, 'postal-mime')) || !existsSync(join(LIBS_DIR, 'pkijs')) || !existsSync(join(LIBS_DIR, 'asn1js'))) {
  console.log(
    `field-libraries: skipped: LIBS_DIR (${LIBS_DIR || 'unset'}) does not hold postal-mime, pkijs and asn1js.\n` +
      'Install them outside the repository, e.g.\n' +
      '  mkdir -p /tmp/libs && cd /tmp/libs && npm init -y && npm install postal-mime pkijs asn1js\n' +
      'then run: LIBS_DIR=/tmp/libs/node_modules npm run bench:field-libraries',
  );
  process.exit(0);
}

// ---- helpers --------------------------------------------------------------------------------------

function pkgJson(name: string): { version: string; exports?: unknown; module?: string; main?: string; dependencies?: Record<string, string>; peerDependencies?: Record<string, string> } {
  return JSON.parse(readFileSync(join(LIBS_DIR, name, 'package.json'), 'utf8'));
}

/** The ESM entry of a package in LIBS_DIR (exports "." import/default, else module, else main). */
function esmEntry(name: string): string {
  const p = pkgJson(name);
  let rel: string | undefined;
  const dot = (p.exports as Record<string, unknown> | undefined)?.['.'] ?? p.exports;
  if (typeof dot === 'string') rel = dot;
  else if (dot && typeof dot === 'object') {
    const d = dot as Record<string, unknown>;
    const pick = d['import'] ?? d['default'];
    rel = typeof pick === 'string' ? pick : typeof pick === 'object' && pick ? ((pick as Record<string, string>)['default'] ?? undefined) : undefined;
  }
  rel ??= p.module ?? p.main ?? 'index.js';
  return pathToFileURL(join(LIBS_DIR, name, rel)).href;
}

/* eslint-disable @typescript-eslint/no-explicit-any */
const PostalMime: any = (await import(esmEntry('postal-mime'))).default;
const pkijs: any = await import(esmEntry('pkijs'));
const asn1js: any = await import(esmEntry('asn1js'));

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Median wall time (ms) of `runs` calls after `warm` warm-up calls. */
async function time_(runs: number, f: () => unknown, warm = 2): Promise<number> {
  for (let i = 0; i < warm; i++) await f();
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await f();
    xs.push(performance.now() - t);
  }
  return median(xs);
}

const ms = (x: number): string => (x < 0.001 ? `${(x * 1e6).toFixed(0)} ns` : x < 1 ? `${(x * 1000).toFixed(0)} µs` : `${x.toFixed(x < 10 ? 2 : 1)} ms`);
const ratio = (r: number): string => (r > 1000 ? '> 1000×' : `${r.toFixed(2)}×`);
const kib = (n: number): string => `${(n / 1024).toFixed(1)} KiB`;

function table(title: string, head: string[], rows: string[][]): void {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => '| ' + r.map((c, i) => c.padEnd(w[i]!)).join(' | ') + ' |';
  console.log(`\n### ${title}\n`);
  console.log(line(head));
  console.log('|' + w.map((n) => '-'.repeat(n + 2)).join('|') + '|');
  for (const r of rows) console.log(line(r));
}

function openssl(args: string[], cwd: string, input?: Buffer | string): Buffer {
  const r = spawnSync('openssl', args, { cwd, input, maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

const pemToDer = (pem: string): Buffer => Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
const ab = (b: Uint8Array): ArrayBuffer => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

/** What an error says: class, code when there is one, and the first 90 characters of its message. */
function describeError(e: unknown): string {
  if (!(e instanceof Error)) return `throws ${typeof e} ${String(e).slice(0, 60)}`;
  const code = (e as { kind?: unknown }).kind ?? (e as { code?: unknown }).code;
  const msg = e.message.replace(/\s+/g, ' ').slice(0, 90);
  return `throws ${e.constructor.name}${typeof code === 'string' ? ` ${code}` : ''}: "${msg}"`;
}

async function outcome(f: () => unknown, ok: (v: any) => string): Promise<string> {
  try {
    return ok(await f());
  } catch (e) {
    return describeError(e);
  }
}

/** Deterministic "random" bytes (SHA-256 in counter mode), so the malformed-input rows repeat from run to run. */
function noise(n: number, seed = 'issue-15'): Buffer {
  const out: Buffer[] = [];
  for (let i = 0; out.length * 32 < n; i++) out.push(createHash('sha256').update(`${seed}:${i}`).digest());
  return Buffer.concat(out).subarray(0, n);
}

/** Counts outcomes by kind ("returns x", "throws Class code"), keeping the first message of each error kind. */
function tallyOf(results: string[]): string {
  const tally = new Map<string, { n: number; first: string }>();
  for (const k of results) {
    const key = k.startsWith('throws') ? k.replace(/: ".*/, '') : k;
    const msg = k.startsWith('throws') ? (/: "(.*)"$/.exec(k)?.[1] ?? '') : '';
    const t = tally.get(key) ?? { n: 0, first: msg };
    t.n++;
    tally.set(key, t);
  }
  return [...tally].sort((x, y) => y[1].n - x[1].n).map(([k, t]) => `${k} ×${t.n}${t.first ? ` (e.g. "${t.first.slice(0, 60)}")` : ''}`).join('; ');
}

/** Installed bytes of a package and, transitively, its (peer) dependencies found in LIBS_DIR. */
function installedSize(name: string, seen = new Set<string>()): { bytes: number; packages: string[] } {
  if (seen.has(name) || !existsSync(join(LIBS_DIR, name))) return { bytes: 0, packages: [...seen] };
  seen.add(name);
  const du = (d: string): number => readdirSync(d).reduce((n, f) => {
    const p = join(d, f);
    const st = statSync(p);
    return n + (st.isDirectory() ? du(p) : st.size);
  }, 0);
  let bytes = du(join(LIBS_DIR, name));
  const p = pkgJson(name);
  for (const dep of Object.keys({ ...p.dependencies, ...p.peerDependencies })) bytes += installedSize(dep, seen).bytes;
  return { bytes, packages: [...seen] };
}

async function bundleSize(contents: string, platform: 'browser' | 'node'): Promise<{ min: number; gz: number }> {
  const r = await build({
    stdin: { contents, resolveDir: ROOT, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform,
    target: 'es2022',
    write: false,
    nodePaths: [LIBS_DIR],
    logLevel: 'silent',
  });
  const code = r.outputFiles[0]!.contents;
  return { min: code.length, gz: gzipSync(code, { level: 9 }).length };
}

const sourceBytes = (files: string[]): number => files.reduce((n, f) => n + statSync(join(ROOT, f)).size, 0);

console.log(`field-libraries: node ${process.version}, ${cpus().length} cores (load ${loadavg().map((x) => x.toFixed(1)).join(' ')}), postal-mime ${pkgJson('postal-mime').version}, pkijs ${pkgJson('pkijs').version}, asn1js ${pkgJson('asn1js').version}`);
const dir = mkdtempSync(join(tmpdir(), 'esante-bench-libs-'));

try {
  // ==== PKI material (openssl CLI) ====================================================================
  const t0 = performance.now();
  writeFileSync(join(dir, 'ca.cnf'), [
    '[req]', 'distinguished_name = dn', '[dn]',
    '[v3_ca]', 'basicConstraints = critical,CA:TRUE', 'keyUsage = critical,keyCertSign,cRLSign', 'subjectKeyIdentifier = hash',
    '[leaf]', 'basicConstraints = CA:FALSE', 'keyUsage = critical,digitalSignature,nonRepudiation', 'extendedKeyUsage = emailProtection',
    'subjectAltName = email:marie.schmit@esante.lu', 'authorityInfoAccess = OCSP;URI:http://127.0.0.1:1/ocsp', 'authorityKeyIdentifier = keyid',
    '[ca]', 'default_ca = bench', '[bench]', 'database = index.txt', 'crlnumber = crlnumber', 'default_md = sha256', 'default_crl_days = 7',
    'crl_extensions = crl_ext', '[crl_ext]', 'authorityKeyIdentifier = keyid:always', '',
  ].join('\n'));
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-subj', '/CN=Bench CA (not for production)', '-days', '3', '-config', 'ca.cnf', '-extensions', 'v3_ca'], dir);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=Marie Schmit/emailAddress=marie.schmit@esante.lu', '-config', 'ca.cnf'], dir);
  openssl(['x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', '0x1001', '-days', '2', '-out', 'leaf.pem', '-extfile', 'ca.cnf', '-extensions', 'leaf'], dir);
  const caPem = readFileSync(join(dir, 'ca.pem'), 'utf8');
  const leafPem = readFileSync(join(dir, 'leaf.pem'), 'utf8');
  const caDer = pemToDer(caPem);
  const leafDer = pemToDer(leafPem);
  const leafKey = createPrivateKey(readFileSync(join(dir, 'leaf.key')));

  // index.txt: the signer valid (for OCSP), CRL_ENTRIES revoked serials, a third with keyCompromise.
  const exp = '281231000000Z';
  const rev = new Date(Date.now() - 86_400_000).toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
  const revokedSerial = (i: number) => (0x100000 + i).toString(16).toUpperCase();
  const lines = [`V\t${exp}\t\t1001\tunknown\t/CN=Marie Schmit`];
  for (let i = 0; i < CRL_ENTRIES; i++) lines.push(`R\t${exp}\t${rev}${i % 3 === 0 ? ',keyCompromise' : ''}\t${revokedSerial(i)}\tunknown\t/CN=revoked ${i}`);
  writeFileSync(join(dir, 'index.txt'), lines.join('\n') + '\n');
  writeFileSync(join(dir, 'crlnumber'), '1000\n');
  openssl(['ca', '-config', 'ca.cnf', '-gencrl', '-keyfile', 'ca.key', '-cert', 'ca.pem', '-out', 'crl.pem'], dir);
  const crlDer = pemToDer(readFileSync(join(dir, 'crl.pem'), 'utf8'));
  // A small CRL (10 entries) for the mutation batches (the big one is too slow to mutate by the hundred).
  writeFileSync(join(dir, 'small-index.txt'), lines.slice(0, 11).join('\n') + '\n');
  writeFileSync(join(dir, 'small.cnf'), readFileSync(join(dir, 'ca.cnf'), 'utf8').replace('database = index.txt', 'database = small-index.txt'));
  openssl(['ca', '-config', 'small.cnf', '-gencrl', '-keyfile', 'ca.key', '-cert', 'ca.pem', '-out', 'small.pem'], dir);
  const smallCrlDer = pemToDer(readFileSync(join(dir, 'small.pem'), 'utf8'));
  openssl(['ocsp', '-issuer', 'ca.pem', '-cert', 'leaf.pem', '-reqout', 'req.der', '-no_nonce'], dir);
  openssl(['ocsp', '-index', 'index.txt', '-rsigner', 'ca.pem', '-rkey', 'ca.key', '-CA', 'ca.pem', '-reqin', 'req.der', '-respout', 'resp.der', '-ndays', '1'], dir);
  const ocspDer = readFileSync(join(dir, 'resp.der'));

  // The signed content: a nested multipart (alternative text+html, a PDF), CRLF, as sent (-binary).
  const pdf = randomBytes(40_000).toString('base64').replace(/(.{76})/g, '$1\r\n');
  const signedContent = Buffer.from([
    'Content-Type: multipart/mixed; boundary="mixed-1"', '', '--mixed-1',
    'Content-Type: multipart/alternative; boundary="alt-1"', '', '--alt-1',
    'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: quoted-printable', '', 'Bonjour, voici les r=C3=A9sultats.', '--alt-1',
    'Content-Type: text/html; charset=utf-8', '', '<p>Bonjour, voici les <b>résultats</b>.</p>', '--alt-1--', '', '--mixed-1',
    'Content-Type: application/pdf; name="resultat.pdf"', 'Content-Disposition: attachment; filename="resultat.pdf"', 'Content-Transfer-Encoding: base64', '',
    pdf, '--mixed-1--', '',
  ].join('\r\n'));
  writeFileSync(join(dir, 'content.eml'), signedContent);
  // S/MIME output (multipart/signed, detached; openssl 3.0 writes this p7s with definite lengths).
  const smimeBody = openssl(['cms', '-sign', '-binary', '-md', 'sha256', '-in', 'content.eml', '-signer', 'leaf.pem', '-inkey', 'leaf.key', '-certfile', 'ca.pem'], dir);
  const signedMessage = Buffer.concat([
    Buffer.from('From: Marie Schmit <marie.schmit@esante.lu>\r\nTo: luc.hoffmann@esante.lu\r\nSubject: =?UTF-8?Q?R=C3=A9sultats?=\r\nDate: Mon, 07 Dec 2026 08:00:00 +0100\r\n'),
    smimeBody,
  ]);
  const p7sB64 = /Content-Disposition: attachment; filename="smime.p7s"\r?\n\r?\n([A-Za-z0-9+/=\r\n]+)/.exec(smimeBody.toString('latin1'))?.[1];
  if (!p7sB64) throw new Error('no smime.p7s in openssl output');
  const smimeP7s = Buffer.from(p7sB64.replace(/\s+/g, ''), 'base64');
  // The same signature as DER (openssl cms -outform DER, detached), and streamed (-stream: BER with
  // indefinite lengths, which openssl then writes with the content inside).
  const signArgs = ['cms', '-sign', '-binary', '-md', 'sha256', '-in', 'content.eml', '-signer', 'leaf.pem', '-inkey', 'leaf.key', '-certfile', 'ca.pem', '-outform', 'DER'];
  const cmsDer = openssl(signArgs, dir);
  const cmsBer = openssl([...signArgs, '-stream'], dir);
  console.log(`material: openssl ${ms(performance.now() - t0)}; CMS ${cmsDer.length} B (DER, detached) / ${cmsBer.length} B (-stream: content inside, ${cmsBer[1] === 0x80 ? 'BER indefinite lengths' : 'definite lengths'}) / S/MIME p7s ${smimeP7s.length} B; CRL ${crlDer.length} B, ${CRL_ENTRIES} entries; OCSP ${ocspDer.length} B`);

  // ==== MIME ========================================================================================
  const small = Buffer.from([
    'From: Marie Schmit <marie.schmit@esante.lu>', 'To: =?UTF-8?Q?Luc_M=C3=BCller?= <luc.muller@esante.lu>', 'Subject: =?UTF-8?B?UsOpc3VsdGF0cw==?=',
    'Date: Mon, 07 Dec 2026 08:00:00 +0100', 'MIME-Version: 1.0', 'Content-Type: multipart/alternative; boundary="b2"', '', '--b2',
    'Content-Type: text/plain; charset=iso-8859-1', 'Content-Transfer-Encoding: quoted-printable', '', 'R=E9sultats ci-joints, bonne journ=E9e.', '--b2',
    'Content-Type: text/html; charset=utf-8', '', '<p>R\u00e9sultats <b>ci-joints</b>, bonne journ\u00e9e.</p>', '--b2--', '',
  ].join('\r\n'), 'utf8');
  const attach = (name: string, bytes: number) => [
    '--mix', `Content-Type: application/octet-stream; name="${name}"`, `Content-Disposition: attachment; filename="${name}"`, 'Content-Transfer-Encoding: base64', '',
    randomBytes(bytes).toString('base64').replace(/(.{76})/g, '$1\r\n'),
  ].join('\r\n');
  const large = Buffer.from([
    'From: Marie Schmit <marie.schmit@esante.lu>', 'To: luc.hoffmann@esante.lu', 'Subject: imagerie', 'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="mix"', '', '--mix', 'Content-Type: text/plain; charset=utf-8', '', 'Voir les pièces jointes.',
    attach('scan-1.dcm', 2_500_000), attach('scan-2.dcm', 2_000_000), attach('rapport.pdf', 700_000), '--mix--', '',
  ].join('\r\n'), 'utf8');

  const MIME_SAMPLES: Array<[string, Buffer, number]> = [
    [`small multipart/alternative (${kib(small.length)})`, small, FAST ? 50 : 200],
    [`attachments, base64 (${(large.length / 1048576).toFixed(1)} MiB)`, large, FAST ? 3 : 7],
    [`multipart/signed, nested (${kib(signedMessage.length)})`, signedMessage, FAST ? 20 : 60],
  ];
  const ours = (b: Uint8Array) => toDisplay(parseMime(b));
  const postal = (b: Uint8Array) => PostalMime.parse(b);
  const mimeTimeRows: string[][] = [];
  for (const [label, bytes, runs] of MIME_SAMPLES) {
    const a = await time_(runs, () => ours(bytes));
    const b = await time_(runs, () => postal(bytes));
    mimeTimeRows.push([label, String(runs), ms(a), ms(b), ratio(b / a)]);
  }
  table('MIME: parse to display (median)', ['message', 'runs', 'ours parseMime+toDisplay', 'postal-mime parse', 'postal-mime / ours'], mimeTimeRows);

  // Same answer? (subject, body, attachments as each shows them.)
  const sameRows: string[][] = [];
  for (const [label, bytes] of MIME_SAMPLES) {
    const o = ours(bytes);
    const p = await postal(bytes);
    sameRows.push([
      label.replace(/ \(.*/, ''),
      `${JSON.stringify(o.subject)} html ${o.html?.length ?? '-'} text ${o.text?.length ?? '-'} att [${o.attachments.map((x) => `${x.filename} ${x.data.length}`).join(', ')}] signed=${o.signed}`,
      `${JSON.stringify(p.subject)} html ${p.html?.length ?? '-'} text ${p.text?.length ?? '-'} att [${p.attachments.map((x: any) => `${x.filename ?? '(none)'} ${x.mimeType} ${x.content.byteLength}`).join(', ')}]`,
    ]);
  }
  table('MIME: what each shows', ['message', 'ours (toDisplay)', 'postal-mime'], sameRows);

  // Exact signed bytes (RFC 1847 §2.1, RFC 8551 §3.5): the first part of multipart/signed, as sent.
  const cmsOfMessage = parseSignedData(smimeP7s);
  const signedDigest = cmsOfMessage.signerInfos[0]!.messageDigest!;
  const oursPart = parseMime(signedMessage).parts[0]?.raw;
  const oursExact = !!oursPart && Buffer.from(oursPart).equals(signedContent) && createHash('sha256').update(oursPart).digest().equals(signedDigest);
  // postal-mime: look through everything it returns for those bytes.
  const p = await postal(signedMessage);
  let postalHas = false;
  const scan = (v: unknown, depth = 0): void => {
    if (depth > 6 || v == null) return;
    if (typeof v === 'string') postalHas ||= v === signedContent.toString('latin1') || v === signedContent.toString('utf8');
    else if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) postalHas ||= Buffer.from(v as ArrayBuffer).equals(signedContent);
    else if (typeof v === 'object') for (const x of Object.values(v as object)) scan(x, depth + 1);
  };
  scan(p);
  const p7sListed = p.attachments.some((x: any) => /pkcs7-signature/.test(x.mimeType));
  table('MIME: exact bytes of the signed part', ['', 'ours', 'postal-mime'], [
    ['first part of multipart/signed byte-identical to what openssl signed (sha256 = messageDigest)', oursExact ? `yes (MimeEntity.raw, ${oursPart!.length} B)` : 'NO', postalHas ? 'yes' : 'no: no field holds the raw part'],
    ['signature part (application/pkcs7-signature) listed as an attachment', String(ours(signedMessage).attachments.some((x) => /pkcs7/.test(x.contentType))), String(p7sListed)],
    ['tells the message is signed', `signed=${ours(signedMessage).signed}`, 'only via top-level headers / the p7s attachment'],
  ]);

  // Malformed input (shapes the fuzz seeds take: cut, unterminated, hostile nesting, junk).
  const cut = signedMessage.subarray(0, Math.floor(signedMessage.length * 0.6));
  const nest = (n: number) => Buffer.from('Content-Type: multipart/mixed; boundary="n0"\r\n\r\n' + Array.from({ length: n }, (_, i) => `--n${i}\r\nContent-Type: multipart/mixed; boundary="n${i + 1}"\r\n\r\n`).join('') + `--n${n}\r\nContent-Type: text/plain\r\n\r\ndeep\r\n`);
  const manyParts = Buffer.from('Content-Type: multipart/mixed; boundary="m"\r\n\r\n' + Array.from({ length: 12_000 }, (_, i) => `--m\r\nContent-Type: text/plain\r\n\r\np${i}\r\n`).join('') + '--m--\r\n');
  const malformed: Array<[string, Buffer]> = [
    ['empty input', Buffer.alloc(0)],
    ['4 KiB random bytes', noise(4096)],
    ['signed message cut at 60 %', cut],
    ['multipart without boundary parameter', Buffer.from('Content-Type: multipart/mixed\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\nhello\r\n--x--\r\n')],
    ['multipart never closed', Buffer.from('Content-Type: multipart/mixed; boundary="x"\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\nhello\r\n--x\r\nContent-Type: application/pdf; name="a.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0x')],
    ['base64 with junk, unknown charset', Buffer.from('Content-Type: text/plain; charset="x-unknown"\r\nContent-Transfer-Encoding: base64\r\n\r\nSGVs*bG8g!d29y\u0000bGQ=\r\n')],
    ['headers only, no blank line', Buffer.from('Subject: x\r\nContent-Type: text/html')],
    ['300 nested multiparts', nest(300)],
    ['12 000 parts', manyParts],
  ];
  const summarizeOurs = (d: ReturnType<typeof ours>) => `returns: text ${d.text?.length ?? '-'} html ${d.html?.length ?? '-'} att ${d.attachments.length}`;
  const summarizePostal = (d: any) => `returns: text ${d.text?.length ?? '-'} html ${d.html?.length ?? '-'} att ${d.attachments.length}`;
  const malRows: string[][] = [];
  for (const [label, bytes] of malformed) malRows.push([label, await outcome(() => ours(bytes), summarizeOurs), await outcome(() => postal(bytes), summarizePostal)]);
  // A fuzz batch: the fuzz seeds' mutations (fuzz/mutate.ts), fixed seed so runs compare.
  const mimeFuzz = fc.sample(mutatedBytes([signedMessage, small]), { seed: 15, numRuns: FAST ? 100 : 200 });
  const count = async (f: (b: Uint8Array) => unknown) => {
    const results: string[] = [];
    for (const b of mimeFuzz) results.push(await outcome(() => f(b), () => 'returns'));
    return tallyOf(results);
  };
  malRows.push([`${mimeFuzz.length} mutated messages (fuzz/mutate.ts, seed 15)`, await count(ours), await count(postal)]);
  table('MIME: malformed input', ['input', 'ours', 'postal-mime'], malRows);

  const mimeBundleOurs = await bundleSize(`export { parseMime, toDisplay } from './shared/messages/mime.ts';`, 'browser');
  const mimeBundlePostal = await bundleSize(`export { default } from 'postal-mime';`, 'browser');
  const postalInstalled = installedSize('postal-mime');
  table('MIME: size (browser bundle: esbuild --bundle --minify, gzip -9)', ['', 'ours (shared/messages/mime.ts)', 'postal-mime'], [
    ['minified', kib(mimeBundleOurs.min), kib(mimeBundlePostal.min)],
    ['minified + gzip', kib(mimeBundleOurs.gz), kib(mimeBundlePostal.gz)],
    ['source / installed', `${kib(sourceBytes(['shared/messages/mime.ts']))} (1 file)`, `${kib(postalInstalled.bytes)} (${postalInstalled.packages.join(', ')})`],
  ]);

  // ==== CMS / CRL / OCSP ============================================================================
  const caP = parseCertificate(caDer);
  const leafP = parseCertificate(leafDer);
  const toPkiCert = (der: Buffer) => pkijs.Certificate.fromBER(ab(der));
  const caPk = toPkiCert(caDer);
  const leafPk = toPkiCert(leafDer);
  const RSA = (key: import('node:crypto').KeyObject) => ({ key, padding: constants.RSA_PKCS1_PADDING });

  /** Ours: parse, messageDigest = sha256(content), signature over the signed attributes (no chain: pkijs's checkChain is off too). */
  const oursCms = (der: Buffer, content: Buffer): boolean => {
    const sd = parseSignedData(der);
    const si = sd.signerInfos[0]!;
    const signer = findSignerCertificate(si, sd.certificates);
    if (!signer || !si.signedAttrsDer || !si.messageDigest) return false;
    if (!createHash('sha256').update(sd.content ?? content).digest().equals(si.messageDigest)) return false;
    return cryptoVerify('sha256', si.signedAttrsDer, RSA(signer.publicKey), si.signature);
  };
  const pkiCms = async (der: Buffer, content: Buffer): Promise<boolean> => {
    const ci = pkijs.ContentInfo.fromBER(ab(der));
    const sd = new pkijs.SignedData({ schema: ci.content });
    return sd.verify({ signer: 0, data: ab(content), checkChain: false });
  };
  /** Ours: parse, the checks of crlProblem that need no chain (signature by the CA's key), lookup of two serials. */
  const oursCrl = (der: Buffer): string => {
    const c = parseCrl(der);
    if (!signedBytesOk(c.signatureAlgorithm, c.tbsDer, c.signature, caP.publicKey)) return 'bad signature';
    return `${c.entries.has(serialHex(leafP)) ? 'revoked' : 'good'}/${c.entries.has(lastRevokedHex) ? 'revoked' : 'good'}`;
  };
  const lastRevokedHex = serialBytesHex(Buffer.from(revokedSerial(CRL_ENTRIES - 1).padStart(8, '0'), 'hex'));
  const lastRevokedPk = (() => {
    // A certificate object whose serial is the last revoked one: pkijs looks revocation up by issuer + serial.
    const c = toPkiCert(caDer);
    c.serialNumber = new asn1js.Integer({ valueHex: ab(Buffer.from(revokedSerial(CRL_ENTRIES - 1), 'hex')) });
    c.issuer = leafPk.issuer;
    return c;
  })();
  /**
   * pkijs: `CertificateRevocationList.fromBER` as documented; asn1js 4 stops at 10 000 ASN.1 nodes by
   * default (3 per revoked entry), so a large CRL needs asn1js.fromBER with a higher `maxNodes` first.
   */
  const pkiCrlWith = (maxNodes: number | undefined) => async (der: Buffer): Promise<string> => {
    let c: any;
    if (maxNodes === undefined) c = pkijs.CertificateRevocationList.fromBER(ab(der));
    else {
      const asn = asn1js.fromBER(ab(der), { maxNodes });
      if (asn.offset === -1) throw new Error(`asn1js: ${asn.result.error}`);
      c = new pkijs.CertificateRevocationList({ schema: asn.result });
    }
    if (!(await c.verify({ issuerCertificate: caPk }))) return 'bad signature';
    return `${c.isCertificateRevoked(leafPk) ? 'revoked' : 'good'}/${c.isCertificateRevoked(lastRevokedPk) ? 'revoked' : 'good'}`;
  };
  const pkiCrl = pkiCrlWith(undefined);
  const pkiCrlBig = pkiCrlWith(10 * CRL_ENTRIES + 1000);
  const certId = certIdOf(leafP, caP);
  const oursOcsp = (der: Buffer): string => {
    const r = parseOcspResponse(der);
    const problem = ocspProblem(r, certId, caP, undefined, new Date());
    return problem ?? r.responses.find((s) => s.certIdDer.equals(certId.der))!.status;
  };
  const pkiOcsp = async (der: Buffer): Promise<string> => {
    const resp = pkijs.OCSPResponse.fromBER(ab(der));
    const basic = new pkijs.BasicOCSPResponse({ schema: asn1js.fromBER(resp.responseBytes.response.valueBlock.valueHexView).result });
    if (!(await basic.verify({ trustedCerts: [caPk], issuerCerts: [caPk] }))) return 'bad signature';
    const st = await basic.getCertificateStatus(leafPk, caPk);
    return ['good', 'revoked', 'unknown'][st.status] ?? `status ${st.status}`;
  };

  const pkiRuns = FAST ? 20 : 40;
  const crlRuns = FAST ? 3 : 5;
  const checks: Array<[string, number, () => unknown, () => unknown]> = [
    [`CMS SignedData, DER (${cmsDer.length} B) parse+verify`, pkiRuns, () => oursCms(cmsDer, signedContent), () => pkiCms(cmsDer, signedContent)],
    [`CMS SignedData, BER, content inside (-stream, ${cmsBer.length} B)`, pkiRuns, () => oursCms(cmsBer, signedContent), () => pkiCms(cmsBer, signedContent)],
    [`CRL ${CRL_ENTRIES} entries (${kib(crlDer.length)}) parse+verify+2 lookups`, crlRuns, () => oursCrl(crlDer), () => pkiCrl(crlDer)],
    [`… same, pkijs given asn1js maxNodes ${10 * CRL_ENTRIES + 1000}`, crlRuns, () => oursCrl(crlDer), () => pkiCrlBig(crlDer)],
    [`OCSP response (${ocspDer.length} B) parse+verify+status`, pkiRuns, () => oursOcsp(ocspDer), () => pkiOcsp(ocspDer)],
  ];
  const pkiRows: string[][] = [];
  for (const [label, runs, a, b] of checks) {
    const ra = await outcome(a, String);
    const rb = await outcome(b, String);
    const ta = await time_(runs, a);
    const tb = rb.startsWith('throws') ? NaN : await time_(runs, b);
    pkiRows.push([label, String(runs), `${ms(ta)} (${ra})`, Number.isNaN(tb) ? rb : `${ms(tb)} (${rb})`, Number.isNaN(tb) ? '—' : ratio(tb / ta)]);
  }
  // Where the CRL time goes: parse, signature, one lookup (pkijs's isCertificateRevoked walks the list).
  {
    const oursParsed = parseCrl(crlDer);
    const asn = asn1js.fromBER(ab(crlDer), { maxNodes: 10 * CRL_ENTRIES + 1000 });
    const pkiParsed = new pkijs.CertificateRevocationList({ schema: asn.result });
    const steps: Array<[string, number, () => unknown, () => unknown]> = [
      ['… parse only', crlRuns, () => parseCrl(crlDer), () => new pkijs.CertificateRevocationList({ schema: asn1js.fromBER(ab(crlDer), { maxNodes: 10 * CRL_ENTRIES + 1000 }).result })],
      ['… signature only', FAST ? 20 : 50, () => signedBytesOk(oursParsed.signatureAlgorithm, oursParsed.tbsDer, oursParsed.signature, caP.publicKey), () => pkiParsed.verify({ issuerCertificate: caPk })],
      ['… one lookup (last entry)', FAST ? 20 : 50, () => oursParsed.entries.has(lastRevokedHex), () => pkiParsed.isCertificateRevoked(lastRevokedPk)],
    ];
    for (const [label, runs, a, b] of steps) {
      const ta = await time_(runs, a, 1);
      const tb = await time_(runs, b, 1);
      pkiRows.push([label, String(runs), ms(ta), ms(tb), ratio(tb / ta)]);
    }
  }
  table('CMS / CRL / OCSP: parse + verify (median; answer in brackets)', ['input', 'runs', 'ours', 'pkijs', 'pkijs / ours'], pkiRows);

  // Exact signed bytes of signedAttrs (RFC 5652 §5.4): the [0] IMPLICIT bytes as received, re-tagged
  // as SET (0x31). A signer whose attributes are not in DER SET OF order (X.690 §11.6) signs those
  // bytes; a reader that re-encodes (sorts) them breaks the signature. Built here with der.ts's writer.
  const attrs = [
    seq(oid(OID.contentType), setOf(oid(OID.data))),
    seq(oid(OID.signingTime), setOf(time(new Date()))),
    seq(oid(OID.messageDigest), setOf(octetString(createHash('sha256').update(signedContent).digest()))),
  ];
  const sortedOrder = [...attrs].sort(Buffer.compare);
  const unsorted = [...sortedOrder].reverse();
  const unsortedSet = tlv(0x31, ...unsorted);
  const unsortedSig = cryptoSign('sha256', unsortedSet, RSA(leafKey));
  const sha256Alg = seq(oid(OID.sha256));
  const unsortedCms = seq(oid(OID.signedData), context(0, seq(
    integer(1), setOf(sha256Alg), seq(oid(OID.data)), tlv(0xa0, leafDer, caDer),
    setOf(seq(integer(1), seq(leafP.issuerDer, integer(leafP.serial)), sha256Alg, tlv(0xa0, ...unsorted), seq(oid(OID.rsaEncryption), tlv(0x05)), octetString(unsortedSig))),
  )));
  const oursSigned = parseSignedData(unsortedCms).signerInfos[0]!.signedAttrsDer!;
  const pkiSigned = Buffer.from(new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(ab(unsortedCms)).content }).signerInfos[0].signedAttrs.encodedValue);
  const derBytes = (der: Buffer) => {
    const ci = pkijs.ContentInfo.fromBER(ab(der));
    return Buffer.from(new pkijs.SignedData({ schema: ci.content }).signerInfos[0].signedAttrs.encodedValue);
  };
  const oursOpenssl = parseSignedData(cmsDer).signerInfos[0]!.signedAttrsDer!;
  table('CMS: exact bytes of signedAttrs (what the signature covers)', ['', 'ours (signedAttrsDer)', 'pkijs (signedAttrs.encodedValue)'], [
    ['openssl DER signature: bytes as received, tag 0x31', String(oursOpenssl.equals(Buffer.concat([Buffer.from([0x31]), findSignedAttrs(cmsDer).subarray(1)]))), String(derBytes(cmsDer).equals(oursOpenssl))],
    ['attributes not in DER order: bytes as received', String(oursSigned.equals(unsortedSet)), String(pkiSigned.equals(unsortedSet))],
    ['… and the signature verifies', String(oursCms(unsortedCms, signedContent)), await outcome(() => pkiCms(unsortedCms, signedContent), String)],
  ]);

  // Malformed DER: hand-made cases, then a batch of mutations of the valid samples.
  const mutate = (b: Buffer, at: number, xor: number) => {
    const c = Buffer.from(b);
    c[at] = c[at]! ^ xor;
    return c;
  };
  const longLen = (b: Buffer) => Buffer.concat([Buffer.from([b[0]!, 0x84, 0x7f, 0xff, 0xff, 0xff]), b.subarray(b[1]! & 0x80 ? 2 + (b[1]! & 0x7f) : 2)]);
  const derCases = (good: Buffer, signedFrom: number): Array<[string, Buffer]> => [
    ['cut in half', good.subarray(0, good.length >> 1)],
    ['last byte missing', good.subarray(0, good.length - 1)],
    ['one trailing byte', Buffer.concat([good, Buffer.from([0])])],
    ['outer length 2 GiB', longLen(good)],
    ['one byte of the signed part flipped', mutate(good, signedByteAt(good, signedFrom), 0x01)],
    ['empty', Buffer.alloc(0)],
    ['512 random bytes', noise(512)],
  ];
  const kinds: Array<[string, Buffer, (b: Buffer) => unknown, (b: Buffer) => unknown]> = [
    ['CMS', cmsDer, (b) => oursCms(b, signedContent), (b) => pkiCms(b, signedContent)],
    ['CRL (10 entries)', smallCrlDer, oursCrl, pkiCrlBig],
    ['OCSP', ocspDer, oursOcsp, pkiOcsp],
  ];
  const derRows: string[][] = [];
  for (const [kind, good, a, b] of kinds) {
    const signedFrom = kind === 'CMS' ? good.indexOf(findSignedAttrs(good)) : 0;
    for (const [label, bytes] of derCases(good, signedFrom)) derRows.push([`${kind}: ${label}`, await outcome(() => a(bytes), (v) => `returns ${v}`), await outcome(() => b(bytes), (v) => `returns ${v}`)]);
  }
  table('CMS / CRL / OCSP: malformed input (parse + verify)', ['input', 'ours', 'pkijs'], derRows);

  /** Outcomes of `f` over `inputs`, tallied, with how many distinct error messages (digits folded). */
  const tallyRun = async (f: (b: Buffer) => unknown, inputs: Uint8Array[]): Promise<string> => {
    const results: string[] = [];
    for (const i of inputs) results.push(await outcome(() => f(Buffer.from(i)), (v) => `returns ${v}`));
    const distinct = new Set(results.filter((r) => r.startsWith('throws')).map((r) => r.replace(/\d+/g, 'N'))).size;
    return `${tallyOf(results)} [${distinct} distinct error messages]`;
  };
  const batchRows: string[][] = [];
  const batchSeeds: Array<[string, Buffer[], (b: Buffer) => unknown, (b: Buffer) => unknown]> = [
    ['CMS (DER, BER)', [cmsDer, cmsBer], (b) => oursCms(b, signedContent), (b) => pkiCms(b, signedContent)],
    ['OCSP', [ocspDer], oursOcsp, pkiOcsp],
    // The 10 000-entry CRL is too slow to mutate by the hundred with pkijs: a 10-entry one.
    ['CRL (10 entries)', [smallCrlDer], oursCrl, pkiCrlBig],
  ];
  for (const [kind, seeds, a, b] of batchSeeds) {
    const inputs = fc.sample(mutatedBytes(seeds), { seed: 15, numRuns: FAST ? 100 : 200 });
    batchRows.push([`${kind}: ${inputs.length} mutations (seed 15)`, await tallyRun(a, inputs), await tallyRun(b, inputs)]);
  }
  table('CMS / CRL / OCSP: mutated inputs (fuzz/mutate.ts)', ['input', 'ours', 'pkijs'], batchRows);

  // One byte flipped (xor 0x01) at evenly spaced offsets: where a parser refuses, where the signature
  // check catches it, and where a change is accepted (bytes neither signed nor checked without a chain).
  const flipRows: string[][] = [];
  for (const [kind, seeds, a, b] of batchSeeds) {
    const good = seeds[0]!;
    const n = FAST ? 60 : 120;
    const inputs = Array.from({ length: n }, (_, i) => mutate(good, Math.floor((i * good.length) / n), 0x01));
    flipRows.push([`${kind.replace(' (DER, BER)', ' DER')} (${good.length} B): ${n} single-byte flips`, await tallyRun(a, inputs), await tallyRun(b, inputs)]);
  }
  table('CMS / CRL / OCSP: one byte flipped', ['input', 'ours', 'pkijs'], flipRows);

  const serverOurs = await bundleSize(
    `export { parseSignedData, findSignerCertificate } from './server-extension/src/signing/cms.ts';
     export { parseCrl, crlProblem, signedBytesOk } from './server-extension/src/signing/crl.ts';
     export { parseOcspResponse, ocspProblem, certIdOf } from './server-extension/src/signing/ocsp.ts';`,
    'node',
  );
  const serverPki = await bundleSize(`export { ContentInfo, SignedData, CertificateRevocationList, OCSPResponse, BasicOCSPResponse, Certificate } from 'pkijs'; export * as asn1js from 'asn1js';`, 'node');
  const pkiInstalled = installedSize('pkijs');
  const ourFiles = ['der.ts', 'cms.ts', 'crl.ts', 'ocsp.ts', 'x509.ts', 'oids.ts'].map((f) => `server-extension/src/signing/${f}`);
  table('CMS / CRL / OCSP: size (server: esbuild --bundle --minify --platform=node, gzip -9)', ['', 'ours', 'pkijs + asn1js'], [
    ['minified', kib(serverOurs.min), kib(serverPki.min)],
    ['minified + gzip', kib(serverOurs.gz), kib(serverPki.gz)],
    ['source / installed', `${kib(sourceBytes(ourFiles))} (der, cms, crl, ocsp, x509, oids .ts)`, `${kib(pkiInstalled.bytes)} (${pkiInstalled.packages.join(', ')})`],
  ]);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * An offset inside what the signature covers, away from tags and lengths: a digit of the first time
 * after `from` (CMS: signingTime in signedAttrs; CRL: thisUpdate; OCSP: producedAt, GeneralizedTime).
 */
function signedByteAt(der: Buffer, from = 0): number {
  const utc = der.indexOf(Buffer.from([0x17, 0x0d]), from);
  const gen = der.indexOf(Buffer.from([0x18, 0x0f]), from);
  const i = [utc, gen].filter((x) => x >= 0).sort((a, b) => a - b)[0];
  if (i === undefined) throw new Error('no time in the signed part');
  return i + 2 + 9; // a minutes digit
}

/** The [0] IMPLICIT signedAttrs TLV of the first SignerInfo of a DER ContentInfo, read with der.ts. */
function findSignedAttrs(der: Buffer): Buffer {
  const sd = children(children(children(readOne(der))[1])[0]);
  const si = children(children(sd[sd.length - 1])[0]);
  return si.find((t) => t.tag === 0xa0)!.raw;
}
