/**
 * The sending part of the regify zimlet, loaded when a compose view first opens (issue 17: a light
 * start), so it is there by the time "Envoyer avec Regify" is clicked: the send flow, the sealing of
 * the container, the progress dialog. Built into lu_esante_regify_compose.js by build/build.mjs;
 * ./index.ts loads it with zimlets/common/chunk-loader.ts.
 */
export { sendWithRegify } from './compose.ts';
