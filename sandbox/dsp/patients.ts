/**
 * Synthetic patients of the sandbox's PDQ supplier and XDS registry: common Luxembourg surnames and
 * first names (/work/shared/data/lu/names.json lists them separately; these pairs are made up), real
 * localities, and matricules that pass the RNPP check digits (shared/dsp/matricule.ts). No number
 * here belongs to a real person except the public worked example 1893120105732 (a man born in 1893).
 */
import { makeMatricule } from '../../shared/dsp/matricule.ts';

export interface SandboxPatient {
  matricule: string;
  /** Old 11-digit number, for patients born before 2014 who still quote it. */
  oldNumber?: string;
  givenName: string;
  familyName: string;
  birthDate: string;
  gender: 'F' | 'M';
  city: string;
  /**
   * Known to the national register (PDQ answers) but without an open DSP: a patient may close theirs
   * (Loi du 1er août 2018, art. 60quater of the Code de la sécurité sociale: the holder may oppose the
   * DSP), so the XDS affinity domain does not know them and the registry refuses with XDSUnknownPatientId.
   */
  noDsp?: boolean;
}

const p = (birthDate: string, seq: number, givenName: string, familyName: string, gender: 'F' | 'M', city: string, oldNumber?: string): SandboxPatient => ({
  matricule: makeMatricule(birthDate, seq),
  givenName,
  familyName,
  birthDate,
  gender,
  city,
  ...(oldNumber ? { oldNumber } : {}),
});

export const SANDBOX_PATIENTS: readonly SandboxPatient[] = [
  p('1985-03-14', 123, 'Claire', 'Weber', 'F', 'Esch-sur-Alzette'),
  p('1972-11-30', 7, 'Marc', 'Hoffmann', 'M', 'Luxembourg'),
  p('1980-05-20', 12, 'Anne', 'Schmit', 'F', 'Differdange', '19800520129'),
  p('1956-08-02', 41, 'Jean', 'Muller', 'M', 'Ettelbruck'),
  p('1990-01-09', 3, 'Sofia', 'Pereira', 'F', 'Dudelange'),
  p('2001-12-24', 88, 'Luca', 'Wagner', 'M', 'Mersch'),
  // Two namesakes born the same day: the search must offer a choice.
  p('1968-04-17', 21, 'Paul', 'Thill', 'M', 'Diekirch'),
  p('1968-04-17', 22, 'Paul', 'Thill', 'M', 'Wiltz'),
  p('2015-06-05', 5, 'Emma', 'Da Silva', 'F', 'Luxembourg'),
  p('1949-09-28', 60, 'Marie', 'Kieffer', 'F', 'Echternach'),
  { ...p('1963-02-11', 14, 'Guy', 'Reuter', 'M', 'Remich'), noDsp: true },
];

/** A valid matricule that the PDQ supplier and the registry do NOT know (unknown-patient path). */
export const UNKNOWN_VALID_MATRICULE = makeMatricule('1977-07-07', 777);
