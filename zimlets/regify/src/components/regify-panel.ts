import '../../../../shared/ui/service-info/service-info.ts';
import { EsanteRegifyPanel } from './regify-panel.component.ts';

export { EsanteRegifyPanel };

EsanteRegifyPanel.define('esante-regify-panel');

declare global {
  interface HTMLElementTagNameMap {
    'esante-regify-panel': EsanteRegifyPanel;
  }
}
