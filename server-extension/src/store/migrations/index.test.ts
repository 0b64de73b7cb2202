import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StoreMigrationError } from '../errors.ts';
import { LATEST_VERSION, MIGRATIONS, checksum, pendingMigrations, type Migration } from './index.ts';

test('migrations are numbered 1…n without gaps, with unique snake_case names and both dialects', () => {
  assert.deepEqual(MIGRATIONS.map((m) => m.version), Array.from({ length: MIGRATIONS.length }, (_, i) => i + 1));
  assert.equal(LATEST_VERSION, MIGRATIONS.length);
  assert.equal(new Set(MIGRATIONS.map((m) => m.name)).size, MIGRATIONS.length);
  for (const m of MIGRATIONS) {
    assert.match(m.name, /^[a-z][a-z0-9_]*$/);
    assert.ok(m.sqlite.trim() && m.postgres.trim(), `${m.version} has SQL for both dialects`);
  }
});

const fake = (version: number, sql = `-- ${version}`): Migration => ({ version, name: `m${version}`, sqlite: sql, postgres: sql });

test('pending migrations come in version order and skip the applied ones', () => {
  const list = [fake(3), fake(1), fake(2)];
  assert.deepEqual(pendingMigrations([], 'sqlite', list).map((m) => m.version), [1, 2, 3]);
  assert.deepEqual(pendingMigrations([{ version: 1, checksum: checksum(fake(1), 'sqlite') }], 'sqlite', list).map((m) => m.version), [2, 3]);
});

test('an applied migration whose SQL changed is refused', () => {
  const applied = [{ version: 1, checksum: checksum(fake(1, 'CREATE TABLE a (x INT)'), 'postgres') }];
  assert.throws(() => pendingMigrations(applied, 'postgres', [fake(1, 'CREATE TABLE a (x BIGINT)')]), StoreMigrationError);
});
