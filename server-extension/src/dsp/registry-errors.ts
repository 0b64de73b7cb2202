/**
 * The registry's / repository's error codes (IHE ITI TF-3 §4.2.4.1, Table 4.2.4.1-2 "Error Codes";
 * the same list in oehf/ipf `commons/ihe/xds/core/.../responses/ErrorCode.java`) and what each means
 * for the doctor. codeContext is shown as the registry's own words after our translated text.
 */
import type { DspErrorCode } from '../../../shared/dsp/errors.ts';

export const XDS_ERRORS = {
  unknownPatient: 'XDSUnknownPatientId',
  patientIdDoesNotMatch: 'XDSPatientIdDoesNotMatch',
  duplicateUniqueId: 'XDSDuplicateUniqueIdInRegistry',
  registryMetadata: 'XDSRegistryMetadataError',
  repositoryMetadata: 'XDSRepositoryMetadataError',
  missingDocument: 'XDSMissingDocument',
  missingDocumentMetadata: 'XDSMissingDocumentMetadata',
  nonIdenticalHash: 'XDSNonIdenticalHash',
  nonIdenticalSize: 'XDSNonIdenticalSize',
  registryBusy: 'XDSRegistryBusy',
  repositoryBusy: 'XDSRepositoryBusy',
  registryError: 'XDSRegistryError',
  repositoryError: 'XDSRepositoryError',
  unknownRepositoryId: 'XDSUnknownRepositoryId',
  storedQueryParamNumber: 'XDSStoredQueryParamNumber',
  storedQueryMissingParam: 'XDSStoredQueryMissingParam',
  /** ITI TF-2b §3.40.4.2 XUA: the assertion was refused (expired, untrusted, …). */
  notAuthorized: 'urn:ihe:iti:xua:2017:NotAuthorized',
} as const;

export type Verdict =
  | { kind: 'duplicate' }
  | { kind: 'refused'; code: DspErrorCode }
  /** A transient failure of the DSP itself: nothing was filed, try again later. */
  | { kind: 'unavailable' };

export function verdictOf(errorCode: string): Verdict {
  switch (errorCode) {
    case XDS_ERRORS.duplicateUniqueId:
      return { kind: 'duplicate' };
    case XDS_ERRORS.unknownPatient:
    case XDS_ERRORS.patientIdDoesNotMatch:
      return { kind: 'refused', code: 'dsp.unknown_patient' };
    case XDS_ERRORS.registryMetadata:
    case XDS_ERRORS.repositoryMetadata:
    case XDS_ERRORS.missingDocument:
    case XDS_ERRORS.missingDocumentMetadata:
    case XDS_ERRORS.nonIdenticalHash:
    case XDS_ERRORS.nonIdenticalSize:
      return { kind: 'refused', code: 'dsp.metadata_refused' };
    case XDS_ERRORS.notAuthorized:
    case 'XDSRegistryNotAuthorized':
    // WS-Security 1.1 §12 fault subcodes a DSP answers for a refused or expired assertion.
    case 'FailedAuthentication':
    case 'InvalidSecurityToken':
    case 'InvalidSecurity':
      return { kind: 'refused', code: 'dsp.access_denied' };
    case XDS_ERRORS.registryBusy:
    case XDS_ERRORS.repositoryBusy:
    case XDS_ERRORS.registryError:
    case XDS_ERRORS.repositoryError:
      return { kind: 'unavailable' };
    default:
      return { kind: 'refused', code: 'dsp.refused' };
  }
}
