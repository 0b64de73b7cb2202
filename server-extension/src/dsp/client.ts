/**
 * The XDS.b Document Source / Consumer towards the DSP: ITI-41 to the repository (MTOM), ITI-18 to
 * the registry (plain SOAP 1.2). Both carry the caller's signed XUA assertion.
 */
import { randomUUID } from 'node:crypto';
import { envelopeXml, mtomFrame, mtomProvideAndRegister, type MtomDocument, type SoapHeaderInput } from './mtom.ts';
import { EsanteError } from '../errors.ts';
import { post, postSoap, postStream, preconnect, type TlsOptions } from './transport.ts';
import type { Socket } from 'node:net';
import { ACTIONS, findDocumentsXml, NotXdsAnswerError, NS, parseQueryResponse, parseRegistryResponse, soapBody, type FoundDocument, type ParsedRegistryResponse } from './xds.ts';
import { parseMultipart } from './mtom.ts';

/**
 * A SOAP Fault (or an ITI-18 Failure) from the DSP. On its own: dsp.unavailable; the feature reads
 * `faultCode` (registry-errors.ts verdictOf) to tell a refusal (e.g. wsse:FailedAuthentication) apart.
 */
export class DspSoapFault extends EsanteError {
  readonly code = 'dsp.unavailable';
  readonly httpStatus = 502;
  readonly side = 'Server';
  constructor(readonly faultCode: string, readonly reason: string) {
    super({ message: `SOAP fault ${faultCode}: ${reason}` });
  }
}

export interface DspClientOptions {
  repositoryUrl: string;
  registryUrl: string;
  timeoutMs: number;
  tls?: TlsOptions;
}

/** The SOAP envelope of an answer, whether it came as plain SOAP 1.2 or as an MTOM root part. */
function answerXml(contentType: string, body: Buffer): string {
  if (/^multipart\/related/i.test(contentType)) {
    const root = parseMultipart(body, contentType)[0];
    if (!root) throw new NotXdsAnswerError('empty multipart answer');
    return root.body.toString('utf8');
  }
  return body.toString('utf8');
}

function expectBody(status: number, contentType: string, body: Buffer, ns: string, local: string): Element {
  if (!/xml|multipart\/related/i.test(contentType)) throw new NotXdsAnswerError(`HTTP ${status} ${contentType.slice(0, 60)}`);
  const parsed = soapBody(answerXml(contentType, body));
  if ('fault' in parsed) throw new DspSoapFault(parsed.fault.code, parsed.fault.reason);
  if (parsed.body.namespaceURI !== ns || parsed.body.localName !== local) throw new NotXdsAnswerError(`unexpected answer {${parsed.body.namespaceURI}}${parsed.body.localName}`);
  return parsed.body;
}

export class DspClient {
  constructor(private readonly o: DspClientOptions) {}

  get repositoryUrl(): string {
    return this.o.repositoryUrl;
  }

  async provideAndRegister(submitXml: string, docs: readonly MtomDocument[], assertionXml: string): Promise<ParsedRegistryResponse> {
    const header: SoapHeaderInput = { action: ACTIONS.iti41, to: this.o.repositoryUrl, messageId: `urn:uuid:${randomUUID()}`, assertionXml };
    const body = mtomProvideAndRegister(header, submitXml, docs);
    const res = await post(this.o.repositoryUrl, { contentType: body.contentType, parts: body.parts, length: body.length, timeoutMs: this.o.timeoutMs, ...(this.o.tls ? { tls: this.o.tls } : {}) });
    return parseRegistryResponse(expectBody(res.status, res.contentType, res.body, NS.rs, 'RegistryResponse'));
  }

  /**
   * ITI-41 with ONE document whose bytes arrive while the request is sent (the browser's upload
   * streamed through): `size` bytes announced in the Content-Length, `bytes` written as they come.
   * The part's end and the close delimiter are written only once `bytes` has ended without throwing:
   * a source that throws (its check found other bytes than announced) leaves the DSP an incomplete
   * request (transport.ts BodySourceError).
   */
  /** A connection to the repository opened ahead of a streamed filing (transport.ts preconnect). */
  preconnect(): Socket {
    return preconnect(this.o.repositoryUrl, this.o.tls);
  }

  async provideAndRegisterStream(submitXml: string, doc: { id: string; mimeType: string; size: number }, bytes: AsyncIterable<Buffer>, assertionXml: string, socket?: Socket): Promise<ParsedRegistryResponse> {
    const header: SoapHeaderInput = { action: ACTIONS.iti41, to: this.o.repositoryUrl, messageId: `urn:uuid:${randomUUID()}`, assertionXml };
    const f = mtomFrame(header, submitXml, [doc]);
    const head = Buffer.concat([f.root, f.partHeads[0]!]);
    const tail = Buffer.concat([f.partEnd, f.close]);
    async function* body(): AsyncGenerator<Buffer> {
      yield head;
      yield* bytes;
      yield tail;
    }
    const res = await postStream(this.o.repositoryUrl, { contentType: f.contentType, length: head.length + doc.size + tail.length, body: body(), timeoutMs: this.o.timeoutMs, ...(this.o.tls ? { tls: this.o.tls } : {}), ...(socket ? { socket } : {}) });
    return parseRegistryResponse(expectBody(res.status, res.contentType, res.body, NS.rs, 'RegistryResponse'));
  }

  /** FindDocuments has no uniqueId parameter (ITI TF-2a §3.18.4.1.2.3.7.1): settling filters the patient's list. */
  async findDocuments(patientId: string, assertionXml: string): Promise<FoundDocument[]> {
    const xml = envelopeXml({ action: ACTIONS.iti18, to: this.o.registryUrl, assertionXml }, findDocumentsXml(patientId));
    const res = await postSoap(this.o.registryUrl, xml, ACTIONS.iti18, { timeoutMs: this.o.timeoutMs, ...(this.o.tls ? { tls: this.o.tls } : {}) });
    const { response, documents } = parseQueryResponse(expectBody(res.status, res.contentType, res.body, NS.query, 'AdhocQueryResponse'));
    if (response.status === 'failure') {
      const e = response.errors[0]!;
      throw Object.assign(new DspSoapFault(e.errorCode, e.codeContext), { registryError: e });
    }
    return documents;
  }
}
