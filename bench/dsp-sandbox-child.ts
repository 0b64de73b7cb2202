/**
 * The sandbox Zimbra of bench/dsp.ts in its own process, as Zimbra is not in the service's process:
 * the service checks sessions with it, and its heap is not the service's (neither in the memory
 * growth measured nor in the service's garbage collections).
 * Run by bench/dsp.ts: node --import tsx bench/dsp-sandbox-child.ts <dir> <service url> → prints
 * `{"url": …}` once listening.
 */
import { join } from 'node:path';
import { startSandbox } from '../sandbox/server/index.ts';

const [dir, serviceUrl] = process.argv.slice(2);
if (!dir || !serviceUrl) throw new Error('usage: dsp-sandbox-child.ts <dir> <service url>');
const sandbox = await startSandbox({ port: 0, dataDir: join(dir, 'sandbox'), smtpPort: 0, zimletsDir: join(dir, 'zimlets'), serviceUrl });
process.stdout.write(`${JSON.stringify({ url: sandbox.url })}\n`);
process.on('SIGTERM', () => void sandbox.stop().then(() => process.exit(0)));
