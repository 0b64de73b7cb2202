/**
 * A zimlet panel shown in a Zimbra dialog: the lit content lives in a DwtComposite used as the
 * ZmDialog's view (zm-web-client ZmDialog.js: `view` is a DwtControl; DwtComposite.getHtmlElement()).
 * The dialog is built once and reused; each `open()` lets the content refresh itself.
 */

/** What a panel's lit root must offer the dialog. */
export interface PanelContent extends HTMLElement {
  /** Called on every open, e.g. to reload data; `section` is the menu item that opened the panel, if any. */
  opened(section?: string): void;
  /**
   * When present, the dialog has "OK" and "Annuler" (the guide's Regify dialog, p.13: "les sauvegarder en
   * cliquant sur OK ou annuler vos modifications en cliquant sur Annuler") instead of a lone OK: OK asks
   * the content first and closes only when it answers true (e.g. the options were saved); Annuler lets the
   * content drop what was typed, then closes.
   */
  okPressed?(): Promise<boolean>;
  cancelPressed?(): void;
}

export class PanelDialog {
  private dialog: ZmDialog | undefined;
  private content: PanelContent | undefined;
  private readonly zimlet: ZmZimletBase;
  private readonly title: () => string;
  private readonly create: () => PanelContent;

  constructor(zimlet: ZmZimletBase, title: () => string, create: () => PanelContent) {
    this.zimlet = zimlet;
    this.title = title;
    this.create = create;
  }

  open(section?: string): void {
    if (!this.dialog || !this.content) {
      const shell = this.zimlet.getShell();
      const view = new DwtComposite(shell);
      this.content = this.create();
      view.getHtmlElement().appendChild(this.content);
      const content = this.content;
      const withCancel = typeof content.okPressed === 'function';
      this.dialog = new ZmDialog({ parent: shell, title: this.title(), view, standardButtons: withCancel ? [DwtDialog.OK_BUTTON, DwtDialog.CANCEL_BUTTON] : [DwtDialog.OK_BUTTON] });
      const dialog = this.dialog;
      dialog.setButtonListener(
        DwtDialog.OK_BUTTON,
        new AjxListener(null, () => {
          if (!withCancel) return dialog.popdown();
          void content.okPressed!().then((close) => close && dialog.popdown());
        }),
      );
      if (withCancel) {
        dialog.setButtonListener(
          DwtDialog.CANCEL_BUTTON,
          new AjxListener(null, () => {
            content.cancelPressed?.();
            dialog.popdown();
          }),
        );
      }
    }
    if (!this.dialog.isPoppedUp()) this.dialog.popup();
    this.content.opened(section);
  }

  close(): void {
    this.dialog?.popdown();
  }
}
