/**
 * The medical zimlet's part loaded when first needed (issue 17: a light start): the assistant panel
 * (lit components, DSP calls) and the reading of a message's documents (XDM packages, fflate).
 * Built into lu_esante_medical_panel.js by build/build.mjs; the handler loads it when the window
 * opens or "Ajouter au DSP" is clicked (zimlets/common/lazy-panel.ts, chunk-loader.ts).
 */
export { createPanel } from './panel.ts';
export { buildMailContext } from './documents/mail-context.ts';
