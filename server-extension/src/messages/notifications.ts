/**
 * The three notification mails to the sender of an encrypted message (guide p.6, "Options"):
 * transmission (once per message), read (once per recipient, at the first open) and deadline
 * exceeded (once per recipient who had not opened by the read deadline). Written in the sender's
 * language (their Zimbra locale when they registered the message, French otherwise), plain text,
 * naming the message by its subject and date and the recipient concerned.
 */
import { formatDateTime } from '../../../shared/i18n/dates.ts';
import type { Lang } from '../../../shared/i18n/lang.ts';
import type { NotificationKind, SecureMessage } from '../store/index.ts';

export interface NotificationMail {
  to: string;
  subject: string;
  text: string;
}

/** Dates as the sender reads them: Luxembourg time, long form, in their language (shared/i18n/dates.ts). */
export function formatDate(iso: string, lang: Lang): string {
  return formatDateTime(iso, lang, 'long');
}

interface Facts {
  senderName: string;
  subject: string;
  /** When the message was sent (or registered, if never confirmed). */
  date: string;
  recipients: string;
  recipient: string;
  openedAt: string;
  deadline: string;
}

type Texts = Record<NotificationKind, { subject: (f: Facts) => string; body: (f: Facts) => string }>;

const SIGNATURE: Record<Lang, string> = {
  fr: '\n-- \nMessagerie sécurisée eSanté\nCe message a été envoyé automatiquement ; merci de ne pas y répondre.\n',
  de: '\n-- \nGesicherter Nachrichtendienst eSanté\nDiese Nachricht wurde automatisch gesendet; bitte antworten Sie nicht darauf.\n',
  en: '\n-- \neSanté secure messaging\nThis message was sent automatically; please do not reply to it.\n',
};

const TEXTS: Record<Lang, Texts> = {
  fr: {
    transmission: {
      subject: (f) => `Message chiffré envoyé : « ${f.subject} »`,
      body: (f) =>
        `Bonjour ${f.senderName},\n\nVotre message « ${f.subject} » du ${f.date} a été chiffré et envoyé à : ${f.recipients}.\n\n` +
        `Délai de lecture : ${f.deadline}. Vous serez averti(e) selon les options de votre compte de chiffrement.\n`,
    },
    read: {
      subject: (f) => `Message chiffré lu par ${f.recipient} : « ${f.subject} »`,
      body: (f) =>
        `Bonjour ${f.senderName},\n\n${f.recipient} a ouvert votre message chiffré « ${f.subject} » du ${f.date}, le ${f.openedAt}.\n`,
    },
    deadline: {
      subject: (f) => `Délai de lecture dépassé (${f.recipient}) : « ${f.subject} »`,
      body: (f) =>
        `Bonjour ${f.senderName},\n\n${f.recipient} n’a pas ouvert votre message chiffré « ${f.subject} » du ${f.date} ` +
        `avant la fin du délai de lecture (${f.deadline}).\n\nLe message reste lisible par ce destinataire après le délai. ` +
        `Si l’information est urgente, nous vous conseillons de le contacter par un autre moyen.\n`,
    },
  },
  de: {
    transmission: {
      subject: (f) => `Verschlüsselte Nachricht gesendet: „${f.subject}“`,
      body: (f) =>
        `Guten Tag ${f.senderName},\n\nIhre Nachricht „${f.subject}“ vom ${f.date} wurde verschlüsselt und gesendet an: ${f.recipients}.\n\n` +
        `Lesefrist: ${f.deadline}. Sie werden gemäß den Optionen Ihres Verschlüsselungskontos benachrichtigt.\n`,
    },
    read: {
      subject: (f) => `Verschlüsselte Nachricht gelesen von ${f.recipient}: „${f.subject}“`,
      body: (f) =>
        `Guten Tag ${f.senderName},\n\n${f.recipient} hat Ihre verschlüsselte Nachricht „${f.subject}“ vom ${f.date} am ${f.openedAt} geöffnet.\n`,
    },
    deadline: {
      subject: (f) => `Lesefrist überschritten (${f.recipient}): „${f.subject}“`,
      body: (f) =>
        `Guten Tag ${f.senderName},\n\n${f.recipient} hat Ihre verschlüsselte Nachricht „${f.subject}“ vom ${f.date} ` +
        `nicht vor Ablauf der Lesefrist (${f.deadline}) geöffnet.\n\nDie Nachricht bleibt für diesen Empfänger auch nach der Frist lesbar. ` +
        `Ist die Information dringend, empfehlen wir Ihnen, ihn auf anderem Weg zu kontaktieren.\n`,
    },
  },
  en: {
    transmission: {
      subject: (f) => `Encrypted message sent: “${f.subject}”`,
      body: (f) =>
        `Hello ${f.senderName},\n\nYour message “${f.subject}” of ${f.date} was encrypted and sent to: ${f.recipients}.\n\n` +
        `Read deadline: ${f.deadline}. You will be notified according to the options of your encryption account.\n`,
    },
    read: {
      subject: (f) => `Encrypted message read by ${f.recipient}: “${f.subject}”`,
      body: (f) => `Hello ${f.senderName},\n\n${f.recipient} opened your encrypted message “${f.subject}” of ${f.date} on ${f.openedAt}.\n`,
    },
    deadline: {
      subject: (f) => `Read deadline exceeded (${f.recipient}): “${f.subject}”`,
      body: (f) =>
        `Hello ${f.senderName},\n\n${f.recipient} has not opened your encrypted message “${f.subject}” of ${f.date} ` +
        `before the read deadline (${f.deadline}).\n\nThe message remains readable by this recipient after the deadline. ` +
        `If the information is urgent, we advise you to contact them another way.\n`,
    },
  },
};

/** Subjects are one header line: no line breaks, bounded. */
function oneLine(s: string, max = 200): string {
  const flat = s.replace(/[\r\n\t\u0000-\u001f\u007f]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** The mail of one notification job. `recipientKey` names the recipient for read/deadline. */
export function composeNotification(
  kind: NotificationKind,
  message: SecureMessage,
  subject: string,
  recipientKey: string | null,
): NotificationMail {
  const lang = message.senderLang;
  const recipient = message.recipients.find((r) => r.addressKey === recipientKey);
  if (kind !== 'transmission' && !recipient) throw new Error(`notification ${kind}: recipient not on the message`);
  const facts: Facts = {
    senderName: message.senderName ?? message.senderEmail,
    subject: oneLine(subject) || { fr: '(sans objet)', de: '(ohne Betreff)', en: '(no subject)' }[lang],
    date: formatDate(message.sentAt ?? message.createdAt, lang),
    recipients: message.recipients.map((r) => r.address).join(', '),
    recipient: recipient?.address ?? '',
    openedAt: recipient?.firstOpenedAt ? formatDate(recipient.firstOpenedAt, lang) : '',
    deadline: formatDate(message.readDeadline, lang),
  };
  const t = TEXTS[lang][kind];
  return { to: message.senderEmail, subject: oneLine(t.subject(facts), 300), text: t.body(facts) + SIGNATURE[lang] };
}
