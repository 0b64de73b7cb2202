/**
 * Master-key rotation over the encryption accounts: re-seals every account's unlock code ("Code de
 * déblocage", guide p. 9) under the keyring's current key, like messages/rotation.ts does for the
 * messages' data keys. One account at a time with compare-and-set, so it can run while the service
 * serves, be interrupted anywhere and be run again (codes already under the current key are skipped).
 * See docs/master-key-rotation.md.
 */
import { rotateMasterKey, wrappedKeyId, type MasterKeyring, type WrappedRecord } from '../keys/index.ts';
import type { SealedUnlockCode, Store } from '../store/index.ts';
import { UNLOCK_CODE_PURPOSE, ownerOf } from './service.ts';

export interface ResealReport {
  scanned: number;
  rewrapped: number;
  /** Codes changed by someone else between read and write (re-read on the next run). */
  conflicts: number;
}

const PAGE = 200;

/** The stored bytes are the ASCII of a `sealSecret` string (accounts/service.ts). */
const text = (sealed: Uint8Array): string => Buffer.from(sealed).toString('ascii');

async function* pages(store: Store, size: number): AsyncGenerator<SealedUnlockCode[]> {
  let after: string | null = null;
  for (;;) {
    const page: SealedUnlockCode[] = await store.accounts.listSealedUnlockCodes(after, size);
    if (page.length === 0) return;
    after = page[page.length - 1]!.emailKey;
    yield page;
  }
}

/**
 * Re-seals every unlock code still under an older key of `keyring` to `keyring.current`.
 * Throws (KeyCryptoError) at the first code that does not open; the accounts before it are saved,
 * and the failing one is left as it was.
 */
export async function resealUnlockCodes(store: Store, keyring: MasterKeyring, onProgress?: (r: ResealReport) => void): Promise<ResealReport> {
  const report: ResealReport = { scanned: 0, rewrapped: 0, conflicts: 0 };
  for await (const page of pages(store, PAGE)) {
    report.scanned += page.length;
    const pending = page.filter((c) => wrappedKeyId(text(c.sealed)) !== keyring.current.id);
    const records: WrappedRecord[] = pending.map((c) => ({
      context: { kind: 'secret', purpose: UNLOCK_CODE_PURPOSE, owner: ownerOf(c.email) },
      wrapped: text(c.sealed),
    }));
    let i = 0;
    for await (const r of rotateMasterKey(keyring, keyring.current, records)) {
      const code = pending[i++]!;
      const saved = await store.accounts.replaceUnlockCodeSealed(code.email, code.sealed, Buffer.from(r.wrapped, 'ascii'));
      if (saved) report.rewrapped++;
      else report.conflicts++;
    }
    onProgress?.({ ...report });
  }
  return report;
}

/** Master key ids the accounts' unlock codes still name (to decide which old keys may be retired). */
export async function unlockCodeKeyIds(store: Store): Promise<Set<string>> {
  const ids = new Set<string>();
  for await (const page of pages(store, 1000)) for (const c of page) ids.add(wrappedKeyId(text(c.sealed)));
  return ids;
}
