import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { EmbeddedDirectory, LdapDirectory, createDirectory } from './index.ts';

test('embedded by default: the generator defaults, named seed users first, hidden ones not loaded', async () => {
  const usersFile = fileURLToPath(new URL('../../../sandbox/seed/users.json', import.meta.url));
  const dir = createDirectory({ kind: 'embedded', usersFile });
  assert.ok(dir instanceof EmbeddedDirectory);
  assert.ok(dir.size > 250 && dir.size < 300, `visible entries ${dir.size}`);
  const res = await dir.search({ name: 'Schmit', firstName: 'Marie' });
  assert.ok(res.items.some((i) => i.mail === 'marie.schmit@esante.lu'));
  await dir.close();
  // Without a named file the service knows nobody of the sandbox (it ships without it).
  const plain = createDirectory({ kind: 'embedded' });
  assert.ok(!(await plain.search({ name: 'Schmit', firstName: 'Marie' })).items.some((i) => i.mail === 'marie.schmit@esante.lu'));
  await plain.close();
});

test('ldap config builds the LDAP adapter without connecting', async () => {
  const dir = createDirectory({ kind: 'ldap', url: 'ldap://127.0.0.1:1', bindDN: 'cn=x', password: { reveal: () => 'x' }, baseDN: 'dc=HPD,dc=esante,dc=lu' });
  assert.ok(dir instanceof LdapDirectory);
  await dir.close();
});
