/**
 * Every SOAP operation of the service, declared once. Request element `<Name>Request`, response
 * `<Name>Response`, both in SOAP_NAMESPACE. Each feature declares its operations in its own file
 * under shared/<feature>/ and they are spread in here.
 */
import { accountOperations } from '../accounts/operations.ts';
import { dspOperations } from '../dsp/operations.ts';
import { directoryOperations } from '../directory/operations.ts';
import { messageOperations } from '../messages/operations.ts';
import { messageControlOperations } from '../messages/control-operations.ts';
import { signingOperations } from '../signing/operations.ts';
import { webexOperations } from '../webex/operations.ts';
import type { Infer, OperationSpec } from './schema.ts';

const coreOperations = {
  GetServiceInfo: {
    doc: 'Version, enabled features and the identity of the caller (as Zimbra vouches for it).',
    auth: 'user',
    request: {},
    response: {
      version: 'string',
      features: { type: 'string', list: true },
      account: {
        fields: {
          id: 'string',
          name: { type: 'string', doc: 'Primary address, e.g. prenom.nom@esante.lu' },
          displayName: { type: 'string', optional: true },
          authMethod: { type: 'string', optional: true, doc: "'card' | 'fallback' when known" },
        },
      },
    },
  },
} as const satisfies Record<string, OperationSpec>;

export const operations = {
  ...coreOperations,
  ...directoryOperations,
  ...accountOperations,
  ...messageOperations,
  ...messageControlOperations,
  ...signingOperations,
  ...webexOperations,
  ...dspOperations,
} as const satisfies Record<string, OperationSpec>;

export type Operations = typeof operations;
export type OperationName = keyof Operations;
export type RequestOf<N extends OperationName> = Infer<Operations[N]['request']>;
export type ResponseOf<N extends OperationName> = Infer<Operations[N]['response']>;
