import { EsanteRegifyWizard } from './account-wizard.component.ts';

export { EsanteRegifyWizard };

EsanteRegifyWizard.define('esante-regify-wizard');

declare global {
  interface HTMLElementTagNameMap {
    'esante-regify-wizard': EsanteRegifyWizard;
  }
}
