/**
 * Status messages and the error dialog: `appCtxt.setStatusMsg(msg, level)` (zm-web-client
 * `ZmAppCtxt.js` -> ZmStatusView toast) and `appCtxt.showError({errMsg, details, title})`
 * (`ZmAppCtxt.js` -> ZmErrorDialog). The status line is an ARIA live region so screen readers
 * announce it; errors are a modal alert dialog.
 */
import { h } from './dom.ts';
import { DwtDialog } from '../zimbra/dwt.ts';
import { t } from '../i18n.ts';

/** ZmStatusView levels: 1 info, 2 warning, 3 critical. */
export type StatusLevel = 1 | 2 | 3;

let toastTimer: ReturnType<typeof setTimeout> | undefined;

export function setStatus(message: string, level: StatusLevel = 1): void {
  const el = document.getElementById('zm-status');
  if (!el) return;
  el.textContent = message;
  el.dataset['level'] = String(level);
  el.classList.add('visible');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => el.classList.remove('visible'), level === 1 ? 5000 : 9000);
}

let errorDialog: InstanceType<typeof DwtDialog> | null = null;

export interface ShowErrorParams {
  errMsg: string;
  details?: string;
  title?: string;
  /** Runs after the user closed the dialog. */
  onClose?: () => void;
}

/** One reusable error dialog (`#zm-error-dialog`, OK button `#zm-error-dialog_button2`). */
export function showError(params: ShowErrorParams): void {
  if (!errorDialog) {
    errorDialog = new DwtDialog({ id: 'zm-error-dialog', standardButtons: [DwtDialog.OK_BUTTON], className: 'DwtDialog ZmErrorDialog' });
    errorDialog.getHtmlElement().setAttribute('role', 'alertdialog');
    errorDialog.getHtmlElement().setAttribute('aria-describedby', 'zm-error-message');
  }
  const dlg = errorDialog;
  dlg.setTitle(params.title || t('error_title'));
  const body = h('div', { class: 'ZmErrorBody' }, h('p', { id: 'zm-error-message' }, String(params.errMsg ?? '')));
  if (params.details) {
    body.append(h('details', {}, h('summary', {}, t('error_details')), h('pre', { id: 'zm-error-details' }, String(params.details))));
  }
  dlg._contentDiv.replaceChildren(body);
  dlg.registerCallback(DwtDialog.OK_BUTTON, () => {
    dlg.popdown();
    params.onClose?.();
  });
  dlg.popup(undefined, DwtDialog.OK_BUTTON);
}
