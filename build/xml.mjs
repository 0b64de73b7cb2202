// @ts-check
/**
 * A small, strict XML reader for zimlet descriptors and config templates (no dependency). It checks
 * well-formedness the way Zimbra's parser would reject a file (zm-mailbox ZimletMeta.java parses with
 * Element.parseXML and fails the deploy on any XmlParseException): one root, matching tags, quoted
 * attributes, no duplicate attribute, known entities only. DOCTYPE is refused outright: descriptors
 * never need one and it is the door to entity expansion attacks.
 */

/**
 * @typedef {{ name: string, attrs: Record<string, string>, children: XmlElement[], text: string }} XmlElement
 */

export class XmlError extends Error {
  /** @param {string} message @param {number} offset @param {string} source */
  constructor(message, offset, source) {
    const line = source.slice(0, offset).split('\n').length;
    super(`${message} (line ${line})`);
    this.name = 'XmlError';
  }
}

const NAME = /^[A-Za-z_:][\w.:-]*/;
const ENTITIES = /** @type {Record<string, string>} */ ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" });

/** @param {string} s @param {number} at @param {string} src */
function decodeEntities(s, at, src) {
  return s.replace(/&([^;&\s]*);?/g, (m, ref) => {
    if (!m.endsWith(';')) throw new XmlError(`unterminated entity reference "${m}"`, at, src);
    if (ref in ENTITIES) return /** @type {string} */ (ENTITIES[ref]);
    const num = /^#x([0-9a-fA-F]+)$/.exec(ref) ?? /^#([0-9]+)$/.exec(ref);
    if (num) return String.fromCodePoint(parseInt(/** @type {string} */ (num[1]), ref.startsWith('#x') ? 16 : 10));
    throw new XmlError(`unknown entity "&${ref};"`, at, src);
  });
}

/**
 * Parses a document and returns its root element. Throws XmlError when not well-formed.
 * @param {string} src
 * @returns {XmlElement}
 */
export function parseXml(src) {
  let i = src.charCodeAt(0) === 0xfeff ? 1 : 0;
  /** @type {XmlElement[]} */
  const stack = [];
  /** @type {XmlElement | undefined} */
  let root;

  /** @param {string} text */
  const addText = (text) => {
    const top = stack[stack.length - 1];
    if (top) top.text += decodeEntities(text, i, src);
    else if (text.trim() !== '') throw new XmlError('text outside the root element', i, src);
  };

  while (i < src.length) {
    const lt = src.indexOf('<', i);
    if (lt < 0) {
      addText(src.slice(i));
      break;
    }
    if (lt > i) addText(src.slice(i, lt));
    i = lt;
    if (src.startsWith('<?', i)) {
      const end = src.indexOf('?>', i);
      if (end < 0) throw new XmlError('unterminated processing instruction', i, src);
      if (src.startsWith('<?xml', i) && i > (src.charCodeAt(0) === 0xfeff ? 1 : 0)) {
        throw new XmlError('XML declaration not at the start of the file', i, src);
      }
      i = end + 2;
    } else if (src.startsWith('<!--', i)) {
      const end = src.indexOf('-->', i + 4);
      if (end < 0) throw new XmlError('unterminated comment', i, src);
      i = end + 3;
    } else if (src.startsWith('<![CDATA[', i)) {
      const end = src.indexOf(']]>', i);
      const top = stack[stack.length - 1];
      if (end < 0 || !top) throw new XmlError('CDATA section outside an element or unterminated', i, src);
      top.text += src.slice(i + 9, end);
      i = end + 3;
    } else if (src.startsWith('<!', i)) {
      throw new XmlError('DOCTYPE and other declarations are not allowed', i, src);
    } else if (src.startsWith('</', i)) {
      const m = NAME.exec(src.slice(i + 2));
      const end = src.indexOf('>', i);
      const open = stack.pop();
      if (!m || end < 0 || src.slice(i + 2 + m[0].length, end).trim() !== '') throw new XmlError('malformed end tag', i, src);
      if (!open || open.name !== m[0]) throw new XmlError(`end tag </${m[0]}> does not match <${open?.name ?? ''}>`, i, src);
      i = end + 1;
    } else {
      const m = NAME.exec(src.slice(i + 1));
      if (!m) throw new XmlError('malformed start tag', i, src);
      /** @type {XmlElement} */
      const el = { name: m[0], attrs: {}, children: [], text: '' };
      let j = i + 1 + m[0].length;
      // Each attribute must be preceded by white space (XML 1.0 production [40]).
      const attr = /\s+([A-Za-z_:][\w.:-]*)\s*=\s*("([^"<]*)"|'([^'<]*)')/y;
      for (;;) {
        attr.lastIndex = j;
        const a = attr.exec(src);
        if (!a) break;
        const key = /** @type {string} */ (a[1]);
        if (Object.prototype.hasOwnProperty.call(el.attrs, key)) throw new XmlError(`duplicate attribute "${key}"`, j, src);
        el.attrs[key] = decodeEntities(a[3] ?? a[4] ?? '', j, src);
        j = attr.lastIndex;
      }
      const rest = /^\s*(\/?)>/.exec(src.slice(j));
      if (!rest) throw new XmlError(`malformed start tag <${el.name}>`, i, src);
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(el);
      else if (root) throw new XmlError('more than one root element', i, src);
      else root = el;
      if (!rest[1]) stack.push(el);
      i = j + rest[0].length;
    }
  }
  if (stack.length > 0) throw new XmlError(`element <${stack[stack.length - 1]?.name}> is not closed`, src.length, src);
  if (!root) throw new XmlError('no root element', 0, src);
  return root;
}

/** Children of `el` named `name`. @param {XmlElement} el @param {string} name */
export function childrenNamed(el, name) {
  return el.children.filter((c) => c.name === name);
}
