/** Texts of the stand-in portal page (sandbox only). French first, like the eSanté portal. */
export type IdpLang = 'fr' | 'de' | 'en';

interface IdpTexts {
  title: string;
  sandboxNote: string;
  search: string;
  searchButton: string;
  pick: string;
  none: string;
  hasMailbox: string;
  noMailbox: string;
  hidden: string;
  restricted: string;
  method: string;
  card: string;
  fallback: string;
  open: string;
  typed: string;
  givenName: string;
  surname: string;
  identifier: string;
  missing: string;
  continue: string;
  continueNoScript: string;
}

export const idpTexts: Record<IdpLang, IdpTexts> = {
  fr: {
    title: 'Portail eSanté',
    sandboxNote: 'Bac à sable : ce portail de test remplace la connexion au portail eSanté. Choisissez un professionnel de l’annuaire et le mode de connexion, puis ouvrez la messagerie sécurisée.',
    search: 'Nom ou prénom',
    searchButton: 'Rechercher',
    pick: 'Professionnel de l’annuaire',
    none: 'Aucun professionnel trouvé.',
    hasMailbox: 'boîte mail existante',
    noMailbox: 'pas encore de boîte mail',
    hidden: 'masqué dans l’annuaire',
    restricted: 'diffusion restreinte',
    method: 'Mode de connexion',
    card: 'Carte LuxTrust',
    fallback: 'Mode de secours (sans carte)',
    open: 'Messagerie sécurisée',
    typed: 'Ou saisir une identité',
    givenName: 'Prénom',
    surname: 'Nom',
    identifier: 'Identifiant annuaire',
    missing: 'Choisissez un professionnel ou saisissez un identifiant.',
    continue: 'Continuer',
    continueNoScript: 'JavaScript est désactivé : cliquez sur Continuer.',
  },
  de: {
    title: 'eSanté-Portal',
    sandboxNote: 'Sandbox: Dieses Testportal ersetzt die Anmeldung am eSanté-Portal. Wählen Sie eine Gesundheitsfachkraft aus dem Verzeichnis und die Anmeldeart, dann öffnen Sie den gesicherten Nachrichtendienst.',
    search: 'Name oder Vorname',
    searchButton: 'Suchen',
    pick: 'Gesundheitsfachkraft aus dem Verzeichnis',
    none: 'Keine Gesundheitsfachkraft gefunden.',
    hasMailbox: 'Postfach vorhanden',
    noMailbox: 'noch kein Postfach',
    hidden: 'im Verzeichnis verborgen',
    restricted: 'eingeschränkte Sichtbarkeit',
    method: 'Anmeldeart',
    card: 'LuxTrust-Karte',
    fallback: 'Notfallmodus (ohne Karte)',
    open: 'Gesicherter Nachrichtendienst',
    typed: 'Oder eine Identität eingeben',
    givenName: 'Vorname',
    surname: 'Name',
    identifier: 'Verzeichniskennung',
    missing: 'Wählen Sie eine Gesundheitsfachkraft oder geben Sie eine Kennung ein.',
    continue: 'Weiter',
    continueNoScript: 'JavaScript ist deaktiviert: Klicken Sie auf Weiter.',
  },
  en: {
    title: 'eSanté portal',
    sandboxNote: 'Sandbox: this test portal stands in for the eSanté portal login. Pick a professional from the directory and the login method, then open secure messaging.',
    search: 'Surname or first name',
    searchButton: 'Search',
    pick: 'Professional from the directory',
    none: 'No professional found.',
    hasMailbox: 'has a mailbox',
    noMailbox: 'no mailbox yet',
    hidden: 'hidden in the directory',
    restricted: 'restricted',
    method: 'Login method',
    card: 'LuxTrust card',
    fallback: 'Fallback login (without card)',
    open: 'Secure messaging',
    typed: 'Or type an identity',
    givenName: 'First name',
    surname: 'Surname',
    identifier: 'Directory identifier',
    missing: 'Pick a professional or type an identifier.',
    continue: 'Continue',
    continueNoScript: 'JavaScript is off: click Continue.',
  },
};
