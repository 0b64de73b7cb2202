import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { InvalidRequestError, RequestTooLargeError } from '../errors.ts';
import { decodeMessage } from './feature.ts';

const MAX = 10_240_000; // ESANTE_SIGNING_MAX_MESSAGE_BYTES' default (Zimbra's zimbraMtaMaxMessageSize)

test('SignMessage / VerifySignature decode a message at the size limit (the 7 MB signed send failed with an internal error: the base64 pattern overflowed the regexp stack)', () => {
  const message = randomBytes(MAX);
  assert.deepEqual(decodeMessage(message.toString('base64'), MAX, 'fr'), message);
  assert.throws(() => decodeMessage(randomBytes(MAX + 3).toString('base64'), MAX, 'fr'), RequestTooLargeError);
});

test('only strict base64 is accepted, with a translated reason; padding only at the end', () => {
  for (const [b64, bytes] of [['YQ==', 'a'], ['YWI=', 'ab'], ['YWJj', 'abc'], ['YWJjZA==', 'abcd']] as const) {
    assert.equal(decodeMessage(b64, MAX, 'fr').toString('latin1'), bytes, b64);
  }
  for (const bad of ['YQ', 'YQ=', 'Y===', '=YWJ', 'YQ==YQ==', 'YW=j', 'YWJj\r\nZA==', 'YW J', 'YW-_', 'é123']) {
    assert.throws(() => decodeMessage(bad, MAX, 'de'), (e: unknown) => e instanceof InvalidRequestError && /Base64/.test(e.message), JSON.stringify(bad));
  }
  assert.throws(() => decodeMessage('', MAX, 'en'), (e: unknown) => e instanceof InvalidRequestError && /empty/.test(e.message));
});
