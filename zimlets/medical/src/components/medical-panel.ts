import '../../../../shared/ui/service-info/service-info.ts';
import { EsanteMedicalPanel } from './medical-panel.component.ts';

export { EsanteMedicalPanel };

EsanteMedicalPanel.define('esante-medical-panel');

declare global {
  interface HTMLElementTagNameMap {
    'esante-medical-panel': EsanteMedicalPanel;
  }
}
