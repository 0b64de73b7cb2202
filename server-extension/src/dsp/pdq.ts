/**
 * PDQV3 Patient Demographics Consumer (IHE ITI-47, ITI TF-2b §3.47): HL7 v3 PRPA_IN201305UV02 query
 * over SOAP 1.2 (action urn:hl7-org:v3:PRPA_IN201305UV02), answer PRPA_IN201306UV02 with
 * queryAck/queryResponseCode OK | NF | AE and one registrationEvent per patient.
 * Parameters used (§3.47.4.1.2.2): livingSubjectId, livingSubjectName (family/given),
 * livingSubjectBirthTime.
 */
import { randomUUID } from 'node:crypto';
import { envelopeXml } from './mtom.ts';
import { postSoap, type TlsOptions } from './transport.ts';
import { descendantElements as descendants } from '../../../shared/xml/elements.ts';
import { escapeXml, NotXdsAnswerError, soapBody } from './xds.ts';

export const HL7_NS = 'urn:hl7-org:v3';
export const PDQ_ACTION = 'urn:hl7-org:v3:PRPA_IN201305UV02';
export const PDQ_RESPONSE_ACTION = 'urn:hl7-org:v3:PRPA_IN201306UV02';

export interface PdqQuery {
  /** id root (OID of the matricule domain) and extension. */
  id?: { root: string; extension: string };
  familyName?: string;
  givenName?: string;
  /** YYYYMMDD. */
  birthTime?: string;
}

export interface PdqPatient {
  ids: { root: string; extension: string }[];
  givenName: string;
  familyName: string;
  birthTime: string;
  gender: string;
  city?: string;
}

export function pdqQueryXml(q: PdqQuery, o: { senderOid: string; receiverOid: string; now: Date }): string {
  const ts = o.now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  const params = [
    q.birthTime ? `<livingSubjectBirthTime><value value="${escapeXml(q.birthTime)}"/><semanticsText>LivingSubject.birthTime</semanticsText></livingSubjectBirthTime>` : '',
    q.id ? `<livingSubjectId><value root="${escapeXml(q.id.root)}" extension="${escapeXml(q.id.extension)}"/><semanticsText>LivingSubject.id</semanticsText></livingSubjectId>` : '',
    q.familyName
      ? `<livingSubjectName><value use="L"><family>${escapeXml(q.familyName)}</family>${q.givenName ? `<given>${escapeXml(q.givenName)}</given>` : ''}</value><semanticsText>LivingSubject.name</semanticsText></livingSubjectName>`
      : '',
  ].join('');
  return [
    `<PRPA_IN201305UV02 xmlns="${HL7_NS}" ITSVersion="XML_1.0">`,
    `<id root="${randomUUID()}"/><creationTime value="${ts}"/>`,
    '<interactionId root="2.16.840.1.113883.1.6" extension="PRPA_IN201305UV02"/>',
    '<processingCode code="P"/><processingModeCode code="T"/><acceptAckCode code="AL"/>',
    `<receiver typeCode="RCV"><device classCode="DEV" determinerCode="INSTANCE"><id root="${escapeXml(o.receiverOid)}"/></device></receiver>`,
    `<sender typeCode="SND"><device classCode="DEV" determinerCode="INSTANCE"><id root="${escapeXml(o.senderOid)}"/></device></sender>`,
    '<controlActProcess classCode="CACT" moodCode="EVN"><code code="PRPA_TE201305UV02" codeSystem="2.16.840.1.113883.1.6"/>',
    `<queryByParameter><queryId root="${randomUUID()}"/><statusCode code="new"/><responseModalityCode code="R"/><responsePriorityCode code="I"/><initialQuantity value="20"/>`,
    `<parameterList>${params}</parameterList></queryByParameter></controlActProcess></PRPA_IN201305UV02>`,
  ].join('');
}

const text = (el: Element | undefined) => el?.textContent?.trim() ?? '';

export function parsePdqResponse(el: Element): { code: string; patients: PdqPatient[] } {
  if (el.namespaceURI !== HL7_NS || el.localName !== 'PRPA_IN201306UV02') throw new NotXdsAnswerError(`not a PRPA_IN201306UV02: ${el.localName}`);
  const ack = descendants(el, HL7_NS, 'queryResponseCode')[0]?.getAttribute('code') ?? '';
  if (!['OK', 'NF', 'AE', 'QE'].includes(ack)) throw new NotXdsAnswerError(`PDQ queryResponseCode ${ack}`);
  const patients = descendants(el, HL7_NS, 'patient').map((p): PdqPatient => {
    const person = descendants(p, HL7_NS, 'patientPerson')[0];
    const ids = Array.from(p.childNodes)
      .filter((n): n is Element => n.nodeType === 1 && (n as Element).localName === 'id')
      .map((i) => ({ root: i.getAttribute('root') ?? '', extension: i.getAttribute('extension') ?? '' }));
    const nameEl = person ? descendants(person, HL7_NS, 'name')[0] : undefined;
    return {
      ids,
      givenName: nameEl ? descendants(nameEl, HL7_NS, 'given').map(text).join(' ') : '',
      familyName: nameEl ? text(descendants(nameEl, HL7_NS, 'family')[0]) : '',
      birthTime: person ? descendants(person, HL7_NS, 'birthTime')[0]?.getAttribute('value') ?? '' : '',
      gender: person ? descendants(person, HL7_NS, 'administrativeGenderCode')[0]?.getAttribute('code') ?? 'U' : 'U',
      ...(person && descendants(person, HL7_NS, 'city')[0] ? { city: text(descendants(person, HL7_NS, 'city')[0]) } : {}),
    };
  });
  return { code: ack, patients };
}

export class PdqClient {
  constructor(private readonly o: { url: string; senderOid: string; receiverOid: string; timeoutMs: number; tls?: TlsOptions; now: () => Date }) {}

  async query(q: PdqQuery): Promise<PdqPatient[]> {
    const xml = envelopeXml({ action: PDQ_ACTION, to: this.o.url }, pdqQueryXml(q, { senderOid: this.o.senderOid, receiverOid: this.o.receiverOid, now: this.o.now() }));
    const res = await postSoap(this.o.url, xml, PDQ_ACTION, { timeoutMs: this.o.timeoutMs, ...(this.o.tls ? { tls: this.o.tls } : {}) });
    if (!/xml/i.test(res.contentType)) throw new NotXdsAnswerError(`PDQ answered HTTP ${res.status} ${res.contentType.slice(0, 60)}`);
    const parsed = soapBody(res.body.toString('utf8'));
    if ('fault' in parsed) throw new NotXdsAnswerError(`PDQ SOAP fault ${parsed.fault.code}: ${parsed.fault.reason}`);
    const { code, patients } = parsePdqResponse(parsed.body);
    if (code === 'AE' || code === 'QE') throw new NotXdsAnswerError(`PDQ application error ${code}`);
    return patients;
  }
}
