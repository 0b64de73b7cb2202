/**
 * The mailbox address of a health professional, guide p. 3: "votreprenom.votrenom@esante.lu".
 * Pure functions, shared by the service (first login) and the sandbox's stand-in portal.
 *
 * Rules (and why):
 * - Each part is written in ASCII lower case, accents removed ("Hélène" → helene, "Jürgen" → jurgen):
 *   mail addresses with non-ASCII local parts (SMTPUTF8) are still refused by many servers.
 *   Letters that Unicode does not decompose are spelled out: ß → ss, æ → ae, œ → oe, ø → o, ł → l.
 * - Apostrophes disappear ("D'Angelo" → dangelo, "O’Neill" → oneill): that is how people with these
 *   names already write their addresses, and the quote is legal but awkward in a local part.
 * - Spaces, hyphens and any other separator become ONE hyphen, so compound first names and
 *   surnames stay readable and distinct ("Jean-Claude" and "Jean Claude" → jean-claude,
 *   "Da Silva" → da-silva, "Muller-Schmit" → muller-schmit); the dot stays the separator between
 *   first name and surname only.
 * - Particles are kept, as part of the surname ("de Bourcy" → de-bourcy, "van der Berg" →
 *   van-der-berg): in Luxembourg and Belgium the particle belongs to the legal surname, people look
 *   the colleague up with it, and dropping it would make "de Bourcy" and "Bourcy" collide.
 * - All first names the directory lists are kept (the directory's givenName is the usual first name(s)).
 * - Namesakes: the first one gets prenom.nom@, the next prenom.nom.2@, prenom.nom.3@… (the same rule
 *   as the directory's own generated addresses); which one is whose is decided and remembered by the
 *   service (server-extension/src/provisioning/README.md), never by order of arrival alone.
 * The directory's synthetic data (server-extension/src/directory/generate.ts) uses this same function,
 * so a generated entry's mail is the address first login would give that person.
 */

/** Longest local part RFC 5321 allows. */
export const MAX_LOCAL_PART = 64;

const SPELLED_OUT: Record<string, string> = { ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', ł: 'l', đ: 'd', ð: 'd', þ: 'th', ı: 'i' };

/** One name (first names or surname) as it appears in an address: "Van der Berg" → "van-der-berg". */
export function addressPart(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[ßæœøłđðþı]/g, (c) => SPELLED_OUT[c] ?? '')
    .replace(/['’‘`´ʼ]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/**
 * `prenom.nom` for a person, or null when one of the parts has nothing left to write (a name in a
 * script without a Latin transliteration) or the result would be longer than RFC 5321 allows:
 * such a person needs the helpdesk, not a guessed address.
 */
export function mailLocalPart(givenName: string, surname: string): string | null {
  const first = addressPart(givenName);
  const last = addressPart(surname);
  if (!first || !last) return null;
  const local = `${first}.${last}`;
  return local.length <= MAX_LOCAL_PART ? local : null;
}

/**
 * The addresses a person may get, in order of preference: prenom.nom@domain, then
 * prenom.nom.2@domain … prenom.nom.<max>@domain for namesakes.
 */
export function candidateAddresses(givenName: string, surname: string, domain: string, max = 20): string[] {
  const local = mailLocalPart(givenName, surname);
  if (!local) return [];
  const out = [`${local}@${domain}`];
  for (let n = 2; n <= max; n++) {
    const numbered = `${local}.${n}`;
    if (numbered.length > MAX_LOCAL_PART) break;
    out.push(`${numbered}@${domain}`);
  }
  return out;
}
