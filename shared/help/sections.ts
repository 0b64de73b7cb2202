/**
 * The help page's sections (server-extension/src/help/) and the URL of one, for the zimlets' "Aide"
 * links: the page is served by the service, on Zimbra's origin, under SERVICE_BASE_PATH.
 */
import type { Lang } from '../i18n/lang.ts';
import { SERVICE_BASE_PATH } from '../paths.ts';

export const HELP_SECTIONS = ['regify-account', 'regify-options', 'send', 'sign', 'receive', 'prosearch', 'medical', 'security', 'webex'] as const;
export type HelpSection = (typeof HELP_SECTIONS)[number];

export const HELP_PATH = `${SERVICE_BASE_PATH}/help`;

/** `/service/extension/esante/help/de#prosearch` */
export function helpUrl(lang: Lang, section: HelpSection): string {
  return `${HELP_PATH}/${lang}#${section}`;
}

/** The help section of each zimlet's panel (its service-info feature name). */
export const PANEL_HELP: Readonly<Record<string, HelpSection>> = {
  // Keyed by the service feature each panel's "À propos" reports (GetServiceInfo.features).
  messages: 'regify-options',
  directory: 'prosearch',
  dsp: 'medical',
  signing: 'security',
  webex: 'webex',
};
