/**
 * Escaping text for XML and HTML (element content and double- or single-quoted attribute values):
 * the five characters XML 1.0 §2.4 and HTML5 §13.1.2.6 give a meaning to. One function for the
 * service's SOAP, XDS, WSDL and HTML pages.
 */
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeMarkup(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}
