/**
 * Master key rotation without losing a message.
 *
 * Procedure (docs/container-format.md §8 has the operator's view):
 *  1. Make a fresh key current while keeping the old ones in the keyring (`addNewMasterKeyToFile`, or
 *     ESANTE_MASTER_KEY=new + ESANTE_MASTER_KEY_PREVIOUS=old) and restart the instances: new values
 *     are wrapped under the new key, old values still open.
 *  2. `rotateMasterKey` re-wraps every stored value; the caller saves each result as it comes, one
 *     row at a time, ideally with compare-and-set (`UPDATE … SET wrapped = after WHERE wrapped = before`).
 *  3. Only when the store names no old key id any more (`wrappedKeyId`), retire the old keys
 *     (`retireMasterKeysInFile`, or drop ESANTE_MASTER_KEY_PREVIOUS).
 * Interrupted anywhere in step 2, every row is under either the old or the new key, both of which
 * the keyring still holds, so every message stays openable; running step 2 again skips the rows
 * already done.
 */
import { KeyCryptoError } from './errors.ts';
import { MasterKeyring, type MasterKey } from './master-key.ts';
import { type WrapContext, unwrap, wrapWith, wrappedKeyId } from './wrap.ts';

export interface WrappedRecord {
  context: WrapContext;
  wrapped: string;
}

export interface RotatedRecord extends WrappedRecord {
  /** The value before; the caller's compare-and-set guard. */
  before: string;
  /** False when the value was already under the new key (a resumed rotation). */
  changed: boolean;
}

/**
 * Re-wraps each record under `next`, yielding one result per record in order, so the caller can
 * persist as it goes. `old` is the key or keyring the existing values were wrapped with (a keyring
 * also covers values left under an even older key by an earlier interrupted rotation).
 * Stops with a KeyCryptoError at the first value that does not open (unknown key id, or corrupted):
 * everything yielded before it has been re-wrapped correctly.
 */
export async function* rotateMasterKey(
  old: MasterKey | MasterKeyring,
  next: MasterKey,
  records: Iterable<WrappedRecord> | AsyncIterable<WrappedRecord>,
): AsyncGenerator<RotatedRecord> {
  const oldRing = old instanceof MasterKeyring ? old : new MasterKeyring(old);
  const ring = new MasterKeyring(next, oldRing.keys());
  for await (const record of records) {
    if (wrappedKeyId(record.wrapped) === next.id) {
      yield { context: record.context, wrapped: record.wrapped, before: record.wrapped, changed: false };
      continue;
    }
    let plain: Buffer;
    try {
      plain = unwrap(ring, record.context, record.wrapped);
    } catch (err) {
      const where = record.context.kind === 'data-key' ? `message ${record.context.messageId}` : `${record.context.purpose} of ${record.context.owner}`;
      throw new KeyCryptoError(err instanceof KeyCryptoError ? err.reason : 'unwrap_failed', `rotation stopped at ${where}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    let rewrapped: string;
    try {
      rewrapped = wrapWith(next, record.context, plain);
    } finally {
      plain.fill(0); // before yielding: the consumer may take its time persisting
    }
    yield { context: record.context, wrapped: rewrapped, before: record.wrapped, changed: true };
  }
}
