import { EsanteBanner } from './banner.component.ts';

export { EsanteBanner };
export type { BannerKind } from './banner.component.ts';

/** Shared by several zimlets: the guarded define makes a second bundle's registration a no-op. */
EsanteBanner.define('esante-banner');

declare global {
  interface HTMLElementTagNameMap {
    'esante-banner': EsanteBanner;
  }
}
