import '../../../../shared/ui/service-info/service-info.ts';
import '../../../../shared/ui/signature-banner/signature-banner.ts';
import { EsanteSecurityPanel } from './security-panel.component.ts';

export { EsanteSecurityPanel };

EsanteSecurityPanel.define('esante-security-panel');

declare global {
  interface HTMLElementTagNameMap {
    'esante-security-panel': EsanteSecurityPanel;
  }
}
