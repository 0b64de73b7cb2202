import { EsanteSignMenu } from './sign-menu.component.ts';

export { EsanteSignMenu };

EsanteSignMenu.define('esante-sign-menu');

declare global {
  interface HTMLElementTagNameMap {
    'esante-sign-menu': EsanteSignMenu;
  }
}
