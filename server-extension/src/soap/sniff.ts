/**
 * Reads just enough of a request to know which operation it asks for, before the `soap` package
 * parses it: soap@1.13 throws a bare TypeError on a Body element its WSDL does not know
 * (wsdl/index.js `onopentag`, reading `.description` of an undefined message), which would make an
 * unknown operation indistinguishable from broken XML. sax (the parser soap itself uses) runs in
 * strict, namespace-aware mode and stops at the first element inside the SOAP Body.
 */
import sax from 'sax';
import { SOAP11_ENV_NS } from '../../../shared/soap/codec.ts';
import { MalformedRequestError } from '../errors.ts';

export interface Sniffed {
  /** Local name of the Body's first element, e.g. "GetServiceInfoRequest". */
  element: string;
  namespace: string;
}

/**
 * Thrown out of sax's callback to stop parsing at the Body's first element. Not an Error: capturing a
 * stack trace on every request cost as much as the rest of the sniffing.
 */
class Found {
  constructor(readonly sniffed: Sniffed) {}
}

/**
 * The exact prefix every request of our own client has (shared/soap/codec.ts encodeRequest): nothing
 * in it but the SOAP 1.1 prefix binding and the operation element's default namespace, so the answer
 * is read off the text. Anything else (other prefixes, a Header, comments, entities in the namespace
 * value…) takes the full parse below, which answers the same for this prefix (sniff.test.ts).
 */
const OWN_CLIENT = new RegExp(
  '^(?:<\\?xml version="1\\.0" encoding="UTF-8"\\?>)?' +
    `<soap:Envelope xmlns:soap="${SOAP11_ENV_NS.replace(/[.]/g, '\\.')}"><soap:Body>` +
    '<([A-Za-z_][A-Za-z0-9_.-]*) xmlns="([^"<&\\t\\n\\r]*)"\\s*/?>',
);

export function sniffOperation(xml: string): Sniffed {
  const own = OWN_CLIENT.exec(xml);
  if (own) return { element: own[1]!, namespace: own[2]! };
  return sniffWithParser(xml);
}

/** The general case: sax (strict, namespace-aware) up to the Body's first element. */
export function sniffWithParser(xml: string): Sniffed {
  const parser = sax.parser(true, { xmlns: true });
  const stack: string[] = [];
  parser.onopentag = (tag) => {
    const t = tag as sax.QualifiedTag;
    const depth = stack.length;
    if (depth === 0 && !(t.local === 'Envelope' && t.uri === SOAP11_ENV_NS)) {
      throw new MalformedRequestError({ message: 'root is not a SOAP 1.1 Envelope' });
    }
    if (depth === 2 && stack[1] === `${SOAP11_ENV_NS} Body`) throw new Found({ element: t.local, namespace: t.uri });
    stack.push(`${t.uri} ${t.local}`);
  };
  parser.onclosetag = () => {
    stack.pop();
  };
  parser.ondoctype = () => {
    throw new MalformedRequestError({ message: 'DTD refused' });
  };
  parser.onerror = (e) => {
    throw new MalformedRequestError({ message: `XML error: ${e.message.split('\n')[0]}` });
  };
  try {
    parser.write(xml).close();
  } catch (e) {
    if (e instanceof Found) return e.sniffed;
    if (e instanceof MalformedRequestError) throw e;
    throw new MalformedRequestError({ message: 'XML error', cause: e });
  }
  throw new MalformedRequestError({ message: 'no element in the SOAP Body' });
}
