/**
 * The SOAP form of what a caller sees of a failure (errors.ts toPublicError decides what that is): a SOAP 1.1 Fault
 *   <soap:Fault><faultcode>soap:Client|soap:Server</faultcode><faultstring xml:lang=…>translated text</faultstring>
 *   <detail><e:error xmlns:e="urn:lu:esante:messaging:1" code="auth.required"/></detail></soap:Fault>
 * Unknown exceptions become `service.internal` with a random reference; the reference is logged
 * with the stack so support can find it, and nothing else about the failure leaves the service.
 */
import { errorText, type ErrorCode } from '../../../shared/errors.ts';
import type { Lang } from '../../../shared/i18n/lang.ts';
import { SOAP_NAMESPACE } from '../../../shared/paths.ts';
import { escapeXml } from '../../../shared/soap/wsdl.ts';
import { SOAP11_ENV_NS } from '../../../shared/soap/codec.ts';
import { toPublicError, type FaultSide } from '../errors.ts';
import type { Logger } from '../log.ts';

export interface Fault {
  httpStatus: number;
  side: FaultSide;
  code: ErrorCode;
  message: string;
  /** Set for service.internal: the reference shown to the user and logged with the stack. */
  reference?: string;
  xml: string;
}

export function faultEnvelope(side: FaultSide, code: ErrorCode, message: string, lang: Lang): string {
  return (
    `<?xml version="1.0" encoding="utf-8"?>` +
    `<soap:Envelope xmlns:soap="${SOAP11_ENV_NS}"><soap:Body><soap:Fault>` +
    `<faultcode>soap:${side}</faultcode>` +
    `<faultstring xml:lang="${lang}">${escapeXml(message)}</faultstring>` +
    `<detail><e:error xmlns:e="${SOAP_NAMESPACE}" code="${escapeXml(code)}"/></detail>` +
    `</soap:Fault></soap:Body></soap:Envelope>`
  );
}

/** Any thrown value as a SOAP Fault in the caller's language (the mapping is errors.ts toPublicError). */
export function toFault(err: unknown, lang: Lang, log: Logger): Fault {
  const p = toPublicError(err, lang, log);
  return {
    httpStatus: p.httpStatus,
    side: p.side,
    code: p.code,
    message: p.message,
    ...(p.reference ? { reference: p.reference } : {}),
    xml: faultEnvelope(p.side, p.code, p.message, lang),
  };
}
