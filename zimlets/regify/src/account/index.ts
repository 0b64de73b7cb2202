/**
 * The encryption account side of the regify zimlet (guide p.5, 6, 12): the creation wizard shown at
 * webmail start, and the account window with its Informations and Options tabs.
 * The handler calls these; nothing here touches Zimbra globals except through the ZimletHost and the
 * PanelDialog built by the handler.
 */
import type { ZimletHost } from '../../../../shared/host/zimlet-host.ts';
import type { PanelContent } from '../../../common/panel-dialog.ts';
import { serviceInfoLoader } from '../../../common/service.ts';
import '../components/regify-panel.ts';

/** Called once from the handler's init(): e.g. opens the creation wizard when the user has no account. */
export async function onWebmailStart(_host: ZimletHost): Promise<void> {}

/** The content of the Regify panel window (opened from the panel item and its menu). */
export function createAccountWindow(host: ZimletHost): PanelContent {
  const panel = document.createElement('esante-regify-panel');
  panel.host = host;
  panel.loadInfo = serviceInfoLoader(host);
  return panel;
}

/**
 * Makes sure the user has an encryption account before an encrypted send: resolves true when they
 * have one (possibly just created through the wizard), false when they cancelled.
 */
export async function ensureAccount(_host: ZimletHost): Promise<boolean> {
  return false;
}
