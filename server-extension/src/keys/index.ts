/**
 * The key service's crypto (no storage): master keys and their loading, wrapping of data keys and
 * small secrets at rest, and master key rotation. The store and SOAP layers build on these.
 */
export { KeyCryptoError, type KeyCryptoReason } from './errors.ts';
export {
  MASTER_KEY_BYTES,
  MASTER_KEY_ENV,
  MASTER_KEY_FILE_ENV,
  MASTER_KEY_PREVIOUS_ENV,
  MasterKey,
  MasterKeyring,
  addNewMasterKeyToFile,
  loadMasterKeyring,
  readKeyringFile,
  retireMasterKeysInFile,
  writeKeyringFile,
  type LoadedMasterKeys,
  type MasterKeySource,
} from './master-key.ts';
export {
  DATA_KEY_BYTES,
  generateDataKey,
  newMessageKey,
  openSecret,
  openSecretText,
  sealSecret,
  unwrap,
  unwrapDataKey,
  wrap,
  wrapDataKey,
  wrapWith,
  wrappedKeyId,
  type WrapContext,
} from './wrap.ts';
export { rotateMasterKey, type RotatedRecord, type WrappedRecord } from './rotation.ts';
