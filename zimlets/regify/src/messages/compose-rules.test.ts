import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkCompose, recipientsOf } from './compose-rules.ts';
import type { ComposedMsgLike } from './zimbra-objects.ts';

const TYPES = { to: 'TO', cc: 'CC', bcc: 'BCC' };
function composed(fields: Record<string, string[]>): ComposedMsgLike {
  return { getAddresses: (type) => ({ getArray: () => (fields[type] ?? []).map((address) => ({ address })) }) };
}

test('recipients are read per field, blanks dropped', () => {
  const r = recipientsOf(composed({ TO: ['a@esante.lu', ' '], CC: ['b@esante.lu'] }), TYPES);
  assert.deepEqual(r, { to: ['a@esante.lu'], cc: ['b@esante.lu'], bcc: [] });
});

test('a compose view without getAddresses support yields no recipients (refused), never throws', () => {
  const broken = { getAddresses: () => { throw new Error('no'); } } as unknown as ComposedMsgLike;
  assert.equal(checkCompose(recipientsOf(broken, TYPES), 'x'), 'no_recipient');
});

test('Regify refusals: Bcc first, then no To/Cc, then an empty subject', () => {
  assert.equal(checkCompose({ to: ['a@x.lu'], cc: [], bcc: ['c@x.lu'] }, 'Objet'), 'bcc');
  assert.equal(checkCompose({ to: [], cc: [], bcc: [] }, 'Objet'), 'no_recipient');
  assert.equal(checkCompose({ to: [], cc: ['b@x.lu'], bcc: [] }, '   '), 'no_subject');
  assert.equal(checkCompose({ to: [], cc: ['b@x.lu'], bcc: [] }, 'Objet'), undefined);
});
