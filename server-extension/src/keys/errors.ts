/**
 * Failures of the key service's crypto. To a user every one of them is an internal error (the
 * stable code `service.internal` of shared/errors.ts, shown with a reference): a wrapped key that
 * does not open means a corrupted store, a lost master key or a misconfiguration, never something
 * the user did. `reason` tells operators which; messages never contain key material.
 */
import { InternalError } from '../errors.ts';

export type KeyCryptoReason =
  /** Master key configuration missing, unreadable, too permissive or invalid (startup). */
  | 'config'
  /** A wrapped value names a master key id the keyring does not hold (retired too early?). */
  | 'unknown_master_key'
  /** Authentication failed: wrong context (e.g. another message id), corrupted value or wrong key. */
  | 'unwrap_failed'
  /** Not a wrapped value of ours at all. */
  | 'malformed_wrapped';

/** A member of the service's one hierarchy (../errors.ts): always service.internal, shown as a reference. */
export class KeyCryptoError extends InternalError {
  override readonly name = 'KeyCryptoError';
  readonly reason: KeyCryptoReason;

  constructor(reason: KeyCryptoReason, message: string, options?: { cause?: unknown }) {
    super({ message, ...(options?.cause !== undefined ? { cause: options.cause } : {}) });
    this.reason = reason;
  }
}
