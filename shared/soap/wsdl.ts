/**
 * Generates the service's WSDL 1.1 (SOAP 1.1, document/literal, wrapped) from the operation
 * declarations, so the contract that clients download can never drift from the code that serves it.
 * Pure: no I/O, same input -> same text. The `soap` package on the service loads this very text.
 *
 * Mapping of the schema language (schema.ts) to XSD:
 *  - every operation `X` gets elements `XRequest` / `XResponse` (elementFormDefault="qualified");
 *  - `optional` -> minOccurs="0"; `list` -> minOccurs="0" (may be empty), maxOccurs = `max` or "unbounded";
 *  - `max` on a string -> xsd:maxLength; objects -> anonymous complex types (sequence in key order);
 *  - faults carry `<detail><e:error code="…"/></detail>` (the `error` element below).
 */
import { fieldOf, isObjectField, type Fields, type OperationSpec } from './schema.ts';
import { escapeMarkup } from '../markup.ts';

export const WSDL_NS = 'http://schemas.xmlsoap.org/wsdl/';
export const WSDL_SOAP_NS = 'http://schemas.xmlsoap.org/wsdl/soap/';
export const XSD_NS = 'http://www.w3.org/2001/XMLSchema';
export const SOAP_HTTP_TRANSPORT = 'http://schemas.xmlsoap.org/soap/http';

export interface WsdlOptions {
  /** Target namespace of our elements (shared/paths.ts SOAP_NAMESPACE). */
  namespace: string;
  /** Absolute URL written into `soap:address location`. */
  location: string;
  /** Defaults: EsanteMessaging / EsanteMessagingService / EsantePort. */
  name?: string;
  serviceName?: string;
  portName?: string;
}

/** The SOAPAction of an operation; the browser client sends the same value. */
export function soapActionOf(namespace: string, operation: string): string {
  return `${namespace}/${operation}`;
}

/** Escapes text for use in XML content and attribute values (shared/markup.ts). */
export const escapeXml = escapeMarkup;

const XSD_TYPE = { string: 'xsd:string', int: 'xsd:int', boolean: 'xsd:boolean', dateTime: 'xsd:dateTime' } as const;

function documentation(doc: string | undefined, indent: string, prefix: string): string {
  return doc ? `${indent}<${prefix}:documentation>${escapeXml(doc)}</${prefix}:documentation>\n` : '';
}

function sequence(fields: Fields, indent: string): string {
  const names = Object.keys(fields);
  if (names.length === 0) return `${indent}<xsd:sequence/>\n`;
  let out = `${indent}<xsd:sequence>\n`;
  for (const name of names) out += element(name, fields[name]!, `${indent}  `);
  return `${out}${indent}</xsd:sequence>\n`;
}

function element(name: string, spec: Fields[string], indent: string): string {
  const f = fieldOf(spec);
  if (!/^[A-Za-z_][\w.-]*$/.test(name)) throw new Error(`invalid XML element name in schema: ${name}`);
  let occurs = '';
  // A list may always be empty (an empty list and an absent one are the same on the wire).
  if (f.optional || f.list) occurs += ' minOccurs="0"';
  if (f.list) occurs += ` maxOccurs="${f.max ?? 'unbounded'}"`;
  const doc = f.doc ? `${indent}  <xsd:annotation>\n${documentation(f.doc, `${indent}    `, 'xsd')}${indent}  </xsd:annotation>\n` : '';
  if (isObjectField(f)) {
    return (
      `${indent}<xsd:element name="${name}"${occurs}>\n${doc}` +
      `${indent}  <xsd:complexType>\n${sequence(f.fields, `${indent}    `)}${indent}  </xsd:complexType>\n` +
      `${indent}</xsd:element>\n`
    );
  }
  // On a string `max` bounds its length; on a list it bounds the number of items (maxOccurs above).
  if (f.type === 'string' && f.max !== undefined && !f.list) {
    return (
      `${indent}<xsd:element name="${name}"${occurs}>\n${doc}` +
      `${indent}  <xsd:simpleType>\n${indent}    <xsd:restriction base="xsd:string">\n` +
      `${indent}      <xsd:maxLength value="${f.max}"/>\n${indent}    </xsd:restriction>\n${indent}  </xsd:simpleType>\n` +
      `${indent}</xsd:element>\n`
    );
  }
  if (doc) {
    return `${indent}<xsd:element name="${name}" type="${XSD_TYPE[f.type]}"${occurs}>\n${doc}${indent}</xsd:element>\n`;
  }
  return `${indent}<xsd:element name="${name}" type="${XSD_TYPE[f.type]}"${occurs}/>\n`;
}

/** Builds the WSDL document text for the given operations. */
export function generateWsdl(operations: Readonly<Record<string, OperationSpec>>, options: WsdlOptions): string {
  const ns = escapeXml(options.namespace);
  const name = options.name ?? 'EsanteMessaging';
  const serviceName = options.serviceName ?? `${name}Service`;
  const portName = options.portName ?? 'EsantePort';
  const ops = Object.entries(operations);

  let types = '';
  let messages = '';
  let portOps = '';
  let bindingOps = '';
  for (const [op, spec] of ops) {
    if (!/^[A-Z][A-Za-z0-9]*$/.test(op)) throw new Error(`invalid operation name: ${op}`);
    for (const [suffix, fields] of [['Request', spec.request], ['Response', spec.response]] as const) {
      types +=
        `      <xsd:element name="${op}${suffix}">\n` +
        `        <xsd:complexType>\n${sequence(fields, '          ')}        </xsd:complexType>\n` +
        `      </xsd:element>\n`;
      messages +=
        `  <wsdl:message name="${op}${suffix}">\n` +
        `    <wsdl:part name="parameters" element="tns:${op}${suffix}"/>\n` +
        `  </wsdl:message>\n`;
    }
    portOps +=
      `    <wsdl:operation name="${op}">\n${documentation(spec.doc, '      ', 'wsdl')}` +
      `      <wsdl:input message="tns:${op}Request"/>\n` +
      `      <wsdl:output message="tns:${op}Response"/>\n` +
      `      <wsdl:fault name="error" message="tns:Error"/>\n` +
      `    </wsdl:operation>\n`;
    bindingOps +=
      `    <wsdl:operation name="${op}">\n` +
      `      <soap:operation soapAction="${escapeXml(soapActionOf(options.namespace, op))}" style="document"/>\n` +
      `      <wsdl:input><soap:body use="literal"/></wsdl:input>\n` +
      `      <wsdl:output><soap:body use="literal"/></wsdl:output>\n` +
      `      <wsdl:fault name="error"><soap:fault name="error" use="literal"/></wsdl:fault>\n` +
      `    </wsdl:operation>\n`;
  }

  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<wsdl:definitions name="${name}" targetNamespace="${ns}" xmlns:tns="${ns}"` +
    ` xmlns:wsdl="${WSDL_NS}" xmlns:soap="${WSDL_SOAP_NS}" xmlns:xsd="${XSD_NS}">\n` +
    `  <wsdl:types>\n` +
    `    <xsd:schema targetNamespace="${ns}" elementFormDefault="qualified">\n` +
    types +
    `      <xsd:element name="error">\n` +
    `        <xsd:annotation><xsd:documentation>Fault detail: stable error code (shared/errors.ts).</xsd:documentation></xsd:annotation>\n` +
    `        <xsd:complexType>\n          <xsd:attribute name="code" type="xsd:string" use="required"/>\n        </xsd:complexType>\n` +
    `      </xsd:element>\n` +
    `    </xsd:schema>\n` +
    `  </wsdl:types>\n` +
    messages +
    `  <wsdl:message name="Error">\n    <wsdl:part name="fault" element="tns:error"/>\n  </wsdl:message>\n` +
    `  <wsdl:portType name="${name}PortType">\n${portOps}  </wsdl:portType>\n` +
    `  <wsdl:binding name="${name}Binding" type="tns:${name}PortType">\n` +
    `    <soap:binding style="document" transport="${SOAP_HTTP_TRANSPORT}"/>\n${bindingOps}  </wsdl:binding>\n` +
    `  <wsdl:service name="${serviceName}">\n` +
    `    <wsdl:port name="${portName}" binding="tns:${name}Binding">\n` +
    `      <soap:address location="${escapeXml(options.location)}"/>\n` +
    `    </wsdl:port>\n` +
    `  </wsdl:service>\n` +
    `</wsdl:definitions>\n`
  );
}
