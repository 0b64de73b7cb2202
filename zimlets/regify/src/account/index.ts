/**
 * The encryption account side of the regify zimlet (guide p.5, 6, 12): the creation wizard shown at
 * webmail start, and the account window with its Informations and Options tabs.
 * The handler calls these; Zimbra globals are touched only by dialog.ts (the ZmDialog of the wizard).
 */
import type { ZimletHost } from '../../../../shared/host/zimlet-host.ts';
import type { PanelContent } from '../../../common/panel-dialog.ts';
import { serviceInfoLoader } from '../../../common/service.ts';
import '../components/regify-panel.ts';
import { accountApi, type AccountApi } from './api.ts';
import { showWizardDialog } from './dialog.ts';

/**
 * Called once from the handler's init(): while the user has no account and has not ticked "Ne plus me
 * poser la question au démarrage", the creation wizard opens (guide p.5 note).
 */
export async function onWebmailStart(host: ZimletHost, api: AccountApi = accountApi(host)): Promise<void> {
  try {
    const info = await api.get();
    if (info.state === 'none' && !info.dontAskAgain) await showWizardDialog(host, { api, info, showOptOut: true });
  } catch {
    // Service unreachable at start: say nothing now; the panel and an encrypted send will tell.
  }
}

/** The content of the Regify panel window (opened from the panel item and its menu). */
export function createAccountWindow(host: ZimletHost): PanelContent {
  const api = accountApi(host);
  const panel = document.createElement('esante-regify-panel');
  panel.host = host;
  panel.api = api;
  panel.loadInfo = serviceInfoLoader(host);
  // "Vous pourrez toujours créer votre compte par la suite, en cliquant sur le menu Regify" (p.5).
  panel.openWizard = async () => {
    const info = await api.get();
    return info.state === 'none' ? showWizardDialog(host, { api, info, showOptOut: false }) : true;
  };
  return panel;
}

/**
 * Makes sure the user has an encryption account before an encrypted send: resolves true when they
 * have one (possibly just created through the wizard), false when they cancelled. A service failure
 * rejects with the ServiceFault (the caller shows its text).
 */
export async function ensureAccount(host: ZimletHost, api: AccountApi = accountApi(host)): Promise<boolean> {
  const info = await api.get();
  if (info.state !== 'none') return true;
  return showWizardDialog(host, { api, info, showOptOut: false });
}
