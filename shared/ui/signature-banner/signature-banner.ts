import { EsanteSignatureBanner } from './signature-banner.component.ts';

export { EsanteSignatureBanner };
export { bannerModel, formatDate, formatTime, type BannerModel, type SignatureReport } from './signature-banner.model.ts';

/** Shared by every zimlet that shows signed messages: the guarded define makes a second registration a no-op. */
EsanteSignatureBanner.define('esante-signature-banner');

declare global {
  interface HTMLElementTagNameMap {
    'esante-signature-banner': EsanteSignatureBanner;
  }
}
