/**
 * The wizard in a Zimbra dialog: `showWizardDialog(host, params)` resolves true once the account is
 * created, false when the user cancels (Annuler, Escape) or opts out. One ZmDialog (zm-web-client
 * ZmDialog.js) with the standard OK and Cancel buttons; the lit wizard is its view (a DwtComposite).
 * Cancel runs the callback set with DwtDialog.registerCallback (zm-ajax DwtDialog.js
 * `_runCallbackForButtonId`), which Escape also runs (DwtDialog.handleKeyAction), so one callback
 * covers mouse and keyboard; OK has ZmDialog's own listener, replaced with setButtonListener.
 * The dialog is built once per page and reused.
 * (pattern: home-assistant/frontend `src/dialogs/generic/show-dialog-box.ts`)
 */
import type { ZimletHost } from '../../../../shared/host/zimlet-host.ts';
import '../components/account-wizard.ts';
import type { EsanteRegifyWizard } from '../components/account-wizard.component.ts';
import type { AccountApi, AccountInfo } from './api.ts';

/** Dialog id: buttons are `#esante-regify-wizard-dialog_button2` (OK) and `_button1` (Annuler). */
export const WIZARD_DIALOG_ID = 'esante-regify-wizard-dialog';

export interface WizardParams {
  api: AccountApi;
  info: AccountInfo;
  /** Offer "Ne plus me poser la question au démarrage" (webmail start only). */
  showOptOut: boolean;
}

let built: { dialog: ZmDialog; wizard: EsanteRegifyWizard } | undefined;
let pending: Promise<boolean> | undefined;

export function showWizardDialog(host: ZimletHost, params: WizardParams): Promise<boolean> {
  // Opened twice (start + an encrypted send): both wait for the same dialog.
  pending ??= open(host, params).finally(() => {
    pending = undefined;
  });
  return pending;
}

function open(host: ZimletHost, params: WizardParams): Promise<boolean> {
  if (!built) {
    const shell = appCtxt.getShell();
    const view = new DwtComposite(shell);
    const wizard = document.createElement('esante-regify-wizard');
    view.getHtmlElement().appendChild(wizard);
    const dialog = new ZmDialog({
      parent: shell,
      title: host.msg('wizard_title'),
      view,
      standardButtons: [DwtDialog.OK_BUTTON, DwtDialog.CANCEL_BUTTON],
      id: WIZARD_DIALOG_ID,
    });
    built = { dialog, wizard };
  }
  const { dialog, wizard } = built;
  // A fresh element state for each opening: no password stays in the DOM after a close.
  const fresh = document.createElement('esante-regify-wizard');
  wizard.replaceWith(fresh);
  built.wizard = fresh;
  fresh.host = host;
  fresh.api = params.api;
  fresh.info = params.info;
  fresh.showOptOut = params.showOptOut;

  return new Promise<boolean>((resolve) => {
    let done = false;
    const finish = (created: boolean) => {
      if (done) return;
      done = true;
      dialog.popdown();
      // Drop what was typed: an empty element takes the wizard's place until the next opening.
      const blank = document.createElement('esante-regify-wizard');
      fresh.replaceWith(blank);
      built!.wizard = blank;
      resolve(created);
    };
    const ok = async () => {
      dialog.setButtonEnabled(DwtDialog.OK_BUTTON, false);
      try {
        const outcome = await fresh.submit();
        if (outcome === 'created') {
          host.notify(host.msg('wizard_created'));
          finish(true);
        } else if (outcome === 'opted-out') {
          finish(false);
        }
      } finally {
        if (!done) dialog.setButtonEnabled(DwtDialog.OK_BUTTON, true);
      }
    };
    fresh.addEventListener('esante-wizard-submit', () => void ok());
    // ZmDialog gives OK its own listener (zm-web-client ZmDialog.js: setButtonListener(OK_BUTTON,
    // _okButtonListener) = popdown), so OK is replaced the same way; Cancel keeps DwtDialog's callback.
    dialog.setButtonListener(DwtDialog.OK_BUTTON, new AjxListener(null, () => void ok()));
    // A plain function: every DwtDialog.registerCallback version accepts one (older ones wrap it in an
    // AjxCallback themselves, and would break on an AjxCallback passed as `func`).
    dialog.registerCallback(DwtDialog.CANCEL_BUTTON, () => finish(false));
    dialog.popup();
    void fresh.updateComplete.then(() => fresh.focusFirst());
  });
}
