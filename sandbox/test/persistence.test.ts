import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { loginAs, soapAs } from '../server/testing.ts';
import { startTestSandbox, soapRaw, PASSWORD, MARIE, JEAN } from './helpers.ts';

test('mail, folders, contacts, properties and sessions survive a restart; an expired token is AUTH_EXPIRED', async () => {
  const first = await startTestSandbox();
  const dataDir = first.dataDir;
  let second: Awaited<ReturnType<typeof startTestSandbox>> | undefined;
  try {
    const marie = await loginAs(first.url, MARIE, PASSWORD);
    await soapAs(first.url, marie, 'SendMsgRequest', { m: { e: [{ t: 't', a: JEAN }], su: 'Avant redémarrage', mp: [{ ct: 'text/plain', content: 'persist' }] } });
    const folder = await soapAs<{ folder: any[] }>(first.url, marie, 'CreateFolderRequest', { folder: { name: 'Professionnels', view: 'contact', l: '1' } });
    await soapAs(first.url, marie, 'CreateContactRequest', { cn: { l: folder.folder[0].id, a: [{ n: 'email', _content: JEAN }, { n: 'lastName', _content: 'Weber' }] } });
    await soapAs(first.url, marie, 'ModifyPropertiesRequest', { prop: [{ zimlet: 'lu_esante_regify', name: 'wizardDone', _content: 'true' }] }, 'urn:zimbraAccount');
    const passwordHash = (new Database(join(dataDir, 'sandbox.sqlite'), { readonly: true }).prepare('SELECT password_hash FROM accounts WHERE name = ?').get(MARIE) as { password_hash: string }).password_hash;
    assert.match(passwordHash, /^scrypt\$/, 'passwords are stored as scrypt hashes');
    await first.stop();

    second = await startTestSandbox({}, dataDir);
    // The session made before the restart is still valid (stored, like Zimbra's tokens outlive a restart).
    const info = await soapAs<any>(second.url, marie, 'GetInfoRequest', {}, 'urn:zimbraAccount');
    assert.deepEqual(info.props.prop, [{ zimlet: 'lu_esante_regify', name: 'wizardDone', _content: 'true' }]);
    const jean = await loginAs(second.url, JEAN, PASSWORD);
    const inbox = await soapAs<{ m: any[] }>(second.url, jean, 'SearchRequest', { query: 'in:inbox', types: 'message' });
    assert.ok(inbox.m.some((m) => m.su === 'Avant redémarrage'));
    const contacts = await soapAs<{ cn: any[] }>(second.url, marie, 'SearchRequest', { query: 'in:"Professionnels"', types: 'contact' });
    assert.equal(contacts.cn[0]._attrs.email, JEAN);
    // Seeding does not run twice.
    const db = new Database(join(dataDir, 'sandbox.sqlite'));
    assert.equal((db.prepare('SELECT count(*) AS n FROM accounts WHERE name = ?').get(MARIE) as { n: number }).n, 1);
    db.prepare('UPDATE sessions SET expires_at = ?').run(Date.now() - 1000);
    db.close();
    const expired = await soapRaw(second.url, '/service/soap', 'GetInfoRequest', {}, { cookie: marie.cookie, csrf: marie.csrfToken });
    assert.equal(expired.json.Body.Fault.Detail.Error.Code, 'service.AUTH_EXPIRED');
  } finally {
    if (second) await second.dispose();
    else await first.dispose();
  }
});
