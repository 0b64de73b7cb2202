/**
 * What "Ajouter au DSP" offers for one message: its attachments (Zimbra parts, read through the
 * ZimletHost port), or — for a Regify message the regify zimlet decrypted in this page — the inner
 * message's attachments (shared/host/decrypted-documents.ts); the message text itself as a document;
 * and, for an IHE XDM package among them, the documents of the package with their metadata instead of
 * the zip. Bytes are read when needed and kept in memory only.
 */
import { decryptedMessage, type DecryptedMessage } from '../../../../shared/host/decrypted-documents.ts';
import { findMatricules } from './patient-detect.ts';
import { isXdmPackage, parseXdmPackage, XdmError, type ParseXml, type XdmDocument, type XdmLimits, type XdmPatient } from './xdm.ts';

/** A part of the Zimbra message (ZmMailMsg.attachments, GetMsgResponse mp[]). */
export interface MailPart {
  part: string;
  fileName: string;
  mimeType: string;
  size: number;
}

/** The message as the handler saw it (ZmMailMsg, duck-typed in ../handler.ts). */
export interface MailMessage {
  id: string;
  subject: string;
  /** The mail's date (ZmMailMsg.date, ms). */
  date?: Date;
  from?: string;
  /** Plain text of the body as shown (a Regify cover mail's text is replaced by the decrypted one). */
  bodyText: string;
  parts: MailPart[];
}

export type DocumentSource = 'attachment' | 'body' | 'decrypted' | 'xdm';

export interface OfferedDocument {
  /** Unique within the message, e.g. "part:2", "body", "decrypted:0", "xdm:DOC0001.PDF". */
  key: string;
  source: DocumentSource;
  fileName: string;
  mimeType: string;
  size: number;
  /** Proposed title for documents without a file name of their own (the message text). */
  title?: string;
  xdm?: XdmDocument;
  load(): Promise<Uint8Array>;
}

export interface MailContext {
  message: MailMessage;
  /** The subject/text the assistant reads (the decrypted ones for a Regify message). */
  subject: string;
  text: string;
  documents: OfferedDocument[];
  /** Patients named in the mail: matricules of the subject/body, the XDM package's patient. */
  namedMatricules: string[];
  xdmPatient?: XdmPatient;
  /** An XDM package was recognised but could not be read. */
  xdmError?: boolean;
  decrypted: boolean;
}

export interface MailContextDeps {
  /** Bytes of one part of a Zimbra message (the ZimletHost mail port). */
  readPart(messageId: string, part: string): Promise<Uint8Array>;
  parseXml: ParseXml;
  limits: XdmLimits;
  /** The regify zimlet's decrypted content, if any (tests inject it). */
  decrypted?: (messageId: string) => DecryptedMessage | undefined;
}

const ZIP_TYPES = new Set(['application/zip', 'application/x-zip-compressed', 'application/x-zip']);

function isZip(p: { fileName: string; mimeType: string }): boolean {
  return ZIP_TYPES.has(p.mimeType.toLowerCase()) || /\.zip$/i.test(p.fileName);
}

/** The parts a reader sees as attachments: not the Regify container itself (it is opened, not filed). */
function fileParts(parts: MailPart[]): MailPart[] {
  return parts.filter((p) => !/\.esmsg$/i.test(p.fileName) && p.mimeType.toLowerCase() !== 'application/vnd.esante.secure-message');
}

function textDocument(subject: string, text: string): OfferedDocument | undefined {
  if (!text.trim()) return undefined;
  const bytes = new TextEncoder().encode(text);
  return {
    key: 'body',
    source: 'body',
    fileName: 'message.txt',
    mimeType: 'text/plain',
    size: bytes.length,
    title: subject.trim() ? subject.trim().slice(0, 128) : 'message',
    load: async () => bytes,
  };
}

export async function buildMailContext(message: MailMessage, deps: MailContextDeps): Promise<MailContext> {
  const decrypted = (deps.decrypted ?? ((id) => decryptedMessage(id)))(message.id);
  const subject = decrypted?.subject || message.subject;
  const text = decrypted ? decrypted.text : message.bodyText;
  const documents: OfferedDocument[] = [];
  let xdmPatient: XdmPatient | undefined;
  let xdmError = false;

  const addXdmOr = async (doc: OfferedDocument) => {
    if (!isZip(doc)) return documents.push(doc);
    let bytes: Uint8Array;
    try {
      bytes = await doc.load();
    } catch {
      return documents.push(doc);
    }
    if (!isXdmPackage(bytes)) return documents.push(doc);
    try {
      const pkg = parseXdmPackage(bytes, deps.parseXml, deps.limits);
      if (!pkg) return documents.push(doc);
      xdmPatient ??= pkg.patient;
      for (const x of pkg.documents) {
        documents.push({ key: `xdm:${doc.key}:${x.fileName}`, source: 'xdm', fileName: x.fileName, mimeType: x.mimeType, size: x.bytes.length, xdm: x, load: async () => x.bytes });
      }
    } catch (e) {
      if (!(e instanceof XdmError)) throw e;
      xdmError = true;
      documents.push(doc);
    }
    return undefined;
  };

  if (decrypted) {
    for (const [i, a] of decrypted.attachments.entries()) {
      await addXdmOr({ key: `decrypted:${i}`, source: 'decrypted', fileName: a.fileName, mimeType: a.mimeType, size: a.bytes.length, load: async () => a.bytes });
    }
  } else {
    for (const p of fileParts(message.parts)) {
      let cached: Promise<Uint8Array> | undefined;
      await addXdmOr({
        key: `part:${p.part}`,
        source: 'attachment',
        fileName: p.fileName,
        mimeType: p.mimeType,
        size: p.size,
        load: () => (cached ??= deps.readPart(message.id, p.part)),
      });
    }
  }
  const body = textDocument(subject, text);
  if (body) documents.push(body);

  const named = findMatricules(subject, text);
  if (xdmPatient?.matricule && !named.includes(xdmPatient.matricule)) named.unshift(xdmPatient.matricule);
  const ctx: MailContext = { message, subject, text, documents, namedMatricules: named, decrypted: !!decrypted };
  if (xdmPatient) ctx.xdmPatient = xdmPatient;
  if (xdmError) ctx.xdmError = true;
  return ctx;
}
