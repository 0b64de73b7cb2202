/** Types of xml.mjs. */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}
export class XmlError extends Error {}
export function parseXml(src: string): XmlElement;
export function childrenNamed(el: XmlElement, name: string): XmlElement[];
