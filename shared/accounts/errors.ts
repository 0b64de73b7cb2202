/**
 * Error codes of the accounts feature with their fr/de/en texts, merged into shared/errors.ts.
 * Codes are public API: never rename one.
 */
import type { Lang } from '../i18n/lang.ts';

export const accountErrorTexts = {} as const satisfies Record<string, Record<Lang, string>>;
