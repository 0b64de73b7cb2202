/**
 * The DSP stand-ins of the sandbox, no gentler than the real ones:
 * - /sandbox/dsp/pdq — PDQV3 Patient Demographics Supplier (IHE ITI-47, ITI TF-2b §3.47): answers
 *   PRPA_IN201306UV02 (queryResponseCode OK / NF / AE) from SANDBOX_PATIENTS;
 * - /sandbox/dsp/repository — XDS.b Document Repository + Registry for ITI-41 (ITI TF-2b §3.41):
 *   accepts MTOM/XOP (Content-Type multipart/related) AND plain SOAP 1.2 with inline base64
 *   <Document>; checks the body against IHEXDSB.xsd with xmllint, the XUA assertion (signature
 *   against the trusted certificate, validity, audience: ITI TF-2b §3.40.4.2), the required metadata
 *   (ITI TF-3 §4.2.3.2 / §4.2.3.3, Table 4.3.1-3 "Document Source" column R), hash and size
 *   (ITI TF-2b §3.41.4.1.3: XDSRepositoryMetadataError on a mismatch), the patient
 *   (XDSUnknownPatientId), duplicate unique ids (XDSDuplicateUniqueIdInRegistry), and answers a
 *   real rs:RegistryResponse (ITI TF-3 §4.2.4);
 * - /sandbox/dsp/registry — ITI-18 Registry Stored Query: FindDocuments (ITI TF-2a §3.18.4.1.2.3.7.1)
 *   with LeafClass answers;
 * - an ATNA audit repository (ITI-20) on UDP/TCP syslog, see audit.ts.
 * Test hook (sandbox-only, under /sandbox/): POST /sandbox/dsp/next-fault {"fault": …} makes the NEXT
 * ITI-41 fail one way, each as a real repository can (e2e and tests):
 *   soap-fault    a SOAP 1.2 Receiver fault (HTTP 500), nothing registered;
 *   registry-busy a RegistryResponse Failure with XDSRegistryBusy (ITI TF-3 Table 4.2.4.1-2), nothing registered;
 *   malformed     a truncated envelope;  not-xds  an HTML 502 of a proxy in front;
 *   timeout       received and checked, then no answer (stallMs), nothing registered;
 *   slow-answer   registered, then the Success answer comes only after stallMs (past the client's deadline);
 *   lost-answer   registered, then the connection drops before any answer.
 * Documents are stored with their entries, in memory like the rest of the stand-in's registry.
 */
import { createHash, X509Certificate } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import { childElements, descendantElements } from '../../shared/xml/elements.ts';
import { DSP_OIDS } from '../../server-extension/src/dsp/config.ts';
import { HL7_NS } from '../../server-extension/src/dsp/pdq.ts';
import { SAML_NS } from '../../server-extension/src/dsp/xua.ts';
import { escapeXml, NS, STATUS, UUID } from '../../server-extension/src/dsp/xds.ts';
import { MtomReceiver, type ReceivedPart } from './mtom-receiver.ts';
import { SchemaValidator, xmllintOnce } from './schema-validator.ts';
import { AssertionChecker, type RootFacts } from './xua-check.ts';
import { SANDBOX_PATIENTS, type SandboxPatient } from './patients.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
/** The published schemas, beside the repository clone (/work/shared/standards/README.md). */
export const XDS_SCHEMA = join(HERE, '..', '..', '..', 'shared', 'standards', 'ihe-xds', 'IHE', 'IHEXDSB.xsd');

export type Fault = 'soap-fault' | 'registry-busy' | 'malformed' | 'not-xds' | 'timeout' | 'slow-answer' | 'lost-answer';
const FAULTS: readonly Fault[] = ['soap-fault', 'registry-busy', 'malformed', 'not-xds', 'timeout', 'slow-answer', 'lost-answer'];

export interface StoredEntry {
  patientId: string;
  uniqueId: string;
  hash: string;
  size: number;
  /** The ExtrinsicObject as submitted (answered by ITI-18). */
  xml: string;
  submittedAt: Date;
}

export interface DspStandInOptions {
  /** PEM certificate(s) of the X-Assertion Providers this DSP trusts; reread by the function at each call. */
  trustedCerts: () => string[];
  audience?: string;
  patientRoot?: string;
  patients?: readonly SandboxPatient[];
  basePath?: string;
  /** How long 'timeout' stalls before answering nothing (default 60 s; tests use less than the client's deadline). */
  stallMs?: number;
  now?: () => Date;
  /** Max request body (default 64 MB: 20 MB documents inline in base64 fit). */
  maxBytes?: number;
}

interface XdsError {
  code: string;
  context: string;
  location?: string;
}

function registryResponse(errors: XdsError[]): string {
  const status = errors.length ? STATUS.failure : STATUS.success;
  const list = errors.length
    ? `<rs:RegistryErrorList>${errors.map((e) => `<rs:RegistryError errorCode="${escapeXml(e.code)}" codeContext="${escapeXml(e.context)}" severity="${STATUS.errorSeverity}"${e.location ? ` location="${escapeXml(e.location)}"` : ''}/>`).join('')}</rs:RegistryErrorList>`
    : '';
  return `<rs:RegistryResponse xmlns:rs="${NS.rs}" status="${status}">${list}</rs:RegistryResponse>`;
}

function soapEnvelope(action: string, relatesTo: string | undefined, body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="${NS.soap12}" xmlns:wsa="${NS.wsa}"><env:Header><wsa:Action env:mustUnderstand="true">${action}</wsa:Action>${relatesTo ? `<wsa:RelatesTo>${escapeXml(relatesTo)}</wsa:RelatesTo>` : ''}</env:Header><env:Body>${body}</env:Body></env:Envelope>`;
}

function soapFault(code: 'Sender' | 'Receiver', subcode: string | undefined, reason: string): string {
  const sub = subcode ? `<env:Subcode><env:Value xmlns:wsse="${NS.wsse}">${subcode}</env:Value></env:Subcode>` : '';
  return `<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="${NS.soap12}"><env:Body><env:Fault><env:Code><env:Value>env:${code}</env:Value>${sub}</env:Code><env:Reason><env:Text xml:lang="en">${escapeXml(reason)}</env:Text></env:Reason></env:Fault></env:Body></env:Envelope>`;
}

function parse(xml: string): Document | null {
  let bad = false;
  const doc = new DOMParser({ errorHandler: { warning: () => undefined, error: () => (bad = true), fatalError: () => (bad = true) } }).parseFromString(xml, 'text/xml');
  return bad || !doc.documentElement ? null : (doc as unknown as Document);
}

/** The root part's facts and verdicts (xua-check.ts), and its schema check once started. */
interface RootCheck {
  facts: RootFacts;
  schema: Promise<string[]>;
}

const kids = childElements;
const all = descendantElements;
const slot = (el: Element, name: string): string[] => {
  const s = kids(el, NS.rim, 'Slot').find((x) => x.getAttribute('name') === name);
  return s ? all(s, NS.rim, 'Value').map((v) => v.textContent ?? '') : [];
};
const ext = (el: Element, scheme: string) => kids(el, NS.rim, 'ExternalIdentifier').find((x) => x.getAttribute('identificationScheme') === scheme)?.getAttribute('value') ?? '';

/** Runs xmllint --schema on a document given on stdin (one process); answers its error lines (empty: valid). */
export const xmllint = xmllintOnce;

/** Reads the body to its end, giving each chunk to `each`; answers its size, or null past `max` (then dropped). */
function drain(req: IncomingMessage, max: number, each: (c: Buffer) => void): Promise<number | null> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > max) {
        req.off('data', onData);
        resolve(null);
        req.destroy();
      } else each(c);
    };
    req.on('data', onData);
    req.on('end', () => resolve(size));
    req.on('error', reject);
    // A body that breaks off (the client destroyed its request) ends without 'end'.
    req.on('close', () => {
      if (!req.complete) reject(new Error('request body incomplete'));
    });
  });
}

function readBody(req: IncomingMessage, max: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        resolve(null);
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export class DspStandIn {
  readonly entries: StoredEntry[] = [];
  /** Every ITI-41 body received, XOP-decoded with documents emptied (tests read them). */
  readonly received: string[] = [];
  /**
   * ITI-41 requests whose body broke off before its end (the client destroyed the request, e.g. the
   * service aborting a streamed filing whose bytes were not the ones announced): nothing of them is
   * parsed into `received`, checked, stored or answered, as a real endpoint does with a truncated body
   * (RFC 9112 §6.3: a message whose connection closes before Content-Length bytes is incomplete; §8: the
   * recipient must not treat it as a whole request).
   */
  incomplete = 0;
  readonly #incompleteWaiters: { n: number; resolve: () => void }[] = [];

  /** Resolves once `n` ITI-41 bodies have broken off (tests wait on it: the abort reaches the stand-in after the service has answered). */
  whenIncomplete(n: number): Promise<void> {
    if (this.incomplete >= n) return Promise.resolve();
    return new Promise((resolve) => this.#incompleteWaiters.push({ n, resolve }));
  }
  /** The stored documents' bytes by uniqueId, as received (see document()). */
  readonly #documents = new Map<string, Buffer[]>();
  readonly #xmllint = new SchemaValidator(XDS_SCHEMA);
  readonly #xua = new AssertionChecker();
  #nextFault: Fault | undefined;
  readonly #base: string;
  readonly #now: () => Date;
  readonly #patients: readonly SandboxPatient[];
  readonly #patientRoot: string;

  constructor(private readonly o: DspStandInOptions) {
    this.#base = o.basePath ?? '/sandbox/dsp';
    this.#now = o.now ?? (() => new Date());
    this.#patients = o.patients ?? SANDBOX_PATIENTS;
    this.#patientRoot = o.patientRoot ?? DSP_OIDS.patient;
  }

  /** Ends the stand-in's schema validator (its xmllint process). */
  close(): void {
    this.#xmllint.close();
    this.#xua.close();
  }

  owns(path: string): boolean {
    return path === this.#base || path.startsWith(`${this.#base}/`);
  }

  setNextFault(f: Fault | undefined): void {
    this.#nextFault = f;
  }

  #cx(p: SandboxPatient): string {
    return `${p.matricule}^^^&${this.#patientRoot}&ISO`;
  }

  /** In the XDS affinity domain: known and with an open DSP (see SandboxPatient.noDsp). */
  knowsPatient(cx: string): boolean {
    return this.#patients.some((p) => !p.noDsp && this.#cx(p) === cx);
  }

  async handle(url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
    // The schema is compiled once the first DSP request of any kind has been answered (a patient
    // search comes before a filing), as a registry loads it before its first submission; a sandbox
    // never asked never starts it. After each answer, a validator that has used its FIFOs is renewed.
    res.once('close', () => {
      this.#xmllint.prepare();
      this.#xua.prepare();
    });
    const path = url.pathname.replace(/\/+$/, '');
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'Content-Type': type });
      res.end(body);
    };
    if (path === `${this.#base}/next-fault` && req.method === 'POST') {
      const body = (await readBody(req, 4096))?.toString('utf8') ?? '';
      const f = (JSON.parse(body || '{}') as { fault?: string }).fault;
      if (f !== undefined && f !== null && !FAULTS.includes(f as Fault)) return send(400, 'application/json', JSON.stringify({ error: `fault must be one of ${FAULTS.join(', ')}` }));
      this.#nextFault = (f ?? undefined) as Fault | undefined;
      return send(200, 'application/json', JSON.stringify({ nextFault: this.#nextFault ?? null }));
    }
    if (path === `${this.#base}/entries` && req.method === 'GET') {
      return send(200, 'application/json', JSON.stringify(this.entries.map(({ xml: _x, ...e }) => e)));
    }
    if (req.method !== 'POST') return send(405, 'text/plain', 'POST SOAP 1.2 requests here');
    const contentType = String(req.headers['content-type'] ?? '');
    if (path === `${this.#base}/repository`) return this.#iti41(req, contentType, res);
    const body = await readBody(req, this.o.maxBytes ?? 64 * 1024 * 1024);
    if (!body) return send(413, 'text/plain', 'too large');
    if (path === `${this.#base}/pdq`) return this.#pdq(body.toString('utf8'), res);
    if (path === `${this.#base}/registry`) return this.#iti18(body.toString('utf8'), res);
    return send(404, 'text/plain', 'unknown DSP stand-in endpoint');
  }

  #soap(res: ServerResponse, xml: string, status = 200): void {
    res.writeHead(status, { 'Content-Type': 'application/soap+xml; charset=UTF-8' });
    res.end(xml);
  }

  /**
   * Checks the XUA assertion in wsse:Security (ITI TF-2b §3.40.4.2, xua-check.ts) in the checker's
   * worker thread; answers a refusal reason or null.
   */
  #checkAssertion(envelope: Document, patientCx?: string): Promise<string | null> {
    const assertion = all(envelope, SAML_NS, 'Assertion')[0];
    if (!assertion) return Promise.resolve('no XUA assertion in wsse:Security');
    return this.#xua.check({ assertionXml: new XMLSerializer().serializeToString(assertion as never), trustedCerts: this.o.trustedCerts(), now: this.#now().getTime(), audience: this.o.audience ?? 'urn:esante:dsp', ...(patientCx ? { patientCx } : {}) });
  }

  /**
   * ITI-41 (ITI TF-2b §3.41.4.1.3). An MTOM body is split as it arrives (mtom-receiver.ts): once the
   * root part is complete it is parsed, its schema check started (xmllint, in its own process) and the
   * XUA assertion verified while the documents still stream in, hashed chunk by chunk. When the body
   * has ended, every check is judged in the same order as on a joined body, and the documents are
   * stored with their entries. Plain SOAP 1.2 (inline base64 <Document>) is read whole first.
   */
  async #iti41(req: IncomingMessage, contentType: string, res: ServerResponse): Promise<void> {
    const mtom = /^multipart\/related/i.test(contentType);
    const plain = /^application\/soap\+xml/i.test(contentType);
    let rootP: Promise<RootCheck> | undefined;
    const receiver = mtom ? new MtomReceiver(contentType, (part) => (rootP = this.#checkRoot(Buffer.concat(part.chunks).toString('utf8')))) : undefined;
    const inline: Buffer[] = [];
    // Anything else is read to its end too (then refused), as a real endpoint does.
    let size: number | null;
    try {
      size = await drain(req, this.o.maxBytes ?? 64 * 1024 * 1024, receiver ? (c) => receiver.push(c) : plain ? (c) => inline.push(c) : () => undefined);
    } catch {
      this.incomplete++;
      for (const w of this.#incompleteWaiters.splice(0)) {
        if (this.incomplete >= w.n) w.resolve();
        else this.#incompleteWaiters.push(w);
      }
      res.destroy();
      return;
    }
    if (size === null) {
      res.writeHead(413, { 'Content-Type': 'text/plain' });
      res.end('too large');
      return;
    }
    const fault = this.#nextFault;
    this.#nextFault = undefined;
    if (fault === 'soap-fault') return this.#soap(res, soapFault('Receiver', undefined, 'Repository internal failure (sandbox)'), 500);
    if (fault === 'malformed') return this.#soap(res, '<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body><rs:Registry');
    if (fault === 'not-xds') {
      res.writeHead(502, { 'Content-Type': 'text/html' });
      res.end('<html><body>Bad gateway</body></html>');
      return;
    }
    // The MIME parts by Content-ID (XOP 1.0 §3).
    const attachments = new Map<string, ReceivedPart>();
    if (receiver) {
      const error = receiver.end();
      if (error) return this.#soap(res, soapFault('Sender', undefined, `bad MTOM package: ${error}`), 400);
      for (const p of receiver.parts.slice(1)) attachments.set(p.cid, p);
      rootP ??= this.#checkRoot('');
    } else if (plain) rootP = this.#checkRoot(Buffer.concat(inline).toString('utf8'));
    else return this.#soap(res, soapFault('Sender', undefined, `content type ${contentType} is neither SOAP 1.2 nor MTOM`), 415);
    const root = await rootP!;
    const { facts } = root;
    if (facts.fault) return this.#soap(res, soapFault('Sender', undefined, facts.fault.reason), facts.fault.status);
    const { messageId, patientCx } = facts;
    // The request as the schema sees it (documents emptied), for the metadata checks below.
    const pnr = parse(facts.emptied)!.documentElement as unknown as Element;

    // Documents' bytes: inline base64 or the xop:Include'd part.
    const documents = new Map<string, { chunks: Buffer[]; size: number; sha1: string }>();
    for (const d of facts.documents) {
      if (d.cid !== undefined) {
        const part = attachments.get(d.cid);
        if (!part) return this.answer41(res, messageId, [{ code: 'XDSMissingDocument', context: `xop:Include ${d.cid} has no MIME part` }]);
        documents.set(d.id, part);
      } else {
        const bytes = Buffer.from(d.base64 ?? '', 'base64');
        documents.set(d.id, { chunks: [bytes], size: bytes.length, sha1: createHash('sha1').update(bytes).digest('hex') });
      }
    }
    this.received.push(facts.emptied);
    const schemaErrors = await root.schema;
    if (schemaErrors.length) return this.answer41(res, messageId, [{ code: 'XDSRegistryMetadataError', context: `schema: ${schemaErrors[0]!.replace(/^-:/, 'line ')}` }]);
    const secError = facts.secError;
    if (secError) return this.#soap(res, soapFault('Sender', 'wsse:FailedAuthentication', secError), 500);

    const ss = all(pnr, NS.rim, 'RegistryPackage')[0];
    const eos = all(pnr, NS.rim, 'ExtrinsicObject');
    const errors: XdsError[] = [];
    if (!ss) errors.push({ code: 'XDSRegistryMetadataError', context: 'no SubmissionSet (RegistryPackage)' });
    else {
      for (const s of ['submissionTime']) if (!slot(ss, s).length) errors.push({ code: 'XDSRegistryMetadataError', context: `SubmissionSet slot ${s} missing`, location: ss.getAttribute('id') ?? '' });
      for (const [scheme, n] of [[UUID.ssUniqueId, 'uniqueId'], [UUID.ssSourceId, 'sourceId'], [UUID.ssPatientId, 'patientId']] as const) {
        if (!ext(ss, scheme)) errors.push({ code: 'XDSRegistryMetadataError', context: `SubmissionSet.${n} missing` });
      }
      if (!kids(ss, NS.rim, 'Classification').some((c) => c.getAttribute('classificationScheme') === UUID.ssContentTypeCode)) errors.push({ code: 'XDSRegistryMetadataError', context: 'SubmissionSet.contentTypeCode missing' });
      const isSs = all(pnr, NS.rim, 'Classification').some((c) => c.getAttribute('classificationNode') === UUID.submissionSet && c.getAttribute('classifiedObject') === ss.getAttribute('id'));
      if (!isSs) errors.push({ code: 'XDSRegistryMetadataError', context: 'RegistryPackage not classified as XDSSubmissionSet' });
    }
    if (!eos.length) errors.push({ code: 'XDSRegistryMetadataError', context: 'no DocumentEntry' });
    const accepted: { entry: StoredEntry; chunks: Buffer[] }[] = [];
    for (const eo of eos) {
      const id = eo.getAttribute('id') ?? '';
      const where = { location: id };
      const uniqueId = ext(eo, UUID.docUniqueId);
      const pid = ext(eo, UUID.docPatientId);
      for (const s of ['creationTime', 'languageCode', 'sourcePatientId']) if (!slot(eo, s).length) errors.push({ code: 'XDSRegistryMetadataError', context: `DocumentEntry slot ${s} missing`, ...where });
      for (const [scheme, n] of [[UUID.classCode, 'classCode'], [UUID.confidentialityCode, 'confidentialityCode'], [UUID.formatCode, 'formatCode'], [UUID.healthcareFacilityTypeCode, 'healthcareFacilityTypeCode'], [UUID.practiceSettingCode, 'practiceSettingCode'], [UUID.typeCode, 'typeCode']] as const) {
        const c = kids(eo, NS.rim, 'Classification').find((x) => x.getAttribute('classificationScheme') === scheme);
        if (!c || !c.getAttribute('nodeRepresentation') || !slot(c, 'codingScheme').length) errors.push({ code: 'XDSRegistryMetadataError', context: `DocumentEntry.${n} missing or without codingScheme`, ...where });
      }
      if (!eo.getAttribute('mimeType')) errors.push({ code: 'XDSRegistryMetadataError', context: 'DocumentEntry.mimeType missing', ...where });
      if (!/^[0-2](\.(0|[1-9]\d*))+$/.test(uniqueId) || uniqueId.length > 64) errors.push({ code: 'XDSRegistryMetadataError', context: `DocumentEntry.uniqueId ${uniqueId} is not an OID of at most 64 characters`, ...where });
      if (!pid) errors.push({ code: 'XDSRegistryMetadataError', context: 'DocumentEntry.patientId missing', ...where });
      else if (pid !== patientCx) errors.push({ code: 'XDSPatientIdDoesNotMatch', context: 'DocumentEntry and SubmissionSet patient ids differ', ...where });
      else if (!this.knowsPatient(pid)) errors.push({ code: 'XDSUnknownPatientId', context: `patient ${pid} unknown in this affinity domain`, ...where });
      const doc = documents.get(id);
      if (!doc) {
        errors.push({ code: 'XDSMissingDocument', context: `no Document for DocumentEntry ${id}`, ...where });
        continue;
      }
      const { sha1: hash, size } = doc;
      const declaredHash = slot(eo, 'hash')[0];
      const declaredSize = slot(eo, 'size')[0];
      if (declaredHash !== undefined && declaredHash.toLowerCase() !== hash) errors.push({ code: 'XDSRepositoryMetadataError', context: `hash ${declaredHash} does not match the document (${hash})`, ...where });
      if (declaredSize !== undefined && Number(declaredSize) !== size) errors.push({ code: 'XDSRepositoryMetadataError', context: `size ${declaredSize} does not match the document (${size})`, ...where });
      if (this.entries.some((e) => e.uniqueId === uniqueId) || accepted.some((a) => a.entry.uniqueId === uniqueId)) {
        errors.push({ code: 'XDSDuplicateUniqueIdInRegistry', context: `uniqueId ${uniqueId} already registered`, ...where });
      }
      // The repository adds what it computed (ITI TF-2b §3.41.4.1.3) and its own unique id.
      accepted.push({ entry: { patientId: pid, uniqueId, hash, size, xml: this.#withRepositorySlots(eo, hash, size), submittedAt: this.#now() }, chunks: doc.chunks });
    }
    for (const d of documents.keys()) if (!eos.some((e) => e.getAttribute('id') === d)) errors.push({ code: 'XDSMissingDocumentMetadata', context: `Document ${d} has no DocumentEntry` });
    if (fault === 'registry-busy') return this.answer41(res, messageId, [{ code: 'XDSRegistryBusy', context: 'registry busy (sandbox)' }]);
    if (fault === 'timeout') {
      // Received and checked, then the registry hangs: nothing registered, no answer in time.
      await new Promise((r) => setTimeout(r, this.o.stallMs ?? 60_000));
      res.destroy();
      return;
    }
    // All or nothing (ITI TF-2b §3.41.4.1.3: the submission is atomic): entries and their documents.
    if (!errors.length) {
      for (const a of accepted) {
        this.entries.push(a.entry);
        this.#documents.set(a.entry.uniqueId, a.chunks);
      }
    }
    if (fault === 'lost-answer') {
      res.destroy();
      return;
    }
    if (fault === 'slow-answer' && !errors.length) {
      await new Promise((r) => setTimeout(r, this.o.stallMs ?? 60_000));
      if (res.destroyed || res.writableEnded) return;
    }
    return this.answer41(res, messageId, errors);
  }

  /**
   * The checks of the root part that need no document bytes (xua-check.ts checkRootXml: envelope,
   * documents named, the request with documents emptied, the XUA assertion), started as soon as it is
   * complete, in the checker's worker thread — this thread goes on reading the documents' bytes —
   * and then the schema check of the emptied request (xmllint, in its own process). Both verdicts
   * are judged once the body has ended.
   */
  #checkRoot(rootXml: string): Promise<RootCheck> {
    let schema: Promise<string[]> | undefined;
    // The schema check starts on the worker's first answer (the facts), while it verifies the assertion.
    const start = (f: { fault?: unknown; emptied: string }) => (schema ??= f.fault ? Promise.resolve([]) : this.#xmllint.validate(f.emptied));
    return this.#xua.root({ rootXml, trustedCerts: this.o.trustedCerts(), now: this.#now().getTime(), audience: this.o.audience ?? 'urn:esante:dsp' }, start).then((facts) => ({ facts, schema: start(facts) }));
  }

  /** A document the repository stored (the sandbox keeps them in memory, as its entries). */
  document(uniqueId: string): Buffer | undefined {
    const chunks = this.#documents.get(uniqueId);
    return chunks ? Buffer.concat(chunks) : undefined;
  }

  #withRepositorySlots(eo: Element, hash: string, size: number): string {
    const copy = eo.cloneNode(true) as Element;
    const doc = copy.ownerDocument!;
    for (const [n, v] of [['hash', hash], ['size', String(size)], ['repositoryUniqueId', DSP_OIDS.repository]] as const) {
      if (slot(copy, n).length) continue;
      const s = doc.createElementNS(NS.rim, 'rim:Slot');
      s.setAttribute('name', n);
      const vl = doc.createElementNS(NS.rim, 'rim:ValueList');
      const val = doc.createElementNS(NS.rim, 'rim:Value');
      val.appendChild(doc.createTextNode(v));
      vl.appendChild(val);
      s.appendChild(vl);
      copy.insertBefore(s, copy.firstChild);
    }
    return new XMLSerializer().serializeToString(copy as never);
  }

  answer41(res: ServerResponse, relatesTo: string | undefined, errors: XdsError[]): void {
    this.#soap(res, soapEnvelope('urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-bResponse', relatesTo, registryResponse(errors)));
  }

  async #iti18(xml: string, res: ServerResponse): Promise<void> {
    const env = parse(xml);
    if (!env) return this.#soap(res, soapFault('Sender', undefined, 'not well-formed XML'), 400);
    const action = all(env, NS.wsa, 'Action')[0]?.textContent?.trim();
    const messageId = all(env, NS.wsa, 'MessageID')[0]?.textContent?.trim();
    if (action !== 'urn:ihe:iti:2007:RegistryStoredQuery') return this.#soap(res, soapFault('Sender', undefined, `wsa:Action ${action ?? '(none)'} is not RegistryStoredQuery`), 400);
    const q = all(env, NS.rim, 'AdhocQuery')[0];
    const answer = (errors: XdsError[], objects = '') => {
      const status = errors.length ? STATUS.failure : STATUS.success;
      const list = errors.length ? `<rs:RegistryErrorList>${errors.map((e) => `<rs:RegistryError errorCode="${e.code}" codeContext="${escapeXml(e.context)}" severity="${STATUS.errorSeverity}"/>`).join('')}</rs:RegistryErrorList>` : '';
      this.#soap(res, soapEnvelope('urn:ihe:iti:2007:RegistryStoredQueryResponse', messageId, `<query:AdhocQueryResponse xmlns:query="${NS.query}" xmlns:rs="${NS.rs}" xmlns:rim="${NS.rim}" status="${status}">${list}<rim:RegistryObjectList>${objects}</rim:RegistryObjectList></query:AdhocQueryResponse>`));
    };
    if (!q || q.getAttribute('id') !== UUID.findDocuments) return answer([{ code: 'XDSRegistryError', context: `stored query ${q?.getAttribute('id') ?? '(none)'} not supported by the sandbox` }]);
    const secError = await this.#checkAssertion(env);
    if (secError) return this.#soap(res, soapFault('Sender', 'wsse:FailedAuthentication', secError), 500);
    const raw = slot(q, '$XDSDocumentEntryPatientId')[0];
    if (!raw) return answer([{ code: 'XDSStoredQueryMissingParam', context: '$XDSDocumentEntryPatientId missing' }]);
    if (!slot(q, '$XDSDocumentEntryStatus').length) return answer([{ code: 'XDSStoredQueryMissingParam', context: '$XDSDocumentEntryStatus missing' }]);
    const pid = raw.trim().replace(/^'|'$/g, '').replace(/''/g, "'");
    if (!this.knowsPatient(pid)) return answer([{ code: 'XDSUnknownPatientId', context: `patient ${pid} unknown in this affinity domain` }]);
    answer([], this.entries.filter((e) => e.patientId === pid).map((e) => e.xml).join(''));
  }

  #pdq(xml: string, res: ServerResponse): void {
    const env = parse(xml);
    const q = env ? all(env, HL7_NS, 'PRPA_IN201305UV02')[0] : undefined;
    if (!q) return this.#soap(res, soapFault('Sender', undefined, 'not a PRPA_IN201305UV02 query'), 400);
    const param = (n: string) => all(q, HL7_NS, n)[0];
    const idEl = param('livingSubjectId') ? all(param('livingSubjectId')!, HL7_NS, 'value')[0] : undefined;
    const nameEl = param('livingSubjectName');
    const family = nameEl ? all(nameEl, HL7_NS, 'family')[0]?.textContent?.trim().toLowerCase() : undefined;
    const given = nameEl ? all(nameEl, HL7_NS, 'given')[0]?.textContent?.trim().toLowerCase() : undefined;
    const birth = param('livingSubjectBirthTime') ? all(param('livingSubjectBirthTime')!, HL7_NS, 'value')[0]?.getAttribute('value') : undefined;
    const fold = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
    let code = 'OK';
    let found: SandboxPatient[] = [];
    if (idEl) {
      const root = idEl.getAttribute('root');
      const ext = idEl.getAttribute('extension');
      found = this.#patients.filter((p) => (root === this.#patientRoot && p.matricule === ext) || (root === `${this.#patientRoot}.11` && p.oldNumber === ext));
    } else if (family && birth) {
      found = this.#patients.filter((p) => fold(p.familyName) === fold(family) && p.birthDate.replace(/-/g, '') === birth && (!given || fold(p.givenName).startsWith(fold(given))));
    } else code = 'AE';
    if (code === 'OK' && !found.length) code = 'NF';
    const subjects = found
      .map(
        (p) =>
          `<subject typeCode="SUBJ"><registrationEvent classCode="REG" moodCode="EVN"><statusCode code="active"/><subject1 typeCode="SBJ"><patient classCode="PAT"><id root="${this.#patientRoot}" extension="${p.matricule}"/>${p.oldNumber ? `<id root="${this.#patientRoot}.11" extension="${p.oldNumber}"/>` : ''}<statusCode code="active"/><patientPerson classCode="PSN" determinerCode="INSTANCE"><name use="L"><given>${escapeXml(p.givenName)}</given><family>${escapeXml(p.familyName)}</family></name><administrativeGenderCode code="${p.gender}" codeSystem="2.16.840.1.113883.5.1"/><birthTime value="${p.birthDate.replace(/-/g, '')}"/><addr><city>${escapeXml(p.city)}</city><country>LU</country></addr></patientPerson></patient></subject1></registrationEvent></subject>`,
      )
      .join('');
    const body = `<PRPA_IN201306UV02 xmlns="${HL7_NS}" ITSVersion="XML_1.0"><id root="${crypto.randomUUID()}"/><creationTime value="${this.#now().toISOString().replace(/[-:T]/g, '').slice(0, 14)}"/><interactionId root="2.16.840.1.113883.1.6" extension="PRPA_IN201306UV02"/><processingCode code="P"/><processingModeCode code="T"/><acceptAckCode code="NE"/><acknowledgement><typeCode code="${code === 'AE' ? 'AE' : 'AA'}"/></acknowledgement><controlActProcess classCode="CACT" moodCode="EVN"><code code="PRPA_TE201306UV02" codeSystem="2.16.840.1.113883.1.6"/>${subjects}<queryAck><queryResponseCode code="${code}"/><resultTotalQuantity value="${found.length}"/></queryAck></controlActProcess></PRPA_IN201306UV02>`;
    this.#soap(res, soapEnvelope('urn:hl7-org:v3:PRPA_IN201306UV02', undefined, body));
  }
}

/** Certificates in a PEM bundle (the trust list of X-Assertion Providers). */
export function pemCertificates(pem: string): string[] {
  return (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).filter((c) => {
    try {
      new X509Certificate(c);
      return true;
    } catch {
      return false;
    }
  });
}

/** The stand-ins on their own HTTP port (tests, bench); the sandbox mounts DspStandIn under /sandbox/dsp instead. */
export async function startDspStandIn(o: DspStandInOptions): Promise<{ standIn: DspStandIn; url: string; stop(): Promise<void> }> {
  const { createServer } = await import('node:http');
  const standIn = new DspStandIn(o);
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://dsp');
    if (!standIn.owns(url.pathname)) {
      res.writeHead(404).end();
      return;
    }
    standIn.handle(url, req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as import('node:net').AddressInfo).port;
  return {
    standIn,
    url: `http://127.0.0.1:${port}${o.basePath ?? '/sandbox/dsp'}`,
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        standIn.close();
        server.close(() => r());
      }),
  };
}
