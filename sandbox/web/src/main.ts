/**
 * Entry of the sandbox webmail bundle (`/js/webmail.js`, esbuild IIFE). It puts the Zimbra classic
 * globals zimlets use on `window` (before the zimlets' script loads), asks GetInfoRequest for the
 * session like zm-web-client's launchZCS.jsp/ZmZimbraMail do, then builds the webmail.
 * The list of globals is the zimlets' contract (zimlets/README.md); nothing more is emulated.
 */
import { AjxCallback, AjxListener, AjxEmailAddress, AjxVector } from './zimbra/ajx.ts';
import { DwtControl, DwtComposite, DwtButton, DwtDialog, DwtDialog_ButtonDescriptor, ZmButtonToolBar, ZmDialog } from './zimbra/dwt.ts';
import { ZmZimletBase } from './zimbra/zimlet-base.ts';
import { ZmSetting, ZmApp, ZmOperation, ZmId } from './zimbra/app-ctxt.ts';
import { ZmMailMsg } from './zimbra/mail-msg.ts';
import { ZmCsfeException, sendSoap } from './zimbra/soap.ts';
import { Webmail, type ChildWindowSetup } from './webmail.ts';
import { setStatus, showError } from './ui/notify.ts';
import { t } from './i18n.ts';

const win = window as unknown as Window & Record<string, any>;

Object.assign(win, {
  AjxCallback,
  AjxListener,
  AjxEmailAddress,
  AjxVector,
  DwtControl,
  DwtComposite,
  DwtButton,
  DwtDialog,
  DwtDialog_ButtonDescriptor,
  ZmButtonToolBar,
  ZmDialog,
  ZmZimletBase,
  ZmSetting,
  ZmApp,
  ZmOperation,
  ZmId,
  ZmMailMsg,
  ZmCsfeException,
});

async function boot(): Promise<void> {
  const csrfToken = () => String(win['csrfToken'] ?? '');
  let info: any;
  try {
    const body = await sendSoap({ GetInfoRequest: { _jsns: 'urn:zimbraAccount' } }, { csrfToken });
    info = body['GetInfoResponse'];
  } catch (e) {
    const ex = e as ZmCsfeException;
    if (ex.code === 'service.AUTH_REQUIRED' || ex.code === 'service.AUTH_EXPIRED') {
      win.location.assign('/');
      return;
    }
    showError({ errMsg: t('error_soap', ex.msg ?? String(e)), details: ex.code });
    return;
  }
  let child: ChildWindowSetup | undefined;
  if (win.location.pathname === '/public/launchNewWindow.jsp') {
    // ZmNewWindow.startup (core/ZmNewWindow.js:174-182, :223-228): the command is read from the opener.
    child = childSetup();
    if (!child) {
      showError({ errMsg: t('child_no_command') });
      document.body.dataset['ready'] = 'true';
      return;
    }
    // launchNewWindow.jsp exposes the opener's appCtxt and controller to the child.
    win['parentAppCtxt'] = child.parentAppCtxt;
    win['parentController'] = child.parentAppCtxt.getAppController();
  }
  const webmail = new Webmail(info, win, child);
  win['appCtxt'] = webmail.appCtxt;
  // For e2e tests and debugging in the sandbox only (Zimbra has no such global).
  win['__webmail'] = webmail;
  try {
    await webmail.start();
  } finally {
    document.body.dataset['ready'] = 'true';
  }
}

/** The opener's record of this window: `command` / `params` (ZmZimbraMail.getChildWindow). */
function childSetup(): ChildWindowSetup | undefined {
  let parentAppCtxt: any;
  try {
    parentAppCtxt = (win.opener as (Window & Record<string, any>) | null)?.['appCtxt'];
  } catch {
    return undefined; // another origin
  }
  const obj = parentAppCtxt?.getAppController?.().getChildWindow?.(win);
  const command = obj?.command;
  if (command !== 'composeDetach' && command !== 'msgViewDetach') return undefined;
  return { target: command === 'composeDetach' ? 'compose-window' : 'view-window', command, params: obj.params ?? {}, parentAppCtxt };
}

window.addEventListener('error', (ev) => {
  // A zimlet script error must not go unnoticed, nor break the page.
  console.error('Uncaught error', ev.error ?? ev.message);
});

boot().catch((e) => {
  console.error(e);
  setStatus(String((e as Error)?.message ?? e), 3);
});
