/**
 * Zimbra members the regify zimlet's account dialogs use beyond zimbra.d.ts (declaration merging).
 * zm-ajax WebRoot/js/ajax/dwt/widgets/DwtDialog.js: `registerCallback(buttonId, func, obj, args)` sets
 * what a standard button (and, for Cancel, the Escape key: DwtDialog.handleKeyAction) runs instead of
 * the default popdown; `setButtonEnabled(buttonId, enabled)`; `popup(loc, focusButtonId)`.
 * The sandbox emulates all three (sandbox/web/src/zimbra/dwt.ts).
 */
interface DwtDialog {
  registerCallback(buttonId: number, func: AjxCallback | ((...args: unknown[]) => unknown), obj?: object, args?: unknown): void;
  setButtonEnabled(buttonId: number, enabled: boolean): void;
}
