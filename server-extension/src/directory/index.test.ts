import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EmbeddedDirectory, LdapDirectory, createDirectory } from './index.ts';

test('embedded by default: the generator defaults, sandbox users included, hidden ones not loaded', async () => {
  const dir = createDirectory({ kind: 'embedded' });
  assert.ok(dir instanceof EmbeddedDirectory);
  assert.ok(dir.size > 250 && dir.size < 300, `visible entries ${dir.size}`);
  const res = await dir.search({ name: 'Schmit', firstName: 'Marie' });
  assert.ok(res.items.some((i) => i.mail === 'marie.schmit@esante.lu'));
  await dir.close();
});

test('ldap config builds the LDAP adapter without connecting', async () => {
  const dir = createDirectory({ kind: 'ldap', url: 'ldap://127.0.0.1:1', bindDN: 'cn=x', password: { reveal: () => 'x' }, baseDN: 'dc=HPD,dc=esante,dc=lu' });
  assert.ok(dir instanceof LdapDirectory);
  await dir.close();
});
