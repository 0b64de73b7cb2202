/**
 * The SOAP 1.1 document/literal endpoint, built on the `soap` package's serverless mode:
 * our HTTP layer (http/server.ts) owns the socket (size limit, methods, routing) and hands each body
 * to `Server.processRequest`. The WSDL the package loads is the one generated from operations.ts.
 *
 * How soap@1.13 reports problems, and how each is routed to the ONE converter (soap/fault.ts):
 *  - malformed XML: `wsdl.xmlToObject` throws `{Fault:{faultstring:'Invalid XML'}}` before our
 *    `authenticate` hook runs -> we see "never parsed" -> request.malformed;
 *  - DTDs: its sax parser rejects entities, but we refuse any `<!DOCTYPE`/`<!ENTITY` before parsing;
 *  - unknown operation: its parser throws a bare TypeError on a Body element the WSDL does not know,
 *    so sniff.ts reads the Body's element first (and the `authenticate` hook, which receives the
 *    parsed envelope, checks it again) -> request.unknown_operation;
 *  - a handler's error: it would send its own SOAP 1.2-shaped fault with `error.toString()` -> our
 *    method wrapper records the error first and we answer with our Fault instead of its output.
 * The response element is written by validate.ts encodeResponseXml (checked against the schema on the
 * way) and handed to the package as `{_xml}`, which it puts into its envelope unchanged: same bytes as
 * its own serialiser wrote (serialize.test.ts), at a fraction of the cost on long result lists.
 * The per-call state travels in an AsyncLocalStorage because the package calls our hook and methods
 * with its own arguments.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createServerless, type Server as SoapServer } from 'soap';
import { pickLang, type Lang } from '../../../shared/i18n/lang.ts';
import { SOAP_NAMESPACE, SOAP_PATH } from '../../../shared/paths.ts';
import type { Fields, OperationSpec } from '../../../shared/soap/schema.ts';
import { generateWsdl } from '../../../shared/soap/wsdl.ts';
import type { Authenticator, Caller, Credentials } from '../auth/index.ts';
import { InternalError, InvalidRequestError, MalformedRequestError, UnknownOperationError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { toFault } from './fault.ts';
import type { HandlerRegistry } from './handlers.ts';
import { sniffOperation } from './sniff.ts';
import { decodeRequest, encodeResponseXml } from './validate.ts';

const SERVICE = 'EsanteMessagingService';
const PORT = 'EsantePort';

export interface SoapCall {
  xml: string;
  credentials: Credentials;
  /** Accept-Language of the request: the Fault language until Zimbra tells us the caller's locale. */
  acceptLanguage?: string | undefined;
  requestId: string;
  log: Logger;
  signal: AbortSignal;
}

export interface SoapAnswer {
  status: number;
  body: string;
  /** Error code when the answer is a Fault (for access logs and metrics). */
  faultCode?: string;
  /** The declared operation called (without "Request"), once known: for metrics. */
  operation?: string;
}

interface CallState {
  call: SoapCall;
  lang: Lang;
  parsed: boolean;
  operation?: string;
  error?: { value: unknown };
}

export interface SoapEndpointDeps {
  operations: Readonly<Record<string, OperationSpec>>;
  handlers: HandlerRegistry;
  authenticator: Authenticator;
  /** Absolute URL written into the WSDL's soap:address. */
  location: string;
}

/** soap@1.13 converts xsd:int/boolean/dateTime itself, lossily; keep them as text for validate.ts. */
const KEEP_TEXT = (text: string) => text;
const customDeserializer = { int: KEEP_TEXT, integer: KEEP_TEXT, boolean: KEEP_TEXT, dateTime: KEEP_TEXT, date: KEEP_TEXT };

const DTD = /<!\s*(DOCTYPE|ENTITY)/i;

export class SoapEndpoint {
  readonly wsdl: string;
  readonly #server: SoapServer;
  readonly #state = new AsyncLocalStorage<CallState>();
  readonly #deps: SoapEndpointDeps;

  private constructor(deps: SoapEndpointDeps, wsdl: string, server: SoapServer) {
    this.#deps = deps;
    this.wsdl = wsdl;
    this.#server = server;
  }

  static async create(deps: SoapEndpointDeps): Promise<SoapEndpoint> {
    const wsdl = generateWsdl(deps.operations, { namespace: SOAP_NAMESPACE, location: deps.location, serviceName: SERVICE, portName: PORT });
    // The endpoint is assigned once the package has loaded the WSDL; methods only run after that.
    let self: SoapEndpoint | undefined;
    const methods: Record<string, (args: unknown) => Promise<unknown>> = {};
    for (const op of Object.keys(deps.operations)) {
      methods[op] = (args: unknown) => self!.#invoke(op, args);
    }
    const server = await new Promise<SoapServer>((resolve, reject) => {
      void createServerless({
        path: SOAP_PATH,
        services: { [SERVICE]: { [PORT]: methods } },
        xml: wsdl,
        suppressStack: true,
        customDeserializer,
        callback: (err: unknown, s: SoapServer) => (err ? reject(err) : resolve(s)),
      } as Parameters<typeof createServerless>[0]);
    });
    self = new SoapEndpoint(deps, wsdl, server);
    server.authenticate = (_security, _cb, _req, envelope) => self!.#checkEnvelope(envelope);
    return self;
  }

  /** Answers one SOAP request body. Never throws: every failure is a Fault. */
  async handle(call: SoapCall): Promise<SoapAnswer> {
    const state: CallState = { call, lang: pickLang(call.acceptLanguage), parsed: false };
    let operation: string | undefined;
    try {
      if (DTD.test(call.xml)) throw new MalformedRequestError({ message: 'DTD refused (XXE/entity expansion)' });
      const { element, namespace } = sniffOperation(call.xml);
      if (namespace !== SOAP_NAMESPACE || !this.#known(element)) throw new UnknownOperationError(element);
      operation = element.slice(0, -'Request'.length);
      const res = await this.#state.run(state, () =>
        this.#server.processRequest(call.xml, { method: 'POST', url: SOAP_PATH, headers: {} }),
      );
      if (state.error) throw state.error.value;
      if (!state.parsed) throw new MalformedRequestError({ message: 'not a well-formed SOAP envelope' });
      if (res.statusCode !== 200) throw new InternalError({ message: `soap package answered HTTP ${res.statusCode}` });
      return { status: 200, body: res.body, operation };
    } catch (e) {
      const f = toFault(e, state.lang, call.log);
      return { status: f.httpStatus, body: f.xml, faultCode: f.code, ...(operation ? { operation } : {}) };
    }
  }

  /** True when `element` is `<Op>Request` of a declared operation that has a handler here. */
  #known(element: string): boolean {
    const op = element.endsWith('Request') ? element.slice(0, -'Request'.length) : '';
    return Object.hasOwn(this.#deps.operations, op) && this.#deps.handlers[op as keyof HandlerRegistry] !== undefined;
  }

  /** The `authenticate` hook: the first moment the parsed envelope is visible. */
  #checkEnvelope(envelope: unknown): boolean {
    const state = this.#state.getStore();
    if (!state) return false;
    state.parsed = true;
    try {
      const body = (envelope as { Body?: unknown } | undefined)?.Body;
      if (!body || typeof body !== 'object') throw new MalformedRequestError({ message: 'no SOAP Body' });
      const elements = Object.keys(body).filter((k) => k !== 'attributes');
      if (elements.length === 0) throw new MalformedRequestError({ message: 'empty SOAP Body' });
      if (elements.length > 1) throw new InvalidRequestError('Body', { message: 'more than one element in the SOAP Body' });
      const element = elements[0]!;
      if (!this.#known(element)) throw new UnknownOperationError(element);
      state.operation = element.slice(0, -'Request'.length);
      return true;
    } catch (e) {
      state.error = { value: e };
      return false;
    }
  }

  /** Runs one operation: authenticate, validate, handle, check the result. */
  async #invoke(op: string, args: unknown): Promise<unknown> {
    const state = this.#state.getStore();
    if (!state) throw new InternalError({ message: 'SOAP method called outside a request' });
    try {
      // The package dispatches on the Body element (SOAPAction is not passed on), checked above.
      if (state.operation !== op) throw new InternalError({ message: `dispatched ${op} for ${state.operation}` });
      const spec = this.#deps.operations[op]!;
      const handler = this.#deps.handlers[op as keyof HandlerRegistry] as
        | ((req: unknown, ctx: unknown) => Promise<Record<string, unknown>>)
        | undefined;
      if (!handler) throw new UnknownOperationError(`${op}Request`);
      let caller: Caller | undefined;
      // Who before what: an anonymous caller learns nothing about the request's validity.
      if (spec.auth === 'user') {
        caller = await this.#deps.authenticator.authenticate(state.call.credentials);
        state.lang = caller.lang;
      }
      const req = decodeRequest(spec.request as Fields, args);
      // The child logger is made on first use: most calls log nothing, and making one (bindings
      // redacted, log.ts) cost more than validating the request.
      let log: Logger | undefined;
      const parentLog = state.call.log;
      const ctx = {
        lang: state.lang,
        get log(): Logger {
          return (log ??= parentLog.child({ op, ...(caller ? { accountId: caller.accountId } : {}) }));
        },
        requestId: state.call.requestId,
        signal: state.call.signal,
        caller,
      };
      const res = await handler(req, ctx);
      let content: string;
      try {
        content = encodeResponseXml(spec.response as Fields, res);
      } catch (e) {
        throw new InternalError({ message: `${op} handler broke its response schema: ${(e as Error).message}`, cause: e });
      }
      // soap copies a result's `_xml` into its envelope unchanged (wsdl/index.js objectToDocumentXML):
      // the response element it would have written, from our one-pass writer (validate.ts).
      return { _xml: `<${op}Response xmlns="${SOAP_NAMESPACE}">${content}</${op}Response>` };
    } catch (e) {
      state.error = { value: e };
      throw e;
    }
  }
}
