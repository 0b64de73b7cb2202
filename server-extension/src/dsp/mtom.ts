/**
 * SOAP 1.2 envelopes for the DSP and their MTOM/XOP packaging (W3C XOP 1.0, SOAP MTOM 1.0 §4.3;
 * IHE ITI TF-2x Appendix V.3.3 "Web Services for IHE Transactions": ITI-41 SHALL use MTOM, the
 * document bytes going as binary MIME parts referenced by xop:Include from each <Document>).
 *
 * The document bytes are never joined into one buffer: the request body is a sequence of parts
 * (root XML, then each document's own chunks as they were received) written one after the other.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { escapeXml, NS } from './xds.ts';

export interface SoapHeaderInput {
  action: string;
  to: string;
  messageId?: string;
  /** Signed XUA assertion, placed in wsse:Security. */
  assertionXml?: string;
}

export function soapHeaderXml(h: SoapHeaderInput): string {
  const security = h.assertionXml ? `<wsse:Security xmlns:wsse="${NS.wsse}" env:mustUnderstand="true">${h.assertionXml}</wsse:Security>` : '';
  return [
    `<env:Header xmlns:wsa="${NS.wsa}">`,
    `<wsa:Action env:mustUnderstand="true">${escapeXml(h.action)}</wsa:Action>`,
    `<wsa:MessageID>${escapeXml(h.messageId ?? `urn:uuid:${randomUUID()}`)}</wsa:MessageID>`,
    '<wsa:ReplyTo env:mustUnderstand="true"><wsa:Address>http://www.w3.org/2005/08/addressing/anonymous</wsa:Address></wsa:ReplyTo>',
    `<wsa:To env:mustUnderstand="true">${escapeXml(h.to)}</wsa:To>`,
    security,
    '</env:Header>',
  ].join('');
}

export function envelopeXml(header: SoapHeaderInput, bodyXml: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="${NS.soap12}">${soapHeaderXml(header)}<env:Body>${bodyXml}</env:Body></env:Envelope>`;
}

export interface MtomDocument {
  /** The <Document id> = the DocumentEntry's entryUUID. */
  id: string;
  mimeType: string;
  chunks: readonly Buffer[];
  size: number;
}

export interface MtomBody {
  contentType: string;
  parts: Buffer[];
  length: number;
}

/**
 * The ProvideAndRegisterDocumentSetRequest as an MTOM multipart/related body. `submitXml` is the
 * lcm:SubmitObjectsRequest. Each document's bytes follow as a binary part (Content-ID cid).
 */
export function mtomProvideAndRegister(header: SoapHeaderInput, submitXml: string, docs: readonly MtomDocument[]): MtomBody {
  const f = mtomFrame(header, submitXml, docs);
  const parts: Buffer[] = [f.root];
  docs.forEach((d, i) => {
    parts.push(f.partHeads[i]!);
    parts.push(...d.chunks);
    parts.push(f.partEnd);
  });
  parts.push(f.close);
  return { contentType: f.contentType, parts, length: parts.reduce((n, p) => n + p.length, 0) };
}

/**
 * The bytes of the MTOM package around the documents' own bytes: the root part (the envelope), each
 * document part's MIME headers, the CRLF that ends a part, and the close delimiter. A streamed filing
 * (DspClient.provideAndRegisterStream) writes root + head, then the document's bytes as they come, and
 * `partEnd + close` only once they are known to be the bytes announced: without the close delimiter
 * (RFC 2046 §5.1.1) the package — and, with its Content-Length, the HTTP request — is incomplete.
 */
export function mtomFrame(header: SoapHeaderInput, submitXml: string, docs: readonly Pick<MtomDocument, 'id' | 'mimeType'>[]): { contentType: string; root: Buffer; partHeads: Buffer[]; partEnd: Buffer; close: Buffer } {
  const boundary = `MIMEBoundary_${randomBytes(16).toString('hex')}`;
  const rootId = `root.${randomUUID()}@esante.lu`;
  const cids = docs.map((_, i) => `doc${i}.${randomUUID()}@esante.lu`);
  const documents = docs
    .map((d, i) => `<xdsb:Document id="${escapeXml(d.id)}"><xop:Include xmlns:xop="${NS.xop}" href="cid:${encodeURIComponent(cids[i]!)}"/></xdsb:Document>`)
    .join('');
  const body = `<xdsb:ProvideAndRegisterDocumentSetRequest xmlns:xdsb="${NS.xdsb}">${submitXml}${documents}</xdsb:ProvideAndRegisterDocumentSetRequest>`;
  const env = envelopeXml(header, body);
  const root = Buffer.from(`--${boundary}\r\nContent-Type: application/xop+xml; charset=UTF-8; type="application/soap+xml"\r\nContent-Transfer-Encoding: 8bit\r\nContent-ID: <${rootId}>\r\n\r\n${env}\r\n`, 'utf8');
  const partHeads = docs.map((d, i) => Buffer.from(`--${boundary}\r\nContent-Type: ${d.mimeType}\r\nContent-Transfer-Encoding: binary\r\nContent-ID: <${cids[i]}>\r\n\r\n`, 'utf8'));
  const contentType = `multipart/related; type="application/xop+xml"; boundary="${boundary}"; start="<${rootId}>"; start-info="application/soap+xml"; action="${header.action}"`;
  return { contentType, root, partHeads, partEnd: Buffer.from('\r\n', 'utf8'), close: Buffer.from(`--${boundary}--\r\n`, 'utf8') };
}

/** The same request XOP-decoded: documents inline as base64 (what the XSD sees; `npm run dsp:sample`). */
export function inlineProvideAndRegister(header: SoapHeaderInput, submitXml: string, docs: readonly MtomDocument[]): string {
  const documents = docs.map((d) => `<xdsb:Document id="${escapeXml(d.id)}">${Buffer.concat(d.chunks as Buffer[]).toString('base64')}</xdsb:Document>`).join('');
  return envelopeXml(header, `<xdsb:ProvideAndRegisterDocumentSetRequest xmlns:xdsb="${NS.xdsb}">${submitXml}${documents}</xdsb:ProvideAndRegisterDocumentSetRequest>`);
}

export interface MimePart {
  headers: Record<string, string>;
  body: Buffer;
}

/** Splits a multipart/related body (answers, and the stand-in's requests). */
export function parseMultipart(body: Buffer, contentType: string): MimePart[] {
  const m = /boundary="?([^";]+)"?/i.exec(contentType);
  if (!m) throw new Error('multipart without boundary');
  const delim = Buffer.from(`--${m[1]}`);
  const parts: MimePart[] = [];
  let pos = body.indexOf(delim);
  if (pos < 0) throw new Error('boundary not found');
  for (;;) {
    pos += delim.length;
    if (body.subarray(pos, pos + 2).toString() === '--') break;
    if (body[pos] === 0x0d && body[pos + 1] === 0x0a) pos += 2;
    const headEnd = body.indexOf('\r\n\r\n', pos);
    if (headEnd < 0) throw new Error('part without header end');
    const headers: Record<string, string> = {};
    for (const line of body.subarray(pos, headEnd).toString('utf8').split('\r\n')) {
      const i = line.indexOf(':');
      if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
    }
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delim]), headEnd + 4);
    if (next < 0) throw new Error('unterminated part');
    parts.push({ headers, body: body.subarray(headEnd + 4, next) });
    pos = next + 2;
  }
  return parts;
}
