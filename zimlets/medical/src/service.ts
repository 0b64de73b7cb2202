/**
 * The DSP operations the assistant calls (shared/dsp/operations.ts, /work/notes/dsp-contract.md), over
 * shared/soap/client.ts (same origin, CSRF header), and the service's raw upload route for the bytes.
 * The upload goes to OUR service's URL space (/service/extension/esante/), never to a Zimbra URL,
 * through the mail port's `postToService`; the bytes of Zimbra attachments come through its
 * `attachmentBytes` (shared/host/mail-port.ts).
 */
import { DSP_UPLOAD_PATH } from '../../../shared/dsp/operations.ts';
import { errorText } from '../../../shared/errors.ts';
import { MailPortError, type MailHost, type ServiceAnswer } from '../../../shared/host/mail-port.ts';
import { callService, ServiceFault } from '../../../shared/soap/client.ts';
import type { RequestOf, ResponseOf } from '../../../shared/soap/operations.ts';
import type { DspOptions } from './documents/prefill.ts';

export type Patient = ResponseOf<'FindPatients'>['patients'][number];
export type ListedDocument = ResponseOf<'ListPatientDocuments'>['documents'][number];
export type FileRequest = RequestOf<'FileDocument'>;
export type FileResult = ResponseOf<'FileDocument'>;
export type PatientQuery = RequestOf<'FindPatients'>;

export interface DspService {
  options(): Promise<DspOptions>;
  findPatients(query: PatientQuery): Promise<Patient[]>;
  listDocuments(matricule: string): Promise<ListedDocument[]>;
  /** Sends the bytes to the service (held in its memory only, ≤ 10 min); answers the upload id. */
  upload(bytes: Uint8Array, mimeType: string, signal?: AbortSignal): Promise<string>;
  file(req: FileRequest): Promise<FileResult>;
}

export function dspService(host: MailHost): DspService {
  const opts = () => ({ csrfToken: host.csrfToken(), lang: host.lang });
  return {
    options: () => callService('GetDspOptions', {}, opts()),
    findPatients: async (query) => (await callService('FindPatients', query, opts())).patients,
    listDocuments: async (matricule) => (await callService('ListPatientDocuments', { matricule }, opts())).documents,
    file: (req) => callService('FileDocument', req, opts()),
    upload: async (bytes, mimeType, signal) => {
      let res: ServiceAnswer;
      try {
        res = await host.postToService(DSP_UPLOAD_PATH, bytes, mimeType || 'application/octet-stream', signal);
      } catch (e) {
        if (signal?.aborted || !(e instanceof MailPortError)) throw e;
        throw new ServiceFault('service.unavailable', errorText('service.unavailable', host.lang));
      }
      // Answer shapes of the route (dsp-contract.md): 200 {uploadId, size, sha1}; 4xx {code, message}.
      const body = res.body as { uploadId?: string; code?: string; message?: string } | undefined;
      if (res.ok && body?.uploadId) return body.uploadId;
      if (body?.code) throw new ServiceFault(body.code, body.message ?? '');
      throw new ServiceFault('service.unavailable', errorText('service.unavailable', host.lang));
    },
  };
}
