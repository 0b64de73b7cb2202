/**
 * The cover mail that carries an encrypted message (guide p.13, "Cas n°2"): a short text in French,
 * English and German, in that order as in the guide, naming the sender and giving the portal link
 * where a recipient without the secure messaging opens the attached container. Adapted to our own
 * product: the file is an eSanté secure message (`.esmsg`), opened in the eSanté secure messaging
 * or on its portal; the text never claims to be, or to need, regify software
 * (notes/standards-and-peers.md).
 *
 * Plain text only: it is read in any mail client, including ones that do not render HTML, and the
 * portal link stays visible as a URL (no "click here" hiding the address, a phishing pattern).
 */

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

/** The body of the cover mail (CRLF line ends are added by the mail server). */
export function coverMailText(p: CoverMailParams): string {
  const mail = oneLine(p.senderMail);
  const name = oneLine(p.senderName) || mail;
  const sender = name.toLowerCase() === mail.toLowerCase() ? mail : `${name} <${mail}>`;
  const file = oneLine(p.fileName);
  const url = oneLine(p.portalUrl);
  return [
    COVER_TITLE,
    '',
    `Expéditeur / Sender / Absender: ${sender}`,
    '',
    'Français :',
    `Le message confidentiel est joint à cet e-mail sous forme chiffrée (fichier ${file}). Il a été envoyé avec la Messagerie sécurisée eSanté.`,
    '- Si vous utilisez la Messagerie sécurisée eSanté, ouvrez simplement ce message : il est déchiffré et affiché automatiquement.',
    '- Sinon, veuillez suivre ces étapes :',
    `  1. Ouvrez le portail de la Messagerie sécurisée : ${url}`,
    '  2. Créez gratuitement votre compte de chiffrement avec l’adresse e-mail à laquelle ce message vous a été envoyé.',
    '  3. Enregistrez le fichier joint, puis ouvrez-le sur le portail : il est déchiffré dans votre navigateur.',
    '',
    'English:',
    `The confidential message is attached to this e-mail in encrypted form (file ${file}). It was sent with the eSanté secure messaging.`,
    '- If you use the eSanté secure messaging, simply open this message: it is decrypted and shown automatically.',
    '- Otherwise, please follow these steps:',
    `  1. Open the secure messaging portal: ${url}`,
    '  2. Sign up for free for an encryption account with the e-mail address this message was sent to.',
    '  3. Save the attached file, then open it on the portal: it is decrypted in your browser.',
    '',
    'Deutsch:',
    `Die vertrauliche Nachricht befindet sich verschlüsselt im Anhang zu dieser E-Mail (Datei ${file}). Sie wurde mit der sicheren eSanté-Nachrichtenübermittlung gesendet.`,
    '- Wenn Sie die sichere eSanté-Nachrichtenübermittlung nutzen, öffnen Sie diese Nachricht einfach: Sie wird automatisch entschlüsselt und angezeigt.',
    '- Andernfalls führen Sie bitte folgende Schritte aus:',
    `  1. Öffnen Sie das Portal der sicheren Nachrichtenübermittlung: ${url}`,
    '  2. Melden Sie sich kostenlos für ein Verschlüsselungskonto an, mit der E-Mail-Adresse, an die diese Nachricht gesendet wurde.',
    '  3. Speichern Sie die Datei im Anhang und öffnen Sie sie dann im Portal: Sie wird in Ihrem Browser entschlüsselt.',
    '',
  ].join('\n');
}

/** The portal's address on this origin (served by the service under Zimbra's extension URL space). */
export function portalUrlFor(origin: string, serviceBasePath: string): string {
  return `${origin.replace(/\/+$/, '')}${serviceBasePath}/portal/`;
}
