/**
 * What the security panel shows, wired to the service: GetServiceInfo, GetSigningStatus, and the
 * "Tester ma signature" action (SignMessage then VerifySignature of a sample from and to the user).
 */
import type { ZimletHost } from '../../../shared/host/zimlet-host.ts';
import { callService } from '../../../shared/soap/client.ts';
import type { PanelContent } from '../../common/panel-dialog.ts';
import { serviceInfoLoader } from '../../common/service.ts';
import './components/security-panel.ts';
import { bytesToBase64 } from '../../common/base64.ts';
import { sampleMessage } from './signing.ts';

export function createPanel(host: ZimletHost): PanelContent {
  const opts = () => ({ csrfToken: host.csrfToken(), lang: host.lang });
  const panel = document.createElement('esante-security-panel');
  panel.host = host;
  panel.loadInfo = serviceInfoLoader(host);
  panel.loadStatus = (signal) => callService('GetSigningStatus', {}, { ...opts(), signal });
  panel.testSignature = async () => {
    const sample = sampleMessage(host.username(), host.msg('test_sample_subject'), host.msg('test_sample_body'));
    const { mime } = await callService('SignMessage', { mime: bytesToBase64(new TextEncoder().encode(sample)) }, opts());
    const { report } = await callService('VerifySignature', { mime }, opts());
    return report;
  };
  return panel;
}
