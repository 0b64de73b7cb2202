/**
 * What the regify panel shows. The one place later features replace: the handler only asks for a
 * PanelContent built on the ZimletHost.
 */
import type { ZimletHost } from '../../../shared/host/zimlet-host.ts';
import type { PanelContent } from '../../common/panel-dialog.ts';
import { serviceInfoLoader } from '../../common/service.ts';
import './components/regify-panel.ts';

export function createPanel(host: ZimletHost): PanelContent {
  const panel = document.createElement('esante-regify-panel');
  panel.host = host;
  panel.loadInfo = serviceInfoLoader(host);
  return panel;
}
