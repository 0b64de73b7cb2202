import { defineConfig } from '@playwright/test';

/**
 * e2e in Debian's Chromium (Playwright cannot download browsers here) against the whole suite started
 * the way `npm start` does it, on its own ports and a throw-away data dir.
 */
export const E2E_PORT = Number(process.env.E2E_SANDBOX_PORT ?? 18080);
export const E2E_SERVICE_PORT = Number(process.env.E2E_SERVICE_PORT ?? 17080);
export const E2E_SMTP_PORT = Number(process.env.E2E_SMTP_PORT ?? 12525);
export const E2E_DATA_DIR = process.env.E2E_DATA_DIR ?? '.data/e2e';
/**
 * The recipients' portal on its own origin (security review #17), as in production: another port and
 * another host name than the webmail's (cookies ignore ports), served by the sandbox's second server.
 */
export const E2E_PORTAL_PORT = Number(process.env.E2E_PORTAL_PORT ?? E2E_PORT + 1000);
export const E2E_PORTAL_ORIGIN = `http://localhost:${E2E_PORTAL_PORT}`;


export default defineConfig({
  testDir: '.',
  testMatch: '**/*.spec.ts',
  // Separate runs (e.g. on other ports) must not share, and wipe, each other's artifacts.
  outputDir: process.env.E2E_OUTPUT_DIR ?? '../test-results',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${E2E_PORT}`,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  webServer: {
    command: `node scripts/start.mjs --fresh --no-build`,
    cwd: new URL('..', import.meta.url).pathname,
    url: `http://127.0.0.1:${E2E_PORT}/service/extension/esante/health`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'ignore',
    // The sandbox logs every request on stderr: shown only when E2E_DEBUG=1.
    stderr: process.env.E2E_DEBUG ? 'pipe' : 'ignore',
    env: {
      SANDBOX_PORT: String(E2E_PORT),
      ESANTE_PORT: String(E2E_SERVICE_PORT),
      SANDBOX_SMTP_PORT: String(E2E_SMTP_PORT),
      ESANTE_DATA_DIR: E2E_DATA_DIR,
      SANDBOX_DATA_DIR: `${E2E_DATA_DIR}/sandbox`,
      SANDBOX_PORTAL_PORT: String(E2E_PORTAL_PORT),
      ESANTE_PORTAL_ORIGIN: E2E_PORTAL_ORIGIN,
      // Lets e2e tests move the service's clock (read deadlines); never set in production.
      ESANTE_TEST_CLOCK: '1',
      // Zimbra autosaves drafts (zimbraPrefAutoSaveDraftInterval, default 30s): short here so every spec
      // runs with autosave on and a test can see what reaches the server (issue 10).
      SANDBOX_AUTOSAVE_DRAFT_INTERVAL: '5s',
    },
  },
});
