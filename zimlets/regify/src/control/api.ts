/**
 * The sender's control over the wire: the four operations of shared/messages/control-operations.ts and
 * ListSentSecureMessages (the "Messages envoyés" tab) on
 * OUR service (same origin, the session's CSRF token and language; shared/soap/client.ts). Failures
 * reject with a ServiceFault whose message is already in the user's language.
 */
import type { ZimletHost } from '../../../../shared/host/zimlet-host.ts';
import { callService } from '../../../../shared/soap/client.ts';
import type { OperationName, RequestOf, ResponseOf } from '../../../../shared/soap/operations.ts';
import type { MessageHistory, UpdateRequest } from './model.ts';

/** One page of the caller's sent encrypted messages (ListSentSecureMessages). */
export type SentPage = ResponseOf<'ListSentSecureMessages'>;

export interface ControlApi {
  history(messageId: string): Promise<MessageHistory>;
  /** Without `recipient`: every recipient not yet revoked. */
  revoke(messageId: string, recipient?: string): Promise<ResponseOf<'RevokeSecureMessage'>>;
  update(request: UpdateRequest): Promise<ResponseOf<'UpdateSecureMessage'>>;
  /** The caller's own messages' history as CSV. */
  exportCsv(): Promise<ResponseOf<'ExportSecureMessageHistory'>>;
  /** The "Messages envoyés" tab: the caller's own messages, newest first. */
  listSent(offset: number, limit: number): Promise<SentPage>;
}

export function controlApi(host: ZimletHost): ControlApi {
  const call = <N extends OperationName>(op: N, req: RequestOf<N>) => callService(op, req, { csrfToken: host.csrfToken(), lang: host.lang });
  return {
    history: (messageId) => call('GetSecureMessageHistory', { messageId }),
    revoke: (messageId, recipient) => call('RevokeSecureMessage', recipient ? { messageId, recipient } : { messageId }),
    update: (request) => call('UpdateSecureMessage', request),
    exportCsv: () => call('ExportSecureMessageHistory', {}),
    listSent: (offset, limit) => call('ListSentSecureMessages', { offset, limit }),
  };
}
