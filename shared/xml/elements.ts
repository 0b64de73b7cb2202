/**
 * Namespace-aware element lookups over a W3C DOM (the browser's, or @xmldom/xmldom's in node), for
 * the XML the suite reads: SAML responses, XDS/PDQ answers, XDM metadata. Matching is on
 * (namespace URI, local name), never on prefixes: the same message may use any prefix
 * (Namespaces in XML 1.0 §6).
 */

/** The direct child elements of `parent` named {ns}local, in document order. */
export function childElements(parent: Element, ns: string, local: string): Element[] {
  const out: Element[] = [];
  for (let n = parent.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1 && (n as Element).namespaceURI === ns && (n as Element).localName === local) out.push(n as Element);
  }
  return out;
}

/** The first direct child element named {ns}local. */
export function childElement(parent: Element, ns: string, local: string): Element | undefined {
  return childElements(parent, ns, local)[0];
}

/** Every descendant element named {ns}local, in document order. */
export function descendantElements(root: Element | Document, ns: string, local: string): Element[] {
  return Array.from((root as Element).getElementsByTagNameNS(ns, local));
}
