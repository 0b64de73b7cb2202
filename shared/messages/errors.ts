/**
 * Error codes of the messages feature with their fr/de/en texts, merged into shared/errors.ts.
 * Codes are public API: never rename one.
 */
import type { Lang } from '../i18n/lang.ts';

export const messageErrorTexts = {} as const satisfies Record<string, Record<Lang, string>>;
