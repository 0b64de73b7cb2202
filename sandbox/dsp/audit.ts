/**
 * ATNA Audit Record Repository stand-in (IHE ITI-20, ITI TF-2a §3.20.4): receives syslog messages
 * over UDP (RFC 5426, one per datagram) and TCP (RFC 6587/5425 octet counting "LEN SP MSG"),
 * checks the RFC 5424 header and that the MSG is a DICOM AuditMessage (PS3.15 A.5) with an
 * EventIdentification, and keeps what it received in memory (tests and the sandbox read `messages`).
 */
import dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { DOMParser } from '@xmldom/xmldom';

export interface ReceivedAudit {
  transport: 'udp' | 'tcp';
  pri: number;
  msgId: string;
  eventId: string;
  eventTypeCode: string;
  outcome: string;
  xml: string;
}

const HEADER = /^<(\d{1,3})>1 (\S+) (\S+) (\S+) (\S+) (\S+) (-|\[.*?\]) ([\s\S]*)$/;

export class AuditRepositoryStandIn extends EventEmitter {
  readonly messages: ReceivedAudit[] = [];
  readonly rejected: string[] = [];
  #udp?: dgram.Socket;
  #tcp?: net.Server;

  accept(raw: string, transport: 'udp' | 'tcp'): void {
    const m = HEADER.exec(raw);
    if (!m) {
      this.rejected.push('not RFC 5424');
      return;
    }
    const xml = m[8]!.replace(/^\uFEFF/, '');
    let bad = false;
    const doc = new DOMParser({ errorHandler: { warning: () => undefined, error: () => (bad = true), fatalError: () => (bad = true) } }).parseFromString(xml, 'text/xml');
    const root = doc.documentElement;
    const ev = root?.getElementsByTagName('EventIdentification')[0];
    if (bad || !root || root.localName !== 'AuditMessage' || !ev) {
      this.rejected.push('not a DICOM AuditMessage');
      return;
    }
    const rec: ReceivedAudit = {
      transport,
      pri: Number(m[1]),
      msgId: m[6]!,
      eventId: ev.getElementsByTagName('EventID')[0]?.getAttribute('csd-code') ?? '',
      eventTypeCode: ev.getElementsByTagName('EventTypeCode')[0]?.getAttribute('csd-code') ?? '',
      outcome: ev.getAttribute('EventOutcomeIndicator') ?? '',
      xml,
    };
    this.messages.push(rec);
    this.emit('message', rec);
  }

  /** Listens on the same port number for UDP and TCP; answers the port. */
  async listen(port = 0, host = '127.0.0.1'): Promise<number> {
    this.#tcp = net.createServer((sock) => {
      let buf = Buffer.alloc(0);
      sock.on('data', (c: Buffer) => {
        buf = Buffer.concat([buf, c]);
        for (;;) {
          const sp = buf.indexOf(0x20);
          if (sp < 1) break;
          const len = Number(buf.subarray(0, sp).toString());
          if (!Number.isInteger(len) || len <= 0) {
            this.rejected.push('bad octet count');
            sock.destroy();
            return;
          }
          if (buf.length < sp + 1 + len) break;
          this.accept(buf.subarray(sp + 1, sp + 1 + len).toString('utf8'), 'tcp');
          buf = buf.subarray(sp + 1 + len);
        }
      });
      sock.on('error', () => undefined);
    });
    await new Promise<void>((r) => this.#tcp!.listen(port, host, r));
    const bound = (this.#tcp.address() as net.AddressInfo).port;
    this.#udp = dgram.createSocket('udp4');
    this.#udp.on('message', (m) => this.accept(m.toString('utf8'), 'udp'));
    await new Promise<void>((r) => this.#udp!.bind(bound, host, r));
    return bound;
  }

  async close(): Promise<void> {
    await new Promise<void>((r) => (this.#tcp ? this.#tcp.close(() => r()) : r()));
    await new Promise<void>((r) => (this.#udp ? this.#udp.close(() => r()) : r()));
  }
}
