/**
 * The DSP operations the assistant calls (shared/dsp/operations.ts, /work/notes/dsp-contract.md), over
 * shared/soap/client.ts (same origin, CSRF header), and the service's raw routes for the bytes.
 * Filing (fileBytes) is streamed: the browser hashes the document (SHA-1, crypto.subtle), PrepareFiling
 * checks and claims it, then ONE POST of the bytes to DSP_FILE_PATH/{filingId} goes straight on to
 * the DSP and answers the outcome (server-extension/src/dsp/README.md). `upload` + `file` (the older
 * two-transfer way) stay for callers that hold an upload id.
 * The upload goes to OUR service's URL space (/service/extension/esante/), never to a Zimbra URL,
 * through the mail port's `postToService`; the bytes of Zimbra attachments come through its
 * `attachmentBytes` (shared/host/mail-port.ts).
 */
import { DSP_FILE_PATH, DSP_UPLOAD_PATH } from '../../../shared/dsp/operations.ts';
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
  /**
   * Files ONE document the streamed way: SHA-1 here, PrepareFiling (a document already filed for the
   * patient answers at once, no byte sent), then the bytes in one POST that the service passes on to
   * the DSP as they arrive. `sending` is called when the bytes start to travel.
   */
  fileBytes(bytes: Uint8Array, req: Omit<FileRequest, 'uploadId' | 'content'>, sending?: () => void, signal?: AbortSignal): Promise<FileResult>;
}

/** SHA-1 of the bytes, lower-case hex (the XDS DocumentEntry.hash; WebCrypto SubtleCrypto.digest). */
export async function sha1Hex(bytes: Uint8Array): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest('SHA-1', bytes as Uint8Array<ArrayBuffer>));
  let hex = '';
  for (const b of d) hex += b.toString(16).padStart(2, '0');
  return hex;
}

export function dspService(host: MailHost): DspService {
  const opts = () => ({ csrfToken: host.csrfToken(), lang: host.lang });
  const service: DspService = {
    options: () => callService('GetDspOptions', {}, opts()),
    findPatients: async (query) => (await callService('FindPatients', query, opts())).patients,
    listDocuments: async (matricule) => (await callService('ListPatientDocuments', { matricule }, opts())).documents,
    file: (req) => callService('FileDocument', req, opts()),
    fileBytes: async (bytes, req, sending, signal) => {
      // Browsers hide crypto.subtle outside secure contexts (plain http on a non-localhost origin):
      // there, the two-step way (the service hashes the upload) still files the document.
      if (!globalThis.crypto?.subtle) {
        const uploadId = await service.upload(bytes, req.mimeType, signal);
        sending?.();
        return service.file({ ...req, uploadId });
      }
      const prepared = await callService('PrepareFiling', { ...req, sha1: await sha1Hex(bytes), size: bytes.length }, opts());
      if (prepared.outcome !== 'send' || !prepared.filingId) {
        const { filingId: _f, ...already } = prepared;
        return already;
      }
      sending?.();
      let res: ServiceAnswer;
      try {
        res = await host.postToService(`${DSP_FILE_PATH}/${encodeURIComponent(prepared.filingId)}`, bytes, req.mimeType, signal);
      } catch (e) {
        if (signal?.aborted || !(e instanceof MailPortError)) throw e;
        throw new ServiceFault('service.unavailable', errorText('service.unavailable', host.lang));
      }
      // Answer shapes of the route (shared/dsp/operations.ts DSP_FILE_PATH): 200 FileDocument's answer; 4xx/5xx {code, message}.
      const body = res.body as (FileResult & { code?: string; message?: string }) | undefined;
      if (res.ok && body?.outcome) return body;
      if (body?.code) throw new ServiceFault(body.code, body.message ?? '');
      throw new ServiceFault('service.unavailable', errorText('service.unavailable', host.lang));
    },
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
  return service;
}
