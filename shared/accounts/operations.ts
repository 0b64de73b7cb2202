/**
 * SOAP operations of encryption accounts (guide p.5, 6, 12): declared here, spread into
 * shared/soap/operations.ts. Filled by the encryption-account feature.
 */
import type { OperationSpec } from '../soap/schema.ts';

export const accountOperations = {} as const satisfies Record<string, OperationSpec>;
