/**
 * When a plaintext draft could not be deleted after "Envoyer avec Regify" (sent or failed), the user is
 * told plainly where it is — the Drafts folder, under the message's subject — and offered to delete
 * it now (issue 10, defect 1). A modal alert dialog (native <dialog>: focus trapped, Esc = keep),
 * French/German/English texts from the zimlet's properties.
 */
import type { MailHost } from '../../../../shared/host/mail-port.ts';

/** Test hook: `#esante-regify-draft-left`, buttons `[data-action=delete|keep]`. */
export const DRAFT_LEFT_DIALOG_ID = 'esante-regify-draft-left';

export function offerDraftDeletion(host: MailHost, draftId: string, onDeleted?: () => void): void {
  document.getElementById(DRAFT_LEFT_DIALOG_ID)?.remove();
  const dialog = document.createElement('dialog');
  dialog.id = DRAFT_LEFT_DIALOG_ID;
  dialog.dataset['draftId'] = draftId;
  dialog.setAttribute('role', 'alertdialog');
  dialog.setAttribute('aria-labelledby', `${DRAFT_LEFT_DIALOG_ID}-title`);
  dialog.setAttribute('aria-describedby', `${DRAFT_LEFT_DIALOG_ID}-text`);
  const title = document.createElement('h2');
  title.id = `${DRAFT_LEFT_DIALOG_ID}-title`;
  title.textContent = host.msg('compose_draft_left_title');
  const text = document.createElement('p');
  text.id = `${DRAFT_LEFT_DIALOG_ID}-text`;
  text.textContent = host.msg('compose_draft_left');
  const status = document.createElement('p');
  status.setAttribute('role', 'status');
  const del = document.createElement('button');
  del.type = 'button';
  del.dataset['action'] = 'delete';
  del.textContent = host.msg('compose_draft_delete');
  const keep = document.createElement('button');
  keep.type = 'button';
  keep.dataset['action'] = 'keep';
  keep.textContent = host.msg('compose_draft_keep');
  const close = () => {
    dialog.close();
    dialog.remove();
  };
  keep.addEventListener('click', close);
  del.addEventListener('click', () => {
    del.disabled = true;
    host.deleteMessage(draftId).then(
      () => {
        onDeleted?.();
        close();
        host.notify(host.msg('compose_draft_deleted'));
      },
      () => {
        del.disabled = false;
        status.textContent = host.msg('compose_draft_delete_failed');
      },
    );
  });
  dialog.append(title, text, status, del, keep);
  document.body.appendChild(dialog);
  dialog.showModal();
  del.focus();
}
