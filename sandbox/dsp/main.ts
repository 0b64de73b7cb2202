/**
 * The DSP stand-ins alone on a port (bench: the stand-in must not share the service's process, whose
 * memory is measured). Usage: node --import tsx sandbox/dsp/main.ts <trusted-cert.pem> → prints
 * `{"url": …}` on stdout once listening.
 */
import { readFileSync } from 'node:fs';
import { pemCertificates, startDspStandIn } from './standin.ts';

const certFile = process.argv[2];
if (!certFile) throw new Error('usage: main.ts <trusted XUA certificate PEM>');
const s = await startDspStandIn({ trustedCerts: () => pemCertificates(readFileSync(certFile, 'utf8')) });
process.stdout.write(`${JSON.stringify({ url: s.url })}\n`);
process.on('SIGTERM', () => void s.stop().then(() => process.exit(0)));
