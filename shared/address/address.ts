/**
 * One normalisation for every e-mail address the service compares or stores (issue 15 (a)).
 *
 * Why: the portal used to compare addresses after `toLowerCase()` but mail the registration code to
 * the address as typed. `toLowerCase()` maps KELVIN SIGN U+212A to ASCII "k", so "\u212Aim@x.lu"
 * had the same key as "kim@x.lu": whoever received mail for the look-alike registered as the real
 * outside recipient and was released the key of messages sent to them. Here:
 *
 * - the domain is converted with IDNA (UTS #46 processing, the WHATWG URL rules Node implements in
 *   `node:url` domainToASCII): "Müller.LU" and "xn--mller-kva.lu" are one domain, written in its
 *   ASCII (A-label) form, lower case. A domain IDNA refuses is refused;
 * - the local part is put in NFC (RFC 6531 §3.2 / RFC 6532 §3.1: UTF-8 addresses SHOULD be NFC) and
 *   lower-cased: RFC 5321 §2.4 lets a server treat case as significant, but the account key already
 *   ignores it, so the code is mailed to exactly the address that becomes the key, never to a
 *   differently-cased mailbox someone else might own;
 * - a local part is refused when a non-ASCII character of it turns into ASCII under case mapping
 *   (upper, lower, Unicode full case folding as far as JavaScript exposes it) or compatibility
 *   normalisation (NFKC): KELVIN SIGN (→ k), LONG S U+017F (→ S), DOTLESS I U+0131 (→ I), LATIN
 *   CAPITAL I WITH DOT U+0130 (→ i + dot), SHARP S ß (→ SS), fullwidth letters (→ ASCII), ligatures
 *   (ﬁ → fi). Such an address is ambiguous with an ASCII one on some system along the way (mail
 *   servers, directories, Zimbra's own lower-casing in Java), so it is never accepted. Look-alikes
 *   from other scripts (Cyrillic "а") stay distinct addresses with distinct keys: they are their
 *   holder's own address and never match the ASCII one.
 *
 * The result is the only form the service keeps and compares; `display` is what was typed (NFC,
 * trimmed), for showing back to the user only.
 */
import { domainToASCII } from 'node:url';

/** RFC 5321 §4.5.3.1: a path holds at most 256 octets, so an address at most 254 characters. */
export const ADDRESS_MAX = 254;
/** RFC 5321 §4.5.3.1.1. */
export const LOCAL_PART_MAX = 64;

/** Why an address is refused (stable identifiers for logs and tests; users see message.invalid_address). */
export type AddressProblem = 'not_text' | 'length' | 'shape' | 'local_part' | 'domain' | 'ambiguous';

export class AddressError extends Error {
  constructor(
    readonly problem: AddressProblem,
    readonly input: string,
  ) {
    super(`invalid e-mail address (${problem})`);
    this.name = 'AddressError';
  }
}

export interface NormalAddress {
  /** The one form compared and stored, mailed to: NFC lower-case local part @ ASCII lower-case domain. */
  address: string;
  /** As typed (trimmed, NFC): shown back, never compared. */
  display: string;
  local: string;
  domain: string;
}

const ASCII = /[\x00-\x7f]/;
// Characters that break headers, our job keys or SMTP command lines, and what RFC 5322 only allows quoted.
const LOCAL_FORBIDDEN = /[\s@<>(),;:"\\[\]\u0000-\u001f\u007f-\u009f\u2028\u2029]/u;
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * True when `c`, a non-ASCII character, becomes (or contains) ASCII under a case mapping or NFKC.
 * `toLocaleUpperCase('tr')` covers the Turkish dotted/dotless i pair that the root locale does not.
 */
function foldsToAscii(c: string): boolean {
  const forms = [c.toLowerCase(), c.toUpperCase(), c.toLocaleLowerCase('tr'), c.toLocaleUpperCase('tr'), c.normalize('NFKC'), c.normalize('NFKC').toLowerCase(), c.toUpperCase().toLowerCase()];
  return forms.some((f) => ASCII.test(f));
}

/** The normal form of `raw`, or an AddressError saying why it is refused. */
export function normaliseAddress(raw: unknown): NormalAddress {
  if (typeof raw !== 'string') throw new AddressError('not_text', '');
  const trimmed = raw.trim();
  const display = trimmed.normalize('NFC');
  if (display.length === 0 || display.length > ADDRESS_MAX) throw new AddressError('length', display);
  const at = display.lastIndexOf('@');
  if (at <= 0 || at === display.length - 1 || display.indexOf('@') !== at) throw new AddressError('shape', display);
  const localTyped = display.slice(0, at);
  if (LOCAL_FORBIDDEN.test(localTyped) || localTyped.startsWith('.') || localTyped.endsWith('.') || localTyped.includes('..')) {
    throw new AddressError('local_part', display);
  }
  // Checked on the text as typed, before NFC: NFC itself turns KELVIN SIGN into "K" (a canonical
  // singleton), which would silently make the look-alike the real address.
  const rawLocal = trimmed.slice(0, Math.max(0, trimmed.lastIndexOf('@')));
  for (const c of rawLocal) if (!ASCII.test(c) && (ASCII.test(c.normalize('NFC')) || foldsToAscii(c))) throw new AddressError('ambiguous', display);
  const local = localTyped.toLowerCase().normalize('NFC');
  if (new TextEncoder().encode(local).length > LOCAL_PART_MAX) throw new AddressError('length', display);
  // domainToASCII applies UTS #46 mapping (case, width, NFC) and Punycode; '' means IDNA refused it.
  const domain = domainToASCII(display.slice(at + 1));
  const labels = domain.split('.');
  if (domain === '' || labels.length < 2 || !labels.every((l) => LABEL.test(l)) || /^[0-9]+$/.test(labels.at(-1)!)) {
    throw new AddressError('domain', display);
  }
  const address = `${local}@${domain}`;
  if (address.length > ADDRESS_MAX) throw new AddressError('length', display);
  return { address, display, local, domain };
}

/** The normal form, or null when refused (for filters; callers that answer users use normaliseAddress). */
export function tryNormaliseAddress(raw: unknown): string | null {
  try {
    return normaliseAddress(raw).address;
  } catch (err) {
    if (err instanceof AddressError) return null;
    throw err;
  }
}

/** Same address for the service (both normal forms equal); refused addresses are equal to nothing. */
export function sameAddress(a: unknown, b: unknown): boolean {
  const x = tryNormaliseAddress(a);
  return x !== null && x === tryNormaliseAddress(b);
}
