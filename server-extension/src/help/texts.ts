/**
 * The help page's texts (guide p.29: "une aide contextuelle est disponible depuis la boîte mail"),
 * one section per panel or dialog, French first, then German and English. Section ids are what the
 * zimlets' "Aide" links point at (shared/help/sections.ts).
 */
import type { Lang } from '../../../shared/i18n/lang.ts';
import type { HelpSection } from '../../../shared/help/sections.ts';

export interface HelpTexts {
  title: string;
  intro: string;
  helpdesk: string;
  phone: string;
  mail: string;
  sections: Record<HelpSection, { title: string; paragraphs: string[] }>;
}

const fr: HelpTexts = {
  title: 'Aide — messagerie sécurisée eSanté',
  intro: 'Cette page explique chaque fenêtre de la messagerie sécurisée. Le guide complet est le « Quickguide professionnel de santé ».',
  helpdesk: 'Une question ? Contactez le helpdesk de l’Agence eSanté',
  phone: 'Téléphone',
  mail: 'E-mail',
  sections: {
    'regify-account': {
      title: 'Créer votre compte Regify',
      paragraphs: [
        'Au premier démarrage, la messagerie vous propose de créer votre compte Regify : il chiffre vos messages et vous identifie auprès de leurs destinataires.',
        'Choisissez un mot de passe d’au moins 8 caractères, avec des chiffres, des minuscules, des majuscules et des caractères spéciaux. Retenez-le : il sert aussi dans Outlook ou Thunderbird.',
        '« Ne plus me poser la question au démarrage » : cochez-le si vous ne chiffrez pas vos mails ; vous pourrez créer le compte plus tard depuis le menu Regify.',
      ],
    },
    'regify-options': {
      title: 'Modifier votre compte Regify (Options et Informations)',
      paragraphs: [
        'Options : changez votre nom complet ou votre mot de passe. Informations : la date de création de votre compte et votre niveau d’authentification.',
        'Après trop de mots de passe erronés, le compte est bloqué un moment ; votre code de déblocage le débloque tout de suite.',
      ],
    },
    send: {
      title: 'Envoyer un message sécurisé',
      paragraphs: [
        '« Envoyer avec Regify » chiffre le message et ses pièces jointes dans votre navigateur avant l’envoi : seuls les destinataires peuvent le lire. « Envoyer » l’envoie en clair.',
        'Un destinataire hors de la messagerie eSanté reçoit un mail en français, anglais et allemand avec le message en pièce jointe et un lien vers le portail où il s’inscrit gratuitement pour le lire.',
        'Le délai de lecture vous prévient si un destinataire n’a pas ouvert le message à temps.',
      ],
    },
    sign: {
      title: 'Signer un message',
      paragraphs: [
        '« Signer » ajoute votre signature électronique : le destinataire sait que le message vient de vous et n’a pas été modifié.',
        'La signature demande une connexion avec votre carte LuxTrust ; en connexion de secours, elle n’est pas possible.',
      ],
    },
    receive: {
      title: 'Recevoir un message sécurisé',
      paragraphs: [
        'Un message chiffré s’ouvre dans la messagerie, sous ses bandeaux : « Message chiffré avec Regify », le niveau d’authentification de l’émetteur et, s’il est signé, la signature.',
        'Les images distantes ne sont pas affichées tant que vous ne le demandez pas : les charger dirait à l’émetteur quand et d’où vous lisez le message.',
      ],
    },
    prosearch: {
      title: 'Recherche de professionnels',
      paragraphs: [
        'Cherchez un professionnel de santé par son nom OU son identifiant, affinez par profession, spécialité, localité ou établissement.',
        'Sa fiche permet de l’ajouter à vos contacts ou comme destinataire (À, Cc, Cci) du message en cours.',
      ],
    },
    medical: {
      title: 'Assistant message médical',
      paragraphs: [
        '« Ajouter au DSP » dépose les documents d’un message dans le Dossier de Soins Partagé du patient : trouvez le patient par son matricule ou par nom et date de naissance, vérifiez les informations proposées, puis déposez chaque document.',
        'Un document déjà déposé pour ce patient est signalé « Déjà déposé » et n’est pas envoyé une seconde fois.',
      ],
    },
    security: {
      title: 'Gestionnaire de sécurité',
      paragraphs: [
        'Il montre votre mode de connexion, votre certificat de signature et les autorités de confiance, et permet de tester votre signature sans rien envoyer.',
      ],
    },
    webex: {
      title: 'WebEx',
      paragraphs: ['Planifiez, démarrez ou rejoignez une visioconférence ; les participants reçoivent l’invitation par mail.'],
    },
  },
};

const de: HelpTexts = {
  title: 'Hilfe — sichere eSanté-Nachrichten',
  intro: 'Diese Seite erklärt jedes Fenster der sicheren Nachrichten. Die vollständige Anleitung ist der „Quickguide für Gesundheitsberufe“.',
  helpdesk: 'Eine Frage? Wenden Sie sich an den Helpdesk der Agence eSanté',
  phone: 'Telefon',
  mail: 'E-Mail',
  sections: {
    'regify-account': {
      title: 'Ihr Regify-Konto anlegen',
      paragraphs: [
        'Beim ersten Start schlägt Ihnen das Postfach vor, Ihr Regify-Konto anzulegen: es verschlüsselt Ihre Nachrichten und weist Sie gegenüber den Empfängern aus.',
        'Wählen Sie ein Passwort mit mindestens 8 Zeichen, mit Ziffern, Klein- und Großbuchstaben und Sonderzeichen. Merken Sie es sich: es gilt auch in Outlook oder Thunderbird.',
        '„Beim Start nicht mehr fragen“: wählen Sie dies, wenn Sie Ihre E-Mails nicht verschlüsseln; Sie können das Konto später über das Regify-Menü anlegen.',
      ],
    },
    'regify-options': {
      title: 'Ihr Regify-Konto ändern (Optionen und Informationen)',
      paragraphs: [
        'Optionen: ändern Sie Ihren vollständigen Namen oder Ihr Passwort. Informationen: das Erstellungsdatum Ihres Kontos und Ihre Authentifizierungsstufe.',
        'Nach zu vielen falschen Passwörtern wird das Konto eine Zeit lang gesperrt; Ihr Entsperrcode hebt die Sperre sofort auf.',
      ],
    },
    send: {
      title: 'Eine sichere Nachricht senden',
      paragraphs: [
        '„Mit Regify senden“ verschlüsselt die Nachricht und ihre Anhänge vor dem Senden in Ihrem Browser: nur die Empfänger können sie lesen. „Senden“ sendet sie unverschlüsselt.',
        'Ein Empfänger außerhalb der eSanté-Nachrichten erhält eine E-Mail auf Französisch, Englisch und Deutsch mit der Nachricht als Anhang und einem Link zum Portal, wo er sich kostenlos registriert, um sie zu lesen.',
        'Die Lesefrist benachrichtigt Sie, wenn ein Empfänger die Nachricht nicht rechtzeitig geöffnet hat.',
      ],
    },
    sign: {
      title: 'Eine Nachricht signieren',
      paragraphs: [
        '„Signieren“ fügt Ihre elektronische Signatur hinzu: der Empfänger weiß, dass die Nachricht von Ihnen kommt und nicht verändert wurde.',
        'Die Signatur erfordert eine Anmeldung mit Ihrer LuxTrust-Karte; bei der Ersatzanmeldung ist sie nicht möglich.',
      ],
    },
    receive: {
      title: 'Eine sichere Nachricht empfangen',
      paragraphs: [
        'Eine verschlüsselte Nachricht öffnet sich im Postfach unter ihren Bannern: „Mit Regify verschlüsselte Nachricht“, die Authentifizierungsstufe des Absenders und, falls signiert, die Signatur.',
        'Externe Bilder werden erst angezeigt, wenn Sie es wünschen: sie zu laden würde dem Absender mitteilen, wann und von wo Sie die Nachricht lesen.',
      ],
    },
    prosearch: {
      title: 'Suche nach Gesundheitsfachkräften',
      paragraphs: [
        'Suchen Sie eine Fachkraft über ihren Namen ODER ihre Kennung, verfeinern Sie nach Beruf, Fachrichtung, Ort oder Einrichtung.',
        'Über ihr Profil fügen Sie sie Ihren Kontakten hinzu oder als Empfänger (An, Cc, Bcc) der aktuellen Nachricht.',
      ],
    },
    medical: {
      title: 'Assistent für medizinische Nachrichten',
      paragraphs: [
        '„Zur DSP hinzufügen“ legt die Dokumente einer Nachricht in der gemeinsamen Patientenakte (DSP) ab: finden Sie den Patienten über seine Matrikelnummer oder Name und Geburtsdatum, prüfen Sie die vorgeschlagenen Angaben und legen Sie jedes Dokument ab.',
        'Ein für diesen Patienten bereits abgelegtes Dokument wird als „Bereits abgelegt“ angezeigt und nicht ein zweites Mal gesendet.',
      ],
    },
    security: {
      title: 'Sicherheitsverwaltung',
      paragraphs: ['Sie zeigt Ihre Anmeldeart, Ihr Signaturzertifikat und die vertrauenswürdigen Stellen und lässt Sie Ihre Signatur testen, ohne etwas zu senden.'],
    },
    webex: {
      title: 'WebEx',
      paragraphs: ['Planen, starten oder betreten Sie eine Videokonferenz; die Teilnehmer erhalten die Einladung per E-Mail.'],
    },
  },
};

const en: HelpTexts = {
  title: 'Help — eSanté secure messaging',
  intro: 'This page explains each window of the secure messaging. The full guide is the “Quickguide for health professionals”.',
  helpdesk: 'A question? Contact the Agence eSanté helpdesk',
  phone: 'Phone',
  mail: 'E-mail',
  sections: {
    'regify-account': {
      title: 'Create your Regify account',
      paragraphs: [
        'At the first start the mailbox offers to create your Regify account: it encrypts your messages and identifies you to their recipients.',
        'Choose a password of at least 8 characters, with digits, lower and upper case letters and special characters. Remember it: it also works in Outlook or Thunderbird.',
        '“Do not ask me again at start-up”: tick it if you do not encrypt your mail; you can create the account later from the Regify menu.',
      ],
    },
    'regify-options': {
      title: 'Change your Regify account (Options and Information)',
      paragraphs: [
        'Options: change your full name or your password. Information: when your account was created and your authentication level.',
        'After too many wrong passwords the account is locked for a while; your unlock code unlocks it at once.',
      ],
    },
    send: {
      title: 'Send a secure message',
      paragraphs: [
        '“Send with Regify” encrypts the message and its attachments in your browser before sending: only the recipients can read it. “Send” sends it in clear.',
        'A recipient outside eSanté messaging receives a mail in French, English and German with the message attached and a link to the portal, where they register for free to read it.',
        'The read deadline tells you when a recipient has not opened the message in time.',
      ],
    },
    sign: {
      title: 'Sign a message',
      paragraphs: [
        '“Sign” adds your electronic signature: the recipient knows the message comes from you and was not changed.',
        'Signing requires a log-in with your LuxTrust card; it is not possible in a fallback log-in.',
      ],
    },
    receive: {
      title: 'Receive a secure message',
      paragraphs: [
        'An encrypted message opens in the mailbox under its banners: “Message encrypted with Regify”, the sender’s authentication level and, when signed, the signature.',
        'Remote images are not shown until you ask: loading them would tell the sender when and from where you read the message.',
      ],
    },
    prosearch: {
      title: 'Health professional search',
      paragraphs: [
        'Search for a health professional by name OR identifier, and narrow down by profession, specialty, locality or establishment.',
        'Their card lets you add them to your contacts or as a recipient (To, Cc, Bcc) of the message being written.',
      ],
    },
    medical: {
      title: 'Medical message assistant',
      paragraphs: [
        '“Add to the DSP” files a message’s documents into the patient’s shared care record: find the patient by national identification number or by name and birth date, check the proposed details, then file each document.',
        'A document already filed for this patient is shown as “Already filed” and is not sent a second time.',
      ],
    },
    security: {
      title: 'Security manager',
      paragraphs: ['It shows how you logged in, your signing certificate and the trust anchors, and lets you test your signature without sending anything.'],
    },
    webex: {
      title: 'WebEx',
      paragraphs: ['Schedule, start or join a video conference; participants receive the invitation by mail.'],
    },
  },
};

export const HELP_TEXTS: Record<Lang, HelpTexts> = { fr, de, en };
