import type { ZimletSpec } from './build.d.mts';
export type { ZimletSpec };
export const ROOT: string;
export const ZIMLETS: readonly ZimletSpec[];
