/** The messages store contract (store.messages.contract.ts) on SQLite and on a private PostgreSQL. */
import { after, before } from 'node:test';
import { openStore } from '../src/store/index.ts';
import { describeMessagesStoreContract } from './support/store.messages.contract.ts';
import { startPostgres, type TestPostgres } from './support/postgres.ts';

describeMessagesStoreContract('SQLite', () => openStore({ kind: 'sqlite', path: ':memory:' }));

let cluster: TestPostgres;
before(async () => {
  cluster = await startPostgres();
});
after(async () => {
  await cluster?.stop();
});
describeMessagesStoreContract('PostgreSQL', async () => openStore({ kind: 'postgres', url: await cluster.createDatabase(), poolSize: 4 }));
