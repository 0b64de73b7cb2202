/**
 * Luxembourg national identification number (matricule, RNPP) checks, shared by the zimlet (checked
 * as the doctor types) and the service (checked again before any PDQ/XDS call).
 * Rules: /work/shared/data/lu/identifiers.md §1 (Règlement grand-ducal du 28 novembre 2013 art. 1er:
 * YYYYMMDD + 3-digit sequence + Luhn digit + Verhoeff digit, BOTH computed over the first 11 digits,
 * worked example 1893120105732) and §1b (old 11-digit number, RGD du 21 décembre 1987: YYYYMMDD +
 * 2-digit order + check digit 11 − (Σ wᵢdᵢ mod 11), weights 5,4,3,2,7,6,5,4,3,2; remainder 1 never issued).
 */

export type MatriculeCheck =
  | { ok: true; kind: '13'; value: string; birthDate: string }
  | { ok: true; kind: '11'; value: string; birthDate: string }
  | { ok: false };

/** Luhn check digit of a digit string (the digit that would be appended). */
export function luhnDigit(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    // Doubling starts from the rightmost digit of the payload (it sits left of the check digit).
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

// Verhoeff's scheme (J. Verhoeff, "Error detecting decimal codes", 1969) over the dihedral group D5:
// 0–4 are the rotations, 5–9 the reflections. Its three tables follow from the group law, so they
// are computed here rather than typed in: the product d(j, k), the position permutation p = p1^i
// (p1 = (1 5 8 9 4 2 7 0)(3 6), the published row 1), and the inverse.
const mod5 = (n: number) => ((n % 5) + 5) % 5;
const D = Array.from({ length: 10 }, (_, j) =>
  Array.from({ length: 10 }, (_, k) => (j < 5 ? (k < 5 ? mod5(j + k) : 5 + mod5(j + k)) : k < 5 ? 5 + mod5(j - k) : mod5(j - k))),
);
const P1 = [1, 5, 7, 6, 2, 8, 3, 0, 9, 4];
const P: number[][] = [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]];
for (let i = 1; i < 8; i++) P.push(P[i - 1]!.map((x) => P1[x]!));
const INV = Array.from({ length: 10 }, (_, j) => (j < 5 ? mod5(5 - j) : j));

/** Verhoeff check digit of a digit string. */
export function verhoeffDigit(digits: string): number {
  let c = 0;
  for (let i = 0; i < digits.length; i++) {
    c = D[c]![P[(i + 1) % 8]![Number(digits[digits.length - 1 - i])]!]!;
  }
  return INV[c]!;
}

/** Check digit of the old 11-digit number, or null for a remainder that is never issued. */
export function oldCheckDigit(first10: string): number | null {
  const w = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
  let sum = 0;
  for (let i = 0; i < 10; i++) sum += w[i]! * Number(first10[i]);
  const r = sum % 11;
  if (r === 1) return null;
  return r === 0 ? 0 : 11 - r;
}

function datePart(v: string): string | null {
  const y = Number(v.slice(0, 4));
  const m = Number(v.slice(4, 6));
  const d = Number(v.slice(6, 8));
  // Month and day may be 00 when unknown (RGD 2013 art. 1er).
  if (y < 1850 || m > 12 || d > 31) return null;
  return `${v.slice(0, 4)}-${v.slice(4, 6)}-${v.slice(6, 8)}`;
}

/** Checks a matricule as typed (spaces, dots and dashes ignored). */
export function checkMatricule(input: string): MatriculeCheck {
  const v = input.replace(/[\s.\-]/g, '');
  if (!/^\d+$/.test(v)) return { ok: false };
  if (v.length === 13) {
    const birthDate = datePart(v);
    const head = v.slice(0, 11);
    if (!birthDate || luhnDigit(head) !== Number(v[11]) || verhoeffDigit(head) !== Number(v[12])) return { ok: false };
    return { ok: true, kind: '13', value: v, birthDate };
  }
  if (v.length === 11) {
    const birthDate = datePart(v);
    const check = oldCheckDigit(v.slice(0, 10));
    if (!birthDate || check === null || check > 9 || check !== Number(v[10])) return { ok: false };
    return { ok: true, kind: '11', value: v, birthDate };
  }
  return { ok: false };
}

/** A valid 13-digit matricule for a birth date and sequence (sandbox seed, tests). */
export function makeMatricule(birthDate: string, sequence: number): string {
  const head = birthDate.replace(/-/g, '') + String(sequence).padStart(3, '0');
  return `${head}${luhnDigit(head)}${verhoeffDigit(head)}`;
}
