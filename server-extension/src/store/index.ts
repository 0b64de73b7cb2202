/**
 * The Store port and its factory. The composition root calls `openStore(config)` then
 * `await store.migrate()` at start; everything else goes through `store.audit`, `store.accounts` and,
 * for encrypted messages, `store.messages`, `store.notifications` and `store.portal` (messages-types.ts).
 * See README.md beside this file for the schema and how to add a migration.
 */
import { openPostgresStore } from './postgres.ts';
import { openSqliteStore } from './sqlite.ts';
import type { Store, StoreConfig } from './types.ts';

export * from './types.ts';
export { StoreError, StoreInputError, StoreMigrationError, StoreUnavailableError } from './errors.ts';
export { LATEST_VERSION as LATEST_SCHEMA_VERSION } from './migrations/index.ts';

export async function openStore(config: StoreConfig): Promise<Store> {
  switch (config.kind) {
    case 'sqlite':
      return openSqliteStore(config);
    case 'postgres':
      return openPostgresStore(config);
    default:
      throw new TypeError(`unknown store kind: ${String((config as { kind?: unknown }).kind)}`);
  }
}
