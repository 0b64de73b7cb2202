/**
 * The encryption account side of the regify zimlet (guide p.5, 6, 12): the creation wizard shown at
 * webmail start, and the account window with its Informations and Options tabs.
 * The handler calls these; Zimbra globals are touched only by dialog.ts (the ZmDialog of the wizard).
 *
 * Light start (issue 17): only the start check (GetAccount) runs at start. The wizard, the panel and
 * the password dictionaries are ./account.chunk.ts, loaded when first needed: when the wizard must
 * open, or when the account window opens (which shows "Chargement de votre compte Regify…" meanwhile).
 */
import type { ZimletHost } from '../../../../shared/host/zimlet-host.ts';
import { faultText } from '../../../../shared/ui/fault-text.ts';
import type { PanelContent } from '../../../common/panel-dialog.ts';
import { serviceInfoLoader } from '../../../common/service.ts';
import { accountApi, type AccountApi } from './api.ts';
import { chunkLoaded, loadChunk } from '../../../common/chunk-loader.ts';
import type { WizardParams } from './dialog.ts';

/** Dispatched on window once the start check has decided whether the wizard opens (`detail.wizard`). */
export const START_CHECKED_EVENT = 'esante-regify-start-checked';

type AccountChunk = typeof import('./account.chunk.ts');
/** The file build/build.mjs makes of ./account.chunk.ts. */
export const ACCOUNT_CHUNK_FILE = 'lu_esante_regify_account.js';

function accountChunk(): Promise<AccountChunk> {
  return loadChunk<AccountChunk>('lu_esante_regify', ACCOUNT_CHUNK_FILE);
}

/** The wizard dialog; while its part loads after a user's action, Zimbra's status line says so. */
async function showWizard(host: ZimletHost, params: WizardParams, userAction: boolean): Promise<boolean> {
  if (userAction && !chunkLoaded(ACCOUNT_CHUNK_FILE)) host.notify(host.msg('account_loading'));
  const chunk = await accountChunk();
  return chunk.showWizardDialog(host, params);
}

/**
 * Called once from the handler's init(): while the user has no account and has not ticked "Ne plus me
 * poser la question au démarrage", the creation wizard opens (guide p.5 note).
 */
export async function onWebmailStart(host: ZimletHost, api: AccountApi = accountApi(host)): Promise<void> {
  let wizard = false;
  let info: Awaited<ReturnType<AccountApi['get']>> | undefined;
  try {
    info = await api.get();
    wizard = info.state === 'none' && !info.dontAskAgain;
  } catch {
    // Service unreachable at start: say nothing now; the panel and an encrypted send will tell.
  }
  // The start check is decided: a page (the sandbox's e2e) can wait on this event instead of on time.
  window.dispatchEvent(new CustomEvent(START_CHECKED_EVENT, { detail: { wizard } }));
  // A part that cannot load at start is like an unreachable service: the menu and a send try again.
  if (wizard && info) await showWizard(host, { api, info, showOptOut: true }, false).catch(() => undefined);
}

/**
 * The content of the Regify panel window (opened from the panel item and its menu). The window opens
 * at once with a status line; the panel takes its place as soon as its part is loaded.
 */
export function createAccountWindow(host: ZimletHost): PanelContent {
  const api = accountApi(host);
  const box = document.createElement('div') as HTMLDivElement & PanelContent;
  let panel: HTMLElementTagNameMap['esante-regify-panel'] | undefined;
  let section: string | undefined;
  let loading = false;
  const status = (role: 'status' | 'alert', text: string) => {
    const p = document.createElement('p');
    p.setAttribute('role', role);
    p.textContent = text;
    box.replaceChildren(p);
  };
  box.opened = (wanted?: string) => {
    section = wanted;
    if (panel) return void panel.opened(section);
    if (loading) return;
    loading = true;
    status('status', host.msg('account_loading'));
    accountChunk().then(
      (chunk) => {
        panel = chunk.createPanelElement();
        panel.host = host;
        panel.api = api;
        panel.loadInfo = serviceInfoLoader(host);
        // "Vous pourrez toujours créer votre compte par la suite, en cliquant sur le menu Regify" (p.5).
        panel.openWizard = async () => {
          const info = await api.get();
          return info.state === 'none' ? chunk.showWizardDialog(host, { api, info, showOptOut: false }) : true;
        };
        box.replaceChildren(panel);
        void panel.opened(section);
      },
      (err: unknown) => {
        loading = false;
        // The next opening tries again.
        status('alert', faultText(err, host.lang));
      },
    );
  };
  // The dialog's OK / Annuler go to the panel once it is there (before, there is nothing to save).
  box.okPressed = async () => (panel ? panel.okPressed() : true);
  box.cancelPressed = () => panel?.cancelPressed();
  return box;
}

/**
 * Makes sure the user has an encryption account before an encrypted send: resolves true when they
 * have one (possibly just created through the wizard), false when they cancelled. A service failure
 * rejects with the ServiceFault (the caller shows its text).
 */
export async function ensureAccount(host: ZimletHost, api: AccountApi = accountApi(host)): Promise<boolean> {
  // An account is never deleted by its user: once seen, later sends skip the round trip (a send by a
  // user whose account an operator removed is still refused, by RegisterSecureMessage).
  if (accountSeen.has(host.username())) return true;
  const info = await api.get();
  if (info.state !== 'none') {
    accountSeen.add(host.username());
    return true;
  }
  const created = await showWizard(host, { api, info, showOptOut: false }, true);
  if (created) accountSeen.add(host.username());
  return created;
}

/** Users whose encryption account this page has seen (one user per webmail page; keyed for the tests). */
const accountSeen = new Set<string>();
