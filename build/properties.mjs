// @ts-check
/**
 * Java `.properties` files, as Zimbra reads a zimlet's messages (zm-web-client ZmZimletContext.js /
 * the Props2Js servlet through java.util.ResourceBundle). Sources are written in UTF-8 for humans;
 * the packager writes them back with every non-ASCII character as a \uXXXX escape (what native2ascii
 * does), so the file reads the same with ISO-8859-1 (Java 8) and UTF-8 (Java 9+) readers.
 */

/**
 * Parses the Java properties format: `#`/`!` comments, `key = value`, `key: value`, `key value`,
 * backslash line continuations, `\uXXXX`, `\t`, `\n`… escapes. Later duplicates win, like Java.
 * @param {string} text
 * @returns {Map<string, string>}
 */
export function parseProperties(text) {
  /** @type {Map<string, string>} */
  const out = new Map();
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  for (let n = 0; n < lines.length; n++) {
    let line = (lines[n] ?? '').replace(/^[ \t\f]+/, '');
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    // A line ending in an odd number of backslashes continues on the next line.
    while (/(^|[^\\])(\\\\)*\\$/.test(line) && n + 1 < lines.length) {
      line = line.slice(0, -1) + (lines[++n] ?? '').replace(/^[ \t\f]+/, '');
    }
    const sep = /^((?:\\.|[^\\:=\s])*)\s*[:=]?\s*/.exec(line);
    const rawKey = sep?.[1] ?? '';
    const rawValue = line.slice(sep?.[0].length ?? 0);
    out.set(unescape(rawKey), unescape(rawValue));
  }
  return out;
}

/** @param {string} s */
function unescape(s) {
  return s.replace(/\\(u([0-9a-fA-F]{4})|.)/g, (_m, c, hex) => {
    if (hex) return String.fromCharCode(parseInt(hex, 16));
    return ({ t: '\t', n: '\n', r: '\r', f: '\f' })[/** @type {'t'} */ (c)] ?? c;
  });
}

/** @param {string} s @param {boolean} isKey */
function escape(s, isKey) {
  let out = '';
  for (const ch of s) {
    const code = /** @type {number} */ (ch.codePointAt(0));
    if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (isKey && (ch === '=' || ch === ':' || ch === ' ' || ch === '#' || ch === '!')) out += `\\${ch}`;
    else if (code < 0x20 || code > 0x7e) {
      // Characters beyond the BMP become a surrogate pair of escapes, as Java expects.
      for (const unit of ch.length === 2 ? [ch.charCodeAt(0), ch.charCodeAt(1)] : [code]) {
        out += `\\u${unit.toString(16).padStart(4, '0')}`;
      }
    } else out += ch;
  }
  // A leading space in a value would be eaten by the reader.
  return !isKey && out.startsWith(' ') ? `\\${out}` : out;
}

/**
 * Writes pure-ASCII properties text from key/values, with a header comment.
 * @param {Map<string, string>} entries @param {string} header
 */
export function stringifyProperties(entries, header) {
  const lines = header.split('\n').map((l) => `# ${escape(l, false)}`);
  for (const [k, v] of entries) lines.push(`${escape(k, true)}=${escape(v, false)}`);
  return lines.join('\n') + '\n';
}
