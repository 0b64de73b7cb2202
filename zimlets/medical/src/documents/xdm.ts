/**
 * Reads a received IHE XDM package (ITI-32 Distribute Document Set on Media, ITI TF-2b 3.32 and
 * ITI TF-3 4.2: the zip interchange of Direct and MSSanté) in the browser: a zip whose
 * `IHE_XDM/<SUBSET>/METADATA.XML` is an ebRS 3.0 SubmitObjectsRequest describing the documents that
 * sit beside it. Its patient and each DocumentEntry's metadata pre-fill the filing form.
 *
 * Zip reading is fflate's (well kept, small, bundles into the zimlet); the XML parser is injected
 * (the browser's DOMParser, @xmldom/xmldom in node tests). Every size is bounded before inflating.
 * Classification schemes and external identifiers: ITI TF-3 Table 4.2.5-1 (the same UUIDs as oehf/ipf
 * commons/ihe/xds/.../metadata/Vocabulary.java).
 */
import { unzipSync, type UnzipFileInfo } from 'fflate';
import { checkMatricule } from '../../../../shared/dsp/matricule.ts';
import { XDS_CODE_SCHEMES, XDS_UUID } from '../../../../shared/dsp/xds-uuids.ts';

const SCHEME = XDS_CODE_SCHEMES;
const DOC_ENTRY_PATIENT_ID = XDS_UUID.docPatientId;
const DOC_ENTRY_UNIQUE_ID = XDS_UUID.docUniqueId;
const SUBMISSION_SET_PATIENT_ID = XDS_UUID.ssPatientId;

/** The metadata file of one submission set inside the zip (ITI TF-2b 3.32.4.1.3: IHE_XDM/SUBSETnn/METADATA.XML). */
const METADATA = /^IHE_XDM\/([^/]+)\/METADATA\.XML$/i;

export type XdmCodeField = keyof typeof SCHEME;

/** One DocumentEntry of the package with its bytes. */
export interface XdmDocument {
  /** The file name inside the subset (the DocumentEntry's URI slot), e.g. "DOC0001.PDF". */
  fileName: string;
  mimeType: string;
  bytes: Uint8Array;
  title?: string;
  codes: Partial<Record<XdmCodeField, string>>;
  languageCode?: string;
  /** YYYY-MM-DD from the HL7 DTM serviceStartTime (else creationTime). */
  serviceStartTime?: string;
  uniqueId?: string;
  comments?: string;
}

export interface XdmPatient {
  /** The XDS patient id as written (CX: id^^^&oid&ISO). */
  patientId?: string;
  /** A valid matricule found in the patient id or the sourcePatientInfo PID-3, if any. */
  matricule?: string;
  familyName?: string;
  givenName?: string;
  /** YYYY-MM-DD from PID-7. */
  birthDate?: string;
}

export interface XdmPackage {
  patient: XdmPatient;
  documents: XdmDocument[];
}

/** A package that says it is XDM but cannot be read (bad zip, bad XML, missing document). */
export class XdmError extends Error {
  override name = 'XdmError';
}

/** What the parser needs of an XML DOM (DOMParser's result; @xmldom/xmldom gives the same). */
export interface XmlNodeLike {
  nodeType: number;
  localName?: string | null;
  childNodes: ArrayLike<XmlNodeLike>;
  textContent?: string | null;
  getAttribute?(name: string): string | null;
}
export type ParseXml = (text: string) => { documentElement: XmlNodeLike | null };

export interface XdmLimits {
  /** Largest single file the package may hold, uncompressed (the DSP's document limit). */
  maxFileBytes: number;
  /** Largest total, uncompressed (against zip bombs). */
  maxTotalBytes: number;
}

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];

function looksLikeZip(bytes: Uint8Array): boolean {
  return bytes.length > 4 && ZIP_MAGIC.every((b, i) => bytes[i] === b);
}

function children(node: XmlNodeLike, localName: string): XmlNodeLike[] {
  const out: XmlNodeLike[] = [];
  for (let i = 0; i < node.childNodes.length; i++) {
    const c = node.childNodes[i]!;
    if (c.nodeType === 1 && c.localName === localName) out.push(c);
  }
  return out;
}

function descendants(node: XmlNodeLike, localName: string, out: XmlNodeLike[] = []): XmlNodeLike[] {
  for (let i = 0; i < node.childNodes.length; i++) {
    const c = node.childNodes[i]!;
    if (c.nodeType !== 1) continue;
    if (c.localName === localName) out.push(c);
    descendants(c, localName, out);
  }
  return out;
}

const attr = (n: XmlNodeLike, name: string): string => n.getAttribute?.(name) ?? '';

/** Values of the ebRIM Slot `name` directly under `node` (rim.xsd SlotType1/ValueList/Value). */
function slotValues(node: XmlNodeLike, name: string): string[] {
  const slot = children(node, 'Slot').find((s) => attr(s, 'name') === name);
  if (!slot) return [];
  return children(slot, 'ValueList').flatMap((vl) => children(vl, 'Value').map((v) => (v.textContent ?? '').trim()));
}

/** The LocalizedString value of a Name or Description child. */
function localized(node: XmlNodeLike, element: 'Name' | 'Description'): string | undefined {
  const ls = children(node, element).flatMap((n) => children(n, 'LocalizedString'))[0];
  const v = ls ? attr(ls, 'value').trim() : '';
  return v || undefined;
}

/** HL7 v2 DTM (YYYY[MM[DD[hhmm[ss]]]]) → YYYY-MM-DD, or undefined without a full date. */
function dtmDate(dtm: string | undefined): string | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})/.exec(dtm ?? '');
  return m ? `${m[1]}-${m[2]}-${m[3]}` : undefined;
}

/** The id number of a CX (`id^^^&oid&ISO`) when it is a valid matricule. */
function matriculeOfCx(cx: string | undefined): string | undefined {
  const id = (cx ?? '').split('^')[0] ?? '';
  const check = checkMatricule(id);
  return check.ok ? check.value : undefined;
}

function readPatient(entry: XmlNodeLike, patientId: string | undefined): XdmPatient {
  const patient: XdmPatient = {};
  if (patientId) patient.patientId = patientId;
  let matricule = matriculeOfCx(patientId);
  // sourcePatientInfo: "PID-3|id^^^&oid&ISO", "PID-5|FAMILY^Given^^^", "PID-7|YYYYMMDD" (ITI TF-3 4.2.3.2.23).
  for (const v of slotValues(entry, 'sourcePatientInfo')) {
    const [field, value = ''] = v.split(/\|(.*)/s);
    if (field === 'PID-3') matricule ??= matriculeOfCx(value);
    if (field === 'PID-5' && !patient.familyName) {
      const [family, given] = value.split('^');
      if (family) patient.familyName = family;
      if (given) patient.givenName = given;
    }
    if (field === 'PID-7') {
      const d = dtmDate(value);
      if (d) patient.birthDate = d;
    }
  }
  if (matricule) patient.matricule = matricule;
  return patient;
}

/** True when the bytes are a zip holding an XDM METADATA.XML (cheap: reads the central directory only). */
export function isXdmPackage(bytes: Uint8Array): boolean {
  if (!looksLikeZip(bytes)) return false;
  let found = false;
  try {
    // The filter sees each entry's header before anything is inflated; answering false skips it.
    unzipSync(bytes, {
      filter: (f) => {
        if (METADATA.test(f.name)) found = true;
        return false;
      },
    });
  } catch {
    return false;
  }
  return found;
}

/**
 * Parses an XDM package. Resolves undefined when the zip is not XDM; throws XdmError when it is but
 * cannot be read, or a file exceeds the limits (nothing is inflated beyond them).
 */
export function parseXdmPackage(bytes: Uint8Array, parseXml: ParseXml, limits: XdmLimits): XdmPackage | undefined {
  if (!looksLikeZip(bytes)) return undefined;
  let total = 0;
  let files: Record<string, Uint8Array>;
  let tooBig = false;
  try {
    files = unzipSync(bytes, {
      filter: (f: UnzipFileInfo) => {
        if (f.name.endsWith('/')) return false;
        total += f.originalSize;
        if (f.originalSize > limits.maxFileBytes || total > limits.maxTotalBytes) tooBig = true;
        return !tooBig;
      },
    });
  } catch (e) {
    throw new XdmError(`not a readable zip: ${(e as Error).message}`);
  }
  if (tooBig) throw new XdmError('package too large');
  const metadataPath = Object.keys(files).find((n) => METADATA.test(n));
  if (!metadataPath) return undefined;
  const subset = metadataPath.replace(/METADATA\.XML$/i, '');
  let root: XmlNodeLike | null;
  try {
    root = parseXml(new TextDecoder().decode(files[metadataPath])).documentElement;
  } catch {
    root = null;
  }
  if (!root || root.localName !== 'SubmitObjectsRequest') throw new XdmError('METADATA.XML is not an ebRS SubmitObjectsRequest');

  const entries = descendants(root, 'ExtrinsicObject');
  if (entries.length === 0) throw new XdmError('METADATA.XML lists no document');
  let patient: XdmPatient | undefined;
  const documents: XdmDocument[] = [];
  for (const entry of entries) {
    const ids = children(entry, 'ExternalIdentifier');
    const idOf = (scheme: string) => {
      const v = ids.find((x) => attr(x, 'identificationScheme') === scheme);
      return v ? attr(v, 'value') : undefined;
    };
    const uri = slotValues(entry, 'URI').join('');
    if (!uri) throw new XdmError('a DocumentEntry has no URI slot');
    // URI is relative to the subset folder (ITI TF-2b 3.32.4.1.4.2); compare names case-insensitively
    // because media written on other systems often change the case.
    const wanted = (subset + uri).toLowerCase();
    const path = Object.keys(files).find((n) => n.toLowerCase() === wanted);
    if (!path) throw new XdmError(`document ${uri} is missing from the package`);
    const codes: XdmDocument['codes'] = {};
    for (const c of children(entry, 'Classification')) {
      const scheme = attr(c, 'classificationScheme');
      const field = (Object.keys(SCHEME) as XdmCodeField[]).find((k) => SCHEME[k] === scheme);
      if (field && !codes[field]) codes[field] = attr(c, 'nodeRepresentation');
    }
    const doc: XdmDocument = {
      fileName: uri.split('/').pop() ?? uri,
      mimeType: attr(entry, 'mimeType') || 'application/octet-stream',
      bytes: files[path]!,
      codes,
    };
    const title = localized(entry, 'Name');
    if (title) doc.title = title;
    const comments = localized(entry, 'Description');
    if (comments) doc.comments = comments;
    const lang = slotValues(entry, 'languageCode')[0];
    if (lang) doc.languageCode = lang;
    const date = dtmDate(slotValues(entry, 'serviceStartTime')[0]) ?? dtmDate(slotValues(entry, 'creationTime')[0]);
    if (date) doc.serviceStartTime = date;
    const uniqueId = idOf(DOC_ENTRY_UNIQUE_ID);
    if (uniqueId) doc.uniqueId = uniqueId;
    patient ??= readPatient(entry, idOf(DOC_ENTRY_PATIENT_ID));
    documents.push(doc);
  }
  if (!patient?.patientId) {
    // The SubmissionSet carries the patient too (ITI TF-3 4.2.3.3.10).
    const set = descendants(root, 'RegistryPackage')[0];
    const ext = set ? children(set, 'ExternalIdentifier').find((x) => attr(x, 'identificationScheme') === SUBMISSION_SET_PATIENT_ID) : undefined;
    if (ext) {
      const cx = attr(ext, 'value');
      patient = { ...patient, patientId: cx };
      const m = matriculeOfCx(cx);
      if (m) patient.matricule ??= m;
    }
  }
  return { patient: patient ?? {}, documents };
}
