/**
 * Master key rotation over the messages store: re-wraps every message's data key and sealed
 * subject under the keyring's current key (keys/rotation.ts does the crypto), one message at a
 * time with compare-and-set, so it can run while the service serves, be interrupted anywhere and be
 * run again (values already under the current key are skipped). See docs/master-key-rotation.md.
 */
import { rotateMasterKey, wrappedKeyId, type MasterKeyring, type WrappedRecord } from '../keys/index.ts';
import type { Store, WrappedMessageValues } from '../store/index.ts';
import { SUBJECT_PURPOSE } from './key-service.ts';

export interface RewrapReport {
  scanned: number;
  rewrapped: number;
  /** Rows changed by someone else between read and write (re-read on the next run). */
  conflicts: number;
}

const PAGE = 200;

/**
 * Re-wraps everything still under an older key of `keyring` to `keyring.current`. `onProgress`
 * is told after each page. Throws (KeyCryptoError) at the first value that does not open; the
 * rows before it are saved, and nothing is lost: the failing row is left as it was.
 */
export async function rewrapMessages(store: Store, keyring: MasterKeyring, onProgress?: (r: RewrapReport) => void): Promise<RewrapReport> {
  const report: RewrapReport = { scanned: 0, rewrapped: 0, conflicts: 0 };
  let after: string | null = null;
  for (;;) {
    const page: WrappedMessageValues[] = await store.messages.listWrapped(after, PAGE);
    if (page.length === 0) break;
    after = page[page.length - 1]!.id;
    report.scanned += page.length;
    const pending = page.filter((m) => wrappedKeyId(m.wrappedKey) !== keyring.current.id || wrappedKeyId(m.subjectSealed) !== keyring.current.id);
    const records: WrappedRecord[] = pending.flatMap((m) => [
      { context: { kind: 'data-key', messageId: m.id }, wrapped: m.wrappedKey },
      { context: { kind: 'secret', purpose: SUBJECT_PURPOSE, owner: m.id }, wrapped: m.subjectSealed },
    ]);
    const results = [];
    for await (const r of rotateMasterKey(keyring, keyring.current, records)) results.push(r);
    for (const [i, m] of pending.entries()) {
      const key = results[2 * i]!;
      const subject = results[2 * i + 1]!;
      const saved = await store.messages.replaceWrapped(m, { wrappedKey: key.wrapped, subjectSealed: subject.wrapped });
      if (saved) report.rewrapped++;
      else report.conflicts++;
    }
    onProgress?.({ ...report });
  }
  return report;
}

/** Master key ids the messages store still names (to decide which old keys may be retired). */
export async function referencedKeyIds(store: Store): Promise<Set<string>> {
  const ids = new Set<string>();
  let after: string | null = null;
  for (;;) {
    const page: WrappedMessageValues[] = await store.messages.listWrapped(after, 1000);
    if (page.length === 0) return ids;
    after = page[page.length - 1]!.id;
    for (const m of page) {
      ids.add(wrappedKeyId(m.wrappedKey));
      ids.add(wrappedKeyId(m.subjectSealed));
    }
  }
}
