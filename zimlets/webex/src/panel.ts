/**
 * What the webex panel shows: schedule, list, start or join Webex meetings (guide p. 7), wired to
 * the service (shared/webex/operations.ts) and to Zimbra through the host (compose). The addresses
 * of the message being read come from the handler (onMsgView).
 */
import type { ZimletHost } from '../../../shared/host/zimlet-host.ts';
import type { PanelContent } from '../../common/panel-dialog.ts';
import { serviceInfoLoader } from '../../common/service.ts';
import './components/webex-panel.ts';
import type { Invitee } from './invitation.ts';
import { conferenceService } from './service.ts';

export function createPanel(host: ZimletHost, messageAddresses: () => Invitee[] = () => []): PanelContent {
  const panel = document.createElement('esante-webex-panel');
  panel.host = host;
  panel.loadInfo = serviceInfoLoader(host);
  panel.service = conferenceService(host);
  panel.messageAddresses = messageAddresses;
  return panel;
}
