/**
 * `node --import tsx server-extension/src/main.ts`: reads the configuration from the environment,
 * starts the service, and stops it gracefully on SIGTERM/SIGINT.
 */
import { ConfigError, loadConfig, unknownEsanteVars } from './config.ts';
import { ALL_CONFIG_VARS } from './feature-list.ts';
import { createLogger } from './log.ts';
import { createService } from './root.ts';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const log = createLogger({ level: config.logLevel });
  const unknown = unknownEsanteVars(process.env, ALL_CONFIG_VARS);
  if (unknown.length > 0) log.warn({ variables: unknown }, 'unknown ESANTE_ variables ignored (typo?)');

  const service = await createService(config, { log });
  let signalled = false;
  const shutdown = (signal: string) => {
    if (signalled) return;
    signalled = true;
    log.info({ signal }, 'shutting down');
    service.stop().then(
      () => process.exit(0),
      (e: unknown) => {
        log.error({ err: e }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  await service.start();
}

main().catch((e: unknown) => {
  process.stderr.write(`eSanté service failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
