/**
 * Finds the patient a mail names: a matricule (RNPP) written in the subject or the body, e.g.
 * "Patient : 1893 1201 05732" or "matr. 18931201057". Only numbers whose check digits are right count
 * (shared/dsp/matricule.ts, rules of /work/shared/data/lu/identifiers.md §1 and §1b), so a phone or
 * order number of 13 digits is not proposed by mistake.
 */
import { checkMatricule } from '../../../../shared/dsp/matricule.ts';

/**
 * Runs of digits that may be split by single spaces, dots or dashes (how people write long numbers),
 * and are not glued to other digits or letters.
 */
const CANDIDATE = /(?<![\p{L}\p{N}])\d(?:[ .\-]?\d){10,12}(?![\p{L}\p{N}])/gu;

/** The valid matricules written in `texts`, in order of appearance, each once (13- or 11-digit as written). */
export function findMatricules(...texts: ReadonlyArray<string | undefined>): string[] {
  const found: string[] = [];
  for (const text of texts) {
    if (!text) continue;
    for (const m of text.matchAll(CANDIDATE)) {
      const check = checkMatricule(m[0]);
      if (check.ok && !found.includes(check.value)) found.push(check.value);
    }
  }
  return found;
}
