/** The portal page shell, its style sheet, and the registration-code mail (fr/de/en). */
import { LANGS, format, type Lang } from '../../../shared/i18n/lang.ts';
import { escapeMarkup as escapeHtml } from '../../../shared/markup.ts';
import { SERVICE_BASE_PATH } from '../../../shared/paths.ts';
import { PORTAL_TEXTS } from '../../../shared/messages/portal-texts.ts';
import type { NotificationMail } from './notifications.ts';

const BASE = `${SERVICE_BASE_PATH}/portal`;

/** The shell; portal.js (portal/src/main.ts) builds the forms in the language of `<html lang>`. */
export function portalPage(lang: Lang, maxContainerBytes: number, keyService: string, codeMinutes: number, replyMaxBytes = maxContainerBytes): string {
  const t = PORTAL_TEXTS[lang];
  const switcher = LANGS.map((l) =>
    l === lang ? `<strong aria-current="true">${l.toUpperCase()}</strong>` : `<a href="${BASE}/?lang=${l}" hreflang="${l}" lang="${l}">${l.toUpperCase()}</a>`,
  ).join(' | ');
  return pageShell(
    lang,
    t.title,
    `<nav aria-label="${escapeHtml(t.language)}">${switcher}</nav>`,
    `<main id="app" data-lang="${lang}" data-max-bytes="${maxContainerBytes}" data-reply-max-bytes="${replyMaxBytes}" data-code-minutes="${codeMinutes}" data-key-service="${escapeHtml(keyService)}" data-api="${BASE}/api">
<p>${escapeHtml(t.intro)}</p>
<noscript><p role="alert">${escapeHtml(t.noscript)}</p></noscript>
</main>
<script type="module" src="${BASE}/portal.js"></script>`,
  );
}

/** The document around a portal page: language, title, the portal's sheet, a header. */
function pageShell(lang: Lang, title: string, headerExtra: string, body: string): string {
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="${BASE}/portal.css">
</head>
<body>
<header><h1>${escapeHtml(title)}</h1>${headerExtra}</header>
${body}
</body>
</html>
`;
}

export const PORTAL_CSS = `
:root { font-family: system-ui, "Segoe UI", Arial, sans-serif; color: #1b1b1b; background: #f5f7fa; }
body { margin: 0 auto; max-width: 56rem; padding: 1rem; }
header { display: flex; justify-content: space-between; align-items: baseline; flex-wrap: wrap; gap: 1rem; }
h1 { font-size: 1.4rem; color: #00427a; }
section { background: #fff; border: 1px solid #d0d7de; border-radius: 6px; padding: 1rem; margin: 1rem 0; }
label { display: block; margin: .6rem 0 .2rem; font-weight: 600; }
input[type=email], input[type=text], input[type=password] { width: 100%; max-width: 24rem; padding: .4rem; font-size: 1rem; }
textarea { width: 100%; min-height: 10rem; padding: .4rem; font: inherit; box-sizing: border-box; }
button.secondary { background: #fff; color: #00427a; border: 1px solid #00427a; margin-left: .5rem; }
.reply { border-top: 1px solid #d0d7de; margin-top: 1rem; padding-top: .5rem; }
.success { color: #1b5e20; font-weight: 600; }
button { margin-top: .8rem; padding: .5rem 1rem; font-size: 1rem; background: #00427a; color: #fff; border: 0; border-radius: 4px; cursor: pointer; }
button:focus-visible, a:focus-visible, input:focus-visible, textarea:focus-visible { outline: 3px solid #f0a500; outline-offset: 2px; }
.hint { font-size: .9rem; color: #555; }
.error { color: #a40000; font-weight: 600; }
.banner { padding: .5rem .8rem; border-radius: 4px; margin: .3rem 0; background: #e6f0fa; border-left: 4px solid #00427a; }
.banner.level { background: #eaf7ea; border-left-color: #2e7d32; }
dl.headers { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
dl.headers dt { font-weight: 600; }
dl.headers .warn { color: #a40000; }
iframe.body { width: 100%; min-height: 24rem; border: 1px solid #d0d7de; background: #fff; }
pre.body { white-space: pre-wrap; word-wrap: break-word; background: #fff; border: 1px solid #d0d7de; padding: .8rem; }
`;

const CODE_MAIL: Record<Lang, { subject: string; code: string; exists: string; end: string }> = {
  fr: {
    subject: 'Votre code de confirmation — Messagerie sécurisée eSanté',
    code: 'Bonjour,\n\nPour confirmer votre adresse e-mail sur le portail de la messagerie sécurisée eSanté, saisissez ce code :\n\n    {0}\n\nIl est valable {1} minutes. Portail : {2}\n',
    exists: 'Bonjour,\n\nUn code d’inscription a été demandé pour cette adresse, mais un compte existe déjà : connectez-vous sur {2} avec votre mot de passe.\n',
    end: '\nSi vous n’êtes pas à l’origine de cette demande, ignorez ce message.\n-- \nMessagerie sécurisée eSanté\n',
  },
  de: {
    subject: 'Ihr Bestätigungscode — Gesicherter Nachrichtendienst eSanté',
    code: 'Guten Tag,\n\num Ihre E-Mail-Adresse im Portal des gesicherten Nachrichtendienstes eSanté zu bestätigen, geben Sie diesen Code ein:\n\n    {0}\n\nEr ist {1} Minuten gültig. Portal: {2}\n',
    exists: 'Guten Tag,\n\nfür diese Adresse wurde ein Registrierungscode angefordert, es besteht jedoch bereits ein Konto: Melden Sie sich unter {2} mit Ihrem Passwort an.\n',
    end: '\nFalls Sie dies nicht angefordert haben, ignorieren Sie diese Nachricht.\n-- \nGesicherter Nachrichtendienst eSanté\n',
  },
  en: {
    subject: 'Your confirmation code — eSanté secure messaging',
    code: 'Hello,\n\nTo confirm your e-mail address on the eSanté secure messaging portal, enter this code:\n\n    {0}\n\nIt is valid for {1} minutes. Portal: {2}\n',
    exists: 'Hello,\n\nA sign-up code was requested for this address, but an account already exists: log in at {2} with your password.\n',
    end: '\nIf you did not ask for this, ignore this message.\n-- \neSanté secure messaging\n',
  },
};

/** The mail proving an address: the code, or (account exists) a pointer to log in instead. */
export function portalCodeMail(to: string, code: string | null, lang: Lang, portalUrl: string, minutes: number): NotificationMail {
  const t = CODE_MAIL[lang];
  return { to, subject: t.subject, text: format(code ? t.code : t.exists, code ?? '', minutes, portalUrl) + t.end };
}

const LINK: Record<Lang, { subject: string; body: string; end: string; title: string; intro: string; button: string; invalid: string; back: string }> = {
  fr: {
    subject: 'Votre lien de connexion — Messagerie sécurisée eSanté',
    body: 'Bonjour,\n\nDe nombreuses tentatives de connexion ont échoué pour votre adresse depuis d’autres appareils. Pour vous protéger, la connexion passe pour le moment par ce lien à usage unique, valable {1} minutes :\n\n    {0}\n\nVotre mot de passe n’a pas été communiqué à ces appareils.\n',
    end: '\nSi vous n’avez pas essayé de vous connecter, ignorez ce message : personne ne peut utiliser ce lien sans votre boîte e-mail.\n-- \nMessagerie sécurisée eSanté\n',
    title: 'Connexion par lien',
    intro: 'Confirmez la connexion au portail de la messagerie sécurisée eSanté.',
    button: 'Se connecter',
    invalid: 'Ce lien de connexion n’est plus valable (déjà utilisé ou expiré). Connectez-vous à nouveau pour en recevoir un autre.',
    back: 'Retour au portail',
  },
  de: {
    subject: 'Ihr Anmeldelink — Gesicherter Nachrichtendienst eSanté',
    body: 'Guten Tag,\n\nfür Ihre Adresse sind von anderen Geräten viele Anmeldeversuche fehlgeschlagen. Zu Ihrem Schutz erfolgt die Anmeldung derzeit über diesen Einmal-Link, gültig {1} Minuten:\n\n    {0}\n\nIhr Passwort wurde diesen Geräten nicht bekannt gegeben.\n',
    end: '\nFalls Sie sich nicht anmelden wollten, ignorieren Sie diese Nachricht: Ohne Ihr E-Mail-Postfach kann niemand diesen Link verwenden.\n-- \nGesicherter Nachrichtendienst eSanté\n',
    title: 'Anmeldung per Link',
    intro: 'Bestätigen Sie die Anmeldung am Portal des gesicherten Nachrichtendienstes eSanté.',
    button: 'Anmelden',
    invalid: 'Dieser Anmeldelink ist nicht mehr gültig (bereits verwendet oder abgelaufen). Melden Sie sich erneut an, um einen neuen zu erhalten.',
    back: 'Zurück zum Portal',
  },
  en: {
    subject: 'Your log-in link — eSanté secure messaging',
    body: 'Hello,\n\nMany log-in attempts for your address failed from other devices. To protect you, logging in currently works with this one-time link, valid for {1} minutes:\n\n    {0}\n\nYour password was not revealed to those devices.\n',
    end: '\nIf you did not try to log in, ignore this message: nobody can use this link without your mailbox.\n-- \neSanté secure messaging\n',
    title: 'Log in with a link',
    intro: 'Confirm logging in to the eSanté secure messaging portal.',
    button: 'Log in',
    invalid: 'This log-in link is no longer valid (already used or expired). Log in again to receive a new one.',
    back: 'Back to the portal',
  },
};

/** The one-time log-in link mailed while an address is under attack (issue 15 b). */
export function loginLinkMail(to: string, link: string, lang: Lang, minutes: number): NotificationMail {
  const t = LINK[lang];
  return { to, subject: t.subject, text: format(t.body, link, minutes) + t.end };
}

/**
 * The link's page: a plain form (no script, so it works under the strictest policy) whose POST uses
 * the link; `token` null shows why the link no longer works.
 */
export function loginLinkPage(lang: Lang, token: string | null, action: string): string {
  const t = LINK[lang];
  const main = token
    ? `<p>${escapeHtml(t.intro)}</p>
<form method="post" action="${escapeHtml(action)}"><input type="hidden" name="token" value="${escapeHtml(token)}"><button type="submit">${escapeHtml(t.button)}</button></form>`
    : `<p role="alert" class="error">${escapeHtml(t.invalid)}</p>`;
  return pageShell(lang, t.title, '', `<main>
${main}
<p><a href="${BASE}/?lang=${lang}">${escapeHtml(t.back)}</a></p>
</main>`);
}
