/**
 * Builds an IHE XDM package (ITI-32) as another system would send it: a zip with
 * IHE_XDM/SUBSET01/METADATA.XML (ebRS 3.0 SubmitObjectsRequest, ITI TF-3 4.2) and the documents beside
 * it, plus the INDEX.HTM/README.TXT the profile asks for at the root. Used by unit tests and e2e; never bundled.
 */
import { zipSync, strToU8 } from 'fflate';
import { escapeMarkup as esc } from '../../../../shared/markup.ts';

export interface SampleXdmDocument {
  uri: string;
  mimeType: string;
  bytes: Uint8Array;
  title: string;
  classCode: string;
  typeCode: string;
  confidentialityCode: string;
  formatCode: string;
  serviceStartTime: string; // HL7 DTM
  languageCode: string;
}

export interface SampleXdm {
  matricule: string;
  familyName: string;
  givenName: string;
  birthDate: string; // YYYYMMDD
  documents: SampleXdmDocument[];
}


function classification(scheme: string, obj: string, code: string, codingScheme: string, n: number): string {
  return `<rim:Classification id="cl${n}" classificationScheme="${scheme}" classifiedObject="${obj}" nodeRepresentation="${esc(code)}">
        <rim:Slot name="codingScheme"><rim:ValueList><rim:Value>${esc(codingScheme)}</rim:Value></rim:ValueList></rim:Slot>
        <rim:Name><rim:LocalizedString value="${esc(code)}"/></rim:Name>
      </rim:Classification>`;
}

export function sampleMetadataXml(p: SampleXdm): string {
  const cx = `${p.matricule}^^^&1.3.182.4.4&ISO`;
  const entries = p.documents
    .map((d, i) => {
      const id = `urn:uuid:00000000-0000-4000-8000-00000000000${i + 1}`;
      let n = i * 10;
      return `<rim:ExtrinsicObject id="${id}" mimeType="${d.mimeType}" objectType="urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1">
      <rim:Slot name="creationTime"><rim:ValueList><rim:Value>${d.serviceStartTime}</rim:Value></rim:ValueList></rim:Slot>
      <rim:Slot name="languageCode"><rim:ValueList><rim:Value>${d.languageCode}</rim:Value></rim:ValueList></rim:Slot>
      <rim:Slot name="serviceStartTime"><rim:ValueList><rim:Value>${d.serviceStartTime}</rim:Value></rim:ValueList></rim:Slot>
      <rim:Slot name="sourcePatientId"><rim:ValueList><rim:Value>${esc(cx)}</rim:Value></rim:ValueList></rim:Slot>
      <rim:Slot name="sourcePatientInfo"><rim:ValueList>
        <rim:Value>PID-3|${esc(cx)}</rim:Value><rim:Value>PID-5|${esc(p.familyName)}^${esc(p.givenName)}^^^</rim:Value><rim:Value>PID-7|${p.birthDate}</rim:Value>
      </rim:ValueList></rim:Slot>
      <rim:Slot name="URI"><rim:ValueList><rim:Value>${esc(d.uri)}</rim:Value></rim:ValueList></rim:Slot>
      <rim:Name><rim:LocalizedString value="${esc(d.title)}"/></rim:Name>
      ${classification('urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a', id, d.classCode, '2.16.840.1.113883.6.1', ++n)}
      ${classification('urn:uuid:f4f85eac-e6cb-4883-b524-f2705394840f', id, d.confidentialityCode, '2.16.840.1.113883.5.25', ++n)}
      ${classification('urn:uuid:a09d5840-386c-46f2-b5ad-9c3699a4309d', id, d.formatCode, '1.3.6.1.4.1.19376.1.2.3', ++n)}
      ${classification('urn:uuid:f0306f51-975f-434e-a61c-c59651d33983', id, d.typeCode, '2.16.840.1.113883.6.1', ++n)}
      <rim:ExternalIdentifier id="ei${i}a" registryObject="${id}" identificationScheme="urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427" value="${esc(cx)}">
        <rim:Name><rim:LocalizedString value="XDSDocumentEntry.patientId"/></rim:Name>
      </rim:ExternalIdentifier>
      <rim:ExternalIdentifier id="ei${i}b" registryObject="${id}" identificationScheme="urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab" value="1.2.3.4.5.${i + 1}">
        <rim:Name><rim:LocalizedString value="XDSDocumentEntry.uniqueId"/></rim:Name>
      </rim:ExternalIdentifier>
    </rim:ExtrinsicObject>`;
    })
    .join('\n    ');
  return `<?xml version="1.0" encoding="UTF-8"?>
<lcm:SubmitObjectsRequest xmlns:lcm="urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0" xmlns:rim="urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0">
  <rim:RegistryObjectList>
    ${entries}
    <rim:RegistryPackage id="urn:uuid:00000000-0000-4000-8000-0000000000ff">
      <rim:ExternalIdentifier id="eiss" registryObject="urn:uuid:00000000-0000-4000-8000-0000000000ff" identificationScheme="urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446" value="${esc(cx)}">
        <rim:Name><rim:LocalizedString value="XDSSubmissionSet.patientId"/></rim:Name>
      </rim:ExternalIdentifier>
    </rim:RegistryPackage>
  </rim:RegistryObjectList>
</lcm:SubmitObjectsRequest>
`;
}

/** The zip bytes of the package. */
export function sampleXdmZip(p: SampleXdm): Uint8Array {
  const subset: Record<string, Uint8Array> = { 'METADATA.XML': strToU8(sampleMetadataXml(p)) };
  for (const d of p.documents) subset[d.uri] = d.bytes;
  return zipSync({
    'INDEX.HTM': strToU8('<html><body>IHE XDM</body></html>'),
    'README.TXT': strToU8('IHE XDM package'),
    IHE_XDM: { SUBSET01: subset },
  });
}
