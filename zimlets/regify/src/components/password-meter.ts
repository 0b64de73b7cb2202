import { EsanteRegifyPasswordMeter } from './password-meter.component.ts';

export { EsanteRegifyPasswordMeter };

EsanteRegifyPasswordMeter.define('esante-regify-password-meter');

declare global {
  interface HTMLElementTagNameMap {
    'esante-regify-password-meter': EsanteRegifyPasswordMeter;
  }
}
