/**
 * One service for bench/directory-service.ts, in its OWN process as in production (so the bench's
 * 100 000 generated records and its clients do not share the service's heap and event loop).
 * Starts the sandbox (Zimbra stand-in) and the service (the real composition root) with the ESANTE_*
 * variables it was given, logs in a seeded user, prints one JSON line
 *   {"url": service URL, "authToken", "csrfToken"}
 * on stdout (its logs go to stderr), and stops everything when its stdin closes (the parent exited or is done).
 */
import { createLogger } from '../server-extension/src/log.ts';
import { SEED_PASSWORD, loginAs, startTestEnv } from '../server-extension/test/support/service.ts';

async function main(): Promise<void> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (k.startsWith('ESANTE_') && v !== undefined) env[k] = v;
  // A quiet logger: the bench measures the service, not its debug output. Its warnings go to stderr
  // (shown by the parent): stdout carries only the one line below.
  const test = await startTestEnv(env, { log: createLogger({ level: 'warn', destination: process.stderr }), env });
  const login = await loginAs(test.sandboxUrl, 'marie.schmit@esante.lu', SEED_PASSWORD);
  process.stdout.write(`${JSON.stringify({ url: test.service.url, authToken: login.authToken, csrfToken: login.csrfToken })}\n`);
  const stop = () => void test.close().finally(() => process.exit(0));
  process.stdin.on('end', stop);
  process.stdin.on('close', stop);
  process.stdin.resume();
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(2);
});
