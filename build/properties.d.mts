/** Types of properties.mjs. */
export function parseProperties(text: string): Map<string, string>;
export function stringifyProperties(entries: Map<string, string>, header: string): string;
