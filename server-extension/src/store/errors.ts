/**
 * Errors of the Store port, members of the service's one hierarchy (../errors.ts): each carries one of
 * the public codes of shared/errors.ts so the wire mapper turns it into a translated Fault without
 * knowing about SQL. Messages never contain SQL parameters, connection strings or any stored value.
 */
import type { ErrorCode } from '../../../shared/errors.ts';
import { EsanteError } from '../errors.ts';

export abstract class StoreError extends EsanteError {
  constructor(message: string, args: readonly string[] = [], options?: { cause?: unknown }) {
    super({ message, args, ...(options?.cause !== undefined ? { cause: options.cause } : {}) });
  }
}

/** Input refused before anything was written; `field` names the offending input. */
export class StoreInputError extends StoreError {
  override readonly name = 'StoreInputError';
  readonly code = 'request.invalid' satisfies ErrorCode;
  readonly httpStatus = 400;
  readonly side = 'Client';
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
  readonly httpStatus = 503;
  readonly side = 'Server';
  constructor(message: string, cause: unknown) {
    super(message, [], { cause });
  }
}

/** The database's migration history does not match this code (an applied migration was edited). */
export class StoreMigrationError extends StoreError {
  override readonly name = 'StoreMigrationError';
  readonly code = 'service.internal' satisfies ErrorCode;
  readonly httpStatus = 500;
  readonly side = 'Server';
  constructor(message: string) {
    super(message, ['store-migration']);
  }
}
