/**
 * The password policy of encryption accounts (guide p.5), shared by the wizard's strength meter and
 * the service, which enforces it: the browser and the server can never disagree on a verdict.
 *
 * - At least 8 characters (guide: "minimum 8 caractères").
 * - Not one of the commonly breached passwords: zxcvbn-ts's `passwords-common` list (ranked from
 *   breach corpora) covering most of the password, l33t and case variants included.
 * - Strong enough: the guide's criteria (digits, lower and upper case, special characters such as
 *   '!', '@', '_', '#') AND a real estimator (zxcvbn-ts), the lower of the two deciding. A very
 *   strong password meets every criterion of the guide.
 *
 * Dictionaries: common passwords and diceware words, plus French and German common words and names
 * (the users' languages); the large English and Wikipedia lists are left out to keep the zimlet
 * bundle reasonable — zxcvbn still estimates their guesses by brute force.
 */
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as fr from '@zxcvbn-ts/language-fr';
import * as de from '@zxcvbn-ts/language-de';

export const PASSWORD_MIN_LENGTH = 8;
/** Longer inputs are refused outright: scrypt/argon2 cost and zxcvbn's matching grow with length. */
export const PASSWORD_MAX_LENGTH = 128;

/** 0 "Trop faible", 1 "Faible", 2 "Moyen", 3 "Fort", 4 "Très fort". */
export type StrengthLevel = 0 | 1 | 2 | 3 | 4;

/** Problems, as stable codes (they are also the error codes the service answers with). */
export type PasswordProblem = 'password.too_short' | 'password.too_long' | 'password.breached' | 'password.too_weak';

export interface PasswordAssessment {
  level: StrengthLevel;
  criteria: { length: boolean; digits: boolean; lowerAndUpper: boolean; special: boolean };
  breached: boolean;
  /** zxcvbn's own score, 0–4. */
  estimatorScore: number;
  /** The first problem that makes the password unacceptable, or null when it is acceptable. */
  problem: PasswordProblem | null;
}

let factory: ZxcvbnFactory | undefined;
function estimator(): ZxcvbnFactory {
  // Built on first use: the dictionaries take some tens of milliseconds to index.
  factory ??= new ZxcvbnFactory({
    dictionary: {
      'passwords-common': common.dictionary['passwords-common'],
      'diceware-common': common.dictionary['diceware-common'],
      'commonWords-fr': fr.dictionary['commonWords-fr'],
      'firstnames-fr': fr.dictionary['firstnames-fr'],
      'lastnames-fr': fr.dictionary['lastnames-fr'],
      commonWords: de.dictionary['commonWords'],
      firstnames: de.dictionary['firstnames'],
      lastnames: de.dictionary['lastnames'],
    },
    graphs: common.adjacencyGraphs,
  });
  return factory;
}

/**
 * Assesses a password. `userInputs` are words an attacker would try first for this user (e-mail,
 * names): zxcvbn treats them as a dictionary.
 */
export function assessPassword(password: string, userInputs: readonly string[] = []): PasswordAssessment {
  const criteria = {
    length: [...password].length >= PASSWORD_MIN_LENGTH,
    digits: /\d/.test(password),
    lowerAndUpper: /\p{Ll}/u.test(password) && /\p{Lu}/u.test(password),
    special: /[^\p{L}\p{N}]/u.test(password),
  };
  if ([...password].length > PASSWORD_MAX_LENGTH) {
    return { level: 0, criteria, breached: false, estimatorScore: 0, problem: 'password.too_long' };
  }
  if (password.length === 0) {
    return { level: 0, criteria, breached: false, estimatorScore: 0, problem: 'password.too_short' };
  }
  // Each word of the inputs, and their run-together forms ("jean-claude" -> "jeanclaude").
  const inputs = userInputs.flatMap((s) => {
    const words = s.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((w) => w.length >= 3);
    const joined = s.toLowerCase().split('@')[0]!.replace(/[^\p{L}\p{N}]+/gu, '');
    return [...words, joined, ...s.toLowerCase().split(/[\s@.]+/u).map((w) => w.replace(/[^\p{L}\p{N}]+/gu, ''))];
  }).filter((w) => w.length >= 3);
  const result = estimator().check(password, inputs);
  const chars = password.length;
  const breachedChars = result.sequence
    .filter((m) => m.pattern === 'dictionary' && (m as { dictionaryName?: string }).dictionaryName === 'passwords-common')
    .reduce((n, m) => n + (m.j - m.i + 1), 0);
  const breached = breachedChars >= Math.ceil(chars * 0.75);

  const classes = Number(criteria.digits) + Number(criteria.lowerAndUpper) + Number(criteria.special);
  const criteriaLevel = (criteria.length ? 1 + classes : 0) as StrengthLevel;
  let level = Math.min(criteriaLevel, result.score) as StrengthLevel;
  if (breached) level = 0;

  let problem: PasswordProblem | null = null;
  if (!criteria.length) problem = 'password.too_short';
  else if (breached) problem = 'password.breached';
  else if (level < 2) problem = 'password.too_weak';
  return { level, criteria, breached, estimatorScore: result.score, problem };
}
