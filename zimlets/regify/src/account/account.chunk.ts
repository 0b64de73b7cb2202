/**
 * The account part loaded when first needed (issue 17): the creation wizard (its ZmDialog), the
 * account window's Informations/Options panel and the password-strength meter with the zxcvbn-ts
 * dictionaries (shared/password/policy.ts, ~830 KB of the bundle). Built into
 * lu_esante_regify_account.js by build/build.mjs; ./index.ts loads it with zimlets/common/chunk-loader.ts.
 */
import '../components/regify-panel.ts';

export { showWizardDialog } from './dialog.ts';

/** A fresh account panel element (its custom element is defined by this chunk). */
export function createPanelElement(): HTMLElementTagNameMap['esante-regify-panel'] {
  return document.createElement('esante-regify-panel');
}
