/**
 * The classification, identification and query UUIDs of XDS.b metadata (IHE ITI TF-3 Table 4.2.5-1;
 * the same values as oehf/ipf commons/ihe/xds/.../metadata/Vocabulary.java). The service writes them
 * (server-extension/src/dsp/xds.ts) and the medical zimlet reads them from XDM packages
 * (zimlets/medical/src/documents/xdm.ts): one list for both.
 */
export const XDS_UUID = {
  docEntry: 'urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1',
  docAuthor: 'urn:uuid:93606bcf-9494-43ec-9b4e-a7748d1a838d',
  classCode: 'urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a',
  confidentialityCode: 'urn:uuid:f4f85eac-e6cb-4883-b524-f2705394840f',
  formatCode: 'urn:uuid:a09d5840-386c-46f2-b5ad-9c3699a4309d',
  healthcareFacilityTypeCode: 'urn:uuid:f33fb8ac-18af-42cc-ae0e-ed0b0bdb91e1',
  practiceSettingCode: 'urn:uuid:cccf5598-8b07-4b77-a05e-ae952c785ead',
  typeCode: 'urn:uuid:f0306f51-975f-434e-a61c-c59651d33983',
  docPatientId: 'urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427',
  docUniqueId: 'urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab',
  submissionSet: 'urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd',
  ssAuthor: 'urn:uuid:a7058bb9-b4e4-4307-ba5b-e3f0ab85e12d',
  ssContentTypeCode: 'urn:uuid:aa543740-bdda-424e-8c96-df4873be8500',
  ssPatientId: 'urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446',
  ssSourceId: 'urn:uuid:554ac39e-e3fe-47fe-b233-965d2a147832',
  ssUniqueId: 'urn:uuid:96fdda7c-d067-4183-912e-bf5ee74998a8',
  findDocuments: 'urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d',
} as const;

/** The six coded document-entry attributes a filing proposes (classCode … typeCode). */
export const XDS_CODE_SCHEMES = {
  classCode: XDS_UUID.classCode,
  confidentialityCode: XDS_UUID.confidentialityCode,
  formatCode: XDS_UUID.formatCode,
  healthcareFacilityTypeCode: XDS_UUID.healthcareFacilityTypeCode,
  practiceSettingCode: XDS_UUID.practiceSettingCode,
  typeCode: XDS_UUID.typeCode,
} as const;
