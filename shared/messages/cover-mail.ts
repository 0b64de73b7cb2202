/**
 * The cover mail that carries an encrypted message (guide p.13, "Cas n°2"): a short text in French,
 * English and German, in that order as in the guide, naming the sender and giving the portal link
 * where a recipient without the secure messaging opens the attached container. Adapted to our own
 * product: the file is an eSanté secure message (`.esmsg`), opened in the eSanté secure messaging
 * or on its portal; the text never claims to be, or to need, regify software
 * (notes/standards-and-peers.md).
 *
 * Sent as multipart/alternative (RFC 2046 §5.1.4): the plain text first, read in any mail client,
 * then the same text in HTML, with each language section marked (`lang`) for screen readers and
 * translation tools. In both, the portal link stays visible as its URL (no "click here" hiding the
 * address, a phishing pattern) and each language's link opens the portal in that language (`?lang=`).
 */
import { escapeMarkup } from '../markup.ts';

export interface CoverMailParams {
  /** The sender as recipients know them, e.g. "Dr Josée WEBER"; never empty (falls back to the address). */
  senderName: string;
  senderMail: string;
  /** Absolute URL of the portal, `${origin}/service/extension/esante/portal/`. */
  portalUrl: string;
  /** The container's file name as attached, e.g. "message.esmsg". */
  fileName: string;
}

/** One line per language for the title: the cover mail is read before the recipient's language is known. */
export const COVER_TITLE = 'Message confidentiel – Confidential message – Vertrauliche Nachricht';

/** Removes line breaks and control characters: a display name must not be able to add lines to the text. */
function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim();
}

/** The portal link of one language: the portal page follows `?lang=` (messages/portal.ts). */
export function portalLinkFor(portalUrl: string, lang: 'fr' | 'en' | 'de'): string {
  const url = oneLine(portalUrl);
  return `${url}${url.includes('?') ? '&' : '?'}lang=${lang}`;
}

interface Section {
  lang: 'fr' | 'en' | 'de';
  heading: string;
  intro: string;
  user: string;
  otherwise: string;
  /** The three steps; `{url}` is where the link goes. */
  steps: [string, string, string];
}

function sections(file: string): Section[] {
  return [
    {
      lang: 'fr',
      heading: 'Français :',
      intro: `Le message confidentiel est joint à cet e-mail sous forme chiffrée (fichier ${file}). Il a été envoyé avec la Messagerie sécurisée eSanté.`,
      user: 'Si vous utilisez la Messagerie sécurisée eSanté, ouvrez simplement ce message : il est déchiffré et affiché automatiquement.',
      otherwise: 'Sinon, veuillez suivre ces étapes :',
      steps: [
        'Ouvrez le portail de la Messagerie sécurisée : {url}',
        'Créez gratuitement votre compte de chiffrement avec l’adresse e-mail à laquelle ce message vous a été envoyé.',
        'Enregistrez le fichier joint, puis ouvrez-le sur le portail : il est déchiffré dans votre navigateur.',
      ],
    },
    {
      lang: 'en',
      heading: 'English:',
      intro: `The confidential message is attached to this e-mail in encrypted form (file ${file}). It was sent with the eSanté secure messaging.`,
      user: 'If you use the eSanté secure messaging, simply open this message: it is decrypted and shown automatically.',
      otherwise: 'Otherwise, please follow these steps:',
      steps: [
        'Open the secure messaging portal: {url}',
        'Sign up for free for an encryption account with the e-mail address this message was sent to.',
        'Save the attached file, then open it on the portal: it is decrypted in your browser.',
      ],
    },
    {
      lang: 'de',
      heading: 'Deutsch:',
      intro: `Die vertrauliche Nachricht befindet sich verschlüsselt im Anhang zu dieser E-Mail (Datei ${file}). Sie wurde mit der sicheren eSanté-Nachrichtenübermittlung gesendet.`,
      user: 'Wenn Sie die sichere eSanté-Nachrichtenübermittlung nutzen, öffnen Sie diese Nachricht einfach: Sie wird automatisch entschlüsselt und angezeigt.',
      otherwise: 'Andernfalls führen Sie bitte folgende Schritte aus:',
      steps: [
        'Öffnen Sie das Portal der sicheren Nachrichtenübermittlung: {url}',
        'Melden Sie sich kostenlos für ein Verschlüsselungskonto an, mit der E-Mail-Adresse, an die diese Nachricht gesendet wurde.',
        'Speichern Sie die Datei im Anhang und öffnen Sie sie dann im Portal: Sie wird in Ihrem Browser entschlüsselt.',
      ],
    },
  ];
}

function senderLine(p: CoverMailParams): string {
  const mail = oneLine(p.senderMail);
  const name = oneLine(p.senderName) || mail;
  return name.toLowerCase() === mail.toLowerCase() ? mail : `${name} <${mail}>`;
}

/** The plain-text body of the cover mail (CRLF line ends are added by the mail server). */
export function coverMailText(p: CoverMailParams): string {
  const lines = [COVER_TITLE, '', `Expéditeur / Sender / Absender: ${senderLine(p)}`, ''];
  for (const s of sections(oneLine(p.fileName))) {
    const url = portalLinkFor(p.portalUrl, s.lang);
    lines.push(s.heading, s.intro, `- ${s.user}`, `- ${s.otherwise}`, ...s.steps.map((step, i) => `  ${i + 1}. ${step.replace('{url}', url)}`), '');
  }
  return lines.join('\n');
}

/** The HTML body: the same text, each language in its own `lang` section, the links shown as their URL. */
export function coverMailHtml(p: CoverMailParams): string {
  const out = [
    '<!doctype html><html><head><meta charset="utf-8"><title>' + escapeMarkup(COVER_TITLE) + '</title></head><body>',
    `<h1 style="font-size:1.2em">${escapeMarkup(COVER_TITLE)}</h1>`,
    `<p>Expéditeur / Sender / Absender: <strong>${escapeMarkup(senderLine(p))}</strong></p>`,
  ];
  for (const s of sections(oneLine(p.fileName))) {
    const url = escapeMarkup(portalLinkFor(p.portalUrl, s.lang));
    const steps = s.steps.map((step) => `<li>${escapeMarkup(step).replace('{url}', `<a href="${url}" hreflang="${s.lang}">${url}</a>`)}</li>`).join('');
    out.push(`<div lang="${s.lang}"><h2 style="font-size:1em">${escapeMarkup(s.heading)}</h2><p>${escapeMarkup(s.intro)}</p><ul><li>${escapeMarkup(s.user)}</li><li>${escapeMarkup(s.otherwise)}<ol>${steps}</ol></li></ul></div>`);
  }
  out.push('</body></html>');
  return out.join('\n');
}

/** The portal's address on this origin (served by the service under Zimbra's extension URL space). */
export function portalUrlFor(origin: string, serviceBasePath: string): string {
  return `${origin.replace(/\/+$/, '')}${serviceBasePath}/portal/`;
}
