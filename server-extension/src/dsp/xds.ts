/**
 * XDS.b metadata (ebRIM 3.0) for ITI-41 Provide and Register Document Set-b and the ITI-18
 * FindDocuments stored query, and the parsing of RegistryResponse / AdhocQueryResponse.
 *
 * Sources: IHE ITI TF-3 §4.2.3 (metadata attributes: DocumentEntry Table 4.2.3.2-1, SubmissionSet
 * Table 4.2.3.3-1), §4.2.5 (classification scheme UUIDs, Table 4.2.5-1), §4.2.3.1.7 (author), §4.2.2
 * (associations, SubmissionSetStatus); ITI TF-2a §3.18.4.1.2.3.7.1 (FindDocuments, query id
 * urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d); OASIS regrep-rim-3.0 / rs.xsd for element order.
 * The same UUIDs are in oehf/ipf `commons/ihe/xds/core/.../metadata/Vocabulary.java`.
 * Every body built here is checked against /work/shared/standards/ihe-xds in the tests.
 */
import { DOMParser } from '@xmldom/xmldom';
import { childElements as children, descendantElements as descendants } from '../../../shared/xml/elements.ts';
import { EsanteError } from '../errors.ts';
import { XDS_UUID } from '../../../shared/dsp/xds-uuids.ts';
import { escapeMarkup } from '../../../shared/markup.ts';

export const NS = {
  soap12: 'http://www.w3.org/2003/05/soap-envelope',
  wsa: 'http://www.w3.org/2005/08/addressing',
  wsse: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd',
  xdsb: 'urn:ihe:iti:xds-b:2007',
  lcm: 'urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0',
  rim: 'urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0',
  rs: 'urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0',
  query: 'urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0',
  xop: 'http://www.w3.org/2004/08/xop/include',
} as const;

/** WS-Addressing actions (ITI TF-2b §3.41.5.1, ITI TF-2a §3.18.5.1). */
export const ACTIONS = {
  iti41: 'urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b',
  iti41Response: 'urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-bResponse',
  iti18: 'urn:ihe:iti:2007:RegistryStoredQuery',
  iti18Response: 'urn:ihe:iti:2007:RegistryStoredQueryResponse',
} as const;

/** The registry's UUIDs (ITI TF-3 Table 4.2.5-1), one list for the service and the medical zimlet's XDM reader. */
export const UUID = XDS_UUID;

export const STATUS = {
  success: 'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success',
  failure: 'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure',
  partial: 'urn:ihe:iti:2007:ResponseStatusType:PartialSuccess',
  approved: 'urn:oasis:names:tc:ebxml-regrep:StatusType:Approved',
  errorSeverity: 'urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error',
} as const;

const OBJECT_TYPE = {
  classification: 'urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:Classification',
  externalIdentifier: 'urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:ExternalIdentifier',
  registryPackage: 'urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:RegistryPackage',
  association: 'urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:Association',
} as const;

export interface Code {
  code: string;
  scheme: string;
  display: string;
}

export interface Author {
  /** eHealth ID of the professional (authorPerson XCN.1). */
  ehealthId: string;
  givenName: string;
  familyName: string;
  /** Assigning authority OID of eHealth IDs (XCN.9). */
  idRoot: string;
  role?: string;
  specialty?: string;
  organisation?: string;
  organisationId?: string;
  organisationRoot?: string;
}

export interface DocumentEntryInput {
  entryUUID: string;
  uniqueId: string;
  /** CX patient id in the affinity domain: `matricule^^^&OID&ISO`. */
  patientId: string;
  mimeType: string;
  title: string;
  comments?: string;
  classCode: Code;
  typeCode: Code;
  confidentialityCode: Code;
  formatCode: Code;
  practiceSettingCode: Code;
  healthcareFacilityTypeCode: Code;
  languageCode: string;
  /** DTM (YYYYMMDDhhmmss, UTC). */
  creationTime: string;
  serviceStartTime?: string;
  hash: string;
  size: number;
  author: Author;
}

export interface SubmissionInput {
  entryUUID: string;
  uniqueId: string;
  sourceId: string;
  submissionTime: string;
  contentTypeCode: Code;
}

export const escapeXml = escapeMarkup;

/** HL7 v2 component escaping (\F\ \S\ \T\ \R\ \E\) for values put into XCN/XON/CX strings. */
function hl7(s: string): string {
  return s.replace(/\\/g, '\\E\\').replace(/\|/g, '\\F\\').replace(/\^/g, '\\S\\').replace(/&/g, '\\T\\').replace(/~/g, '\\R\\');
}

/** DTM in UTC to the second (ITI TF-3 §4.2.3.1.2: "YYYY[MM[DD[hh[mm[ss]]]]]", UTC). */
export function dtm(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

/** "YYYY-MM-DD" or an ISO date-time → DTM (date only stays YYYYMMDD). */
export function dtmFromInput(s: string): string | null {
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return s.replace(/-/g, '');
  const t = Date.parse(s);
  return Number.isNaN(t) ? null : dtm(new Date(t));
}

const slot = (name: string, ...values: string[]): string =>
  `<rim:Slot name="${escapeXml(name)}"><rim:ValueList>${values.map((v) => `<rim:Value>${escapeXml(v)}</rim:Value>`).join('')}</rim:ValueList></rim:Slot>`;
const name = (value: string): string => `<rim:Name><rim:LocalizedString value="${escapeXml(value)}"/></rim:Name>`;

function classification(id: string, scheme: string, object: string, c: Code): string {
  return `<rim:Classification id="${id}" objectType="${OBJECT_TYPE.classification}" classificationScheme="${scheme}" classifiedObject="${object}" nodeRepresentation="${escapeXml(c.code)}">${slot('codingScheme', c.scheme)}${name(c.display)}</rim:Classification>`;
}

function externalId(id: string, scheme: string, object: string, value: string, label: string): string {
  return `<rim:ExternalIdentifier id="${id}" objectType="${OBJECT_TYPE.externalIdentifier}" identificationScheme="${scheme}" registryObject="${object}" value="${escapeXml(value)}">${name(label)}</rim:ExternalIdentifier>`;
}

/** Author classification: slots authorPerson (XCN), authorInstitution (XON), authorRole, authorSpecialty (ITI TF-3 §4.2.3.1.4). */
function authorClassification(id: string, scheme: string, object: string, a: Author): string {
  const person = `${hl7(a.ehealthId)}^${hl7(a.familyName)}^${hl7(a.givenName)}^^^^^^&${a.idRoot}&ISO`;
  const slots = [slot('authorPerson', person)];
  if (a.organisation) {
    // XON: name ^^^^^ &root&ISO ^^^^ id (XON.1, XON.6, XON.10).
    slots.push(slot('authorInstitution', a.organisationId && a.organisationRoot ? `${hl7(a.organisation)}^^^^^&${a.organisationRoot}&ISO^^^^${hl7(a.organisationId)}` : hl7(a.organisation)));
  }
  if (a.role) slots.push(slot('authorRole', a.role));
  if (a.specialty) slots.push(slot('authorSpecialty', a.specialty));
  return `<rim:Classification id="${id}" objectType="${OBJECT_TYPE.classification}" classificationScheme="${scheme}" classifiedObject="${object}" nodeRepresentation="">${slots.join('')}</rim:Classification>`;
}

/** One DocumentEntry (ExtrinsicObject) with every attribute ITI-41 requires of a Document Source. */
export function documentEntryXml(d: DocumentEntryInput): string {
  const id = d.entryUUID;
  let n = 0;
  const cid = () => `${id}-c${++n}`.replace('urn:uuid:', 'cl-');
  const slots = [
    slot('creationTime', d.creationTime),
    slot('hash', d.hash),
    slot('languageCode', d.languageCode),
    ...(d.serviceStartTime ? [slot('serviceStartTime', d.serviceStartTime)] : []),
    slot('size', String(d.size)),
    // The source's own id of the patient: here the same national number (ITI TF-3 §4.2.3.2.23).
    slot('sourcePatientId', d.patientId),
  ];
  return [
    `<rim:ExtrinsicObject id="${id}" mimeType="${escapeXml(d.mimeType)}" objectType="${UUID.docEntry}" status="${STATUS.approved}">`,
    slots.join(''),
    name(d.title),
    d.comments ? `<rim:Description><rim:LocalizedString value="${escapeXml(d.comments)}"/></rim:Description>` : '',
    authorClassification(cid(), UUID.docAuthor, id, d.author),
    classification(cid(), UUID.classCode, id, d.classCode),
    classification(cid(), UUID.confidentialityCode, id, d.confidentialityCode),
    classification(cid(), UUID.formatCode, id, d.formatCode),
    classification(cid(), UUID.healthcareFacilityTypeCode, id, d.healthcareFacilityTypeCode),
    classification(cid(), UUID.practiceSettingCode, id, d.practiceSettingCode),
    classification(cid(), UUID.typeCode, id, d.typeCode),
    externalId(`${id}-ei1`.replace('urn:uuid:', 'ei-'), UUID.docPatientId, id, d.patientId, 'XDSDocumentEntry.patientId'),
    externalId(`${id}-ei2`.replace('urn:uuid:', 'ei-'), UUID.docUniqueId, id, d.uniqueId, 'XDSDocumentEntry.uniqueId'),
    '</rim:ExtrinsicObject>',
  ].join('');
}

/** The SubmitObjectsRequest of one document: SubmissionSet, DocumentEntry, HasMember association. */
export function submitObjectsXml(doc: DocumentEntryInput, ss: SubmissionInput): string {
  const s = ss.entryUUID;
  return [
    `<lcm:SubmitObjectsRequest xmlns:lcm="${NS.lcm}" xmlns:rim="${NS.rim}"><rim:RegistryObjectList>`,
    documentEntryXml(doc),
    `<rim:RegistryPackage id="${s}" objectType="${OBJECT_TYPE.registryPackage}">`,
    slot('submissionTime', ss.submissionTime),
    name('Dépôt depuis la messagerie sécurisée eSanté'),
    authorClassification('ss-author', UUID.ssAuthor, s, doc.author),
    classification('ss-ctc', UUID.ssContentTypeCode, s, ss.contentTypeCode),
    externalId('ss-ei1', UUID.ssUniqueId, s, ss.uniqueId, 'XDSSubmissionSet.uniqueId'),
    externalId('ss-ei2', UUID.ssSourceId, s, ss.sourceId, 'XDSSubmissionSet.sourceId'),
    externalId('ss-ei3', UUID.ssPatientId, s, doc.patientId, 'XDSSubmissionSet.patientId'),
    '</rim:RegistryPackage>',
    // ITI TF-3 §4.1.4: the package is classified as a SubmissionSet by this Classification.
    `<rim:Classification id="ss-node" objectType="${OBJECT_TYPE.classification}" classifiedObject="${s}" classificationNode="${UUID.submissionSet}"/>`,
    `<rim:Association id="as-1" objectType="${OBJECT_TYPE.association}" associationType="urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember" sourceObject="${s}" targetObject="${doc.entryUUID}">${slot('SubmissionSetStatus', 'Original')}</rim:Association>`,
    '</rim:RegistryObjectList></lcm:SubmitObjectsRequest>',
  ].join('');
}

/** ITI-18 FindDocuments for a patient's approved documents, answered as LeafClass. */
export function findDocumentsXml(patientId: string): string {
  const q = (v: string) => `'${v.replace(/'/g, "''")}'`;
  return [
    `<query:AdhocQueryRequest xmlns:query="${NS.query}" xmlns:rim="${NS.rim}">`,
    '<query:ResponseOption returnComposedObjects="true" returnType="LeafClass"/>',
    `<rim:AdhocQuery id="${UUID.findDocuments}">`,
    slot('$XDSDocumentEntryPatientId', q(patientId)),
    slot('$XDSDocumentEntryStatus', `(${q(STATUS.approved)})`),
    '</rim:AdhocQuery></query:AdhocQueryRequest>',
  ].join('');
}

export interface RegistryError {
  errorCode: string;
  codeContext: string;
  severity: string;
  location?: string;
}

export interface ParsedRegistryResponse {
  status: 'success' | 'failure' | 'partial';
  errors: RegistryError[];
}

/**
 * Thrown for answers that are not the XDS message we expect (HTML error page, other XML, bad status).
 * Part of the one error hierarchy (../errors.ts): on its own it maps to dsp.bad_answer (502, the DSP's
 * fault); the feature maps it further where the context says more (a PDQ answer: patient search unavailable).
 */
export class NotXdsAnswerError extends EsanteError {
  readonly code = 'dsp.bad_answer';
  readonly httpStatus = 502;
  readonly side = 'Server';
  constructor(detail: string) {
    super({ message: detail });
  }
}

function parseXml(xml: string): Document {
  const errors: string[] = [];
  // @xmldom/xmldom 0.8: errorHandler (errors are collected, never printed).
  const doc = new DOMParser({
    errorHandler: { warning: () => undefined, error: (m: string) => errors.push(m), fatalError: (m: string) => errors.push(m) },
  }).parseFromString(xml, 'text/xml');
  if (errors.length || !doc.documentElement) throw new NotXdsAnswerError(`not well-formed XML: ${errors[0] ?? 'empty'}`);
  return doc as unknown as Document;
}

/** The SOAP 1.2 Body's first element, or a SOAP Fault reason. */
export function soapBody(xml: string): { body: Element } | { fault: { code: string; reason: string } } {
  const doc = parseXml(xml);
  const env = doc.documentElement;
  if (env.namespaceURI !== NS.soap12 || env.localName !== 'Envelope') throw new NotXdsAnswerError(`not a SOAP 1.2 envelope: {${env.namespaceURI}}${env.localName}`);
  const body = children(env, NS.soap12, 'Body')[0];
  const first = body ? Array.from(body.childNodes).find((n) => n.nodeType === 1) as Element | undefined : undefined;
  if (!first) throw new NotXdsAnswerError('empty SOAP body');
  if (first.namespaceURI === NS.soap12 && first.localName === 'Fault') {
    const code = descendants(first, NS.soap12, 'Value').map((v) => v.textContent?.trim() ?? '').join(' / ');
    const reason = descendants(first, NS.soap12, 'Text')[0]?.textContent?.trim() ?? '';
    return { fault: { code, reason } };
  }
  return { body: first };
}

export function parseRegistryResponse(el: Element): ParsedRegistryResponse {
  const status = el.getAttribute('status') ?? '';
  const kind = status === STATUS.success ? 'success' : status === STATUS.failure ? 'failure' : status === STATUS.partial ? 'partial' : null;
  if (!kind) throw new NotXdsAnswerError(`unknown RegistryResponse status ${status.slice(0, 100)}`);
  const errors = descendants(el, NS.rs, 'RegistryError').map((e) => ({
    errorCode: e.getAttribute('errorCode') ?? '',
    codeContext: e.getAttribute('codeContext') ?? '',
    severity: e.getAttribute('severity') ?? STATUS.errorSeverity,
    ...(e.getAttribute('location') ? { location: e.getAttribute('location')! } : {}),
  }));
  if (kind === 'failure' && errors.length === 0) throw new NotXdsAnswerError('Failure without RegistryError');
  return { status: kind, errors };
}

export interface FoundDocument {
  entryUUID: string;
  uniqueId: string;
  patientId: string;
  title: string;
  mimeType: string;
  creationTime?: string;
  serviceStartTime?: string;
  hash?: string;
  size?: number;
  author?: string;
  typeCode?: string;
  typeDisplay?: string;
  classDisplay?: string;
  confidentialityCode?: string;
}

function slotValues(el: Element, slotName: string): string[] {
  const s = children(el, NS.rim, 'Slot').find((x) => x.getAttribute('name') === slotName);
  return s ? descendants(s, NS.rim, 'Value').map((v) => v.textContent ?? '') : [];
}

function localized(el: Element | undefined): string {
  return el ? descendants(el, NS.rim, 'LocalizedString')[0]?.getAttribute('value') ?? '' : '';
}

/** DTM → ISO 8601 (UTC). */
export function isoFromDtm(v: string | undefined): string | undefined {
  if (!v || !/^\d{4,14}$/.test(v)) return undefined;
  const p = (a: number, b: number, d: string) => (v.length >= b ? v.slice(a, b) : d);
  return `${v.slice(0, 4)}-${p(4, 6, '01')}-${p(6, 8, '01')}T${p(8, 10, '00')}:${p(10, 12, '00')}:${p(12, 14, '00')}Z`;
}

/** The ExtrinsicObjects of an AdhocQueryResponse (LeafClass). */
export function parseQueryResponse(el: Element): { response: ParsedRegistryResponse; documents: FoundDocument[] } {
  const response = parseRegistryResponse(el);
  const documents = descendants(el, NS.rim, 'ExtrinsicObject').map((eo): FoundDocument => {
    const id = eo.getAttribute('id') ?? '';
    const ext = (scheme: string) => children(eo, NS.rim, 'ExternalIdentifier').find((x) => x.getAttribute('identificationScheme') === scheme)?.getAttribute('value') ?? '';
    const cls = (scheme: string) => children(eo, NS.rim, 'Classification').find((x) => x.getAttribute('classificationScheme') === scheme);
    const author = cls(UUID.docAuthor);
    const person = author ? slotValues(author, 'authorPerson')[0] : undefined;
    const xcn = person?.split('^');
    const size = Number(slotValues(eo, 'size')[0]);
    const type = cls(UUID.typeCode);
    const out: FoundDocument = {
      entryUUID: id,
      uniqueId: ext(UUID.docUniqueId),
      patientId: ext(UUID.docPatientId),
      title: localized(children(eo, NS.rim, 'Name')[0]),
      mimeType: eo.getAttribute('mimeType') ?? '',
    };
    const c = isoFromDtm(slotValues(eo, 'creationTime')[0]);
    if (c) out.creationTime = c;
    const sst = isoFromDtm(slotValues(eo, 'serviceStartTime')[0]);
    if (sst) out.serviceStartTime = sst;
    const h = slotValues(eo, 'hash')[0];
    if (h) out.hash = h.toLowerCase();
    if (Number.isFinite(size)) out.size = size;
    if (xcn) out.author = [xcn[2], xcn[1]].filter(Boolean).join(' ') || xcn[0]!;
    if (type) {
      out.typeCode = type.getAttribute('nodeRepresentation') ?? '';
      out.typeDisplay = localized(children(type, NS.rim, 'Name')[0]);
    }
    const klass = cls(UUID.classCode);
    if (klass) out.classDisplay = localized(children(klass, NS.rim, 'Name')[0]);
    const conf = cls(UUID.confidentialityCode);
    if (conf) out.confidentialityCode = conf.getAttribute('nodeRepresentation') ?? '';
    return out;
  });
  return { response, documents };
}

export { parseXml };
