/**
 * The ONE place where anything thrown becomes what the caller sees: a SOAP 1.1 Fault
 *   <soap:Fault><faultcode>soap:Client|soap:Server</faultcode><faultstring xml:lang=…>translated text</faultstring>
 *   <detail><e:error xmlns:e="urn:lu:esante:messaging:1" code="auth.required"/></detail></soap:Fault>
 * Unknown exceptions become `service.internal` with a random reference; the reference is logged
 * with the stack so support can find it, and nothing else about the failure leaves the service.
 */
import { randomBytes } from 'node:crypto';
import { errorText, type ErrorCode } from '../../../shared/errors.ts';
import type { Lang } from '../../../shared/i18n/lang.ts';
import { SOAP_NAMESPACE } from '../../../shared/paths.ts';
import { escapeXml } from '../../../shared/soap/wsdl.ts';
import { SOAP11_ENV_NS } from '../../../shared/soap/codec.ts';
import { EsanteError, InternalError, fromCodedError, type FaultSide } from '../errors.ts';
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

function newReference(): string {
  return randomBytes(6).toString('hex').toUpperCase();
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

/** Converts any thrown value to a Fault in the caller's language, logging what must be logged. */
export function toFault(err: unknown, lang: Lang, log: Logger): Fault {
  let e: EsanteError;
  let reference: string | undefined;
  const known = err instanceof EsanteError ? err : fromCodedError(err);
  if (known && !(known instanceof InternalError)) {
    e = known;
    // Client mistakes are routine (debug); a dependency failure is worth a warning.
    if (e.side === 'Server') log.warn({ err: e, errorCode: e.code }, 'request failed: dependency unavailable');
    else log.debug({ errorCode: e.code, reason: e.message }, 'request refused');
  } else {
    reference = newReference();
    e = new InternalError({ args: [reference], cause: err });
    log.error({ err, reference }, 'internal error');
  }
  const message = errorText(e.code, lang, ...e.args);
  return {
    httpStatus: e.httpStatus,
    side: e.side,
    code: e.code,
    message,
    ...(reference ? { reference } : {}),
    xml: faultEnvelope(e.side, e.code, message, lang),
  };
}
