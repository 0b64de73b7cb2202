/**
 * The "browser" of bench/dsp.ts in its own process, as the doctor's browser is not in the service's
 * process: it holds the 10 MB document and POSTs it, to the service's upload route or (the bare
 * reference) straight to the stand-in, with the same client code for both. Driven over IPC:
 *   {cmd: 'prepare', seed}                 → builds the document (outside any timing) → {ok}
 *   {cmd: 'sha1'}                          → its SHA-1 with WebCrypto, as the zimlet computes it
 *                                            (crypto.subtle.digest('SHA-1'), zimlets/medical/src/service.ts) → {sha1}
 *   {cmd: 'post', url, headers}            → POSTs it → {status, text}
 * Run by bench/dsp.ts: node --import tsx bench/dsp-browser-child.ts
 */
import { request } from 'node:http';
import { sha1Hex } from '../zimlets/medical/src/service.ts';

const SIZE = 10 * 1024 * 1024;
let bytes: Buffer | undefined;

function pdfOf(seed: number): Buffer {
  const b = Buffer.alloc(SIZE, 0x20);
  b.write(`%PDF-1.7\n% bench document ${seed} ${Date.now()}\n`, 0, 'latin1');
  b.write('\n%%EOF\n', SIZE - 7, 'latin1');
  return b;
}

function post(url: string, body: Buffer, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'Content-Length': String(body.length), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

process.on('message', (m: { cmd: 'prepare'; seed: number } | { cmd: 'sha1' } | { cmd: 'post'; url: string; headers: Record<string, string> }) => {
  if (m.cmd === 'prepare') {
    bytes = pdfOf(m.seed);
    process.send!({ ok: true });
  } else if (m.cmd === 'sha1') {
    void sha1Hex(new Uint8Array(bytes!.buffer, bytes!.byteOffset, bytes!.length)).then((sha1) => process.send!({ sha1 }));
  } else {
    post(m.url, bytes!, m.headers).then(
      (r) => process.send!(r),
      (e: Error) => process.send!({ status: 0, text: e.message }),
    );
  }
});
process.send!({ ready: true });
