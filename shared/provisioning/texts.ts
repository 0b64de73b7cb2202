/**
 * Texts of the page the service shows when a login from the eSanté portal is refused (the reason
 * itself is the error code's text, shared/provisioning/errors.ts). French first, like the guide.
 */
import type { Lang } from '../i18n/lang.ts';

export const ssoPageTexts = {
  title: {
    fr: 'Messagerie sécurisée eSanté',
    de: 'Gesicherter Nachrichtendienst eSanté',
    en: 'eSanté secure messaging',
  },
  heading: {
    fr: 'Accès à la messagerie sécurisée impossible',
    de: 'Zugang zum gesicherten Nachrichtendienst nicht möglich',
    en: 'Secure messaging cannot be opened',
  },
  back: {
    fr: 'Retour au portail eSanté',
    de: 'Zurück zum eSanté-Portal',
    en: 'Back to the eSanté portal',
  },
  code: {
    fr: 'Code à communiquer au helpdesk',
    de: 'Code für den Helpdesk',
    en: 'Code for the helpdesk',
  },
} as const satisfies Record<string, Record<Lang, string>>;
