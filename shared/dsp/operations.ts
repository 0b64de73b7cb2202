/**
 * SOAP operations of the medical message assistant (zimlet lu_esante_medical, guide p. 7: "ajout de
 * documents au DSP d'un patient depuis la messagerie"), spread into shared/soap/operations.ts.
 * The service talks to the DSP (Dossier de Soins Partagé) over IHE XDS.b on the caller's behalf:
 * PDQV3 (ITI-47) for FindPatients, Registry Stored Query FindDocuments (ITI-18) for
 * ListPatientDocuments, Provide and Register Document Set-b (ITI-41) for FileDocument
 * (server-extension/src/dsp/README.md). The author of every filing is the caller as Zimbra vouches
 * for them, looked up in the directory: never a value of the request.
 *
 * Document bytes, the normal (streamed) way: the browser hashes the document first (SHA-1, the XDS
 * hash), calls PrepareFiling with the metadata, the hash and the size — the service checks
 * everything and claims (patient, hash) for at most once filing — then POSTs the raw bytes to
 * `DSP_FILE_PATH/{filingId}`: the service streams them straight on into the ITI-41 MTOM request,
 * hashing and counting them as they pass, and answers what FileDocument answers. Bytes that are not
 * the ones announced (hash or size) make it abort the DSP request before the MIME package's close
 * delimiter (the DSP never gets a complete request; nothing is filed): dsp.upload_mismatch.
 * The earlier two-step way still works: `POST DSP_UPLOAD_PATH` (raw body, held in memory, answers
 * an `uploadId`), then FileDocument with that `uploadId`; small documents may also travel inline
 * (`content`, base64). See server-extension/src/dsp/README.md. Contract stability: fields and
 * operations are only ever added.
 */
import type { OperationSpec } from '../soap/schema.ts';

/** Raw upload route (same origin, same ZM_AUTH_TOKEN cookie + X-Zimbra-Csrf-Token header as SOAP). */
export const DSP_UPLOAD_PATH = '/service/extension/esante/dsp/upload';

/**
 * Streamed filing route: `POST DSP_FILE_PATH/{filingId}` (filingId from PrepareFiling), the raw
 * document as the body, `Content-Type` its MIME type, same cookie + CSRF header as SOAP. Answers
 * 200 with FileDocument's response as JSON; a refusal before or while sending answers 4xx/5xx
 * `{code, message}` (codes of shared/dsp/errors.ts, message in the caller's language).
 */
export const DSP_FILE_PATH = '/service/extension/esante/dsp/file';

/** One coded value of a value set (XDS Classification: code, codingScheme, display name). */
const coded = {
  fields: {
    code: 'string',
    /** Coding scheme (XDS `codingScheme` slot), an OID or a name such as "LOINC". */
    scheme: 'string',
    /** Display name in the caller's language (Zimbra's zimbraPrefLocale). */
    display: 'string',
  },
} as const;

/** A patient as PDQ answers it (ITI-47 RegistrationEvent/subject1/patient). */
const patient = {
  fields: {
    /** The 13-digit matricule (RNPP), the DSP's patient identifier (an 11-digit query answers the 13-digit form). */
    matricule: 'string',
    /** XDS patient id as the registry knows it: `matricule^^^&OID&ISO` (CX). */
    patientId: 'string',
    givenName: 'string',
    familyName: 'string',
    /** YYYY-MM-DD. */
    birthDate: 'string',
    /** HL7 AdministrativeGender: F, M or U. */
    gender: 'string',
    city: { type: 'string', optional: true },
  },
} as const;

/** Metadata of one document as the doctor confirmed it in the form (XDS DocumentEntry). */
const documentMetadata = {
  fields: {
    /** DocumentEntry.title (1–128 characters). */
    title: { type: 'string', max: 128 },
    /** Codes from GetDspOptions' value sets; anything else is refused (dsp.metadata_invalid). */
    classCode: { type: 'string', max: 64 },
    typeCode: { type: 'string', max: 64 },
    /** N (normal), R (restricted) or V (very restricted): HL7 v3 Confidentiality. */
    confidentialityCode: { type: 'string', max: 8 },
    /** Absent: derived from the MIME type (GetDspOptions.formats). */
    formatCode: { type: 'string', max: 128, optional: true },
    /** Absent: the author's own (GetDspOptions.author). */
    practiceSettingCode: { type: 'string', max: 64, optional: true },
    healthcareFacilityTypeCode: { type: 'string', max: 64, optional: true },
    /** Date of the act (serviceStartTime), e.g. the mail's date: YYYY-MM-DD or ISO 8601 date-time. */
    serviceStartTime: { type: 'string', max: 32, optional: true },
    /** BCP 47, e.g. fr-LU, de-LU, lb-LU, en-GB (GetDspOptions.languages). */
    languageCode: { type: 'string', max: 16 },
    comments: { type: 'string', max: 1000, optional: true },
  },
} as const;

/** A document already in the patient's DSP (ITI-18 FindDocuments, LeafClass). */
const listedDocument = {
  fields: {
    uniqueId: 'string',
    entryUUID: 'string',
    title: 'string',
    /** DocumentEntry.creationTime as ISO 8601 (UTC). */
    creationTime: { type: 'string', optional: true },
    serviceStartTime: { type: 'string', optional: true },
    /** Author's name as filed (authorPerson XCN given + family name). */
    author: { type: 'string', optional: true },
    typeCode: { type: 'string', optional: true },
    typeDisplay: { type: 'string', optional: true },
    classDisplay: { type: 'string', optional: true },
    confidentialityCode: { type: 'string', optional: true },
    mimeType: 'string',
    size: { type: 'int', optional: true },
    /** SHA-1 hex, lower case. */
    hash: { type: 'string', optional: true },
  },
} as const;

/** What PrepareFiling and FileDocument both carry about the document. */
const filedDocument = {
  fileName: { type: 'string', max: 255 },
  mimeType: { type: 'string', max: 128 },
  metadata: documentMetadata,
  /** Zimbra message id the document came from (audited, never sent to the DSP). */
  sourceMessageId: { type: 'string', optional: true, max: 128 },
} as const;

export const dspOperations = {
  GetDspOptions: {
    doc: 'What the filing form needs: the value sets (configuration, IHE/LOINC defaults), the size and type limits, and the caller’s own directory entry as the author.',
    auth: 'user',
    request: {},
    response: {
      /** Largest document accepted, bytes (ESANTE_DSP_MAX_DOCUMENT_BYTES, default 20 MB). */
      maxDocumentBytes: 'int',
      /** MIME types accepted (ESANTE_DSP_ALLOWED_TYPES). */
      allowedTypes: { type: 'string', list: true },
      classCodes: { ...coded, list: true },
      typeCodes: { ...coded, list: true },
      confidentialityCodes: { ...coded, list: true },
      formatCodes: { ...coded, list: true },
      /** Which formatCode a MIME type gets by default. */
      formatByMimeType: { list: true, fields: { mimeType: 'string', formatCode: 'string' } },
      practiceSettingCodes: { ...coded, list: true },
      healthcareFacilityTypeCodes: { ...coded, list: true },
      languages: { ...coded, list: true },
      /** The caller as author; absent when the caller is not in the directory (filing is then refused: dsp.author_unknown). */
      author: {
        optional: true,
        fields: {
          ehealthId: 'string',
          givenName: 'string',
          familyName: 'string',
          /** Display of the profession (authorRole), e.g. "Médecin". */
          profession: { type: 'string', optional: true },
          specialty: { type: 'string', optional: true },
          organisation: { type: 'string', optional: true },
          /** Defaults for the form, from the profession/specialty/establishment. */
          practiceSettingCode: { type: 'string', optional: true },
          healthcareFacilityTypeCode: { type: 'string', optional: true },
        },
      },
    },
  },
  FindPatients: {
    doc: 'PDQ (ITI-47) search: a matricule (13 digits with Luhn and Verhoeff check digits, or the old 11-digit form), or family name + birth date (given name optional). Check digits are verified before anything is sent (dsp.matricule_invalid). No match: an empty list.',
    auth: 'user',
    request: {
      matricule: { type: 'string', optional: true, max: 32 },
      familyName: { type: 'string', optional: true, max: 100 },
      givenName: { type: 'string', optional: true, max: 100 },
      /** YYYY-MM-DD. */
      birthDate: { type: 'string', optional: true, max: 10 },
    },
    response: { patients: { ...patient, list: true } },
  },
  ListPatientDocuments: {
    doc: 'The patient’s approved documents in the DSP (ITI-18 FindDocuments), newest first.',
    auth: 'user',
    request: { matricule: { type: 'string', max: 32 } },
    response: { documents: { ...listedDocument, list: true } },
  },
  PrepareFiling: {
    doc: 'First half of the streamed filing of ONE document: everything FileDocument checks (matricule, type, size, metadata, author) is checked on the announced hash and size and (patient, hash) is claimed, before any byte travels. A document already filed for this patient answers alreadyFiled (nothing to send); a previous attempt whose answer was lost is settled with ITI-18 first. Otherwise answers outcome "send" and a filingId: POST the bytes to DSP_FILE_PATH/{filingId} within 2 minutes (one use; the claim is released if they do not come).',
    auth: 'user',
    request: {
      matricule: { type: 'string', max: 32 },
      /** SHA-1 of the document's bytes, hex (crypto.subtle.digest('SHA-1')). */
      sha1: { type: 'string', max: 40 },
      /** The document's size in bytes. */
      size: 'int',
      ...filedDocument,
    },
    response: {
      /** 'send' (POST the bytes to DSP_FILE_PATH/{filingId}) | 'alreadyFiled'. */
      outcome: 'string',
      /** send: the one-use id of the prepared filing (only its owner may use it). */
      filingId: { type: 'string', optional: true },
      /** alreadyFiled: the DocumentEntry.uniqueId, when and by whom it was filed. */
      uniqueId: { type: 'string', optional: true },
      filedAt: { type: 'dateTime', optional: true },
      filedBy: { type: 'string', optional: true },
      hash: 'string',
      size: 'int',
    },
  },
  FileDocument: {
    doc: 'Files ONE document into the patient’s DSP (ITI-41). Bad input (size, type, metadata, matricule, unknown upload) is a Fault and nothing is sent. A document already filed for this patient (same SHA-1) answers alreadyFiled; the registry’s refusals answer refused with the reason in the caller’s language; a lost answer is settled with ITI-18 before answering.',
    auth: 'user',
    request: {
      matricule: { type: 'string', max: 32 },
      /** From POST DSP_UPLOAD_PATH; one of uploadId / content is required. */
      uploadId: { type: 'string', optional: true, max: 64 },
      /** The bytes, base64 (small documents only: the SOAP body limit applies). */
      content: { type: 'string', optional: true, max: 14_000_000 },
      ...filedDocument,
    },
    response: {
      /** 'filed' | 'alreadyFiled' | 'refused'. */
      outcome: 'string',
      /** filed / alreadyFiled: the DocumentEntry.uniqueId (OID). */
      uniqueId: { type: 'string', optional: true },
      /** alreadyFiled: when and by whom (eSanté address) it was filed. */
      filedAt: { type: 'dateTime', optional: true },
      filedBy: { type: 'string', optional: true },
      /** refused: our error code (shared/dsp/errors.ts) and its text in the caller's language. */
      code: { type: 'string', optional: true },
      reason: { type: 'string', optional: true },
      /** SHA-1 hex of the bytes filed (the only trace the service keeps of them). */
      hash: 'string',
      size: 'int',
    },
  },
} as const satisfies Record<string, OperationSpec>;
