/**
 * ATNA Record Audit Event (IHE ITI-20, ITI TF-2a §3.20): a DICOM audit message (DICOM PS3.15
 * Annex A.5, schema "AuditMessage") sent as syslog RFC 5424, over UDP (RFC 5426, one message per
 * datagram) or TCP/TLS (RFC 5425 octet counting: "LEN SP MSG"). The ITI-41 "Export" event of the
 * Document Source follows ITI TF-2b §3.41.5.1.1 (EventID 110106 Export, EventTypeCode ITI-41,
 * Source 110153 / Destination 110152 / human requestor, patient and submission set objects).
 * Sending is best-effort: the store's audit row is the record; a lost syslog is only logged.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { hostname } from 'node:os';
import tls from 'node:tls';
import { escapeXml, UUID } from './xds.ts';

export interface ExportAudit {
  outcome: 'success' | 'failure';
  when: Date;
  sourceEndpoint: string;
  destinationEndpoint: string;
  user: { ehealthId: string; name: string; role: string };
  patientId: string;
  submissionSetUniqueId: string;
  auditSourceId: string;
}

/** DICOM PS3.15 A.5.1 EventOutcomeIndicator: 0 success, 8 serious failure. */
export function exportAuditXml(a: ExportAudit): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?><AuditMessage>',
    `<EventIdentification EventActionCode="R" EventDateTime="${a.when.toISOString()}" EventOutcomeIndicator="${a.outcome === 'success' ? 0 : 8}">`,
    '<EventID csd-code="110106" codeSystemName="DCM" originalText="Export"/>',
    '<EventTypeCode csd-code="ITI-41" codeSystemName="IHE Transactions" originalText="Provide and Register Document Set-b"/>',
    '</EventIdentification>',
    `<ActiveParticipant UserID="${escapeXml(a.sourceEndpoint)}" AlternativeUserID="${process.pid}" UserIsRequestor="true" NetworkAccessPointID="${escapeXml(hostname())}" NetworkAccessPointTypeCode="1">`,
    '<RoleIDCode csd-code="110153" codeSystemName="DCM" originalText="Source Role ID"/></ActiveParticipant>',
    `<ActiveParticipant UserID="${escapeXml(a.user.ehealthId)}" UserName="${escapeXml(a.user.name)}" UserIsRequestor="true">`,
    `<RoleIDCode csd-code="${escapeXml(a.user.role)}" codeSystemName="SNOMED CT" originalText="${escapeXml(a.user.role)}"/></ActiveParticipant>`,
    `<ActiveParticipant UserID="${escapeXml(a.destinationEndpoint)}" UserIsRequestor="false" NetworkAccessPointID="${escapeXml(new URL(a.destinationEndpoint).hostname)}" NetworkAccessPointTypeCode="1">`,
    '<RoleIDCode csd-code="110152" codeSystemName="DCM" originalText="Destination Role ID"/></ActiveParticipant>',
    `<AuditSourceIdentification AuditSourceID="${escapeXml(a.auditSourceId)}"><AuditSourceTypeCode csd-code="4"/></AuditSourceIdentification>`,
    `<ParticipantObjectIdentification ParticipantObjectID="${escapeXml(a.patientId)}" ParticipantObjectTypeCode="1" ParticipantObjectTypeCodeRole="1">`,
    '<ParticipantObjectIDTypeCode csd-code="2" codeSystemName="RFC-3881" originalText="Patient Number"/></ParticipantObjectIdentification>',
    `<ParticipantObjectIdentification ParticipantObjectID="${escapeXml(a.submissionSetUniqueId)}" ParticipantObjectTypeCode="2" ParticipantObjectTypeCodeRole="20">`,
    `<ParticipantObjectIDTypeCode csd-code="${UUID.submissionSet}" codeSystemName="IHE XDS Metadata" originalText="submission set classificationNode"/></ParticipantObjectIdentification>`,
    '</AuditMessage>',
  ].join('');
}

/** RFC 5424 frame: PRI (facility 10 authpriv, severity 5 notice / 4 warning) VERSION TIMESTAMP HOST APP PROCID MSGID SD MSG. */
export function syslogFrame(xml: string, when: Date, failure: boolean): Buffer {
  const pri = 10 * 8 + (failure ? 4 : 5);
  return Buffer.from(`<${pri}>1 ${when.toISOString()} ${hostname() || '-'} esante-service ${process.pid} IHE+RFC-3881 - ${xml}`, 'utf8');
}

export interface AuditSink {
  send(xml: string, when: Date, failure: boolean): Promise<void>;
}

/** `udp://host:port`, `tcp://host:port` or `tls://host:port` (mutual TLS options for tls). */
export function auditSink(url: string, opts: { tls?: { cert?: Buffer; key?: Buffer; ca?: Buffer }; timeoutMs?: number } = {}): AuditSink {
  const u = new URL(url);
  const port = Number(u.port);
  const host = u.hostname;
  const timeoutMs = opts.timeoutMs ?? 3000;
  if (u.protocol === 'udp:') {
    return {
      send: (xml, when, failure) =>
        new Promise((resolve, reject) => {
          const s = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
          s.send(syslogFrame(xml, when, failure), port, host, (e) => {
            s.close();
            if (e) reject(e);
            else resolve();
          });
        }),
    };
  }
  if (u.protocol !== 'tcp:' && u.protocol !== 'tls:') throw new Error(`audit repository URL must be udp://, tcp:// or tls://: ${url}`);
  return {
    send: (xml, when, failure) =>
      new Promise((resolve, reject) => {
        const frame = syslogFrame(xml, when, failure);
        const data = Buffer.concat([Buffer.from(`${frame.length} `), frame]);
        const sock = u.protocol === 'tls:' ? tls.connect({ host, port, ...opts.tls, servername: host }) : net.connect({ host, port });
        const timer = setTimeout(() => sock.destroy(new Error('audit repository timed out')), timeoutMs);
        sock.once(u.protocol === 'tls:' ? 'secureConnect' : 'connect', () => sock.end(data));
        sock.once('error', (e) => {
          clearTimeout(timer);
          reject(e);
        });
        sock.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
      }),
  };
}
