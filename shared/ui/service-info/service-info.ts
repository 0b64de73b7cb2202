import { EsanteServiceInfo } from './service-info.component.ts';

export { EsanteServiceInfo };
export type { ServiceInfo, ServiceInfoLoader } from './service-info.component.ts';

/** Shared by all five zimlets: the guarded define makes the second bundle's registration a no-op. */
EsanteServiceInfo.define('esante-service-info');

declare global {
  interface HTMLElementTagNameMap {
    'esante-service-info': EsanteServiceInfo;
  }
}
