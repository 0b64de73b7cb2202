/** The messages store contract (store.messages.contract.ts) on SQLite and on a private PostgreSQL. */
import { openStore } from '../src/store/index.ts';
import { describeMessagesStoreContract } from './support/store.messages.contract.ts';
import { usePostgres } from './support/postgres.ts';

describeMessagesStoreContract('SQLite', () => openStore({ kind: 'sqlite', path: ':memory:' }));

const cluster = usePostgres();
describeMessagesStoreContract('PostgreSQL', async () => openStore({ kind: 'postgres', url: await cluster.createDatabase(), poolSize: 4 }));
