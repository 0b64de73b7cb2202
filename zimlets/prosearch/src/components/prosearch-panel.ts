import '../../../../shared/ui/service-info/service-info.ts';
import { EsanteProsearchPanel } from './prosearch-panel.component.ts';

export { EsanteProsearchPanel };

EsanteProsearchPanel.define('esante-prosearch-panel');

declare global {
  interface HTMLElementTagNameMap {
    'esante-prosearch-panel': EsanteProsearchPanel;
  }
}
