import '../../../../shared/ui/service-info/service-info.ts';
import { EsanteWebexPanel } from './webex-panel.component.ts';

export { EsanteWebexPanel };

EsanteWebexPanel.define('esante-webex-panel');

declare global {
  interface HTMLElementTagNameMap {
    'esante-webex-panel': EsanteWebexPanel;
  }
}
