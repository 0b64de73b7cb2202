/**
 * The prosearch window's content, loaded when the window first opens (issue 17: a light start): the
 * search panel's lit components and the directory calls. Built into lu_esante_prosearch_panel.js by
 * build/build.mjs; the handler opens it through zimlets/common/lazy-panel.ts.
 */
export { createPanel } from './panel.ts';
