/**
 * CLI entry of the sandbox: `node --import tsx sandbox/server/main.ts`.
 * Environment: SANDBOX_PORT (HTTP, default 8080), SANDBOX_HOST (default 127.0.0.1),
 * SANDBOX_SMTP_PORT (default 2525), SANDBOX_DATA_DIR (default .data/sandbox),
 * ESANTE_SERVICE_URL (default http://127.0.0.1:7080, target of /service/extension/esante/),
 * SANDBOX_ZIMLETS_DIR (default dist/zimlets), SANDBOX_PREAUTH_KEY (hex; default generated and kept in the data dir),
 * SANDBOX_AUTOSAVE_DRAFT_INTERVAL (default zimbraPrefAutoSaveDraftInterval, e.g. "30s"; e2e sets "5s"),
 * SANDBOX_PORTAL_PORT (the recipients' portal on its own origin; empty = on the webmail's, as before;
 * `npm start` uses SANDBOX_PORT + 1000, i.e. 9080) and ESANTE_PORTAL_ORIGIN (its public origin, default http://localhost:<port>).
 */
import { startSandbox } from './index.ts';

function port(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    process.stderr.write(`${name} must be a port number (0-65535), got ${JSON.stringify(raw)}\n`);
    process.exit(2);
  }
  return n;
}

const sandbox = await startSandbox({
  port: port('SANDBOX_PORT', 8080),
  host: process.env['SANDBOX_HOST'] || '127.0.0.1',
  smtpPort: port('SANDBOX_SMTP_PORT', 2525),
  dataDir: process.env['SANDBOX_DATA_DIR'] || '.data/sandbox',
  serviceUrl: process.env['ESANTE_SERVICE_URL'] || 'http://127.0.0.1:7080',
  zimletsDir: process.env['SANDBOX_ZIMLETS_DIR'] || 'dist/zimlets',
  ...(process.env['SANDBOX_PREAUTH_KEY'] ? { preauthKey: process.env['SANDBOX_PREAUTH_KEY'] } : {}),
  // The stand-in portal lists the same directory as the service.
  ...(process.env['ESANTE_DIRECTORY_SEED'] ? { directorySeedFile: process.env['ESANTE_DIRECTORY_SEED'] } : {}),
  ...(process.env['SANDBOX_PORTAL_PORT'] ? { portalPort: port('SANDBOX_PORTAL_PORT', 8081) } : {}),
  ...(process.env['ESANTE_PORTAL_ORIGIN'] ? { portalOrigin: process.env['ESANTE_PORTAL_ORIGIN'].replace(/\/+$/, '') } : {}),
  ...(process.env['SANDBOX_AUTOSAVE_DRAFT_INTERVAL'] ? { autoSaveDraftInterval: process.env['SANDBOX_AUTOSAVE_DRAFT_INTERVAL'] } : {}),
  log: true,
  // A clean `npm start` prints no line per request; SANDBOX_LOG_REQUESTS=1 asks for them.
  logRequests: process.env['SANDBOX_LOG_REQUESTS'] === '1',
});
process.stdout.write(`sandbox: ${sandbox.url} (SMTP 127.0.0.1:${sandbox.smtpPort})${sandbox.portalUrl ? `, portal ${sandbox.portalUrl}` : ''}\n`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    sandbox.stop().then(
      () => process.exit(0),
      (e: unknown) => {
        process.stderr.write(`sandbox: stop failed: ${(e as Error).message}\n`);
        process.exit(1);
      },
    );
  });
}
