/**
 * What the medical panel shows: the assistant (./components/medical-panel.component.ts) wired to the
 * DSP service. The handler sets `mail` before opening it from "Ajouter au DSP".
 */
import type { MailHost } from '../../../shared/host/mail-port.ts';
import type { PanelContent } from '../../common/panel-dialog.ts';
import { serviceInfoLoader } from '../../common/service.ts';
import './components/medical-panel.ts';
import { dspService } from './service.ts';

export function createPanel(host: MailHost): PanelContent {
  const panel = document.createElement('esante-medical-panel');
  panel.host = host;
  panel.loadInfo = serviceInfoLoader(host);
  panel.service = dspService(host);
  return panel;
}
