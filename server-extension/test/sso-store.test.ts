/**
 * The first-login tables (store/sso.ts, migration 0003) on both databases: one-time use of an
 * assertion and one mailbox per directory entry / one entry per mailbox, under concurrency.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openStore, type Store } from '../src/store/index.ts';
import { startPostgres, type TestPostgres } from './support/postgres.ts';

function describeSso(name: string, open: () => Promise<Store>): void {
  describe(`first-login store (${name})`, () => {
    let store: Store;
    before(async () => {
      store = await open();
      await store.migrate();
    });
    after(() => store.close());

    test('an assertion is usable once, even by concurrent callers; expired ones are forgotten', async () => {
      const results = await Promise.all(Array.from({ length: 5 }, () => store.sso.useAssertion('idp|_a1', '2026-01-01T00:05:00Z')));
      assert.equal(results.filter(Boolean).length, 1);
      assert.equal(await store.sso.useAssertion('idp|_a2', '2026-01-01T00:10:00Z'), true);
      assert.equal(await store.sso.forgetExpiredAssertions('2026-01-01T00:06:00Z'), 1);
      // _a2 is still remembered; _a1 is gone (it could not be replayed anyway: it expired).
      assert.equal(await store.sso.useAssertion('idp|_a2', '2026-01-01T00:10:00Z'), false);
    });

    test('one mailbox per entry, one entry per mailbox, never overwritten', async () => {
      const [x, y] = await Promise.all([store.sso.bindMailbox('pro-x', 'Luc.Weber@esante.lu'), store.sso.bindMailbox('pro-y', 'luc.weber@esante.lu')]);
      const winner = x.professionalId;
      assert.equal(y.professionalId, winner, 'both see the same holder');
      assert.equal((await store.sso.ownerOf('LUC.WEBER@esante.lu'))?.professionalId, winner);
      const loser = winner === 'pro-x' ? 'pro-y' : 'pro-x';
      assert.equal(await store.sso.mailboxOf(loser), null);
      // The entry that holds a mailbox keeps it when asked for another.
      const kept = await store.sso.bindMailbox(winner, 'other@esante.lu');
      assert.equal(kept.mail.toLowerCase(), 'luc.weber@esante.lu');
      assert.equal(await store.sso.ownerOf('other@esante.lu'), null);
    });

    test('bad input is refused before any write', async () => {
      await assert.rejects(store.sso.bindMailbox('', 'a@esante.lu'), { code: 'request.invalid' });
      await assert.rejects(store.sso.bindMailbox('pro-z', 'not a mail'), { code: 'request.invalid' });
      await assert.rejects(store.sso.useAssertion('x\u0000y', '2026-01-01T00:00:00Z'), { code: 'request.invalid' });
      assert.equal(await store.sso.mailboxOf('pro-z'), null);
    });
  });
}

describeSso('SQLite', () => openStore({ kind: 'sqlite', path: ':memory:' }));

let cluster: TestPostgres | undefined;
describeSso('PostgreSQL', async () => {
  cluster ??= await startPostgres();
  return openStore({ kind: 'postgres', url: await cluster.createDatabase(), poolSize: 4 });
});
after(async () => {
  await cluster?.stop();
});
