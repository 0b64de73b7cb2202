/**
 * Errors of the Store port. Each carries one of the public codes of shared/errors.ts so the
 * service's error mapping can turn it into a translated SOAP Fault without knowing about SQL.
 * Messages never contain SQL parameters, connection strings or any stored value.
 */
import type { ErrorCode } from '../../../shared/errors.ts';

export abstract class StoreError extends Error {
  abstract readonly code: ErrorCode;
  /** Arguments for the `{0}`… of the code's text. */
  readonly args: readonly string[];
  constructor(message: string, args: readonly string[] = [], options?: { cause?: unknown }) {
    super(message, options);
    this.args = args;
  }
}

/** Input refused before anything was written; `field` names the offending input. */
export class StoreInputError extends StoreError {
  override readonly name = 'StoreInputError';
  readonly code = 'request.invalid' satisfies ErrorCode;
  readonly field: string;
  constructor(field: string, reason: string) {
    super(`${field}: ${reason}`, [field]);
    this.field = field;
  }
}

/** The database cannot be reached or refused to work; the caller may retry later. */
export class StoreUnavailableError extends StoreError {
  override readonly name = 'StoreUnavailableError';
  readonly code = 'service.unavailable' satisfies ErrorCode;
  constructor(message: string, cause: unknown) {
    super(message, [], { cause });
  }
}

/** The database's migration history does not match this code (an applied migration was edited). */
export class StoreMigrationError extends StoreError {
  override readonly name = 'StoreMigrationError';
  readonly code = 'service.internal' satisfies ErrorCode;
  constructor(message: string) {
    super(message, ['store-migration']);
  }
}
