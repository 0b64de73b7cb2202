/**
 * Folding rules of the professional directory, shared by the zimlet (to show what will be searched)
 * and the service (to build index keys and queries). One definition, so a value typed in the panel
 * and the key stored in the directory are always folded the same way.
 *
 * Why we fold ourselves instead of relying on the LDAP server: OpenLDAP's `caseIgnoreMatch` folds
 * case (and normalises Unicode) but does not remove diacritics, so "Hélène" would not match
 * "helene". The directory therefore stores folded copies of the searched values (the `esanteSearch*`
 * attributes, see server-extension/ldap/esante-hpd.schema) and every query uses the same `fold()`.
 * The stored copies include the German umlaut spellings (nameKeys), so no LDAP matching rule is needed.
 */

/** Characters that separate the words of a name: spaces, hyphens, apostrophes (typographic too), dots. */
const SEPARATORS = /[\s\-\u2010\u2011\u2012\u2013\u2014'\u2019\u02bc`´.,]+/gu;

/**
 * Case- and accent-insensitive form of a text: NFKD, combining marks dropped, German ß → "ss",
 * Æ/Œ/Ø expanded, lowercased, separators collapsed to one space, trimmed.
 * "Knauf-Hübel" → "knauf hubel", "D'Ambrosio" → "d ambrosio", "Weiß" → "weiss".
 * Other characters (including LDAP metacharacters `*()\`) are kept as they are: they are data.
 */
export function fold(value: string): string {
  return value
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/ß/g, 'ss')
    .replace(/[Ææ]/g, 'ae')
    .replace(/[Œœ]/g, 'oe')
    .replace(/[Øø]/g, 'o')
    .replace(/[Łł]/g, 'l')
    .replace(/[Đđ]/g, 'd')
    .toLowerCase()
    .replace(SEPARATORS, ' ')
    .trim();
}

/**
 * German writes ä, ö, ü as ae, oe, ue when the letters are missing (DIN 5007-2, and every German
 * keyboard-less form or passport's machine-readable zone), so "Mueller" and "Müller" are the same
 * name. fold() alone turns "Müller" into "muller", which "mueller" never prefixes. The index therefore
 * also keeps, for each name, its umlauts spelled out ("mueller") and its ae/oe/ue read as umlauts
 * ("Mueller" → "muller"); queries stay a single fold(). Then "Mueller", "Müller" and "Muller" find
 * "Müller", and "Müller" finds "Mueller". The price: a query that happens to equal a contracted
 * spelling ("Baur", "Michal") also finds "Bauer", "Michael". Only ä/ö/ü: ë, ï (Luxembourgish,
 * French) are never spelled with an e.
 */
function spellOutUmlauts(value: string): string {
  return value.normalize('NFC').replace(/[ÄäÖöÜü]/g, (c) => `${c.toLowerCase() === 'ä' ? 'a' : c.toLowerCase() === 'ö' ? 'o' : 'u'}e`);
}
function readAsUmlauts(folded: string): string {
  return folded.replace(/([aou])e/g, '$1');
}

/** The folded spellings a name is stored under: fold() first, then the umlaut spellings when they differ. */
export function foldedSpellings(value: string): string[] {
  const folded = fold(value);
  if (!folded) return [];
  return [...new Set([folded, fold(spellOutUmlauts(value)), readAsUmlauts(folded)])];
}

/**
 * Every folded form under which a name is found by prefix: for each spelling (foldedSpellings), the
 * whole name, the name without separators, and each tail that starts at a word boundary.
 * "Van der Berg" → ["van der berg", "vanderberg", "der berg", "berg"];
 * so "van d", "vanderb", "berg" all find it, "an der" does not (prefixes only, never infixes).
 * The first key is always fold(value) itself (the sort keys rely on it).
 */
export function nameKeys(value: string): string[] {
  const keys = new Set<string>();
  for (const spelling of foldedSpellings(value)) {
    keys.add(spelling);
    const words = spelling.split(' ');
    if (words.length > 1) {
      keys.add(words.join(''));
      for (let i = 1; i < words.length; i++) keys.add(words.slice(i).join(' '));
    }
  }
  return [...keys];
}

/**
 * Identifiers are compared without case, spaces or dashes, so "eh-syn-4k7q 2mxa" equals "EH-SYN-4K7Q2MXA".
 * Metacharacters stay (they are data and make the value match nothing).
 */
export function foldIdentifier(value: string): string {
  return value.normalize('NFKC').replace(/[\s\-\u2010\u2011\u2012\u2013]+/gu, '').toLowerCase();
}

/** "L-1210", "l 1210", "1210" → "1210"; anything else is returned folded and will be refused by the rules. */
export function normalisePostalCode(value: string): string {
  const v = value.trim().toUpperCase();
  const m = /^(?:L\s*-?\s*)?(\d{4})$/.exec(v);
  return m ? m[1]! : v;
}

/**
 * A single string whose plain code-unit order is the result order (sn, givenName, id).
 * \u0001 separates the parts so that "muller" + "ana" sorts before "mullerb" + "x" (it sorts below
 * every printable character; directory names contain no control characters).
 */
export function sortKey(sn: string, givenName: string, id: string): string {
  return `${fold(sn)}\u0001${fold(givenName)}\u0001${id}`;
}
