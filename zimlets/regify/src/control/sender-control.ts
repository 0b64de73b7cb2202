import { RegifySenderControl } from './sender-control.component.ts';

export { RegifySenderControl };

RegifySenderControl.define('esante-regify-sender-control');

declare global {
  interface HTMLElementTagNameMap {
    'esante-regify-sender-control': RegifySenderControl;
  }
}
