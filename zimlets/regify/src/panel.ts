/** What the regify panel shows: the account window (see ./account/). */
export { createAccountWindow as createPanel } from './account/index.ts';
