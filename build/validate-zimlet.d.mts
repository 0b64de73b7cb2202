/** Types of validate-zimlet.mjs for TypeScript callers (tests, the sandbox). */
export interface Violation {
  /** The zip file name, e.g. lu_esante_regify.zip */
  zip: string;
  /** The entry concerned, '-' for the zip itself */
  file: string;
  /** Stable rule id, e.g. 'descriptor-missing', 'entry-name', 'global-leak', 'message-missing' */
  rule: string;
  message: string;
}
export interface ZipEntry {
  name: string;
  data: Buffer;
}
export const NAME_PATTERN: RegExp;
export const ALLOWED_LIT_GLOBALS: readonly string[];
export function readZipEntries(buffer: Buffer): Promise<ZipEntry[]>;
export function validateZimletZip(zipPath: string): Promise<Violation[]>;
export function validateZimletBuffer(zipFileName: string, buffer: Buffer): Promise<Violation[]>;
export function validateZimletEntries(zipFileName: string, entries: ZipEntry[]): Violation[];
export function scanMessageCalls(code: string): Array<{ key: string | undefined; excerpt: string }>;
export function formatViolation(v: Violation): string;
