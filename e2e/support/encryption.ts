/**
 * The Regify encryption account (issue 4) a spec's users need before "Envoyer avec Regify", created
 * through our SOAP service from Node as the zimlets do in the browser (cookie + CSRF token).
 * One helper for every spec (it was copied in secure-messages, medical and signing).
 */
import { DOMParser } from '@xmldom/xmldom';
import { loginAs, type LoginResult } from '../../sandbox/server/testing.ts';
import { callService } from '../../shared/soap/client.ts';
import type { XmlDocumentLike } from '../../shared/soap/codec.ts';
import type { OperationName, RequestOf, ResponseOf } from '../../shared/soap/operations.ts';
import { E2E_PORT } from '../playwright.config.ts';
import { SANDBOX_PASSWORD } from './session.ts';

const BASE = `http://127.0.0.1:${E2E_PORT}`;
export const ENCRYPTION_PASSWORD = 'Chiffre-Secure-2026!x';

/** Our SOAP service as a logged-in user from Node. */
export function serviceAs(login: LoginResult) {
  return {
    call: <N extends OperationName>(op: N, req: RequestOf<N>): Promise<ResponseOf<N>> =>
      callService(op, req, {
        csrfToken: login.csrfToken,
        lang: 'fr',
        baseUrl: BASE,
        fetch: (url, init) => fetch(url, { ...init, headers: { ...(init?.headers as Record<string, string>), Cookie: login.cookie } }),
        parseXml: (text) => new DOMParser().parseFromString(text, 'text/xml') as unknown as XmlDocumentLike,
      }),
  };
}

/**
 * Creates the user's encryption account unless there is one; `options` (e.g. the Options tab's
 * notifications, guide p.6) are then saved too.
 */
export async function ensureEncryptionAccount(mail: string, fullName: string, options?: RequestOf<'SetEncryptionOptions'>['options']): Promise<void> {
  const svc = serviceAs(await loginAs(BASE, mail, SANDBOX_PASSWORD, 'card'));
  if ((await svc.call('GetEncryptionAccount', {})).state === 'none') {
    await svc.call('CreateEncryptionAccount', { fullName, password: ENCRYPTION_PASSWORD, confirmation: ENCRYPTION_PASSWORD });
  }
  if (options) await svc.call('SetEncryptionOptions', { options });
}
