/**
 * The reader part of the regify zimlet, loaded when an encrypted message is first shown (issue 17:
 * a light start): the container opening, the MIME parsing, DOMPurify and the secure-message view with
 * its banners. Built into lu_esante_regify_reader.js by build/build.mjs; ./index.ts loads it with
 * zimlets/common/chunk-loader.ts.
 */
export { secureMessageElement } from './reader.ts';
