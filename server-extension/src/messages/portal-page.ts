/** The portal page shell, its style sheet, and the registration-code mail (fr/de/en). */
import { LANGS, format, type Lang } from '../../../shared/i18n/lang.ts';
import { SERVICE_BASE_PATH } from '../../../shared/paths.ts';
import { PORTAL_TEXTS } from '../../../portal/src/i18n.ts';
import type { NotificationMail } from './notifications.ts';

const BASE = `${SERVICE_BASE_PATH}/portal`;

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** The shell; portal.js (portal/src/main.ts) builds the forms in the language of `<html lang>`. */
export function portalPage(lang: Lang, maxContainerBytes: number, keyService: string, codeMinutes: number): string {
  const t = PORTAL_TEXTS[lang];
  const switcher = LANGS.map((l) =>
    l === lang ? `<strong aria-current="true">${l.toUpperCase()}</strong>` : `<a href="${BASE}/?lang=${l}" hreflang="${l}" lang="${l}">${l.toUpperCase()}</a>`,
  ).join(' | ');
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(t.title)}</title>
<link rel="stylesheet" href="${BASE}/portal.css">
</head>
<body>
<header><h1>${escapeHtml(t.title)}</h1><nav aria-label="${escapeHtml(t.language)}">${switcher}</nav></header>
<main id="app" data-lang="${lang}" data-max-bytes="${maxContainerBytes}" data-code-minutes="${codeMinutes}" data-key-service="${escapeHtml(keyService)}" data-api="${BASE}/api">
<p>${escapeHtml(t.intro)}</p>
<noscript><p role="alert">${escapeHtml(t.noscript)}</p></noscript>
</main>
<script type="module" src="${BASE}/portal.js"></script>
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
button { margin-top: .8rem; padding: .5rem 1rem; font-size: 1rem; background: #00427a; color: #fff; border: 0; border-radius: 4px; cursor: pointer; }
button:focus-visible, a:focus-visible, input:focus-visible { outline: 3px solid #f0a500; outline-offset: 2px; }
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
